//! The `action` resource and one typed action resource per page type (SPEC R1, A1): every
//! action with its custom `fields`, `page` as its typed URI and `type` its page's type;
//! `petitionaction`, `signupaction`, … list only their type. All read-only: actions are
//! created by `POST /rest/v1/action/` (`actions.rs`), which runs the engine; POST to a
//! typed action is refused there. Filter with `?page=`, `?user=`, `?page__name=`,
//! `?created_at__gte=`, `?type=`.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::pages::{self, restricted};
use super::resource::{time, Descriptor, Field, Kind, Resource, READ};
use super::{uri, users};
use crate::db::DbConnection;
use crate::engine::query::ActionListRow;
use crate::error::AppError;
use crate::listing::Listing;
use crate::pages::PageType;

static FIELDS: [Field; 14] = [
    Field::new("id", Kind::Integer).column("core_action.id").readonly().unique(),
    Field::new("user", Kind::Ref(&users::DESCRIPTOR)).column("core_action.user_id").nullable().readonly(),
    Field::new("page", Kind::Ref(&pages::DESCRIPTOR))
        .column("core_action.page_id")
        .readonly()
        .help("Shown as the page's typed URI; filter with an id, /rest/v1/page/<id>/, or page__name=."),
    Field::new("type", Kind::String).column("core_page.type").readonly().help("The page's type."),
    Field::new("source", Kind::String).column("core_action.source").readonly(),
    Field::new("status", Kind::String).column("core_action.status").readonly(),
    Field::new("created_user", Kind::Boolean).column("core_action.created_user").readonly(),
    Field::new("subscribed_user", Kind::Boolean).column("core_action.subscribed_user").readonly(),
    Field::new("referring_user", Kind::Ref(&users::DESCRIPTOR))
        .column("core_action.referring_user_id")
        .nullable()
        .readonly(),
    Field::new("mailing", Kind::Integer).column("core_action.mailing_id").nullable().readonly(),
    Field::new("referring_mailing", Kind::Integer).column("core_action.referring_mailing_id").nullable().readonly(),
    Field::new("fields", Kind::Dict).readonly().help("Custom action fields (action_<name>) by name."),
    Field::new("created_at", Kind::DateTime).column("core_action.created_at").readonly(),
    Field::new("updated_at", Kind::DateTime).column("core_action.updated_at").readonly(),
];

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "action",
    table: "core_action",
    key: "core_action.id",
    fields: &FIELDS,
    options: &[],
    list_methods: READ,
    detail_methods: READ,
    help: "Every action, read-only; create actions with POST /rest/v1/action/ (the action engine).",
};

pub struct ActionRow {
    action: ActionListRow,
    fields: BTreeMap<String, String>,
}

fn load(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<ActionRow>), AppError> {
    let (total, actions) = crate::engine::query::actions(conn, listing)?;
    let ids: Vec<i64> = actions.iter().map(|a| a.id).collect();
    let mut fields = crate::engine::query::fields_of(conn, &ids)?;
    let rows = actions
        .into_iter()
        .map(|action| ActionRow { fields: fields.remove(&action.id).unwrap_or_default(), action })
        .collect();
    Ok((total, rows))
}

fn action_json(row: &ActionRow) -> Map<String, Value> {
    let a = &row.action;
    let kind = PageType::parse(&a.page_type).unwrap_or(PageType::Signup);
    let value = json!({
        "id": a.id,
        "user": a.user_id.map(|id| users::DESCRIPTOR.uri(id)),
        "page": pages::typed_uri(kind, a.page_id),
        "type": a.page_type,
        "source": a.source,
        "status": a.status,
        "created_user": a.created_user,
        "subscribed_user": a.subscribed_user,
        "referring_user": a.referring_user_id.map(|id| users::DESCRIPTOR.uri(id)),
        "mailing": a.mailing_id.map(uri::mailing),
        "referring_mailing": a.referring_mailing_id.map(uri::mailing),
        "fields": row.fields,
        "created_at": time(a.created_at),
        "updated_at": time(a.updated_at),
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub struct Actions;

impl Resource for Actions {
    const DESCRIPTOR: &'static Descriptor = &DESCRIPTOR;
    type Row = ActionRow;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<ActionRow>), AppError> {
        load(conn, listing)
    }

    fn id(row: &ActionRow) -> i64 {
        row.action.id
    }

    fn to_json(row: &ActionRow) -> Map<String, Value> {
        action_json(row)
    }
}

/// A page type with its own action resource.
pub trait ActionKind: 'static {
    const KIND: PageType;
    const DESCRIPTOR: &'static Descriptor;
}

/// The typed action resource of `K`: actions on pages of its type.
pub struct TypedActions<K: ActionKind>(std::marker::PhantomData<K>);

impl<K: ActionKind> Resource for TypedActions<K> {
    const DESCRIPTOR: &'static Descriptor = K::DESCRIPTOR;
    type Row = ActionRow;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<ActionRow>), AppError> {
        load(conn, &restricted(listing, "core_page.type", K::KIND.as_str()))
    }

    fn id(row: &ActionRow) -> i64 {
        row.action.id
    }

    fn to_json(row: &ActionRow) -> Map<String, Value> {
        action_json(row)
    }
}

macro_rules! typed_action {
    ($marker:ident, $desc:ident, $kind:expr, $name:literal) => {
        pub struct $marker;

        pub static $desc: Descriptor = Descriptor {
            name: $name,
            table: "core_action",
            key: "core_action.id",
            fields: &FIELDS,
            options: &[],
            list_methods: READ,
            detail_methods: READ,
            help: "Actions on pages of this type, read-only; create actions with POST /rest/v1/action/.",
        };

        impl ActionKind for $marker {
            const KIND: PageType = $kind;
            const DESCRIPTOR: &'static Descriptor = &$desc;
        }
    };
}

typed_action!(Petition, PETITION, PageType::Petition, "petitionaction");
typed_action!(Signup, SIGNUP, PageType::Signup, "signupaction");
typed_action!(Letter, LETTER, PageType::Letter, "letteraction");
typed_action!(Survey, SURVEY, PageType::Survey, "surveyaction");
typed_action!(Call, CALL, PageType::Call, "callaction");
typed_action!(Whipcount, WHIPCOUNT, PageType::Whipcount, "whipcountaction");
typed_action!(Lte, LTE, PageType::Lte, "lteaction");
typed_action!(Donation, DONATION, PageType::Donation, "donationaction");
typed_action!(Unsubscribe, UNSUBSCRIBE, PageType::Unsubscribe, "unsubscribeaction");
typed_action!(Import, IMPORT, PageType::Import, "importaction");
