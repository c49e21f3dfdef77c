//! Staff accounts (`auth_staff`): roles, argon2id password hashes, `placard staff add`.
//! Login, sessions and API keys build on this in the admin.

pub mod apikeys;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use chrono::Utc;
use diesel::prelude::*;
use rand::distributions::{Alphanumeric, DistString};

use crate::db::schema::auth_staff;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::people::Email;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// Everything.
    Admin,
    /// Pages, languages and templates; no supporter data.
    Editor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
        }
    }
}

/// A password good enough to print once for a new account.
pub fn generate_password() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 20)
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Creates the account, or resets its password and role when it exists. `true` if new.
pub fn add_or_reset(conn: &mut DbConnection, email: &Email, password: &str, role: Role) -> Result<bool, AppError> {
    if password.chars().count() < 10 {
        return Err(AppError::BadRequest("Use a password of at least 10 characters.".into()));
    }
    let hash = hash_password(password)?;
    let updated = diesel::update(auth_staff::table.filter(auth_staff::email.eq(email.as_str())))
        .set((auth_staff::password_hash.eq(&hash), auth_staff::role.eq(role.as_str()), auth_staff::is_active.eq(true)))
        .execute(conn)?;
    if updated > 0 {
        return Ok(false);
    }
    diesel::insert_into(auth_staff::table)
        .values((
            auth_staff::email.eq(email.as_str()),
            auth_staff::password_hash.eq(&hash),
            auth_staff::role.eq(role.as_str()),
            auth_staff::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(true)
}

/// An active staff account, with what authentication needs.
#[derive(Clone, Queryable)]
pub struct StaffAccount {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub password_hash: String,
}

/// Neither the password hash (a secret) nor the address (personal data) may reach a log
/// through `{:?}`.
impl std::fmt::Debug for StaffAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffAccount").field("id", &self.id).field("role", &self.role).finish_non_exhaustive()
    }
}

pub fn find_active(conn: &mut DbConnection, email: &Email) -> QueryResult<Option<StaffAccount>> {
    auth_staff::table
        .filter(auth_staff::email.eq(email.as_str()))
        .filter(auth_staff::is_active.eq(true))
        .select((auth_staff::id, auth_staff::email, auth_staff::role, auth_staff::password_hash))
        .first(conn)
        .optional()
}

pub fn password_hash_of(conn: &mut DbConnection, email: &Email) -> QueryResult<Option<String>> {
    auth_staff::table
        .filter(auth_staff::email.eq(email.as_str()))
        .select(auth_staff::password_hash)
        .first(conn)
        .optional()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn s1_passwords_are_argon2id_and_verify() {
        let hash = super::hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(super::verify_password(&hash, "correct horse battery"));
        assert!(!super::verify_password(&hash, "wrong horse battery"));
    }

    #[test]
    fn s1_a_staff_accounts_debug_output_shows_neither_its_hash_nor_its_address() {
        let account = super::StaffAccount {
            id: 7,
            email: "admin@example.org".into(),
            role: "admin".into(),
            password_hash: super::hash_password("correct horse battery").unwrap(),
        };
        let shown = format!("{account:?}");
        assert!(shown.contains("id: 7") && shown.contains("admin"), "{shown}");
        assert!(!shown.contains("argon2") && !shown.contains("example.org"), "{shown}");
    }
}
