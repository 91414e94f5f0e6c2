//! Where things are: the workspace, the installed tools, the build outputs.

use std::path::{Path, PathBuf};

/// The workspace root (xtask lives one level below it).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

/// `target/`, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Where setup installs the pinned tools: outside the clone, so a fresh
/// clone on the same machine does not rebuild them
/// (`$PORTCULLIS_TOOLS`, default `~/.cache/portcullis/tools`).
pub fn tools_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("PORTCULLIS_TOOLS") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    home.join(".cache/portcullis/tools")
}

/// The directories holding the installed tools' executables.
pub fn tool_bin_dirs() -> Vec<PathBuf> {
    let root = tools_root();
    vec![root.join("bin"), root.join("npm/node_modules/.bin")]
}

/// `PATH` with the tool directories first, for the commands xtask starts.
pub fn path_with_tools() -> std::ffi::OsString {
    let existing = std::env::var_os("PATH").unwrap_or_default();
    let dirs = tool_bin_dirs()
        .into_iter()
        .chain(std::env::split_paths(&existing));
    std::env::join_paths(dirs).expect("tool paths contain no separator")
}
