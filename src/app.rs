//! `Application`: built from a `Config` by `main` and by every test, so what is tested is
//! what ships. Opens the database (running migrations), loads secrets, strings and
//! templates, binds the listener, and wires every route in one place (`http::routes`).

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use tracing_actix_web::TracingLogger;

use crate::config::Config;
use crate::db::{Database, DbSetupError};
use crate::engine::EngineDeps;
use crate::error::AppError;
use crate::i18n::I18n;
use crate::people::AkidKey;
use crate::privacy::PrivacySettings;
use crate::render::Renderer;
use crate::shared::Shared;
use crate::telemetry::PlacardRootSpan;
use crate::templatesets::{self, Sources};
use crate::{http, i18n, privacy, settings};

/// Everything a request handler may use; shared, immutable but for the staff strings.
pub struct AppState {
    pub config: Config,
    pub db: Database,
    pub renderer: Arc<Renderer>,
    pub i18n: Arc<I18n>,
    pub privacy: Shared<PrivacySettings>,
    pub engine: EngineDeps,
    /// Wakes this process's mail worker after a commit that queued mail.
    pub mail: crate::mail::worker::MailWorker,
    /// Wakes this process's import worker after an upload is stored.
    pub imports: crate::imports::ImportWorker,
    /// The staff admin's session key and login throttle.
    pub admin: crate::admin::AdminState,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] DbSetupError),
    #[error("cannot listen on {addr}: {source} (choose another address with PLACARD_BIND or --bind)")]
    Bind { addr: String, source: std::io::Error },
    #[error("{0}")]
    Setup(String),
}

impl From<AppError> for StartError {
    fn from(e: AppError) -> Self {
        Self::Setup(format!("start-up failed: {e}"))
    }
}

impl AppState {
    /// Opens the database and loads what requests need; no listener (the CLI uses this).
    pub fn open(config: Config) -> Result<Self, StartError> {
        let db = Database::open(&config.database_url, config.db_pool_size, &config.sqlite_synchronous)?;
        let secret = db.writer.submit_now(|conn| Ok(settings::instance_secret(conn, config.secret.as_deref())?))?;
        let i18n = Arc::new(I18n::load().map_err(|e| StartError::Setup(e.to_string()))?);
        i18n.set_staff_strings(db.read_now(|conn| Ok(i18n::store::load_staff_strings(conn)?))?);
        let sources = db.read_now(|conn| Ok(templatesets::store::load_all(conn)?))?;
        let privacy = Shared::new(db.read_now(|conn| Ok(privacy::store::load_settings(conn)?))?);
        let renderer = Arc::new(Renderer::new(Sources::new(sources)));
        let engine = EngineDeps {
            i18n: Arc::clone(&i18n),
            akid_key: AkidKey::new(&secret),
            renderer: Arc::clone(&renderer),
            client_name: config.client_name.clone(),
            ip_key: crate::privacy::evidence::IpKey::new(&secret),
            receipt_key: crate::receipts::ReceiptKey::new(&secret),
            base_url: config.base_url.clone(),
            link_key: crate::selfservice::LinkKey::new(&secret),
        };
        let (mail, imports) = (crate::mail::worker::MailWorker::new(), crate::imports::ImportWorker::new());
        let admin = crate::admin::AdminState::new(&secret)?;
        Ok(Self { config, db, renderer, i18n, privacy, engine, mail, imports, admin })
    }

    /// Re-reads what staff edit and requests keep in memory: language strings, privacy
    /// settings, templatesets (after the demo is seeded or staff save).
    pub fn reload_staff_edits(&self) -> Result<(), AppError> {
        let (strings, settings, sources) = self.db.read_now(|conn| {
            Ok((
                i18n::store::load_staff_strings(conn)?,
                privacy::store::load_settings(conn)?,
                templatesets::store::load_all(conn)?,
            ))
        })?;
        self.i18n.set_staff_strings(strings);
        self.privacy.set(settings);
        self.renderer.reload(Sources::new(sources));
        Ok(())
    }
}

pub struct Application {
    port: u16,
    server: Server,
    pub state: web::Data<AppState>,
}

impl Application {
    pub fn build(config: Config) -> Result<Self, StartError> {
        let state = web::Data::new(AppState::open(config)?);
        Self::serve(state)
    }

    /// Binds the configured address and builds the server around an opened state.
    pub fn serve(state: web::Data<AppState>) -> Result<Self, StartError> {
        let addr = state.config.bind.clone();
        let listener = TcpListener::bind(&addr).map_err(|source| StartError::Bind { addr: addr.clone(), source })?;
        let port = listener.local_addr().map_err(|source| StartError::Bind { addr, source })?.port();
        let shared = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(http::errors::html_error_pages())
                .wrap(TracingLogger::<PlacardRootSpan>::new())
                // Outermost: counts and times every answer, error pages included (SPEC O5).
                .wrap(actix_web::middleware::from_fn(crate::metrics::track_requests))
                .app_data(shared.clone())
                // Malformed JSON bodies answer in JSON too, never actix's plain text.
                .app_data(web::JsonConfig::default().limit(shared.config.max_body_bytes).error_handler(|err, _| {
                    crate::error::ApiError(crate::error::AppError::BadRequest(format!(
                        "The JSON body is not valid: {err}"
                    )))
                    .into()
                }))
                .app_data(web::QueryConfig::default().error_handler(|err, _| {
                    crate::error::ApiError(crate::error::AppError::BadRequest(format!(
                        "The query string is not valid: {err}"
                    )))
                    .into()
                }))
                .app_data(web::PathConfig::default().error_handler(|err, _| {
                    crate::error::ApiError(crate::error::AppError::NotFound(format!("No such object: {err}"))).into()
                }))
                .service(crate::admin::scope(&shared))
                .configure(http::routes)
        })
        .listen(listener)
        .map_err(|source| StartError::Bind { addr: state.config.bind.clone(), source })?
        .run();
        crate::mail::worker::start_with(state.clone(), state.mail.clone());
        crate::gdpr::retention::start(state.clone());
        crate::imports::worker::start(state.clone());
        Ok(Self { port, server, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
