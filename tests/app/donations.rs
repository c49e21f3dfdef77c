//! Donations through stub payment accounts (SPEC A9), as the reference's examples do them.

use crate::helpers::{both_backends, TestApp};
use chrono::Utc;
use diesel::prelude::*;
use placard::db::schema::{core_action, core_order, core_orderdetail, core_orderitem, core_transaction};
use placard::orders::{store as orders, Cents};
use serde_json::{json, Value};

fn donation(email: &str) -> Value {
    json!({
        "page": "support-our-work", "payment_account": "Stub (test) account", "card_num": "4111111111111111",
        "card_code": "007", "exp_date_month": "12", "exp_date_year": "25", "name": "Jane Doe", "email": email,
        "address1": "123 Main Street", "city": "New York", "state": "NY", "zip": "90210", "amount_other": "123.45"
    })
}

async fn post_as_staff(app: &TestApp, body: &Value) -> (u16, Value) {
    let auth = app.staff_basic_auth("api@example.org", "a long api password");
    let (status, text, _) = app
        .post_with(
            "/rest/v1/action/",
            &[("Content-Type", "application/json"), ("Authorization", &auth)],
            body.to_string(),
        )
        .await;
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}")))
}

both_backends!(a9_a_stub_donation_records_order_and_transaction, |app| {
    let (status, body) = post_as_staff(&app, &donation("donor@example.org")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "complete");
    assert_eq!(body["type"], "Donation");
    let id = body["id"].as_i64().unwrap();
    let url = body["redirect_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("/cms/thanks/support-our-work/?action_id={id}&akid=")), "{url}");
    assert!(url.ends_with("&ar=1&rd=1&total=123.45"), "{url}");
    let (total, status, last4) = app.query(|c| {
        core_order::table.select((core_order::total_cents, core_order::status, core_order::card_last4)).first::<(
            i64,
            String,
            String,
        )>(c)
    });
    assert_eq!(
        (total, status.as_str(), last4.as_str()),
        (12_345, "complete", "1111"),
        "only the last four digits are kept"
    );
    let tx = app.query(|c| {
        core_transaction::table
            .select((core_transaction::status, core_transaction::amount_cents))
            .load::<(String, i64)>(c)
    });
    assert_eq!(tx, vec![("complete".to_owned(), 12_345)]);
});

both_backends!(a9_a_wrong_card_code_is_declined_and_recorded_as_failed, |app| {
    let mut body = donation("wrong@example.org");
    body["card_code"] = json!("123");
    let (status, answer) = post_as_staff(&app, &body).await;
    assert_eq!(status, 201);
    assert_eq!(answer["status"], "failed");
    let statuses = app.query(|c| {
        Ok((
            core_order::table.select(core_order::status).first::<String>(c)?,
            core_transaction::table.select(core_transaction::status).first::<String>(c)?,
            core_action::table.select(core_action::status).first::<String>(c)?,
        ))
    });
    assert_eq!(statuses, ("failed".into(), "failed".into(), "failed".into()));
});

both_backends!(a9_the_same_transaction_twice_in_a_row_fails, |app| {
    let (_, first) = post_as_staff(&app, &donation("twice@example.org")).await;
    assert_eq!(first["status"], "complete");
    let (_, second) = post_as_staff(&app, &donation("twice@example.org")).await;
    assert_eq!(second["status"], "failed");
    let mut other = donation("twice@example.org");
    other["amount_other"] = json!("10");
    let (_, third) = post_as_staff(&app, &other).await;
    assert_eq!(third["status"], "complete", "a different amount is a different transaction");
});

both_backends!(a9_donation_input_is_checked_before_anything_is_stored, |app| {
    let mut body = donation("check@example.org");
    body["card_num"] = json!("");
    body["amount_other"] = json!("-5");
    body.as_object_mut().unwrap().remove("name");
    let (status, answer, _) = app.post_json("/rest/v1/action/", body).await;
    assert_eq!(status, 400);
    let errors = answer["errors"].as_object().unwrap();
    for field in ["amount", "card_num", "name"] {
        assert!(errors.contains_key(field), "{field} in {answer}");
    }
    let mut unknown = donation("check@example.org");
    unknown["payment_account"] = json!("No such account");
    let (status, answer, _) = app.post_json("/rest/v1/action/", unknown).await;
    assert_eq!(status, 400);
    assert!(answer["errors"]["payment_account"].is_array());
    assert_eq!(app.counts(), (0, 0, 0));
    let orders = app.query(|c| core_order::table.count().get_result::<i64>(c));
    assert_eq!(orders, 0);
});

both_backends!(a9_products_candidates_shipping_and_dates, |app| {
    let now = Utc::now().naive_utc();
    let (product, candidate) = app
        .state
        .db
        .writer
        .submit_now(|c| {
            Ok((
                orders::insert_product(c, "T-shirt", Cents(2_000), now)?,
                orders::insert_candidate(c, "A. Candidate", now)?,
            ))
        })
        .unwrap();
    let mut body = donation("shop@example.org");
    body["amount_other"] = json!("5");
    body[format!("product_{product}")] = json!("2");
    body[format!("candidate_{candidate}")] = json!("15.50");
    body["shipping_address1"] = json!("1 Ship Street");
    body["created_at"] = json!("2024-05-01 10:30:00");
    let (status, answer) = post_as_staff(&app, &body).await;
    assert_eq!(status, 201, "{answer}");
    assert!(answer["redirect_url"].as_str().unwrap().ends_with("&total=60.50"), "5 + 2×20 + 15.50: {answer}");
    assert_eq!(answer["created_at"], "2024-05-01T10:30:00.000000", "created_at sets the action's time");
    let (ship, created) = app.query(|c| {
        core_order::table
            .select((core_order::shipping_address1, core_order::created_at))
            .first::<(String, chrono::NaiveDateTime)>(c)
    });
    assert_eq!(ship, "1 Ship Street");
    assert_eq!(created.to_string(), "2024-05-01 10:30:00");
    let items = app.query(|c| {
        core_orderitem::table.select((core_orderitem::quantity, core_orderitem::total_cents)).load::<(i64, i64)>(c)
    });
    assert_eq!(items, vec![(2, 4_000)]);
    let details = app.query(|c| core_orderdetail::table.select(core_orderdetail::amount_cents).load::<i64>(c));
    assert_eq!(details, vec![1_550]);
});

both_backends!(a9_a_declined_form_donation_shows_the_form_again, |app| {
    let form = "page=support-our-work&email=f%40example.org&name=F+Donor&address1=1+A+St&city=X&zip=12345&amount=25&card_num=4242&card_code=000";
    let (status, html, _) = app.post_form("/act/", form).await;
    assert_eq!(status, 402);
    assert!(html.contains("Your payment could not be processed."), "the decline is explained");
    assert!(html.contains("action=\"/act/\""), "the form again");
});
