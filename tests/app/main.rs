//! Placard's integration tests: one binary that builds the real application (the same
#![allow(clippy::unwrap_used)]
//! `Application` and routes as `main`) on a fresh database per test, SQLite always and
//! PostgreSQL when `PLACARD_TEST_POSTGRES_URL` is set. Test names carry SPEC feature IDs.

mod helpers;

mod actionkit_client;
mod actions_api;
mod actions_form;
mod actions_xml_auth;
mod admin;
mod admin_pages;
mod admin_privacy;
mod admin_templates;
mod admin_users_imports;
mod attacks_akid;
mod attacks_bodies;
mod attacks_logs;
mod attacks_secrets;
mod attacks_slow;
mod attacks_support;
mod attacks_xml;
mod attacks_xss;
mod binary;
mod browser;
mod browser_admin;
mod browser_admin_imports;
mod browser_admin_pages;
mod browser_admin_privacy;
mod browser_admin_templates;
mod browser_me;
mod crash;
mod django_diff;
mod donations;
mod engine_options;
mod gdpr;
mod imports;
mod mail;
mod me;
mod metrics;
mod migrations;
mod openapi;
mod page_cache;
mod pages;
mod pg_fault;
mod privacy;
mod receipts;
mod rendering;
mod rest_read;
mod rest_resources;
mod smtp_sink;
mod two_servers;
mod writer;
mod writer_modes;
