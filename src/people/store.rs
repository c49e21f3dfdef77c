//! SQL for people's tables: users, lists, subscriptions and their history. Nothing else
//! writes these tables; the engine calls in here.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Email, List, ListId, User, UserChanges, UserId};
use crate::db::schema::{
    core_alloweduserfield, core_list, core_subscription, core_subscriptionhistory, core_user, core_userfield,
};
use crate::db::{DbConnection, Stamp};

pub fn find_by_email(conn: &mut DbConnection, email: &Email) -> QueryResult<Option<User>> {
    core_user::table.filter(core_user::email.eq(email.as_str())).select(User::as_select()).first(conn).optional()
}

pub fn find_by_id(conn: &mut DbConnection, id: UserId) -> QueryResult<Option<User>> {
    core_user::table.find(id.0).select(User::as_select()).first(conn).optional()
}

/// A submitted field, or blank.
fn blank(value: Option<&String>) -> &str {
    value.map_or("", String::as_str)
}

/// The columns of a new supporter: the submitted fields, blank where none were given.
macro_rules! new_user_values {
    ($email:expr, $changes:expr, $source:expr, $now:expr) => {
        new_user_values!($email, $changes, $source, $now, "never")
    };
    ($email:expr, $changes:expr, $source:expr, $now:expr, $status:expr) => {{
        let field = blank;
        let changes: &UserChanges = $changes;
        (
            core_user::email.eq($email),
            core_user::prefix.eq(field(changes.prefix.as_ref())),
            core_user::first_name.eq(field(changes.first_name.as_ref())),
            core_user::middle_name.eq(field(changes.middle_name.as_ref())),
            core_user::last_name.eq(field(changes.last_name.as_ref())),
            core_user::suffix.eq(field(changes.suffix.as_ref())),
            core_user::address1.eq(field(changes.address1.as_ref())),
            core_user::address2.eq(field(changes.address2.as_ref())),
            core_user::city.eq(field(changes.city.as_ref())),
            core_user::state.eq(field(changes.state.as_ref())),
            core_user::zip.eq(field(changes.zip.as_ref())),
            core_user::plus4.eq(field(changes.plus4.as_ref())),
            core_user::postal.eq(field(changes.postal.as_ref())),
            core_user::region.eq(field(changes.region.as_ref())),
            core_user::country.eq(field(changes.country.as_ref())),
            core_user::lang.eq(changes.lang.as_deref().unwrap_or("en")),
            core_user::source.eq($source),
            core_user::subscription_status.eq($status),
            core_user::created_at.eq($now),
            core_user::updated_at.eq($now),
        )
    }};
}

/// Inserts a supporter with the submitted fields (blank where none were given); the row stored.
pub fn insert(
    conn: &mut DbConnection,
    email: &Email,
    changes: &UserChanges,
    source: &str,
    now: NaiveDateTime,
) -> QueryResult<User> {
    match conn {
        // Every column of `User` is set here, so the stored row is known without reading it.
        DbConnection::Sqlite(_) => {
            let id = insert_at(conn, email, changes, source, &Stamp::new(now))?;
            let field = |v: &Option<String>| blank(v.as_ref()).to_owned();
            Ok(User {
                id: id.0,
                email: email.as_str().to_owned(),
                prefix: field(&changes.prefix),
                first_name: field(&changes.first_name),
                middle_name: field(&changes.middle_name),
                last_name: field(&changes.last_name),
                suffix: field(&changes.suffix),
                address1: field(&changes.address1),
                address2: field(&changes.address2),
                city: field(&changes.city),
                state: field(&changes.state),
                zip: field(&changes.zip),
                plus4: field(&changes.plus4),
                postal: field(&changes.postal),
                region: field(&changes.region),
                country: field(&changes.country),
                lang: changes.lang.clone().unwrap_or_else(|| "en".to_owned()),
                source: source.to_owned(),
                subscription_status: "never".to_owned(),
                created_at: now,
                updated_at: now,
            })
        }
        // The row from the insert itself (`RETURNING`): PostgreSQL keeps timestamps to the
        // microsecond.
        DbConnection::Postgresql(c) => diesel::insert_into(core_user::table)
            .values(new_user_values!(email.as_str(), changes, source, now))
            .returning(User::as_select())
            .get_result(c),
    }
}

/// Inserts a supporter as [`insert`] does, with a time formatted once for many rows (an
/// import's chunk); only the new id, so that nothing is allocated for the row.
pub fn insert_at(
    conn: &mut DbConnection,
    email: &Email,
    changes: &UserChanges,
    source: &str,
    now: &Stamp,
) -> QueryResult<UserId> {
    crate::db::insert_returning_id!(
        conn,
        diesel::insert_into(core_user::table).values(new_user_values!(email.as_str(), changes, source, now)),
        core_user::id
    )
    .map(UserId)
}

/// A new supporter whose id was reserved ([`crate::db::ids`]), waiting for [`insert_many`].
pub struct NewUserRow {
    pub id: UserId,
    pub email: String,
    pub changes: UserChanges,
    pub source: &'static str,
    /// Whether the row also subscribes them ([`insert_subscriptions`]).
    pub subscribed: bool,
}

/// Supporters per multi-row insert: 21 binds each, within both backends' limits.
const USERS_PER_INSERT: usize = 400;

/// Inserts new supporters with their reserved ids, many to a statement, as [`insert_at`]
/// would one by one.
pub fn insert_many(conn: &mut DbConnection, rows: &[NewUserRow], now: &Stamp) -> QueryResult<()> {
    for batch in rows.chunks(USERS_PER_INSERT) {
        let values: Vec<_> = batch
            .iter()
            .map(|row| {
                let status = if row.subscribed { "subscribed" } else { "never" };
                (
                    core_user::id.eq(row.id.0),
                    new_user_values!(row.email.as_str(), &row.changes, row.source, now, status),
                )
            })
            .collect();
        crate::db::execute_on_backend(conn, diesel::insert_into(core_user::table).values(&values))?;
    }
    Ok(())
}

/// Applies submitted fields to a stored supporter.
pub fn update(conn: &mut DbConnection, id: UserId, changes: &UserChanges, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(core_user::table.find(id.0)).set((changes, core_user::updated_at.eq(now))).execute(conn).map(|_| ())
}

/// The list marked default, else the lowest id (SPEC §1: list 1 if none is marked).
pub fn default_list(conn: &mut DbConnection) -> QueryResult<Option<ListId>> {
    core_list::table
        .select(core_list::id)
        .order((core_list::is_default.desc(), core_list::id.asc()))
        .first::<i64>(conn)
        .optional()
        .map(|id| id.map(ListId))
}

pub fn find_list(conn: &mut DbConnection, id: ListId) -> QueryResult<Option<List>> {
    core_list::table.find(id.0).select(List::as_select()).first(conn).optional()
}

pub fn insert_list(conn: &mut DbConnection, name: &str, is_default: bool, now: NaiveDateTime) -> QueryResult<ListId> {
    diesel::insert_into(core_list::table)
        .values((
            core_list::name.eq(name),
            core_list::is_default.eq(is_default),
            core_list::created_at.eq(now),
            core_list::updated_at.eq(now),
        ))
        .returning(core_list::id)
        .get_result(conn)
        .map(ListId)
}

/// Why a subscription changed; stored in the history (SPEC §1).
#[derive(Clone, Copy, Debug)]
pub enum Cause {
    Action(i64),
    /// `unsub_all=1` on an action (SPEC A7, P13).
    UnsubscribeAll(i64),
    Admin,
    Import,
    Bounce,
}

impl Cause {
    fn name(self) -> &'static str {
        match self {
            Self::Action(_) => "action",
            Self::UnsubscribeAll(_) => "unsub_all",
            Self::Admin => "admin",
            Self::Import => "import",
            Self::Bounce => "bounce",
        }
    }

    fn action_id(self) -> Option<i64> {
        match self {
            Self::Action(id) | Self::UnsubscribeAll(id) => Some(id),
            _ => None,
        }
    }
}

/// Subscribes `user` to `list`; `true` when the subscription is new (then the history
/// row is written and the user's status becomes `subscribed`).
pub fn subscribe(
    conn: &mut DbConnection,
    user: UserId,
    list: ListId,
    cause: Cause,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let exists = core_subscription::table
        .filter(core_subscription::user_id.eq(user.0))
        .filter(core_subscription::list_id.eq(list.0))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        return Ok(false);
    }
    insert_subscriptions(conn, &[(user, list, cause)], &Stamp::new(now))?;
    diesel::update(core_user::table.find(user.0)).set(core_user::subscription_status.eq("subscribed")).execute(conn)?;
    Ok(true)
}

/// Subscriptions per multi-row insert (history rows: 6 binds each).
const SUBSCRIPTIONS_PER_INSERT: usize = 1_000;

/// Stores new subscriptions and their history (`subscribe`, with its cause), many to a
/// statement: what [`subscribe`] writes once it found no subscription, and what an
/// import's new supporters get (their status was stored as `subscribed` with them,
/// [`NewUserRow::subscribed`]).
pub fn insert_subscriptions(conn: &mut DbConnection, rows: &[(UserId, ListId, Cause)], now: &Stamp) -> QueryResult<()> {
    for batch in rows.chunks(SUBSCRIPTIONS_PER_INSERT) {
        let subscriptions: Vec<_> = batch
            .iter()
            .map(|(user, list, _)| {
                (
                    core_subscription::user_id.eq(user.0),
                    core_subscription::list_id.eq(list.0),
                    core_subscription::created_at.eq(now),
                )
            })
            .collect();
        crate::db::execute_on_backend(conn, diesel::insert_into(core_subscription::table).values(&subscriptions))?;
        let history: Vec<_> = batch
            .iter()
            .map(|(user, list, cause)| {
                (
                    core_subscriptionhistory::user_id.eq(user.0),
                    core_subscriptionhistory::list_id.eq(list.0),
                    core_subscriptionhistory::change.eq("subscribe"),
                    core_subscriptionhistory::cause.eq(cause.name()),
                    core_subscriptionhistory::action_id.eq(cause.action_id()),
                    core_subscriptionhistory::created_at.eq(now),
                )
            })
            .collect();
        crate::db::execute_on_backend(conn, diesel::insert_into(core_subscriptionhistory::table).values(&history))?;
    }
    Ok(())
}

/// Unsubscribes `user` from `list`, or from every list when `None`; returns how many
/// subscriptions ended. The user's status becomes `unsubscribed` when none is left.
pub fn unsubscribe(
    conn: &mut DbConnection,
    user: UserId,
    list: Option<ListId>,
    cause: Cause,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut query = core_subscription::table.filter(core_subscription::user_id.eq(user.0)).into_boxed();
    if let Some(list) = list {
        query = query.filter(core_subscription::list_id.eq(list.0));
    }
    let lists: Vec<i64> = query.select(core_subscription::list_id).load(conn)?;
    for list_id in &lists {
        diesel::insert_into(core_subscriptionhistory::table)
            .values((
                core_subscriptionhistory::user_id.eq(user.0),
                core_subscriptionhistory::list_id.eq(list_id),
                core_subscriptionhistory::change.eq("unsubscribe"),
                core_subscriptionhistory::cause.eq(cause.name()),
                core_subscriptionhistory::action_id.eq(cause.action_id()),
                core_subscriptionhistory::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    diesel::delete(
        core_subscription::table
            .filter(core_subscription::user_id.eq(user.0))
            .filter(core_subscription::list_id.eq_any(&lists)),
    )
    .execute(conn)?;
    let left: i64 = core_subscription::table.filter(core_subscription::user_id.eq(user.0)).count().get_result(conn)?;
    if left == 0 && !lists.is_empty() {
        diesel::update(core_user::table.find(user.0))
            .set(core_user::subscription_status.eq("unsubscribed"))
            .execute(conn)?;
    }
    Ok(lists.len())
}

pub fn subscription_count(conn: &mut DbConnection, user: UserId) -> QueryResult<i64> {
    core_subscription::table.filter(core_subscription::user_id.eq(user.0)).count().get_result(conn)
}

/// The ids among `ids` that name no list.
pub fn missing_lists(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let found: Vec<i64> = core_list::table.filter(core_list::id.eq_any(ids)).select(core_list::id).load(conn)?;
    Ok(ids.iter().copied().filter(|id| !found.contains(id)).collect())
}

/// Names staff allowed for `user_<name>` fields (SPEC A6).
pub fn allowed_user_fields(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    core_alloweduserfield::table.select(core_alloweduserfield::name).load(conn)
}

/// Stores custom user fields, replacing earlier values of the same names.
pub fn set_user_fields(conn: &mut DbConnection, user: UserId, fields: &[(String, String)]) -> QueryResult<()> {
    for (name, value) in fields {
        diesel::delete(
            core_userfield::table.filter(core_userfield::parent_id.eq(user.0)).filter(core_userfield::name.eq(name)),
        )
        .execute(conn)?;
        diesel::insert_into(core_userfield::table)
            .values((
                core_userfield::parent_id.eq(user.0),
                core_userfield::name.eq(name),
                core_userfield::value.eq(value),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Erases a person's rows in people's tables (SPEC G2): phones, custom fields,
/// subscriptions and their history, the blackhole entry, the user. Returns counts by table.
pub fn erase(conn: &mut DbConnection, user: UserId, email: &str) -> QueryResult<Vec<(&'static str, usize)>> {
    use crate::db::schema::{core_blackholedemail, core_phone};
    Ok(vec![
        ("core_phone", diesel::delete(core_phone::table.filter(core_phone::user_id.eq(user.0))).execute(conn)?),
        (
            "core_userfield",
            diesel::delete(core_userfield::table.filter(core_userfield::parent_id.eq(user.0))).execute(conn)?,
        ),
        (
            "core_subscription",
            diesel::delete(core_subscription::table.filter(core_subscription::user_id.eq(user.0))).execute(conn)?,
        ),
        (
            "core_subscriptionhistory",
            diesel::delete(core_subscriptionhistory::table.filter(core_subscriptionhistory::user_id.eq(user.0)))
                .execute(conn)?,
        ),
        (
            "core_blackholedemail",
            diesel::delete(core_blackholedemail::table.filter(core_blackholedemail::email.eq(email))).execute(conn)?,
        ),
        ("core_user", diesel::delete(core_user::table.find(user.0)).execute(conn)?),
    ])
}

/// What people's tables hold on a person, for the export (SPEC G1).
pub fn export(conn: &mut DbConnection, user: UserId) -> QueryResult<serde_json::Value> {
    use crate::db::schema::core_phone;
    let fields: Vec<(String, String)> = core_userfield::table
        .filter(core_userfield::parent_id.eq(user.0))
        .select((core_userfield::name, core_userfield::value))
        .load(conn)?;
    let phones: Vec<(String, String)> = core_phone::table
        .filter(core_phone::user_id.eq(user.0))
        .select((core_phone::type_, core_phone::phone))
        .load(conn)?;
    let lists: Vec<(i64, String, NaiveDateTime)> = core_subscription::table
        .inner_join(core_list::table)
        .filter(core_subscription::user_id.eq(user.0))
        .select((core_list::id, core_list::name, core_subscription::created_at))
        .load(conn)?;
    let history: Vec<(i64, String, String, Option<i64>, NaiveDateTime)> = core_subscriptionhistory::table
        .filter(core_subscriptionhistory::user_id.eq(user.0))
        .order(core_subscriptionhistory::id.asc())
        .select((
            core_subscriptionhistory::list_id,
            core_subscriptionhistory::change,
            core_subscriptionhistory::cause,
            core_subscriptionhistory::action_id,
            core_subscriptionhistory::created_at,
        ))
        .load(conn)?;
    Ok(serde_json::json!({
        "custom_fields": fields.into_iter().collect::<std::collections::BTreeMap<_, _>>(),
        "phones": phones.into_iter().map(|(t, p)| serde_json::json!({"type": t, "phone": p})).collect::<Vec<_>>(),
        "subscriptions": lists.into_iter().map(|(id, name, at)| serde_json::json!({"list_id": id, "list": name, "since": at})).collect::<Vec<_>>(),
        "subscription_history": history.into_iter().map(|(list, change, cause, action, at)| serde_json::json!({
            "list_id": list, "change": change, "cause": cause, "action_id": action, "at": at})).collect::<Vec<_>>(),
    }))
}

/// Supporters off every list whose last unsubscribe is older than `cutoff` (SPEC B6).
pub fn unsubscribed_before(conn: &mut DbConnection, cutoff: NaiveDateTime, limit: i64) -> QueryResult<Vec<UserId>> {
    let subscribed = core_subscription::table.select(core_subscription::user_id);
    let recent = core_subscriptionhistory::table
        .filter(core_subscriptionhistory::created_at.ge(cutoff))
        .select(core_subscriptionhistory::user_id);
    let ids: Vec<i64> = core_user::table
        .filter(core_user::subscription_status.eq("unsubscribed"))
        .filter(core_user::id.ne_all(subscribed))
        .filter(core_user::id.ne_all(recent))
        .order(core_user::id.asc())
        .limit(limit)
        .select(core_user::id)
        .load(conn)?;
    Ok(ids.into_iter().map(UserId).collect())
}
