//! Forget latency and throughput on SQLite (issue 7's target: p99 under 5 ms and at least
//! 1,000 forgets/s for a person with 100 actions, 20 privacy records and 5 orders).
//! Run: `cargo bench --bench forget` (or `PERSONS=500 cargo bench --bench forget`).
//! Each person is built through the real engine; each forget is one durable transaction.

use std::time::Instant;

use placard::engine::{self, ActionInput, Source};
use placard::gdpr::{erase, Actor};
use placard::people::Email;
use placard::privacy::PrivacyHash;
use placard::{AppState, Config};

const OPTIN: &str = "Yes, keep me informed by email about this and related campaigns.";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let persons: usize = std::env::var("PERSONS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir()?;
    let config = Config {
        database_url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        secret: Some("benchmark secret, long enough to key every MAC".into()),
        ..Config::default()
    };
    let state = AppState::open(config)?;
    state.db.writer.submit_now(placard::demo::seed_if_empty)?;
    state.reload_staff_edits()?;
    let optin = PrivacyHash::of("optin", OPTIN).to_string();

    let building = Instant::now();
    for p in 0..persons {
        let deps = state.engine.clone();
        let email = format!("person{p}@example.org");
        let optin = optin.clone();
        state.db.writer.submit_now(move |conn| {
            for i in 0..100 {
                let body = match i {
                    0..=19 => serde_json::json!({"page": "stay-informed", "email": email, "name": "Bench Person",
                        "country": "Austria", "privacy": optin, "action_note": format!("n{i}")}),
                    20..=24 => serde_json::json!({"page": "support-our-work", "email": email, "name": "Bench Person",
                        "address1": "1 St", "city": "X", "zip": "12345", "payment_account": "Stub (test) account",
                        "card_num": "4111", "card_code": "007", "amount": format!("{}", 10 + i)}),
                    _ => serde_json::json!({"page": "save-the-bees", "email": email, "name": "Bench Person", "action_n": i.to_string()}),
                };
                let input = ActionInput::from_json(body.to_string().as_bytes(), Source::RestfulApi)?;
                engine::process(conn, &deps, &input)?;
            }
            Ok(())
        })?;
    }
    let built = building.elapsed();

    let actor = Actor { who: "bench".into(), via: "bench".into() };
    let mut times = Vec::with_capacity(persons);
    let started = Instant::now();
    for p in 0..persons {
        let email = Email::parse(&format!("person{p}@example.org")).ok_or("email")?;
        let now = chrono::Utc::now().naive_utc();
        let actor = actor.clone();
        let t = Instant::now();
        state.db.writer.submit_now(move |conn| erase::forget_email(conn, &email, &actor, now))?;
        times.push(t.elapsed());
    }
    let total = started.elapsed();
    times.sort();
    // The q-th percentile, nearest rank.
    let pct = |q: usize| times[(times.len() * q).div_ceil(100).saturating_sub(1).min(times.len() - 1)];
    let count = f64::from(u32::try_from(persons).unwrap_or(u32::MAX));
    println!("built {persons} people x (100 actions, 20 privacy records, 5 orders) in {built:.1?}");
    println!(
        "forget: {persons} in {total:.2?} = {:.0}/s; p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        count / total.as_secs_f64(),
        pct(50),
        pct(99),
        times[times.len() - 1]
    );
    Ok(())
}
