//! `Application`: built from a `Config` by `main` and by every test, so what is tested is
//! what ships. Opens the database (running migrations), loads secrets, strings and
//! templates, binds the listener, and wires every route in one place (`http::routes`).

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use tracing_actix_web::TracingLogger;

use crate::config::Config;
use crate::db::{Database, DbSetupError};
use crate::engine::EngineDeps;
use crate::error::AppError;
use crate::i18n::I18n;
use crate::pages::cache::{PageCache, REVISION_POLL};
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
    /// Pages as public GETs need them, and the staff revision they were loaded at.
    pub pages: crate::pages::cache::PageCache,
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
        let db = Database::open(&config.database_url, &config.db_options())?;
        let secret = db.writer.submit_now(|conn| Ok(settings::instance_secret(conn, config.secret.as_deref())?))?;
        let i18n = Arc::new(I18n::load().map_err(|e| StartError::Setup(e.to_string()))?);
        let pages = PageCache::default();
        let edits = db.read_now(load_staff_edits)?;
        pages.loaded_at(edits.revision);
        i18n.set_staff_strings(edits.strings);
        let privacy = Shared::new(edits.privacy);
        let renderer = Arc::new(Renderer::new(Sources::new(edits.sources)));
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
        Ok(Self { config, db, renderer, i18n, privacy, engine, mail, imports, admin, pages })
    }

    /// Re-reads what staff edit and requests keep in memory: language strings, privacy
    /// settings, templatesets, and drops the page cache (after the demo is seeded or staff
    /// save). Blocks on the database.
    pub fn reload_staff_edits(&self) -> Result<(), AppError> {
        let _one_at_a_time = self.pages.reload_guard();
        let edits = self.db.read_now(load_staff_edits)?;
        self.i18n.set_staff_strings(edits.strings);
        self.privacy.set(edits.privacy);
        self.renderer.reload(Sources::new(edits.sources));
        self.pages.loaded_at(edits.revision);
        Ok(())
    }

    /// Reloads the staff edits when the staff revision moved since they were loaded (one
    /// small query when it did not); whether it did. Blocks on the database.
    pub fn reload_if_staff_saved(&self) -> Result<bool, AppError> {
        let revision = self.db.read_now(|conn| Ok(crate::pages::cache::staff_revision(conn)?))?;
        if revision == self.pages.loaded_revision() {
            return Ok(false);
        }
        self.reload_staff_edits()?;
        Ok(true)
    }
}

/// What staff edit that requests keep in memory, and the staff revision read before them
/// (so they are at least as new as it).
struct StaffEdits {
    revision: i64,
    strings: i18n::StaffStrings,
    privacy: PrivacySettings,
    sources: Vec<templatesets::SetSources>,
}

fn load_staff_edits(conn: &mut crate::db::DbConnection) -> Result<StaffEdits, AppError> {
    Ok(StaffEdits {
        revision: crate::pages::cache::staff_revision(conn)?,
        strings: i18n::store::load_staff_strings(conn)?,
        privacy: privacy::store::load_settings(conn)?,
        sources: templatesets::store::load_all(conn)?,
    })
}

/// After a request that may have saved staff edits (any write through the admin or the
/// REST API but actions), reloads them here before answering, so the next GET on this
/// server shows the save; other servers see it through [`watch_staff_revision`].
async fn reload_after_staff_write(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path();
    let staff_write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && (path.starts_with("/admin/") || (path.starts_with("/rest/v1/") && !path.starts_with("/rest/v1/action/")));
    let state = req.app_data::<web::Data<AppState>>().filter(|_| staff_write).cloned();
    let response = next.call(req).await?;
    if let Some(state) = state {
        if let Err(e) = crate::telemetry::run_blocking(move || state.reload_if_staff_saved()).await {
            tracing::warn!(error = %e, "staff edits: reload after a save failed; the revision watch retries");
        }
    }
    Ok(response)
}

/// Reads the staff revision every [`REVISION_POLL`] and reloads when another server (or
/// the CLI) saved: one small query per interval per server, never one per request.
fn watch_staff_revision(state: web::Data<AppState>) {
    actix_web::rt::spawn(async move {
        let mut ticks = tokio::time::interval(REVISION_POLL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let state = state.clone();
            match crate::telemetry::run_blocking(move || state.reload_if_staff_saved()).await {
                Ok(true) => tracing::info!("staff edits: reloaded after a save elsewhere"),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "staff edits: cannot read the staff revision; retrying"),
            }
        }
    });
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
        let max_body_bytes = state.config.max_body_bytes;
        let server = HttpServer::new(move || {
            App::new()
                .wrap(http::errors::html_error_pages())
                .wrap(TracingLogger::<PlacardRootSpan>::new())
                // Outermost: counts and times every answer, error pages included (SPEC O5).
                .wrap(actix_web::middleware::from_fn(crate::metrics::track_requests))
                .wrap(actix_web::middleware::from_fn(reload_after_staff_write))
                // A body that stalls longer than the client timeout ends the request.
                .wrap(actix_web::middleware::from_fn(http::body::cut_stalled_bodies))
                .app_data(shared.clone())
                // Malformed JSON bodies answer in JSON too, never actix's plain text.
                .app_data(web::JsonConfig::default().limit(shared.config.max_body_bytes).error_handler(
                    move |err: actix_web::error::JsonPayloadError, _: &actix_web::HttpRequest| {
                        let error = http::body::json_error(err, max_body_bytes);
                        crate::error::ApiError(error).into()
                    },
                ))
                // One body limit for every extractor (actix's defaults: 256 KiB raw, 16 KiB forms).
                .app_data(web::PayloadConfig::new(shared.config.max_body_bytes))
                .app_data(web::FormConfig::default().limit(shared.config.max_body_bytes))
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
        // Slow clients (slowloris): the head must arrive within the client timeout (else
        // 408 and the connection is closed), and a closing connection gets a second more.
        .client_request_timeout(state.config.client_timeout)
        .client_disconnect_timeout(std::time::Duration::from_secs(1))
        .listen(listener)
        .map_err(|source| StartError::Bind { addr: state.config.bind.clone(), source })?
        .run();
        crate::mail::worker::start_with(state.clone(), state.mail.clone());
        crate::gdpr::retention::start(state.clone());
        crate::imports::worker::start(state.clone());
        watch_staff_revision(state.clone());
        Ok(Self { port, server, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
