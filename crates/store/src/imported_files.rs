//! The original files imports were made from, kept unchanged under
//! `imports/` in the data directory with their SHA-256: what an assessor
//! may ask to see beside the scan they became.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use portcullis_model::ScanId;
use sha2::{Digest, Sha256};

use crate::database::Store;
use crate::error::StoreError;
use crate::time::now_rfc3339;

/// The folder of the data directory the originals are kept in.
pub const IMPORTS_DIR: &str = "imports";

/// An original file kept with its scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptFile {
    pub scan_id: ScanId,
    /// Its name when it was imported.
    pub file_name: String,
    /// Where it is kept now.
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
}

/// `name` cut to letters, digits, dots, dashes and underscores, so it is
/// a safe file name on every platform.
fn safe_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let kept = kept.trim_start_matches('.').to_owned();
    if kept.is_empty() {
        "imported".to_owned()
    } else {
        kept
    }
}

/// Copies `source` to `target`, returning its SHA-256 (hex) and length.
fn copy_hashing(source: &Path, target: &Path) -> std::io::Result<(String, u64)> {
    let mut input = std::fs::File::open(source)?;
    let mut output = std::fs::File::create_new(target)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let read = input.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        output.write_all(&buffer[..read])?;
        total += read as u64;
    }
    output.sync_all()?;
    Ok((hex(&hasher.finalize()), total))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Keeps a copy of `source`, the file scan `scan_id` was imported
    /// from. The copy is written before its row, and removed again if the
    /// row cannot be: a crash leaves at most an unlisted file, never a row
    /// without its file.
    pub async fn keep_imported_file(
        &self,
        scan_id: ScanId,
        source: &Path,
    ) -> Result<KeptFile, StoreError> {
        let file_name = source.file_name().map_or_else(
            || "imported".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        let folder = self.data_dir().join(IMPORTS_DIR);
        let stored_name = format!("scan-{}-{}", scan_id.get(), safe_name(&file_name));
        let target = folder.join(&stored_name);
        let (source, copy) = (source.to_path_buf(), target.clone());
        let (sha256, bytes) = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(copy.parent().expect("imports/ has a parent"))?;
            copy_hashing(&source, &copy)
        })
        .await
        .map_err(|error| StoreError::Invalid(format!("keeping the imported file: {error}")))?
        .map_err(|error| {
            StoreError::Invalid(format!(
                "the imported file could not be kept in {}: {error}",
                target.display()
            ))
        })?;
        let row = sqlx::query(
            "INSERT INTO imported_files (scan_id, file_name, stored_name, sha256, bytes, kept_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(scan_id.get())
        .bind(&file_name)
        .bind(&stored_name)
        .bind(&sha256)
        .bind(i64::try_from(bytes).unwrap_or(i64::MAX))
        .bind(now_rfc3339())
        .execute(self.pool())
        .await;
        if let Err(error) = row {
            let _ = std::fs::remove_file(&target);
            return Err(error.into());
        }
        Ok(KeptFile {
            scan_id,
            file_name,
            path: target,
            sha256,
            bytes,
        })
    }

    /// Every original kept, oldest import first.
    pub async fn imported_files(&self) -> Result<Vec<KeptFile>, StoreError> {
        let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT scan_id, file_name, stored_name, sha256, bytes FROM imported_files
             ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        let folder = self.data_dir().join(IMPORTS_DIR);
        Ok(rows
            .into_iter()
            .map(
                |(scan_id, file_name, stored_name, sha256, bytes)| KeptFile {
                    scan_id: ScanId(scan_id),
                    file_name,
                    path: folder.join(stored_name),
                    sha256,
                    bytes: u64::try_from(bytes).unwrap_or(0),
                },
            )
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_names_are_safe_file_names() {
        assert_eq!(safe_name("ASV scan (Q3).nessus"), "ASV_scan__Q3_.nessus");
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name("..."), "imported");
    }
}
