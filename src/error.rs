//! Errors that map onto exit codes a scheduler can act on, and the sanitizer that keeps cell
//! values out of every message we print.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

/// What went wrong, which decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The pipeline spec or policy file is malformed or inconsistent.
    Config,
    /// A column has no policy, or a policy names a column that does not exist.
    Policy,
    /// A source could not be reached or read.
    Source,
    /// Input data could not be processed (parse failures that stop the run).
    Data,
    /// `harbor verify` found a problem in a run directory.
    Verify,
    /// Another run of the same pipeline holds its output directory.
    Busy,
    /// Anything else: a bug or an I/O failure writing output.
    Internal,
}

impl ErrorKind {
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Internal => 1,
            ErrorKind::Config => 3,
            ErrorKind::Policy => 4,
            ErrorKind::Source => 5,
            ErrorKind::Data => 6,
            ErrorKind::Verify => 7,
            ErrorKind::Busy => 8,
        }
    }
}

/// Exit code for a run that found no new rows: Airflow's `skip_on_exit_code` default.
pub const EXIT_NO_NEW_DATA: i32 = 99;

#[derive(Debug)]
pub struct HarborError {
    pub kind: ErrorKind,
    pub message: String,
}

impl HarborError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for HarborError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HarborError {}

pub fn config_err(message: impl Into<String>) -> anyhow::Error {
    HarborError::new(ErrorKind::Config, message).into()
}
pub fn policy_err(message: impl Into<String>) -> anyhow::Error {
    HarborError::new(ErrorKind::Policy, message).into()
}
pub fn source_err(message: impl Into<String>) -> anyhow::Error {
    HarborError::new(ErrorKind::Source, message).into()
}
pub fn data_err(message: impl Into<String>) -> anyhow::Error {
    HarborError::new(ErrorKind::Data, message).into()
}

/// The exit code for an error chain: the first `HarborError` in it decides.
pub fn exit_code_of(err: &anyhow::Error) -> i32 {
    err.chain()
        .find_map(|e| e.downcast_ref::<HarborError>())
        .map(|e| e.kind.exit_code())
        .unwrap_or(1)
}

static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"'[^']*'|"[^"]*"|`[^`]*`|Row data: \[.*?\]|(?i)(://[^:/@\s]*:)[^@\s]*@"#).unwrap()
});

/// Removes anything an upstream library may have quoted from the data (cell values, row
/// dumps) and passwords inside URLs. Library errors pass through here before we print them,
/// because arrow, DataFusion and database drivers quote offending values in their messages.
pub fn sanitize(message: &str) -> String {
    QUOTED
        .replace_all(message, |caps: &regex::Captures<'_>| {
            if let Some(scheme_user) = caps.get(1) {
                format!("{}***@", scheme_user.as_str())
            } else {
                "<value withheld>".to_string()
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_withholds_quoted_values_and_passwords() {
        let s = sanitize(
            "Cast error: Cannot cast string 'John Smith' to value of Int64 type; Row data: [a, b]",
        );
        assert!(!s.contains("John"), "{s}");
        assert!(!s.contains("a, b"), "{s}");
        let s = sanitize("connect to mysql://root:hunter2@db:3306/x failed");
        assert!(!s.contains("hunter2"), "{s}");
        assert!(s.contains("mysql://root:***@db"), "{s}");
    }

    #[test]
    fn exit_codes_are_distinct() {
        let kinds = [
            ErrorKind::Config,
            ErrorKind::Policy,
            ErrorKind::Source,
            ErrorKind::Data,
            ErrorKind::Verify,
            ErrorKind::Busy,
            ErrorKind::Internal,
        ];
        let mut codes: Vec<i32> = kinds.iter().map(|k| k.exit_code()).collect();
        codes.push(EXIT_NO_NEW_DATA);
        codes.push(2); // clap's usage error
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }
}
