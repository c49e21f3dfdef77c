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
