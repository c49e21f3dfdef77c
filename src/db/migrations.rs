//! Embedded migrations, one folder per backend (`migrations/sqlite`, `migrations/postgres`),
//! run at start-up and by `placard migrate`.

use super::DbConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies every pending migration; returns how many ran.
pub fn run(conn: &mut DbConnection) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE)?.len(),
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES)?.len(),
    };
    Ok(applied)
}
