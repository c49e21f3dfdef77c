//! Configuration: defaults, then an optional `placard.toml`, then the environment.
//!
//! Reads `DATABASE_URL` (or `PLACARD_DATABASE_URL`), `PLACARD_BIND`, `PLACARD_SECRET`,
//! `PLACARD_CLIENT_NAME`, `PLACARD_BASE_URL`, `PLACARD_SQLITE_SYNCHRONOUS`,
//! `PLACARD_MAX_BODY_BYTES`, `PLACARD_DB_POOL_SIZE`, `PLACARD_RETENTION_MONTHS`, `PLACARD_SMTP_URL`, `PLACARD_MAIL_FROM`,
//! `PLACARD_METRICS_TOKEN`, `PLACARD_CLIENT_TIMEOUT_SECS`, `PLACARD_SQLITE_WRITER_CACHE_MIB`,
//! `PLACARD_SQLITE_CHECKPOINT`, `PLACARD_POSTGRES_WRITES`,
//! and `PLACARD_CONFIG` (the TOML file's
//! path; `./placard.toml` when it exists). A `Config` is built once and passed down; nothing
//! reads the environment after start-up.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://FILE` or `postgres://…`.
    pub database_url: String,
    /// Listen address, `host:port`.
    pub bind: String,
    /// Instance secret for akid MACs, sessions and IP hashes. `None`: generated on first
    /// start and kept in the database.
    pub secret: Option<String>,
    /// The organization's name, shown on pages and in mail.
    pub client_name: String,
    /// Public base URL used in mail links, e.g. `https://act.example.org`.
    pub base_url: Option<String>,
    /// SQLite `PRAGMA synchronous`: `FULL` (default, durable), `NORMAL`, or `OFF`.
    pub sqlite_synchronous: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Connections in each pool (reads; on PostgreSQL also writes).
    pub db_pool_size: u32,
    /// SPEC B6: erase supporters unsubscribed from everything this many months, whose only
    /// basis was consent. `None`: keep them.
    pub retention_months: Option<u32>,
    /// Where mail is delivered: `smtp://host:port` (plain), `smtp+starttls://user:pass@host:587`,
    /// `smtps://user:pass@host:465`. `None`: mail stays queued in the outbox.
    pub smtp_url: Option<String>,
    /// The `From:` of every mail, e.g. `Placard <no-reply@example.org>`.
    pub mail_from: String,
    /// `PLACARD_METRICS_TOKEN`: when set, `/metrics` answers any client that sends it as a
    /// bearer token; when not, only direct loopback clients (SPEC O5).
    pub metrics_token: Option<String>,
    /// `PLACARD_CLIENT_TIMEOUT_SECS`: how long a client may take to send a request's head,
    /// and how long its body may stall between two chunks, before the connection is cut
    /// (slow clients must not hold connections open).
    pub client_timeout: std::time::Duration,
    /// `PLACARD_SQLITE_WRITER_CACHE_MIB`: the SQLite write connection's page cache (0:
    /// SQLite's default of 2 MiB).
    pub sqlite_writer_cache_mib: u32,
    /// `PLACARD_SQLITE_CHECKPOINT`: `background` (a thread copies the WAL into the database
    /// after commits) or `inline` (SQLite's default: inside every so many commits).
    pub sqlite_background_checkpoint: bool,
    /// `PLACARD_POSTGRES_WRITES`: `pooled` (one transaction per write) or `grouped` (the
    /// writes queued so far in one transaction, a savepoint each).
    pub postgres_grouped_writes: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://placard.db".to_owned(),
            bind: "127.0.0.1:8000".to_owned(),
            secret: None,
            client_name: "Placard".to_owned(),
            base_url: None,
            sqlite_synchronous: "FULL".to_owned(),
            max_body_bytes: 256 * 1024,
            db_pool_size: 8,
            retention_months: None,
            smtp_url: None,
            mail_from: "Placard <no-reply@localhost>".to_owned(),
            metrics_token: None,
            client_timeout: std::time::Duration::from_secs(10),
            sqlite_writer_cache_mib: 64,
            sqlite_background_checkpoint: true,
            postgres_grouped_writes: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path} is not valid TOML: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{name}={value:?} is not valid: {why}")]
    Invalid { name: &'static str, value: String, why: &'static str },
}

/// The keys `placard.toml` may hold; every one is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    secret: Option<String>,
    client_name: Option<String>,
    base_url: Option<String>,
    sqlite_synchronous: Option<String>,
    max_body_bytes: Option<usize>,
    db_pool_size: Option<u32>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
}

impl Config {
    /// Defaults, then the TOML file, then the process environment.
    pub fn load() -> Result<Self, ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        let lookup = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let file = match lookup("PLACARD_CONFIG") {
            Some(path) => Some(PathBuf::from(path)),
            None => Some(PathBuf::from("placard.toml")).filter(|p| p.exists()),
        };
        let mut config = Self::default();
        if let Some(path) = file {
            config.apply_file(&path)?;
        }
        config.apply_env(&lookup)?;
        Ok(config)
    }

    fn apply_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        let file: FileConfig =
            toml::from_str(&text).map_err(|e| ConfigError::Parse { path: path.to_owned(), message: e.to_string() })?;
        let FileConfig {
            database_url,
            bind,
            secret,
            client_name,
            base_url,
            sqlite_synchronous,
            max_body_bytes,
            db_pool_size,
            smtp_url,
            mail_from,
        } = file;
        set(&mut self.database_url, database_url);
        set(&mut self.bind, bind);
        self.secret = secret.or(self.secret.take());
        set(&mut self.client_name, client_name);
        self.base_url = base_url.or(self.base_url.take());
        set(&mut self.sqlite_synchronous, sqlite_synchronous);
        set(&mut self.max_body_bytes, max_body_bytes);
        set(&mut self.db_pool_size, db_pool_size);
        self.smtp_url = smtp_url.filter(|u| !u.is_empty()).or(self.smtp_url.take());
        set(&mut self.mail_from, mail_from);
        self.validate()
    }

    fn apply_env(&mut self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        set(&mut self.database_url, lookup("PLACARD_DATABASE_URL").or_else(|| lookup("DATABASE_URL")));
        set(&mut self.bind, lookup("PLACARD_BIND"));
        if let Some(secret) = lookup("PLACARD_SECRET").filter(|s| !s.is_empty()) {
            self.secret = Some(secret);
        }
        set(&mut self.client_name, lookup("PLACARD_CLIENT_NAME"));
        if let Some(url) = lookup("PLACARD_BASE_URL") {
            self.base_url = Some(url);
        }
        set(&mut self.sqlite_synchronous, lookup("PLACARD_SQLITE_SYNCHRONOUS"));
        if let Some(url) = lookup("PLACARD_SMTP_URL") {
            self.smtp_url = Some(url).filter(|u| !u.is_empty());
        }
        set(&mut self.mail_from, lookup("PLACARD_MAIL_FROM"));
        if let Some(token) = lookup("PLACARD_METRICS_TOKEN").filter(|t| !t.is_empty()) {
            self.metrics_token = Some(token);
        }
        if let Some(v) = lookup("PLACARD_MAX_BODY_BYTES") {
            self.max_body_bytes = v.parse().map_err(|_| ConfigError::Invalid {
                name: "PLACARD_MAX_BODY_BYTES",
                value: v,
                why: "expected a number of bytes",
            })?;
        }
        if let Some(v) = lookup("PLACARD_CLIENT_TIMEOUT_SECS").filter(|v| !v.is_empty()) {
            self.client_timeout =
                std::time::Duration::from_secs(v.parse().ok().filter(|s| *s > 0).ok_or(ConfigError::Invalid {
                    name: "PLACARD_CLIENT_TIMEOUT_SECS",
                    value: v,
                    why: "expected a whole number of seconds, at least 1",
                })?);
        }
        if let Some(v) = lookup("PLACARD_RETENTION_MONTHS").filter(|v| !v.is_empty()) {
            self.retention_months = Some(v.parse().ok().filter(|m| *m > 0).ok_or(ConfigError::Invalid {
                name: "PLACARD_RETENTION_MONTHS",
                value: v,
                why: "expected a whole number of months, at least 1",
            })?);
        }
        if let Some(v) = lookup("PLACARD_SQLITE_WRITER_CACHE_MIB").filter(|v| !v.is_empty()) {
            self.sqlite_writer_cache_mib = v.parse().ok().filter(|m| *m <= 1 << 20).ok_or(ConfigError::Invalid {
                name: "PLACARD_SQLITE_WRITER_CACHE_MIB",
                value: v,
                why: "expected a whole number of MiB (0 for SQLite's default)",
            })?;
        }
        if let Some(v) = lookup("PLACARD_SQLITE_CHECKPOINT").filter(|v| !v.is_empty()) {
            self.sqlite_background_checkpoint = match v.to_ascii_lowercase().as_str() {
                "background" => true,
                "inline" => false,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "PLACARD_SQLITE_CHECKPOINT",
                        value: v,
                        why: "expected background or inline",
                    })
                }
            };
        }
        if let Some(v) = lookup("PLACARD_POSTGRES_WRITES").filter(|v| !v.is_empty()) {
            self.postgres_grouped_writes = match v.to_ascii_lowercase().as_str() {
                "grouped" => true,
                "pooled" => false,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "PLACARD_POSTGRES_WRITES",
                        value: v,
                        why: "expected pooled or grouped",
                    })
                }
            };
        }
        if let Some(v) = lookup("PLACARD_DB_POOL_SIZE") {
            self.db_pool_size = v.parse().map_err(|_| ConfigError::Invalid {
                name: "PLACARD_DB_POOL_SIZE",
                value: v,
                why: "expected a whole number",
            })?;
        }
        self.validate()
    }

    /// What the database layer needs of this configuration.
    pub fn db_options(&self) -> crate::db::DbOptions {
        crate::db::DbOptions {
            pool_size: self.db_pool_size,
            sqlite_synchronous: self.sqlite_synchronous.clone(),
            sqlite_writer_cache_mib: self.sqlite_writer_cache_mib,
            sqlite_background_checkpoint: self.sqlite_background_checkpoint,
            postgres_grouped_writes: self.postgres_grouped_writes,
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !matches!(self.sqlite_synchronous.to_ascii_uppercase().as_str(), "FULL" | "NORMAL" | "OFF" | "EXTRA") {
            return Err(ConfigError::Invalid {
                name: "PLACARD_SQLITE_SYNCHRONOUS",
                value: self.sqlite_synchronous.clone(),
                why: "expected FULL, NORMAL, EXTRA or OFF",
            });
        }
        if self.db_pool_size == 0 {
            return Err(ConfigError::Invalid {
                name: "PLACARD_DB_POOL_SIZE",
                value: "0".into(),
                why: "at least one connection is needed",
            });
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Invalid {
                name: "PLACARD_MAIL_FROM",
                value: self.mail_from.clone(),
                why: "expected an address such as `Placard <no-reply@example.org>`",
            });
        }
        if let Some(url) = &self.smtp_url {
            if !["smtp://", "smtps://", "smtp+starttls://"].iter().any(|s| url.starts_with(s)) {
                return Err(ConfigError::Invalid {
                    name: "PLACARD_SMTP_URL",
                    value: "(hidden)".into(),
                    why: "expected smtp://HOST:PORT, smtp+starttls://USER:PASS@HOST:587 or smtps://USER:PASS@HOST:465",
                });
            }
        }
        if let Some(secret) = &self.secret {
            if secret.len() < 32 {
                return Err(ConfigError::Invalid {
                    name: "PLACARD_SECRET",
                    value: "(hidden)".into(),
                    why: "use at least 32 characters",
                });
            }
        }
        Ok(())
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}
