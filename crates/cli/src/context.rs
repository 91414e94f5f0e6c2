//! What every database command shares: where the database is, who is
//! acting, and how failures map to exit codes.

use std::path::PathBuf;

use portcullis_store::{Store, StoreError};

use crate::{Failure, exit};

/// The global options of a database command.
#[derive(Debug, Clone)]
pub struct Session {
    pub data_dir: Option<PathBuf>,
    /// Who the audit log names for the changes this run makes.
    pub actor: String,
}

impl Session {
    pub fn new(data_dir: Option<PathBuf>, actor: Option<String>) -> Session {
        Session {
            data_dir,
            actor: actor
                .filter(|name| !name.trim().is_empty())
                .unwrap_or_else(os_user),
        }
    }

    /// Opens the same database the desktop app uses (or `--data-dir`'s).
    pub async fn open(&self) -> Result<Store, Failure> {
        let data_dir = portcullis_store::resolve_data_dir(self.data_dir.as_deref())
            .map_err(|e| Failure::new(exit::DATABASE, e))?;
        Store::open(&data_dir).await.map_err(store_failure)
    }
}

/// The account running the command, for the audit log (PCI DSS 10.2 asks
/// for who did it). Asked of the OS (the effective user's entry in the
/// account database), not read from `$USER`, which any caller can set and
/// cron leaves unset. A scan with raw sockets runs under sudo as root:
/// then the person sudo names is the one who acted.
fn os_user() -> String {
    let account = whoami::fallible::username()
        .ok()
        .filter(|name| !name.trim().is_empty());
    let sudo_user = std::env::var("SUDO_USER")
        .ok()
        .filter(|name| !name.trim().is_empty());
    describe_account(account, sudo_user)
}

fn describe_account(account: Option<String>, sudo_user: Option<String>) -> String {
    match (account, sudo_user) {
        (Some(account), Some(person)) if account == "root" && person != "root" => {
            format!("{person} (as root, through sudo)")
        }
        (Some(account), _) => account,
        (None, _) => "an account the OS could not name".to_owned(),
    }
}

/// A store error: the user's fault (exit 2) or the database's (exit 3).
pub fn store_failure(error: StoreError) -> Failure {
    let code = if error.is_bad_input() {
        exit::BAD_INPUT
    } else {
        exit::DATABASE
    };
    Failure::new(code, error)
}

/// Bad input, in the user's words.
pub fn bad_input(message: impl std::fmt::Display) -> Failure {
    Failure::new(exit::BAD_INPUT, anyhow::anyhow!("{message}"))
}

/// Prints `value` as pretty JSON on standard output.
pub fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let json = serde_json::to_string_pretty(value).map_err(|e| Failure::new(exit::DATABASE, e))?;
    println!("{json}");
    Ok(())
}

/// Text a scanned service or a user wrote, made safe for a terminal:
/// control characters (escape sequences could rewrite the screen) are shown
/// as `\xNN`.
pub fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// "1 port", "2 ports".
pub fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// A value parser for the model's enumerations, by their serde names.
pub fn parse_serde_name<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_lowercase()))
        .map_err(|_| format!("`{text}` is not one of the accepted values"))
}

/// The serde name of an enumeration value, for printing.
pub fn serde_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

/// A date (2025-03-31) or an RFC 3339 time, for clap.
pub fn parse_date(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    portcullis_store::parse_date(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actor_is_the_account_or_the_person_behind_sudo() {
        let name = |account: Option<&str>, sudo: Option<&str>| {
            describe_account(account.map(str::to_owned), sudo.map(str::to_owned))
        };
        assert_eq!(name(Some("alice"), None), "alice");
        assert_eq!(name(Some("alice"), Some("bob")), "alice");
        assert_eq!(
            name(Some("root"), Some("alice")),
            "alice (as root, through sudo)"
        );
        assert_eq!(name(Some("root"), None), "root");
        assert!(name(None, Some("alice")).contains("could not name"));
        // The account comes from the OS, whatever $USER says.
        assert_eq!(
            Session::new(None, None).actor,
            describe_account(
                whoami::fallible::username().ok(),
                std::env::var("SUDO_USER").ok()
            )
        );
        assert_eq!(Session::new(None, Some("Alice".into())).actor, "Alice");
        assert_ne!(Session::new(None, Some("  ".into())).actor, "  ");
    }

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(safe("ok\u{1b}[2Jgone\r"), "ok\\x1b[2Jgone\\x0d");
        assert_eq!(safe("two\nlines"), "two\nlines");
    }
}
