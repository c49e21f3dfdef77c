//! People: supporters (`core_user`), their phones and custom fields, lists and
//! subscriptions with their history, akids, and blackholed addresses.
//!
//! Only `people::store` touches these tables. Writes are called by the engine, never by
//! handlers directly.

pub mod akid;
pub mod allowed_fields;
pub mod edit;
pub mod email;
pub mod list_choices;
pub mod names;
pub mod phones;
pub mod query;
pub mod store;

pub use akid::{Akid, AkidKey};
pub use email::Email;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::core_user;

/// A supporter's id; only ever built from the database or a verified akid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct UserId(pub i64);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ListId(pub i64);

#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = core_user)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub prefix: String,
    pub first_name: String,
    pub middle_name: String,
    pub last_name: String,
    pub suffix: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub plus4: String,
    pub postal: String,
    pub region: String,
    pub country: String,
    pub lang: String,
    pub source: String,
    pub subscription_status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl User {
    pub fn user_id(&self) -> UserId {
        UserId(self.id)
    }

    /// The stored value of a user field by its form name, for required-field checks.
    pub fn field(&self, name: &str) -> Option<&str> {
        Some(match name {
            "email" => &self.email,
            "prefix" => &self.prefix,
            "first_name" => &self.first_name,
            "middle_name" => &self.middle_name,
            "last_name" => &self.last_name,
            "suffix" => &self.suffix,
            "address1" => &self.address1,
            "address2" => &self.address2,
            "city" => &self.city,
            "state" => &self.state,
            "zip" => &self.zip,
            "plus4" => &self.plus4,
            "postal" => &self.postal,
            "region" => &self.region,
            "country" => &self.country,
            _ => return None,
        })
    }
}

/// Submitted user fields; `None` leaves the stored value alone.
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = core_user)]
pub struct UserChanges {
    pub prefix: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub suffix: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub plus4: Option<String>,
    pub postal: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub lang: Option<String>,
}

impl UserChanges {
    /// The user-table fields a form or API call may set, by name.
    pub const FIELDS: [&'static str; 14] = [
        "prefix",
        "first_name",
        "middle_name",
        "last_name",
        "suffix",
        "address1",
        "address2",
        "city",
        "state",
        "zip",
        "plus4",
        "postal",
        "region",
        "country",
    ];

    pub fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "prefix" => &mut self.prefix,
            "first_name" => &mut self.first_name,
            "middle_name" => &mut self.middle_name,
            "last_name" => &mut self.last_name,
            "suffix" => &mut self.suffix,
            "address1" => &mut self.address1,
            "address2" => &mut self.address2,
            "city" => &mut self.city,
            "state" => &mut self.state,
            "zip" => &mut self.zip,
            "plus4" => &mut self.plus4,
            "postal" => &mut self.postal,
            "region" => &mut self.region,
            "country" => &mut self.country,
            "lang" => &mut self.lang,
            _ => return None,
        })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        match name {
            "prefix" => self.prefix.as_deref(),
            "first_name" => self.first_name.as_deref(),
            "middle_name" => self.middle_name.as_deref(),
            "last_name" => self.last_name.as_deref(),
            "suffix" => self.suffix.as_deref(),
            "address1" => self.address1.as_deref(),
            "address2" => self.address2.as_deref(),
            "city" => self.city.as_deref(),
            "state" => self.state.as_deref(),
            "zip" => self.zip.as_deref(),
            "plus4" => self.plus4.as_deref(),
            "postal" => self.postal.as_deref(),
            "region" => self.region.as_deref(),
            "country" => self.country.as_deref(),
            "lang" => self.lang.as_deref(),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = crate::db::schema::core_list)]
pub struct List {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub is_default: bool,
}
