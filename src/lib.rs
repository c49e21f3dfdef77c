//! Placard: a self-hosted advocacy CMS. Action pages, one action engine for every way
//! supporter data gets in, GDPR privacy records, an ActionKit-compatible REST API.
//!
//! Data flows one way: `http` → `engine`/`render` → domain modules → `db`.

pub mod admin;
pub mod app;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod engine;
pub mod error;
pub mod gdpr;
pub mod http;
pub mod i18n;
pub mod imports;
pub mod listing;
pub mod mail;
pub mod metrics;
pub mod orders;
pub mod pages;
pub mod people;
pub mod privacy;
pub mod receipts;
pub mod render;
pub mod selfservice;
pub mod settings;
pub mod shared;
pub mod staff;
pub mod telemetry;
pub mod templatesets;

pub use app::{AppState, Application, StartError};
pub use config::Config;
