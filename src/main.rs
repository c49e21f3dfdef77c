//! The `placard` command: parse the CLI, build the application from `Config`, run.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

use placard::people::Email;
use placard::{demo, staff, AppState, Application, Config};

#[derive(Parser)]
#[command(name = "placard", version, about = "Placard, the self-hosted advocacy CMS")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (the default).
    Serve {
        /// Listen address, e.g. 127.0.0.1:8000 (overrides PLACARD_BIND).
        #[arg(long)]
        bind: Option<String>,
        /// Seed the demo site first when the database has no pages.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Seed the demo site into an empty database.
    Demo,
    /// Manage staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Compile every template of every templateset and report errors with their lines.
    CheckTemplates,
    /// Print everything held on a person as JSON (SPEC G1).
    Export { email: String },
    /// Erase a person, keeping only anonymous counts (SPEC G2).
    Erase { email: String },
    /// Erase a person and never collect their email again (SPEC G3).
    Forget { email: String },
    /// Manage API keys for the Iterable-style endpoints.
    Apikey {
        #[command(subcommand)]
        command: ApikeyCommand,
    },
    /// Prove the consent log intact: the hash chain and every privacy record against it.
    VerifyConsentLog,
    /// Import a CSV file into an import page, every row through the action engine (SPEC O3).
    Import {
        /// The CSV file: a header line naming the columns (email, first_name, …).
        file: std::path::PathBuf,
        /// The import page's name.
        #[arg(long)]
        page: String,
        /// Privacy notes recorded for every row (SPEC P14).
        #[arg(long, default_value = "")]
        privacy_note: String,
    },
}

#[derive(Subcommand)]
enum ApikeyCommand {
    /// Create a key; it is printed once.
    Add { name: String },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a staff account, or reset its password and role.
    Add {
        email: String,
        /// The password; generated and printed once when omitted.
        #[arg(long)]
        password: Option<String>,
        #[arg(long, value_enum, default_value = "admin")]
        role: staff::Role,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    placard::telemetry::init();
    match Config::load().map_err(|e| e.to_string()).and_then(|config| run(cli, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli, mut config: Config) -> Result<(), String> {
    let command = cli.command.unwrap_or(Command::Serve { bind: None, demo: false });
    if let Command::Serve { bind: Some(bind), .. } = &command {
        config.bind.clone_from(bind);
    }
    let state = AppState::open(config).map_err(|e| e.to_string())?;
    match command {
        Command::Serve { demo: with_demo, .. } => {
            if with_demo {
                seed_demo(&state)?;
            }
            serve(state)
        }
        Command::Migrate => {
            println!("Database at {} is up to date.", state.db.target.describe());
            Ok(())
        }
        Command::Demo => seed_demo(&state),
        Command::Staff { command: StaffCommand::Add { email, password, role } } => {
            let email = Email::parse(&email).ok_or_else(|| format!("{email:?} is not a valid email address"))?;
            let (password, generated) = match password {
                Some(p) => (p, false),
                None => (staff::generate_password(), true),
            };
            let created = state
                .db
                .writer
                .submit_now(|conn| staff::add_or_reset(conn, &email, &password, role))
                .map_err(|e| e.public_message())?;
            println!("{} staff account {email} ({}).", if created { "Created" } else { "Updated" }, role.as_str());
            if generated {
                println!("Password (shown once): {password}");
            }
            Ok(())
        }
        Command::Export { email } => gdpr_command(&state, &email, "export"),
        Command::Erase { email } => gdpr_command(&state, &email, "erase"),
        Command::Forget { email } => gdpr_command(&state, &email, "forget"),
        Command::Apikey { command: ApikeyCommand::Add { name } } => {
            let now = chrono::Utc::now().naive_utc();
            let key = state
                .db
                .writer
                .submit_now(|conn| Ok(staff::apikeys::create(conn, &name, now)?))
                .map_err(|_| format!("could not create the key {name:?}: is the name already taken?"))?;
            println!("API key {name:?} (shown once): {key}");
            Ok(())
        }
        Command::Import { file, page, privacy_note } => import_command(&state, &file, &page, privacy_note),
        Command::VerifyConsentLog => {
            let result =
                state.db.read_now(|conn| Ok(placard::privacy::chain::verify(conn)?)).map_err(|e| e.public_message())?;
            for problem in &result.problems {
                println!("{problem}");
            }
            println!("{} log entries, {} privacy records checked.", result.entries, result.records);
            if result.problems.is_empty() {
                println!("The consent log verifies.");
                Ok(())
            } else {
                Err(format!("the consent log does not verify: {} problem(s)", result.problems.len()))
            }
        }
        Command::CheckTemplates => {
            let errors = placard::render::check::check_templates(&state.renderer, &state.i18n, &state.privacy.get());
            for e in &errors {
                println!("{e}");
            }
            if errors.is_empty() {
                println!("All templates compile.");
                Ok(())
            } else {
                Err(format!("{} template(s) have errors", errors.len()))
            }
        }
    }
}

fn seed_demo(state: &AppState) -> Result<(), String> {
    match state.db.writer.submit_now(demo::seed_if_empty).map_err(|e| e.to_string())? {
        Some(seeded) => {
            state.reload_staff_edits().map_err(|e| e.to_string())?;
            println!("Demo site created. Staff login: {} / {}", seeded.staff_email, seeded.staff_password);
        }
        None => println!(
            "The database already has pages; demo not seeded. Staff login: {} (reset with `placard staff add {}`).",
            demo::DEMO_STAFF_EMAIL,
            demo::DEMO_STAFF_EMAIL
        ),
    }
    Ok(())
}

fn serve(state: AppState) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::serve(actix_web::web::Data::new(state)).map_err(|e| e.to_string())?;
        let host = app.state.config.bind.split(':').next().unwrap_or("127.0.0.1").to_owned();
        println!("Placard is running at http://{host}:{}/", app.port());
        app.run_until_stopped().await.map_err(|e| format!("server stopped: {e}"))
    })
}

/// `export`, `erase`, `forget` EMAIL from the command line, audited as `cli`.
fn gdpr_command(state: &AppState, raw: &str, verb: &str) -> Result<(), String> {
    use placard::gdpr::{self, Actor};
    let email = Email::parse(raw).ok_or_else(|| format!("{raw:?} is not a valid email address"))?;
    let actor = Actor { who: "cli".into(), via: "cli".into() };
    let now = chrono::Utc::now().naive_utc();
    let result = state.db.writer.submit_now(|conn| {
        let user = placard::people::store::find_by_email(conn, &email)?.map(|u| u.user_id());
        match (verb, user) {
            ("forget", _) => gdpr::erase::forget_email(conn, &email, &actor, now),
            (_, None) => Err(placard::error::AppError::NotFound(format!("no supporter with the email {email}"))),
            ("export", Some(id)) => {
                let doc = gdpr::export::export(conn, id)?.unwrap_or_default();
                gdpr::store::audit(conn, &actor, "export", Some(("user", id.0)), &serde_json::json!({}), now)?;
                Ok(doc)
            }
            (_, Some(id)) => gdpr::erase::erase(conn, id, &actor, now),
        }
    });
    let doc = result.map_err(|e| e.public_message())?;
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    Ok(())
}

/// `import FILE --page NAME`: stores the upload, runs it here with a progress bar on a
/// terminal (plain lines every tenth otherwise), lists the rows with errors and ends with
/// the counts.
fn import_command(state: &AppState, file: &std::path::Path, page: &str, privacy_note: String) -> Result<(), String> {
    /// Rows with errors listed at the end; the rest are counted.
    const SHOWN: i64 = 100;
    use placard::imports::{self, store};
    use std::io::IsTerminal as _;
    let raw = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let worker = format!("cli-{}", std::process::id());
    let request = imports::UploadRequest {
        page: page.to_owned(),
        original_filename: file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        privacy_note,
        created_by_id: None,
    };
    let id = imports::create::create_now(&state.db, &request, raw, &worker).map_err(|e| e.public_message())?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({per_sec}, {eta} left)")
        {
            bar.set_style(style);
        }
        bar
    });
    let mut printed_tenths = 0;
    let progress = |p: &imports::Progress| {
        if let Some(bar) = &bar {
            bar.set_length(u64::try_from(p.total_rows).unwrap_or(0));
            bar.set_position(u64::try_from(p.processed_rows).unwrap_or(0));
            return;
        }
        let tenths = p.processed_rows * 10 / p.total_rows.max(1);
        if tenths > printed_tenths {
            printed_tenths = tenths;
            println!("{} of {} rows processed", p.processed_rows, p.total_rows);
        }
    };
    let done =
        imports::run::run_now(&state.db, &state.engine, id, &worker, progress).map_err(|e| e.public_message())?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let upload = done.ok_or_else(|| format!("upload {id} is being processed by another worker"))?;
    let errors = state.db.read_now(|c| Ok(store::errors(c, id, SHOWN, 0)?)).map_err(|e| e.public_message())?;
    for e in &errors {
        match e.field.as_str() {
            "" => println!("row {}: {}", e.row_number, e.message),
            field => println!("row {}: {field}: {}", e.row_number, e.message),
        }
    }
    let total_errors = state.db.read_now(|c| Ok(store::error_count(c, id)?)).map_err(|e| e.public_message())?;
    if total_errors > SHOWN {
        println!("… and {} more errors (GET /rest/v1/uploaderror/?upload={id})", total_errors - SHOWN);
    }
    println!(
        "Upload {id} complete: {} rows, {} imported, {} with errors, {} forgotten.",
        upload.processed_rows, upload.ok_rows, upload.error_rows, upload.forgotten_rows
    );
    Ok(())
}
