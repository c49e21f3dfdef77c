//! Privacy records (SPEC P1–P16, B1–B3): settings, text resolution and versions, and
//! (with the engine) records and withdrawal. Only `privacy::store` touches
//! `core_privacysettings`, `core_privacytext`, `core_privacyrecord` and `core_consentlog`.

pub mod chain;
pub mod countries;
pub mod evidence;
pub mod hash;
pub mod query;
pub mod report_query;
pub mod reports;
pub mod settings;
pub mod store;
pub mod texts;

pub use hash::PrivacyHash;
pub use settings::PrivacySettings;
