//! The evidence pack: one ZIP holding a BagIt bag (RFC 8493) of what an
//! assessor asks for, with a SHA-256 manifest that `sha256sum -c` accepts
//! from the bag's folder. The same inputs give the same bytes: entries in
//! path order, one fixed time stamp (the pack's date), fixed permissions,
//! the same compression.

use std::io::{Read, Seek, Write};
use std::path::Path;

use chrono::{DateTime, Datelike, Timelike, Utc};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

/// What a file in the pack holds: bytes made for it, or a file on disk
/// (an imported original, possibly hundreds of megabytes) streamed in.
#[derive(Debug)]
pub enum Payload<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

/// One file of the bag's payload, at `path` under `data/`.
#[derive(Debug)]
pub struct PackEntry<'a> {
    pub path: String,
    pub payload: Payload<'a>,
}

/// What the bag says of itself (`bag-info.txt`).
#[derive(Debug, Clone)]
pub struct BagInfo {
    /// The business the evidence is about.
    pub organization: String,
    /// What the pack is, in a sentence.
    pub description: String,
    pub made: DateTime<Utc>,
    /// "Portcullis 0.1.0".
    pub software: String,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackSummary {
    pub files: usize,
    /// Payload bytes, before compression.
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("'{0}' is not a safe path inside the pack")]
    UnsafePath(String),
    #[error("two files of the pack are both named '{0}'")]
    Duplicate(String),
    #[error("{path} could not be read: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("the pack could not be written: {0}")]
    Write(String),
}

impl From<zip::result::ZipError> for EvidenceError {
    fn from(error: zip::result::ZipError) -> EvidenceError {
        EvidenceError::Write(error.to_string())
    }
}

impl From<std::io::Error> for EvidenceError {
    fn from(error: std::io::Error) -> EvidenceError {
        EvidenceError::Write(error.to_string())
    }
}

/// A path made of safe segments only: letters, digits, dots, dashes and
/// underscores, no empty or dot-only segment.
fn is_safe(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|segment| {
            !segment.is_empty()
                && !segment.chars().all(|c| c == '.')
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        })
}

/// A digest as lower-case hex, as `sha256sum` writes it.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `bytes`, as `sha256sum` writes it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Writes the pack as a ZIP whose one folder, `root`, is the bag.
pub fn write_evidence_pack<W: Write + Seek>(
    out: W,
    root: &str,
    info: &BagInfo,
    mut entries: Vec<PackEntry<'_>>,
) -> Result<PackSummary, EvidenceError> {
    if !is_safe(root) || root.contains('/') {
        return Err(EvidenceError::UnsafePath(root.to_owned()));
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    for pair in entries.windows(2) {
        if pair[0].path == pair[1].path {
            return Err(EvidenceError::Duplicate(pair[0].path.clone()));
        }
    }
    if let Some(entry) = entries.iter().find(|entry| !is_safe(&entry.path)) {
        return Err(EvidenceError::UnsafePath(entry.path.clone()));
    }
    let options = options(info.made)?;
    let mut zip = zip::ZipWriter::new(out);
    let mut manifest = String::new();
    let mut total = 0u64;
    for entry in &entries {
        let name = format!("data/{}", entry.path);
        zip.start_file(format!("{root}/{name}"), options)?;
        let (digest, bytes) = match &entry.payload {
            Payload::Bytes(bytes) => {
                zip.write_all(bytes)?;
                (sha256_hex(bytes), bytes.len() as u64)
            }
            Payload::File(path) => copy_file(path, &mut zip)?,
        };
        total += bytes;
        manifest.push_str(&format!("{digest}  {name}\n"));
    }
    let bagit = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_owned();
    let bag_info = bag_info(info, total, entries.len());
    let mut tag_manifest = String::new();
    for (name, text) in [
        ("bag-info.txt", &bag_info),
        ("bagit.txt", &bagit),
        ("manifest-sha256.txt", &manifest),
    ] {
        zip.start_file(format!("{root}/{name}"), options)?;
        zip.write_all(text.as_bytes())?;
        tag_manifest.push_str(&format!("{}  {name}\n", sha256_hex(text.as_bytes())));
    }
    zip.start_file(format!("{root}/tagmanifest-sha256.txt"), options)?;
    zip.write_all(tag_manifest.as_bytes())?;
    zip.finish()?;
    Ok(PackSummary {
        files: entries.len(),
        bytes: total,
    })
}

/// Every entry's options: deflated, the pack's date, read-only for all.
fn options(made: DateTime<Utc>) -> Result<SimpleFileOptions, EvidenceError> {
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(made.year().clamp(1980, 2107)).unwrap_or(1980),
        made.month() as u8,
        made.day() as u8,
        made.hour() as u8,
        made.minute() as u8,
        made.second().min(59) as u8,
    )
    .map_err(|error| EvidenceError::Write(format!("the pack's date: {error}")))?;
    Ok(SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o444))
}

/// Streams `path` into the open entry, hashing as it goes.
fn copy_file<W: Write>(path: &Path, out: &mut W) -> Result<(String, u64), EvidenceError> {
    let shown = path.display().to_string();
    let read_error = |error| EvidenceError::Read {
        path: shown.clone(),
        error,
    };
    let mut file = std::fs::File::open(path).map_err(read_error)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let read = file
            .read(&mut buffer)
            .map_err(|error| EvidenceError::Read {
                path: shown.clone(),
                error,
            })?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        out.write_all(&buffer[..read])?;
        total += read as u64;
    }
    Ok((hex(&hasher.finalize()), total))
}

/// `bag-info.txt`: who, what, when, and the payload's size (its
/// "Oxum": bytes, then files).
fn bag_info(info: &BagInfo, bytes: u64, files: usize) -> String {
    let one_line = |text: &str| text.replace(['\r', '\n'], " ");
    format!(
        "Source-Organization: {}\nExternal-Description: {}\nBagging-Date: {}\nBag-Software-Agent: {}\nPayload-Oxum: {bytes}.{files}\n",
        one_line(&info.organization),
        one_line(&info.description),
        info.made.format("%Y-%m-%d"),
        one_line(&info.software),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_safe() {
        assert!(is_safe("scan-reports/scan-4.pdf"));
        assert!(!is_safe("../x"));
        assert!(!is_safe("/etc/passwd"));
        assert!(!is_safe("a//b"));
        assert!(!is_safe("a/./b"));
        assert!(!is_safe("a b"));
    }
}
