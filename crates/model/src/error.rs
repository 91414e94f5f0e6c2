//! The one error every use case returns, and the IPC carries.
//!
//! A kind a shell can act on (the CLI maps it to an exit code, the window
//! to where it shows the message), a message in the user's words, the
//! field it concerns where there is one (so the window can put it beside
//! that field), and the row problems of a file that could not be imported.
//! Messages never name a shell's options ("--connect"): the shells add the
//! hint that fits them.

use serde::{Deserialize, Serialize};

/// What sort of failure, as a shell needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// What the user gave is wrong; [`AppError::field`] says where.
    BadInput,
    /// The thing named does not exist.
    NotFound,
    /// The request contradicts the stored state (an older scan judged after
    /// a newer one, a system that still has inventory entries removed).
    Conflict,
    /// Something else holds what is needed (a scan is being recorded, the
    /// scan slots are full); trying later may work.
    Busy,
    /// A part the request needs cannot work here (no raw sockets, the
    /// database could not be opened).
    Unavailable,
    /// The audit log's hash chain is broken.
    Tampered,
    /// The person stopped the work (a backup, a restore) before its end;
    /// nothing was changed.
    Cancelled,
    /// A bug or an unexpected failure of the machine (disk, database).
    Internal,
}

/// One problem found in a file or a list: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Where, in words: "line 4", "entry 2 (line 17)"; empty when the
    /// problem is the whole file's.
    pub place: String,
    /// The line (1-based, the header being line 1), for a window that
    /// points at it.
    pub line: Option<usize>,
    /// The column or field.
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.place.as_str(), &self.field) {
            ("", Some(field)) => write!(f, "field `{field}`: {}", self.message),
            ("", None) => f.write_str(&self.message),
            (place, Some(field)) => write!(f, "{place}, field `{field}`: {}", self.message),
            (place, None) => write!(f, "{place}: {}", self.message),
        }
    }
}

/// Why a use case failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub kind: ErrorKind,
    /// What happened, in words fit to show the user.
    pub message: String,
    /// The field of the request it concerns (e.g. "addresses", "targets").
    pub field: Option<String>,
    /// Each problem of a file or list that was refused as a whole.
    pub problems: Vec<Problem>,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> AppError {
        AppError {
            kind,
            message: message.into(),
            field: None,
            problems: Vec::new(),
        }
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::BadInput, message).with_field(field)
    }

    pub fn not_found(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::Conflict, message)
    }

    pub fn internal(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::Internal, message)
    }

    pub fn with_field(mut self, field: impl Into<String>) -> AppError {
        self.field = Some(field.into());
        self
    }

    pub fn with_problems(mut self, problems: Vec<Problem>) -> AppError {
        self.problems = problems;
        self
    }

    /// The same error, its message led by where it happened ("hosts.csv: ").
    pub fn context(mut self, place: impl std::fmt::Display) -> AppError {
        self.message = format!("{place}: {}", self.message);
        self
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_form_carries_kind_field_and_problems() {
        let error = AppError::bad_input("file", "2 rows are wrong").with_problems(vec![Problem {
            place: "line 3".into(),
            line: Some(3),
            field: Some("port".into()),
            message: "not a number".into(),
        }]);
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["kind"], "bad-input");
        assert_eq!(json["field"], "file");
        assert_eq!(json["problems"][0]["line"], 3);
        assert_eq!(
            error.to_string(),
            "2 rows are wrong\n  line 3, field `port`: not a number"
        );
        let back: AppError = serde_json::from_value(json).unwrap();
        assert_eq!(back, error);
    }
}
