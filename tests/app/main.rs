//! Placard's integration tests: one binary that builds the real application (the same
#![allow(clippy::unwrap_used)]
//! `Application` and routes as `main`) on a fresh database per test, SQLite always and
//! PostgreSQL when `PLACARD_TEST_POSTGRES_URL` is set. Test names carry SPEC feature IDs.

mod helpers;

mod actions_api;
mod actions_form;
mod actions_xml_auth;
mod binary;
mod browser;
mod django_diff;
mod donations;
mod engine_options;
mod gdpr;
mod mail;
mod pages;
mod privacy;
mod receipts;
mod rendering;
mod smtp_sink;
mod writer;
