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
}

impl DesktopArgs {
    pub fn from_env() -> Self {
        Self::parse(std::env::args_os().skip(1))
    }

    fn parse(args: impl IntoIterator<Item = OsString>) -> Self {
        let mut parsed = DesktopArgs::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--data-dir" {
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
}
