//! The connection enum and the r2d2 manager that opens the right variant for a URL.
//!
//! diesel's derived `establish` tries each variant in turn and SQLite accepts any string,
//! so we pick the variant from the URL scheme ourselves. SQLite connections get WAL,
//! foreign keys, a busy timeout and the configured `synchronous` level.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the database is, parsed from `DATABASE_URL`.
#[derive(Clone, Debug)]
pub enum DbTarget {
    Sqlite { path: PathBuf, synchronous: String },
    Postgres { url: String },
}

impl DbTarget {
    pub fn parse(url: &str, sqlite_synchronous: &str) -> Result<Self, String> {
        let url = url.trim();
        if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(format!(
                    "DATABASE_URL {url:?} names no file: use sqlite://placard.db or sqlite:///absolute/path.db"
                ));
            }
            return Ok(Self::Sqlite {
                path: PathBuf::from(path),
                synchronous: sqlite_synchronous.to_ascii_uppercase(),
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres { url: url.to_owned() });
        }
        Err(format!("DATABASE_URL {:?} is not supported: use sqlite://FILE or postgres://USER@HOST/DB", redact(url)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite { .. } => Backend::Sqlite,
            Self::Postgres { .. } => Backend::Postgres,
        }
    }

    /// A description for messages: the path, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
            Self::Postgres { url } => redact(url),
        }
    }

    /// Checks what can be checked before connecting: the SQLite file's folder exists and
    /// is writable, so the error names the path instead of a driver code.
    pub fn prepare(&self) -> Result<(), String> {
        let Self::Sqlite { path, .. } = self else {
            return Ok(());
        };
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(format!(
                "cannot open the SQLite database {}: the folder {} does not exist (create it or change DATABASE_URL)",
                path.display(),
                dir.display()
            ));
        }
        let probe = dir.join(format!(".placard-write-test-{}", std::process::id()));
        match std::fs::write(&probe, b"") {
            Ok(()) => {
                let _ = std::fs::remove_file(&probe);
                Ok(())
            }
            Err(e) => Err(format!(
                "cannot write the SQLite database {}: the folder {} is not writable ({e}); choose another DATABASE_URL",
                path.display(),
                dir.display()
            )),
        }
    }

    pub fn connect(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match self {
            Self::Postgres { url } => PgConnection::establish(url).map(DbConnection::Postgresql),
            Self::Sqlite { path, synchronous } => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                conn.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                     PRAGMA busy_timeout = 10000; PRAGMA synchronous = {synchronous};"
                ))
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((auth, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Settings of SQLite's write connection (nothing on PostgreSQL).
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteTuning {
    /// `PRAGMA cache_size` in KiB (0: SQLite's default). A larger cache keeps the pages
    /// of indexes a write touches in memory between commits.
    pub cache_kib: u32,
    /// `PRAGMA wal_autocheckpoint` in pages (`None`: SQLite's default).
    pub autocheckpoint_pages: Option<u32>,
    /// `PRAGMA temp_store = MEMORY`: savepoint journals in memory. Every write runs in a
    /// savepoint (the group commit's per job, an import's per group of rows), and SQLite
    /// copies each page a savepoint first changes into its statement journal: a temporary
    /// *file* by default, one `pwrite` per page, which was 41 % of an import's time
    /// (issue 8). The journal holds only the pages of open savepoints, so its memory is
    /// bounded by what one group commit touches.
    pub journal_in_memory: bool,
}

/// r2d2 manager for [`DbConnection`].
#[derive(Debug)]
pub struct Manager {
    target: DbTarget,
    read_only: bool,
    tuning: WriteTuning,
}

impl Manager {
    pub fn new(target: DbTarget, read_only: bool) -> Self {
        Self { target, read_only, tuning: WriteTuning::default() }
    }

    /// A manager of write connections with `tuning`.
    pub fn writer(target: DbTarget, tuning: WriteTuning) -> Self {
        Self { target, read_only: false, tuning }
    }
}

impl diesel::r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        let mut conn = self.target.connect().map_err(diesel::r2d2::Error::ConnectionError)?;
        if self.read_only {
            // A read connection that tries to write fails loudly instead of racing the writer.
            let sql = match conn {
                DbConnection::Sqlite(_) => "PRAGMA query_only = ON;",
                DbConnection::Postgresql(_) => "SET default_transaction_read_only = on;",
            };
            conn.batch_execute(sql).map_err(diesel::r2d2::Error::QueryError)?;
        }
        if let DbConnection::Sqlite(_) = conn {
            let WriteTuning { cache_kib, autocheckpoint_pages, journal_in_memory } = self.tuning;
            let mut sql = String::new();
            if journal_in_memory {
                sql.push_str("PRAGMA temp_store = MEMORY;");
            }
            if cache_kib > 0 {
                // Negative: a size in KiB rather than in pages.
                let _ = write!(sql, "PRAGMA cache_size = -{cache_kib};");
            }
            if let Some(pages) = autocheckpoint_pages {
                let _ = write!(sql, "PRAGMA wal_autocheckpoint = {pages};");
            }
            if !sql.is_empty() {
                conn.batch_execute(&sql).map_err(diesel::r2d2::Error::QueryError)?;
            }
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1").map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}
