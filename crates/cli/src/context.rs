//! What every database command shares: the workspace, who is acting, and
//! how failures map to exit codes.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use portcullis_app::{Workspace, WorkspaceOptions};
use portcullis_model::{AppError, ErrorKind};

use crate::{Failure, exit};

/// The global options of a database command.
#[derive(Debug, Clone)]
pub struct Session {
    pub data_dir: Option<PathBuf>,
    /// Who the audit log names for the changes this run makes.
    pub actor: String,
    /// The time to act as of (`--now`); `None`: the machine's clock.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

impl Session {
    pub fn new(data_dir: Option<PathBuf>, actor: Option<String>) -> Session {
        Session {
            data_dir,
            actor: portcullis_app::actor_or_os_user(actor),
            now: None,
        }
    }

    /// The session acting as of `now`, when given.
    pub fn at(self, now: Option<chrono::DateTime<chrono::Utc>>) -> Session {
        Session { now, ..self }
    }

    /// Opens the same workspace the desktop app uses (or `--data-dir`'s).
    pub async fn open(&self) -> Result<Arc<Workspace>, Failure> {
        let clock = self.now.map(portcullis_app::FixedClock::new);
        self.open_with(clock).await
    }

    /// Opens the workspace with `clock`, held by the caller to move time
    /// (`None`: the machine's clock).
    pub async fn open_with(
        &self,
        clock: Option<Arc<portcullis_app::FixedClock>>,
    ) -> Result<Arc<Workspace>, Failure> {
        let data_dir =
            portcullis_app::resolve_data_dir(self.data_dir.as_deref()).map_err(|error| {
                Failure::new(exit::DATABASE, anyhow::anyhow!("{error} (--data-dir DIR)"))
            })?;
        let mut options = WorkspaceOptions::new(data_dir, self.actor.clone());
        if let Some(clock) = clock {
            options.clock = clock;
        }
        Workspace::open(options)
            .await
            .map(Arc::new)
            .map_err(failure)
    }
}

/// A use case's error as an exit code: the user's fault (2), the audit
/// log's (5), the database's and the machine's (3), or stopped (130).
pub fn failure(error: AppError) -> Failure {
    let code = match error.kind {
        ErrorKind::BadInput | ErrorKind::NotFound | ErrorKind::Conflict | ErrorKind::Busy => {
            exit::BAD_INPUT
        }
        ErrorKind::Tampered => exit::TAMPERED,
        ErrorKind::Cancelled => exit::INTERRUPTED,
        ErrorKind::Unavailable | ErrorKind::Internal => exit::DATABASE,
    };
    Failure::new(code, error)
}

/// Bad input, in the user's words.
pub fn bad_input(message: impl std::fmt::Display) -> Failure {
    Failure::new(exit::BAD_INPUT, anyhow::anyhow!("{message}"))
}

/// Prints `value` as pretty JSON on standard output, written as it is
/// serialised: a large import's judgement is over a hundred megabytes of
/// JSON, which a string would hold whole (and, as it grows, twice).
pub fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| Failure::new(exit::DATABASE, e))?;
    writeln!(out)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::new(exit::DATABASE, e))
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

pub use portcullis_app::words::plural;

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
    portcullis_app::parse_date(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(safe("ok\u{1b}[2Jgone\r"), "ok\\x1b[2Jgone\\x0d");
        assert_eq!(safe("two\nlines"), "two\nlines");
    }
}
