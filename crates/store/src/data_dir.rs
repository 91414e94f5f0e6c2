//! Where Portcullis keeps its data when the user does not say.

use std::path::{Path, PathBuf};

/// The database's file name inside the data directory.
pub const DATABASE_FILE_NAME: &str = "portcullis.sqlite3";

/// The per-user data directory the OS prescribes: `$XDG_DATA_HOME/portcullis`
/// (usually `~/.local/share/portcullis`) on Linux, `~/Library/Application
/// Support/org.portcullis.Portcullis` on macOS, `%APPDATA%\Portcullis\data`
/// on Windows.
///
/// `None` when the OS gives no home directory; callers then ask for
/// `--data-dir`.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("org", "portcullis", "Portcullis")
        .map(|dirs| dirs.data_dir().to_path_buf())
}

/// The data directory to use: the one the user named (made absolute against
/// the current directory), else the OS default.
pub fn resolve_data_dir(requested: Option<&Path>) -> Result<PathBuf, NoDataDir> {
    match requested {
        Some(dir) => std::path::absolute(dir).map_err(|_| NoDataDir),
        None => default_data_dir().ok_or(NoDataDir),
    }
}

/// Neither `--data-dir` nor a home directory to put the data in.
#[derive(Debug, thiserror::Error)]
#[error("no data directory: the OS reports no home directory; name a data directory")]
pub struct NoDataDir;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_data_dir_is_made_absolute() {
        let resolved = resolve_data_dir(Some(Path::new("some/dir"))).unwrap();
        assert!(resolved.is_absolute());
        assert!(resolved.ends_with("some/dir"));
    }

    #[test]
    fn the_default_is_per_user() {
        if let Some(home) = std::env::var_os("HOME") {
            let resolved = resolve_data_dir(None).unwrap();
            assert!(resolved.starts_with(home), "{}", resolved.display());
        }
    }
}
