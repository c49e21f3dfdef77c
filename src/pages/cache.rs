//! The page cache and the staff revision (SPEC O4). A public page GET needs a page's row
//! and its custom fields, and the home page the list of public pages; this keeps them in
//! memory, so a warm anonymous GET makes no database round trip. It also owns
//! `core_staffrevision`: one number that the database's own triggers move in the same
//! transaction as any change to what pages show (pages, page fields, follow-ups, allowed
//! fields, lists, languages and strings, templatesets, privacy settings, payment accounts).
//! A server that sees the number move drops this cache and reloads what else it keeps
//! (`AppState::reload_staff_edits`): right after a staff write through its own admin or
//! REST API, and within [`REVISION_POLL`] for a write made anywhere else (another server,
//! the CLI).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use diesel::prelude::*;

use super::{store, Page};
use crate::db::{Database, DbConnection};
use crate::error::AppError;

/// How often each server reads the staff revision: the longest a staff save made on
/// another server (or by the CLI) stays unseen here.
pub const REVISION_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// How many page names (found or not) the cache remembers: names come from URLs, so a
/// crawler asking for made-up ones must not grow it without end.
const MAX_NAMES: usize = 10_000;

/// What a page GET reads from the database, once.
#[derive(Debug)]
pub struct CachedPage {
    pub page: Page,
    pub fields: BTreeMap<String, String>,
}

#[derive(Default)]
struct Entries {
    /// Moves on every clear, so a load that read the database before a staff save cannot
    /// store what it read after the save cleared the cache.
    generation: u64,
    /// `None`: no page of that name.
    pages: HashMap<String, Option<Arc<CachedPage>>>,
    public: Option<Arc<Vec<Page>>>,
}

#[derive(Default)]
pub struct PageCache {
    entries: RwLock<Entries>,
    /// Held while reloading, so two reloads never overwrite newer data with older.
    reloading: Mutex<()>,
    /// The staff revision the in-memory state was last loaded at (0: not yet; revisions
    /// start at 1).
    loaded_revision: AtomicI64,
}

impl PageCache {
    /// The page named `name` (active or not, public or not), from memory when it can be.
    pub async fn page(&self, db: &Database, name: &str) -> Result<Option<Arc<CachedPage>>, AppError> {
        let generation = {
            let entries = self.read();
            if let Some(found) = entries.pages.get(name) {
                return Ok(found.clone());
            }
            entries.generation
        };
        let wanted = name.to_owned();
        let loaded = db
            .read(move |conn| {
                let Some(page) = store::find_by_name(conn, &wanted)? else { return Ok(None) };
                let fields = store::fields(conn, page.id)?;
                Ok(Some(Arc::new(CachedPage { page, fields })))
            })
            .await?;
        let mut entries = self.write();
        if entries.generation == generation && entries.pages.len() < MAX_NAMES {
            entries.pages.insert(name.to_owned(), loaded.clone());
        }
        Ok(loaded)
    }

    /// The home page's list (`store::list_public`), from memory when it can be.
    pub async fn public_pages(&self, db: &Database) -> Result<Arc<Vec<Page>>, AppError> {
        let generation = {
            let entries = self.read();
            if let Some(list) = &entries.public {
                return Ok(Arc::clone(list));
            }
            entries.generation
        };
        let loaded = Arc::new(db.read(|conn| Ok(store::list_public(conn)?)).await?);
        let mut entries = self.write();
        if entries.generation == generation {
            entries.public = Some(Arc::clone(&loaded));
        }
        Ok(loaded)
    }

    /// Forgets everything; the next GET of each page reads it again.
    pub fn clear(&self) {
        let mut entries = self.write();
        entries.generation += 1;
        entries.pages.clear();
        entries.public = None;
    }

    /// The revision the in-memory state was last loaded at, without waiting on a reload.
    pub fn loaded_revision(&self) -> i64 {
        self.loaded_revision.load(Ordering::Acquire)
    }

    /// Held by `AppState::reload_staff_edits` while it reads and swaps in the staff edits.
    pub fn reload_guard(&self) -> MutexGuard<'_, ()> {
        self.reloading.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records that what is in memory was read at `revision` or later, and drops the pages.
    pub fn loaded_at(&self, revision: i64) {
        self.clear();
        self.loaded_revision.store(revision, Ordering::Release);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Entries> {
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Entries> {
        self.entries.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The current staff revision (one indexed row).
pub fn staff_revision(conn: &mut DbConnection) -> QueryResult<i64> {
    use crate::db::schema::core_staffrevision as r;
    r::table.find(1_i64).select(r::revision).first(conn)
}
