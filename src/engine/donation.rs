//! Donations through stub payment accounts (SPEC A9). `plan` checks everything before any
//! write (so a bad donation stores nothing); `record` writes the order, its items and
//! candidate details, and the transaction. A wrong card code or the exact same
//! transaction twice in a row is *declined*: the action, order and transaction are stored
//! with status `failed`, as ActionKit does.

use chrono::{NaiveDate, NaiveDateTime};

use super::validate::Complaints;
use super::ActionInput;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::orders::store::{self as orders, NewOrder, NewTransaction, Shipping};
use crate::orders::{Cents, PaymentAccount};
use crate::pages::Page;

pub struct DonationPlan {
    account: PaymentAccount,
    amount: Cents,
    products: Vec<(i64, i64, Cents)>,
    candidates: Vec<(i64, Cents)>,
    card_last4: String,
    card_code: String,
    shipping: Shipping,
    /// `created_at`: order, transaction and action; `donation_date`: order and transaction.
    pub created_at: Option<NaiveDateTime>,
    donation_date: Option<NaiveDateTime>,
}

impl DonationPlan {
    pub fn total(&self) -> Cents {
        let products: i64 = self.products.iter().map(|(_, _, t)| t.0).sum();
        let candidates: i64 = self.candidates.iter().map(|(_, a)| a.0).sum();
        Cents(self.amount.0 + products + candidates)
    }
}

/// What was recorded: `complete`, or `failed` with the reason.
pub struct DonationResult {
    pub status: &'static str,
    pub total: Cents,
    pub failure: Option<&'static str>,
}

/// Checks a donation; complaints as `(field, code)`. `new_user` needs a name (A9).
pub fn plan(
    conn: &mut DbConnection,
    input: &ActionInput,
    page: &Page,
    new_user: bool,
) -> Result<Result<DonationPlan, Complaints>, AppError> {
    let mut complaints: Complaints = vec![];
    let account = match input.get("payment_account").or_else(|| input.get("account")) {
        Some(name) => orders::account_by_name(conn, name)?,
        None => match page.payment_account_id {
            Some(id) => orders::account_by_id(conn, id)?,
            None => None,
        },
    };
    let account = account.filter(|a| a.is_active);
    if account.is_none() {
        complaints.push(("payment_account".into(), "invalid"));
    }
    let amount = match input.get("amount_other").or_else(|| input.get("amount")) {
        Some(raw) => Cents::parse(raw).or_else(|| {
            complaints.push(("amount".into(), "invalid"));
            None
        }),
        None => None,
    };
    let card = input.get("card_num").unwrap_or_default();
    if card.is_empty() {
        complaints.push(("card_num".into(), "missing"));
    }
    if new_user
        && input.get("name").is_none()
        && (input.get("first_name").is_none() || input.get("last_name").is_none())
    {
        complaints.push(("name".into(), "missing"));
    }
    let mut products = vec![];
    let mut candidates = vec![];
    for (name, value) in &input.params {
        if let Some(id) = name.strip_prefix("product_").and_then(|i| i.parse::<i64>().ok()) {
            match (value.trim().parse::<i64>(), orders::product_price(conn, id)?) {
                (Ok(0), Some(_)) => {}
                (Ok(qty), Some(price)) if (1..=1000).contains(&qty) => products.push((id, qty, Cents(price.0 * qty))),
                _ => complaints.push((name.clone(), "invalid")),
            }
        } else if let Some(id) = name.strip_prefix("candidate_").and_then(|i| i.parse::<i64>().ok()) {
            match (Cents::parse(value), orders::candidate_exists(conn, id)?) {
                (Some(amount), true) => candidates.push((id, amount)),
                _ => complaints.push((name.clone(), "invalid")),
            }
        }
    }
    if amount.is_none()
        && products.is_empty()
        && candidates.is_empty()
        && !complaints.iter().any(|(f, _)| f == "amount")
    {
        complaints.push(("amount".into(), "missing"));
    }
    let created_at = date_field(input, "created_at", &mut complaints);
    let donation_date = date_field(input, "donation_date", &mut complaints);
    match account {
        Some(account) if complaints.is_empty() => Ok(Ok(DonationPlan {
            account,
            amount: amount.unwrap_or_default(),
            products,
            candidates,
            card_last4: card.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect(),
            card_code: input.get("card_code").unwrap_or_default().to_owned(),
            shipping: shipping(input),
            created_at,
            donation_date,
        })),
        _ => Ok(Err(complaints)),
    }
}

pub fn record(
    conn: &mut DbConnection,
    plan: &DonationPlan,
    user_id: i64,
    action_id: i64,
    now: NaiveDateTime,
) -> Result<DonationResult, AppError> {
    let total = plan.total();
    let fingerprint = format!("{}:{user_id}:{}:{}", plan.account.id, total.0, plan.card_last4);
    let failure = if plan.card_code != plan.account.card_code {
        Some("The card was declined: wrong security code.")
    } else if orders::last_fingerprint(conn, plan.account.id)?.as_deref() == Some(fingerprint.as_str()) {
        Some("The same transaction was just submitted.")
    } else {
        None
    };
    let status = if failure.is_some() { "failed" } else { "complete" };
    let at = plan.donation_date.or(plan.created_at).unwrap_or(now);
    let order_id = orders::insert_order(
        conn,
        &NewOrder {
            user_id,
            action_id,
            account: &plan.account,
            total,
            status,
            card_last4: &plan.card_last4,
            shipping: &plan.shipping,
            created_at: at,
        },
    )?;
    for (product, qty, line_total) in &plan.products {
        orders::insert_item(conn, order_id, *product, *qty, *line_total)?;
    }
    for (candidate, amount) in &plan.candidates {
        orders::insert_detail(conn, order_id, *candidate, *amount)?;
    }
    orders::insert_transaction(
        conn,
        &NewTransaction {
            order_id,
            account_id: plan.account.id,
            status,
            amount: total,
            fingerprint: &fingerprint,
            failure_message: failure.unwrap_or_default(),
            created_at: at,
        },
    )?;
    Ok(DonationResult { status, total, failure })
}

fn shipping(input: &ActionInput) -> Shipping {
    let get = |f: &str| input.get(&format!("shipping_{f}")).unwrap_or_default().to_owned();
    Shipping {
        name: get("name"),
        address1: get("address1"),
        address2: get("address2"),
        city: get("city"),
        state: get("state"),
        zip: get("zip"),
        country: get("country"),
    }
}

/// The date formats imports accept: ISO dates and times, and US `MM/DD/YYYY`.
fn date_field(input: &ActionInput, field: &str, complaints: &mut Complaints) -> Option<NaiveDateTime> {
    let raw = input.get(field)?;
    let parsed = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .or_else(|| {
            ["%Y-%m-%d", "%m/%d/%Y"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(raw, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        });
    if parsed.is_none() {
        complaints.push((field.to_owned(), "invalid"));
    }
    parsed
}
