//! The engine's privacy step (SPEC P10, P11, P13, B2). `plan` reads and checks every
//! privacy option before anything is written; `apply` withdraws what the action asks to,
//! then stores this action's records with their evidence.

use chrono::NaiveDateTime;

use super::process::truthy;
use super::validate::Complaints;
use super::{ActionInput, EngineDeps};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::pages::{self, Page, PageType};
use crate::privacy::store::{self as privacy, NewRecord, Withdraw};
use crate::privacy::texts::{self, TextScope};
use crate::privacy::{PrivacyHash, PrivacySettings};
use crate::receipts::store::Issue;
use crate::receipts::{self, ReceiptText};

/// A text the supporter chose or was shown, by content.
#[derive(Clone, Debug)]
pub struct Chosen {
    pub text_type: String,
    pub text: String,
}

/// What `withdraw_privacy` asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WithdrawRequest {
    /// Withdraw everything when the user leaves every list by their own request.
    Auto,
    NoAuto,
    All,
    Version(PrivacyHash),
}

#[derive(Clone, Debug)]
pub struct PrivacyPlan {
    pub main: Option<Chosen>,
    pub extras: Vec<Chosen>,
    pub optin_lists: Vec<i64>,
    /// Opt-out with `privacy_optout_unsub_all=1` or the `privacy_unsub_optouts` flag.
    pub optout_unsubscribes: bool,
    pub skip_thanks: bool,
    pub withdraw: WithdrawRequest,
    country: String,
}

impl PrivacyPlan {
    pub fn main_type(&self) -> Option<&str> {
        self.main.as_ref().map(|c| c.text_type.as_str())
    }
}

pub fn plan(
    conn: &mut DbConnection,
    deps: &EngineDeps,
    input: &ActionInput,
    page: &Page,
    settings: &PrivacySettings,
    complaints: &mut Complaints,
) -> Result<PrivacyPlan, AppError> {
    let mut resolver = Resolver { page, deps, fields: None };
    let main = match input.get("privacy") {
        Some(raw) => resolver.resolve(conn, raw, "privacy", complaints)?,
        None => None,
    };
    let mut extras = vec![];
    for name in ["privacy_extra", "privacy_hidden"] {
        for raw in input.all(name) {
            extras.extend(resolver.resolve(conn, raw, name, complaints)?);
        }
    }
    let country = input
        .get("country")
        .map(|c| {
            crate::privacy::countries::Country::parse(c)
                .map_or_else(|| c.to_owned(), crate::privacy::countries::Country::into_string)
        })
        .unwrap_or_default();
    // P11: a listed country *submitted* with the action needs the main choice.
    let exempt = matches!(page.kind(), PageType::Import | PageType::Unsubscribe);
    if settings.require_on_actions && !exempt && settings.is_listed(&country) && main.is_none() {
        complaints.push(("privacy".into(), "missing"));
    }
    let mut optin_lists = vec![];
    for raw in input.all("privacy_optin_lists") {
        for id in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match id.parse::<i64>() {
                Ok(id) if id > 0 => optin_lists.push(id),
                _ => complaints.push(("privacy_optin_lists".into(), "invalid")),
            }
        }
    }
    let withdraw = match input.get("withdraw_privacy") {
        None => WithdrawRequest::Auto,
        Some("no_auto") => WithdrawRequest::NoAuto,
        Some("all") => WithdrawRequest::All,
        Some(raw) => PrivacyHash::parse(raw).map_or_else(
            || {
                complaints.push(("withdraw_privacy".into(), "invalid"));
                WithdrawRequest::Auto
            },
            WithdrawRequest::Version,
        ),
    };
    let flags = texts::flags(&deps.i18n);
    let is_optout = main.as_ref().is_some_and(|c| c.text_type == "optout");
    Ok(PrivacyPlan {
        optout_unsubscribes: is_optout
            && (input.get("privacy_optout_unsub_all").is_some_and(truthy) || flags.unsub_optouts),
        skip_thanks: is_optout
            && (input.get("privacy_optout_skip_confirmation").is_some_and(truthy) || flags.optouts_skip_thanks),
        main,
        extras,
        optin_lists,
        withdraw,
        country,
    })
}

/// Finds what a submitted hash names: a stored version, or one of the texts this page
/// shows now (stored on first use).
struct Resolver<'a> {
    page: &'a Page,
    deps: &'a EngineDeps,
    fields: Option<std::collections::BTreeMap<String, String>>,
}

impl Resolver<'_> {
    fn resolve(
        &mut self,
        conn: &mut DbConnection,
        raw: &str,
        field: &str,
        complaints: &mut Complaints,
    ) -> Result<Option<Chosen>, AppError> {
        let Some(hash) = PrivacyHash::parse(raw) else {
            complaints.push((field.to_owned(), "invalid"));
            return Ok(None);
        };
        if let Some(v) = privacy::version_by_hash(conn, &hash)? {
            return Ok(Some(Chosen { text_type: v.text_type, text: v.text }));
        }
        if self.fields.is_none() {
            self.fields = Some(pages::store::fields(conn, self.page.id)?);
        }
        let fields = self.fields.clone().unwrap_or_default();
        let scope =
            TextScope { page_fields: &fields, page_type: self.page.kind().privacy_name(), lang: &self.page.lang };
        let current = texts::text_types(&self.deps.i18n)
            .into_iter()
            .filter_map(|t| texts::resolve(&self.deps.i18n, &scope, &t))
            .find(|r| r.hash == hash);
        if let Some(r) = current {
            Ok(Some(Chosen { text_type: r.text_type, text: r.text }))
        } else {
            complaints.push((field.to_owned(), "invalid"));
            Ok(None)
        }
    }
}

/// Withdraws as asked (P13; `left_all_lists` is an unsubscribe-from-everything the
/// supporter asked for), then stores this action's records. Returns the ids withdrawn.
#[allow(clippy::too_many_arguments)] // each is one fact about the action being recorded
pub fn apply(
    conn: &mut DbConnection,
    deps: &EngineDeps,
    plan: &PrivacyPlan,
    input: &ActionInput,
    page: &Page,
    user_id: i64,
    action_id: i64,
    left_all_lists: bool,
    now: NaiveDateTime,
) -> Result<Vec<i64>, AppError> {
    let which = match &plan.withdraw {
        WithdrawRequest::NoAuto => None,
        WithdrawRequest::All => Some(Withdraw::All),
        WithdrawRequest::Version(hash) => Some(Withdraw::Version(hash.clone())),
        WithdrawRequest::Auto => left_all_lists.then_some(Withdraw::All),
    };
    let withdrawn = match which {
        Some(which) => privacy::withdraw(conn, user_id, &which, now)?,
        None => vec![],
    };
    let receipt = |kind: &'static str, texts: Vec<ReceiptText>| Issue {
        kind,
        user_id,
        action_id: Some(action_id),
        controller: &deps.client_name,
        service: &page.title,
        lang: &page.lang,
        texts,
    };
    if !withdrawn.is_empty() {
        let texts = privacy::texts_of_records(conn, &withdrawn)?;
        receipts::store::issue(conn, &deps.receipt_key, &receipt("withdrawal", texts), now)?;
    }
    let sources = deps.renderer.sources();
    let set = page.templateset_id.and_then(|id| sources.set_by_id(id));
    let ip_hmac = input.evidence.ip.as_deref().map(|ip| deps.ip_key.hash(ip)).unwrap_or_default();
    let user_agent: String = input.evidence.user_agent.chars().take(500).collect();
    let mut created = vec![];
    for chosen in plan.main.iter().chain(&plan.extras) {
        let version = privacy::ensure_version(conn, &chosen.text_type, &chosen.text, now)?;
        created.push(ReceiptText {
            text_type: version.text_type.clone(),
            hash: version.hash.clone(),
            text: version.text.clone(),
            status: "active".into(),
        });
        privacy::insert_record(
            conn,
            &NewRecord {
                user_id,
                action_id: Some(action_id),
                version_id: version.id,
                context: "action",
                note: "",
                page_id: Some(page.id),
                templateset_id: set.map(|s| s.id),
                templateset_revision: set.map(|s| s.revision),
                lang: &page.lang,
                country_submitted: &plan.country,
                user_agent: &user_agent,
                ip_hmac: &ip_hmac,
            },
            now,
        )?;
    }
    if !created.is_empty() {
        receipts::store::issue(conn, &deps.receipt_key, &receipt("consent", created), now)?;
    }
    Ok(withdrawn)
}
