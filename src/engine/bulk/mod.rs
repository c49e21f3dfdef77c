//! The engine's bulk path for import rows (issue 8): what [`super::process`] does for a plain
//! row on an import page — validate, refuse a forgotten person, create or update the
//! supporter, store the action, its fields, custom user fields, phones and subscriptions —
//! with what every row would read loaded once per chunk ([`Prepared`]: the page, the allowed
//! user fields, the privacy switch, the forgotten addresses, the chunk's stored supporters,
//! the lists named so far). A row from a new supporter with no phones or custom user fields
//! — most rows of most uploads — writes nothing at once: its supporter, action,
//! subscriptions and fields wait, with reserved ids, in [`pending::Pending`] and go in a few
//! multi-row inserts per table.
//!
//! [`Prepared::covers`] says which rows it takes; everything else — an `akid`, tell-a-friend,
//! `unsub_all`, privacy records switched on, any page but an import page — goes through
//! `process` unchanged, so every row is checked and stored by the same rules either way.
//! A covered row is refused (invalid, forgotten) before it writes anything; what it defers
//! is written by [`Prepared::flush`], which the caller runs before a row's privacy note,
//! before a row goes through `process`, and before releasing the savepoint. The caller
//! stores a chunk's rows in one savepoint and, when a row fails after it began writing (or
//! the flush fails), rolls it back and stores them again one savepoint each
//! (`imports::run`).

mod pending;

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use diesel::prelude::*;

use super::validate::{self, Checked, Complaints};
use super::{ActionInput, EngineDeps};
use crate::db::schema::core_user;
use crate::db::{DbConnection, Stamp};
use crate::error::AppError;
use crate::pages::{Page, PageType};
use crate::people::store::{self as people, Cause};
use crate::people::{phones, Email, ListId, UserId};
use crate::privacy::PrivacySettings;

/// Addresses looked up per query: far below both backends' bind-parameter limits.
const LOOKUP_SLICE: usize = 500;

/// The rules a row is validated by: its page's required fields and the allowed user
/// fields. An import validates its rows beside the writer by the rules as they were when
/// it started, and the writer uses those checks while the rules are still the same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    required: Vec<String>,
    allowed_user_fields: Vec<String>,
}

impl Rules {
    /// The rules for rows on `page_name`; `None` when no page has this name.
    pub fn load(conn: &mut DbConnection, page_name: &str) -> Result<Option<Self>, AppError> {
        let Some(page) = crate::pages::store::find_by_name(conn, page_name)? else {
            return Ok(None);
        };
        Ok(Some(Self::of(conn, &page)?))
    }

    fn of(conn: &mut DbConnection, page: &Page) -> Result<Self, AppError> {
        Ok(Self { required: page.required(), allowed_user_fields: people::allowed_user_fields(conn)? })
    }

    /// `validate::check` by these rules, as `process` checks a row from a new supporter.
    pub fn check(&self, input: &ActionInput) -> (Checked, Complaints) {
        validate::check(input, &self.required, None, &self.allowed_user_fields)
    }
}

/// What the rows of one chunk share, read once in the chunk's transaction.
pub struct Prepared {
    page: Page,
    pub rules: Rules,
    privacy_enabled: bool,
    /// The chunk's addresses that are forgotten (SPEC G3), as `Email` normalizes them.
    forgotten: HashSet<String>,
    /// The chunk's supporters by address, kept current as rows store them.
    users: HashMap<String, UserId>,
    /// Whether a list id named by a row exists.
    lists: HashMap<i64, bool>,
    /// The time every row of the chunk is stored at, formatted once.
    now: Stamp,
    /// What accepted rows have not written yet: [`Self::flush`] writes it.
    pending: pending::Pending,
}

impl Prepared {
    /// Reads what the chunk's rows share; `emails` are the addresses its rows give, each
    /// with its `forget_hash` (worked out beside the writer), and `privacy` the settings the
    /// caller read in this transaction. `None` when no page has this name (every row then
    /// gets `process`'s answer).
    pub fn load(
        conn: &mut DbConnection,
        page_name: &str,
        emails: &[(Email, String)],
        privacy: &PrivacySettings,
    ) -> Result<Option<Self>, AppError> {
        let Some(page) = crate::pages::store::find_by_name(conn, page_name)? else {
            return Ok(None);
        };
        let mut forgotten = HashSet::new();
        let mut users = HashMap::with_capacity(emails.len());
        for slice in emails.chunks(LOOKUP_SLICE) {
            let hashes: Vec<&str> = slice.iter().map(|(_, hash)| hash.as_str()).collect();
            let listed: HashSet<String> =
                crate::gdpr::store::forgotten_among(conn, crate::gdpr::store::EMAIL, &hashes)?.into_iter().collect();
            forgotten
                .extend(slice.iter().filter(|(_, hash)| listed.contains(hash)).map(|(e, _)| e.as_str().to_owned()));
            let slice: Vec<&str> = slice.iter().map(|(email, _)| email.as_str()).collect();
            let found: Vec<(String, i64)> = core_user::table
                .filter(core_user::email.eq_any(slice))
                .select((core_user::email, core_user::id))
                .load(conn)?;
            users.extend(found.into_iter().map(|(email, id)| (email, UserId(id))));
        }
        Ok(Some(Self {
            rules: Rules::of(conn, &page)?,
            privacy_enabled: privacy.enabled,
            page,
            forgotten,
            users,
            lists: HashMap::new(),
            now: Stamp::new(Utc::now().naive_utc()),
            pending: pending::Pending::new(emails.len()),
        }))
    }

    /// Whether this path stores `input` exactly as `process` would.
    pub fn covers(&self, input: &ActionInput) -> bool {
        !self.privacy_enabled
            && self.page.kind() == PageType::Import
            && input.source == super::Source::Import
            && !input.params.iter().any(|(name, _)| matches!(name.as_str(), "akid" | "taf_emails" | "unsub_all"))
    }

    /// After a row went through `process` instead: its supporter as stored now.
    pub fn refresh(&mut self, conn: &mut DbConnection, input: &ActionInput) -> Result<(), AppError> {
        if let Some(email) = input.get("email").and_then(Email::parse) {
            match people::find_by_email(conn, &email)? {
                Some(found) => self.users.insert(found.email.clone(), found.user_id()),
                None => self.users.remove(email.as_str()),
            };
        }
        Ok(())
    }

    /// One covered row, in the caller's savepoint: the stored supporter's id, or the error
    /// `process` would give (`Validation`, `Forgotten`). Call [`Self::remember`] with the
    /// user once the savepoint is released.
    pub fn process(
        &mut self,
        conn: &mut DbConnection,
        deps: &EngineDeps,
        input: &ActionInput,
    ) -> Result<Stored, AppError> {
        let (checked, complaints) = self.rules.check(input);
        self.process_checked(conn, deps, input, &checked, complaints)
    }

    /// [`Self::process`] for a row already checked by [`Self::rules`].
    pub fn process_checked(
        &mut self,
        conn: &mut DbConnection,
        deps: &EngineDeps,
        input: &ActionInput,
        checked: &Checked,
        mut complaints: Complaints,
    ) -> Result<Stored, AppError> {
        let unknown: Vec<i64> = checked.lists.iter().copied().filter(|id| !self.lists.contains_key(id)).collect();
        if !unknown.is_empty() {
            let missing = people::missing_lists(conn, &unknown)?;
            self.lists.extend(unknown.iter().map(|id| (*id, !missing.contains(id))));
        }
        if checked.lists.iter().any(|id| !self.lists.get(id).copied().unwrap_or(false)) {
            complaints.push(("lists".into(), "invalid"));
        }
        // G3, as `process` and the import's own mapping decide it together: a forgotten
        // person's row is only counted, whatever else is wrong with it.
        if checked.email.as_ref().is_some_and(|e| self.forgotten.contains(e.as_str())) {
            return Err(AppError::Forgotten { redirect_url: format!("/cms/thanks/{}/", self.page.name) });
        }
        if !complaints.is_empty() {
            return Err(super::process::localized(deps, &self.page.lang, complaints));
        }
        let Some(email) = &checked.email else {
            return Err(AppError::internal("validation passed without email"));
        };

        let source = input.source.as_str();
        let referring = input.get("referring_akid").and_then(|a| deps.akid_key.parse(a));
        let referring = referring.map(|r| (r.user_id.0, r.mailing_id));
        let action_source = input.get("source").unwrap_or(source);
        let existing = self.users.get(email.as_str()).copied();
        if existing.is_none() && checked.phones.is_empty() && checked.user_fields.is_empty() {
            let row = pending::Deferred {
                email: email.as_str(),
                changes: &checked.changes,
                user_source: source,
                page_id: self.page.id,
                action_source,
                referring,
                lists: &checked.lists,
                fields: &checked.action_fields,
            };
            let (user, _) = self.pending.defer(conn, &row)?;
            crate::metrics::action_stored(source);
            return Ok(Stored { user, created: true, email: email.as_str().to_owned() });
        }

        // Anything else is written at once, after what earlier rows deferred.
        self.flush(conn)?;
        let stamp = &self.now;
        let now = stamp.at();
        let (user, created_user) = match existing {
            Some(user) => {
                people::update(conn, user, &checked.changes, now)?;
                (user, false)
            }
            None => (people::insert_at(conn, email, &checked.changes, source, stamp)?, true),
        };
        people::set_user_fields(conn, user, &checked.user_fields)?;
        for (phone_type, number) in &checked.phones {
            phones::set(conn, user, phone_type, number, source, now)?;
        }
        let action = super::store::NewAction {
            user_id: user.0,
            page_id: self.page.id,
            source: action_source.into(),
            created_user,
            referring_user_id: referring.map(|r| r.0),
            referring_mailing_id: referring.and_then(|r| r.1),
            mailing_id: None,
        };
        let action_id = super::store::insert_at(conn, &action, stamp)?;
        self.pending.add_fields(user.0, action_id, &checked.action_fields);
        // Import pages join only the lists a row names (SPEC A7).
        let mut subscribed = false;
        for list in &checked.lists {
            subscribed |= people::subscribe(conn, user, ListId(*list), Cause::Action(action_id), now)?;
        }
        if subscribed {
            super::store::set_subscribed_user(conn, action_id)?;
        }
        // No thank-you mail: import rows always skip confirmation.
        crate::metrics::action_stored(source);
        Ok(Stored { user, created: created_user, email: email.as_str().to_owned() })
    }

    /// Writes what the rows stored since the last flush deferred, a few multi-row inserts
    /// per table. Call it before the savepoint those rows were stored in is released, and
    /// before anything else writes for or reads about them.
    pub fn flush(&mut self, conn: &mut DbConnection) -> QueryResult<()> {
        self.pending.write(conn, &self.now)
    }

    /// Drops what rows whose savepoint was rolled back deferred.
    pub fn discard(&mut self, conn: &DbConnection) {
        self.pending.discard(conn);
    }

    /// Records a supporter a released savepoint created, for the chunk's later rows.
    pub fn remember(&mut self, stored: Stored) {
        if stored.created {
            self.users.insert(stored.email, stored.user);
        }
    }
}

/// A row the bulk path stored: its supporter, and whether the row created them.
pub struct Stored {
    pub user: UserId,
    pub created: bool,
    email: String,
}
