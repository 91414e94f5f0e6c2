//! The desktop app's command line.
//!
//! Parsed by hand rather than by clap because WebKitWebDriver and desktop
//! launchers add arguments of their own, which must be ignored, not rejected.

use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct DesktopArgs {
    /// `--data-dir DIR` or `--data-dir=DIR`: where the database lives.
    pub data_dir: Option<PathBuf>,
    /// `--in-tray`: start with no window, in the system tray. The login
    /// entry that "Start Portcullis when I log in" registers passes it, so
    /// logging in does not throw a window in the person's face.
    pub in_tray: bool,
}

/// The argument the login entry starts the app with.
pub const IN_TRAY: &str = "--in-tray";

impl DesktopArgs {
    pub fn from_env() -> Self {
        Self::parse(std::env::args_os().skip(1))
    }

    fn parse(args: impl IntoIterator<Item = OsString>) -> Self {
        let mut parsed = DesktopArgs::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == IN_TRAY {
                parsed.in_tray = true;
            } else if arg == "--data-dir" {
                parsed.data_dir = args.next().map(PathBuf::from);
            } else if let Some(dir) = arg.to_str().and_then(|a| a.strip_prefix("--data-dir=")) {
                parsed.data_dir = Some(PathBuf::from(dir));
            }
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> DesktopArgs {
        DesktopArgs::parse(args.iter().map(OsString::from))
    }

    #[test]
    fn data_dir_in_both_spellings() {
        let expected = Some(PathBuf::from("/tmp/x"));
        assert_eq!(parse(&["--data-dir", "/tmp/x"]).data_dir, expected);
        assert_eq!(parse(&["--data-dir=/tmp/x"]).data_dir, expected);
    }

    #[test]
    fn foreign_arguments_are_ignored() {
        let parsed = parse(&["--automation", "--data-dir", "/d", "-psn_0_1"]);
        assert_eq!(parsed.data_dir, Some(PathBuf::from("/d")));
        assert_eq!(parse(&["--automation"]), DesktopArgs::default());
    }

    #[test]
    fn in_tray_among_others() {
        assert!(!parse(&["--data-dir", "/d"]).in_tray);
        let parsed = parse(&["--automation", "--in-tray", "--data-dir=/d"]);
        assert!(parsed.in_tray);
        assert_eq!(parsed.data_dir, Some(PathBuf::from("/d")));
    }
}
