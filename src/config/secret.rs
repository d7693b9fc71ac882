//! Secrets (database URLs, the pseudonym key) come from an environment variable or a file.
//! Only a fingerprint of them is ever printed.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::config_err;

/// Where a secret comes from. A plain string is accepted only where the spec says a value is
/// not secret (a SQLite path, say); the pseudonym key must come from `env` or `file`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Secret {
    Plain(String),
    Env { env: String },
    File { file: PathBuf },
}

/// A resolved secret. `Debug` shows only the fingerprint.
#[derive(Clone)]
pub struct SecretValue(String);

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretValue(fingerprint {})", self.fingerprint())
    }
}

impl SecretValue {
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// First 16 hex digits of SHA-256 over a domain tag and the secret: enough to tell keys
    /// apart in a report, useless for recovering the key.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"harbor-secret-fingerprint\0");
        h.update(self.0.as_bytes());
        hex::encode(&h.finalize()[..8])
    }
}

impl Secret {
    /// `what` names the setting (e.g. `pipeline.key`) for error messages.
    pub fn resolve(&self, what: &str, base_dir: &Path) -> anyhow::Result<SecretValue> {
        match self {
            Secret::Plain(s) => Ok(SecretValue(s.clone())),
            Secret::Env { env } => match std::env::var(env) {
                Ok(v) if !v.is_empty() => Ok(SecretValue(v)),
                _ => Err(config_err(format!(
                    "{what}: environment variable {env} is not set (or is empty)"
                ))),
            },
            Secret::File { file } => {
                let path = super::resolve_path(base_dir, file);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    config_err(format!("{what}: cannot read {}: {e}", path.display()))
                })?;
                let value = text.trim_end_matches(['\n', '\r']).to_string();
                if value.is_empty() {
                    return Err(config_err(format!("{what}: {} is empty", path.display())));
                }
                Ok(SecretValue(value))
            }
        }
    }

    pub fn is_plain(&self) -> bool {
        matches!(self, Secret::Plain(_))
    }
}
