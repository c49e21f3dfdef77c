//! Privacy records through the engine (SPEC P1, P4, P10–P13, B1, B2), on the demo site:
//! privacy on for the EU and UK, "require on actions" on, notice/opt-in/opt-out texts.

use crate::helpers::{both_backends, TestApp};
use diesel::prelude::*;
use placard::db::schema::{
    core_consentlog, core_privacyrecord, core_privacysettings, core_privacytext, core_subscription, core_user,
};
use placard::privacy::PrivacyHash;
use serde_json::json;

const OPTIN: &str = "Yes, keep me informed by email about this and related campaigns.";
const OPTOUT: &str = "No, only use my details for this action.";
const NOTICE: &str = "<p>We process your data as described in our <a href=\"/privacy/\" rel=\"noopener noreferrer\">privacy policy</a>.</p>";

fn optin() -> String {
    PrivacyHash::of("optin", OPTIN).to_string()
}
fn optout() -> String {
    PrivacyHash::of("optout", OPTOUT).to_string()
}

/// `(type, status, country_submitted, user_agent, ip_hmac)` of every record, oldest first.
fn records(app: &TestApp) -> Vec<(String, String, String, String, String)> {
    app.query(|c| {
        core_privacyrecord::table
            .inner_join(core_privacytext::table)
            .order(core_privacyrecord::id.asc())
            .select((
                core_privacytext::type_,
                core_privacyrecord::status,
                core_privacyrecord::country_submitted,
                core_privacyrecord::user_agent,
                core_privacyrecord::ip_hmac,
            ))
            .load(c)
    })
}

fn verify(app: &TestApp) -> Vec<String> {
    app.query(placard::privacy::chain::verify).problems
}

both_backends!(p8_the_rendered_hashes_are_the_ones_the_engine_accepts, |app| {
    let (_, html, _) = app.get("/sign/save-the-bees/").await;
    assert!(html.contains(&optin()) && html.contains(&optout()), "the page shows the hashes tests use");
    assert!(html.contains(&PrivacyHash::of("notice", NOTICE).to_string()), "notice hash: sanitized text as shown");
});

both_backends!(p10_a_main_choice_and_a_hidden_notice_become_records_with_evidence, |app| {
    let notice = PrivacyHash::of("notice", NOTICE).to_string();
    let body = format!("page=save-the-bees&email=eu%40example.org&name=Eva+Berg&country=Germany&privacy={}&privacy_hidden={notice}&required=privacy", optin());
    let (status, text, _) = app
        .post_with(
            "/act/",
            &[("Content-Type", "application/x-www-form-urlencoded"), ("User-Agent", "TestBrowser/1.0")],
            body,
        )
        .await;
    assert_eq!(status, 302, "{text}");
    let rows = records(&app);
    assert_eq!(rows.len(), 2);
    let (kind, status, country, ua, ip) = &rows[0];
    assert_eq!(
        (kind.as_str(), status.as_str(), country.as_str(), ua.as_str()),
        ("optin", "active", "Germany", "TestBrowser/1.0")
    );
    assert_eq!(ip.len(), 32, "a keyed hash of the IP");
    assert!(!ip.contains("127.0.0.1"));
    assert_eq!(rows[1].0, "notice");
    let versions = app.query(|c| core_privacytext::table.select(core_privacytext::hash).load::<String>(c));
    assert!(versions.contains(&optin()), "P7: the version is stored content-addressed");
    assert_eq!(verify(&app), Vec::<String>::new());
});

both_backends!(p10_an_unknown_hash_is_invalid_and_nothing_is_stored, |app| {
    let bogus = PrivacyHash::of("optin", "a text nobody wrote").to_string();
    for value in [bogus.as_str(), "1", "yes"] {
        let (status, body, _) = app
            .post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": "x@example.org", "privacy": value}))
            .await;
        assert_eq!(status, 400, "{value}: {body}");
        assert!(body["errors"]["privacy"].is_array(), "{body}");
    }
    assert_eq!(app.counts(), (0, 0, 0));
    assert!(records(&app).is_empty());
});

both_backends!(p11_a_listed_country_without_a_choice_is_rejected_on_the_api_and_forms, |app| {
    let (status, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": "de@example.org", "country": "Germany"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"]["privacy"], json!(["We need more information to process your data."]));
    let (status, _, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": "de@example.org", "country": "Germany", "privacy_extra": optin()}),
        )
        .await;
    assert_eq!(status, 400, "privacy_extra never satisfies the requirement");
    let (status, html, _) = app.post_form("/act/", "page=stay-informed&email=de%40example.org&country=Germany").await;
    assert_eq!(status, 400);
    assert!(html.contains("We need more information to process your data."));
    assert_eq!(app.counts(), (0, 0, 0));
    let (status, _, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": "us@example.org", "country": "United States"}),
        )
        .await;
    assert_eq!(status, 201, "other countries need nothing");
});

both_backends!(p11_a_stored_country_that_is_not_submitted_does_not_trigger_it, |app| {
    let (status, _, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": "de@example.org", "country": "Germany", "privacy": optin()}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body, _) =
        app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": "de@example.org"})).await;
    assert_eq!(status, 201, "{body}");
});

both_backends!(p11_unsubscribe_pages_are_exempt, |app| {
    let (status, body, _) = app
        .post_json("/rest/v1/action/", json!({"page": "unsubscribe", "email": "de@example.org", "country": "Germany"}))
        .await;
    assert_eq!(status, 201, "{body}");
});

both_backends!(p4_error_privacy_missing_can_be_overridden_by_staff, |app| {
    app.state
        .db
        .writer
        .submit_now(|c| {
            Ok(placard::i18n::store::set_string(
                c,
                "en",
                "error_privacy:missing",
                "Please tell us how we may contact you.",
                chrono::Utc::now().naive_utc(),
            )?)
        })
        .unwrap();
    app.state.reload_staff_edits().unwrap();
    let (_, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": "de@example.org", "country": "Germany"}),
        )
        .await;
    assert_eq!(body["errors"]["privacy"], json!(["Please tell us how we may contact you."]));
});

both_backends!(p10_optin_lists_join_only_with_an_optin, |app| {
    let body = json!({"page": "stay-informed", "email": "a@example.org", "country": "France", "privacy": optin(), "privacy_optin_lists": "2"});
    assert_eq!(app.post_json("/rest/v1/action/", body).await.0, 201);
    let body = json!({"page": "stay-informed", "email": "b@example.org", "country": "France", "privacy": optout(), "privacy_optin_lists": "2"});
    assert_eq!(app.post_json("/rest/v1/action/", body).await.0, 201);
    let lists = |email: &'static str| {
        app.query(move |c| {
            core_subscription::table
                .inner_join(core_user::table)
                .filter(core_user::email.eq(email))
                .order(core_subscription::list_id.asc())
                .select(core_subscription::list_id)
                .load::<i64>(c)
        })
    };
    assert_eq!(lists("a@example.org"), vec![1, 2]);
    assert_eq!(lists("b@example.org"), vec![1], "the opt-out does not join the opt-in list");
});

both_backends!(p13_an_optout_that_unsubscribes_withdraws_earlier_records, |app| {
    let first = json!({"page": "stay-informed", "email": "w@example.org", "country": "Spain", "privacy": optin()});
    assert_eq!(app.post_json("/rest/v1/action/", first).await.0, 201);
    let out = json!({"page": "save-the-bees", "email": "w@example.org", "name": "W X", "country": "Spain", "privacy": optout(), "privacy_optout_unsub_all": "1"});
    let (status, body, _) = app.post_json("/rest/v1/action/", out).await;
    assert_eq!(status, 201, "{body}");
    let rows: Vec<(String, String)> = records(&app).into_iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(rows, vec![("optin".into(), "withdrawn".into()), ("optout".into(), "active".into())]);
    assert_eq!(app.counts().2, 0, "unsubscribed from everything");
    assert_eq!(verify(&app), Vec::<String>::new());
});

both_backends!(p13_the_unsubscribe_page_withdraws_and_no_auto_or_a_hash_limit_it, |app| {
    for email in ["u1@example.org", "u2@example.org"] {
        let body = json!({"page": "stay-informed", "email": email, "country": "Italy", "privacy": optin(), "privacy_extra": PrivacyHash::of("notice", NOTICE).to_string()});
        assert_eq!(app.post_json("/rest/v1/action/", body).await.0, 201);
    }
    assert_eq!(
        app.post_json("/rest/v1/action/", json!({"page": "unsubscribe", "email": "u1@example.org"})).await.0,
        201
    );
    let body = json!({"page": "unsubscribe", "email": "u2@example.org", "withdraw_privacy": "no_auto"});
    assert_eq!(app.post_json("/rest/v1/action/", body).await.0, 201);
    let statuses: Vec<String> = records(&app).into_iter().map(|r| r.1).collect();
    assert_eq!(statuses, vec!["withdrawn", "withdrawn", "active", "active"]);
    let body = json!({"page": "stay-informed", "email": "u2@example.org", "withdraw_privacy": optin()});
    assert_eq!(app.post_json("/rest/v1/action/", body).await.0, 201);
    let rows: Vec<(String, String)> = records(&app).into_iter().skip(2).map(|r| (r.0, r.1)).collect();
    assert_eq!(
        rows,
        vec![("optin".into(), "withdrawn".into()), ("notice".into(), "active".into())],
        "only that version"
    );
});

both_backends!(p1_with_the_feature_off_privacy_inputs_are_ignored_and_nothing_required, |app| {
    app.state
        .db
        .writer
        .submit_now(|c| {
            Ok(diesel::update(core_privacysettings::table).set(core_privacysettings::enabled.eq(false)).execute(c)?)
        })
        .unwrap();
    let body = json!({"page": "stay-informed", "email": "off@example.org", "country": "Germany", "privacy": "not even a hash"});
    let (status, text, _) = app.post_json("/rest/v1/action/", body).await;
    assert_eq!(status, 201, "{text}");
    assert!(records(&app).is_empty());
});

both_backends!(b1_the_consent_log_catches_rows_edited_removed_or_inserted_by_hand, |app| {
    let body = json!({"page": "stay-informed", "email": "chain@example.org", "country": "Austria", "privacy": optin()});
    assert_eq!(app.post_json("/rest/v1/action/", body).await.0, 201);
    let body =
        json!({"page": "stay-informed", "email": "chain2@example.org", "country": "Austria", "privacy": optout()});
    assert_eq!(app.post_json("/rest/v1/action/", body).await.0, 201);
    assert_eq!(verify(&app), Vec::<String>::new());
    let entries = app.query(|c| core_consentlog::table.count().get_result::<i64>(c));
    assert_eq!(entries, 2);

    let write =
        |sql: &'static str| app.state.db.writer.submit_now(move |c| Ok(diesel::sql_query(sql).execute(c)?)).unwrap();
    write("UPDATE core_privacyrecord SET status = 'withdrawn' WHERE id = 1");
    let problems = verify(&app);
    assert_eq!(problems, vec!["privacy record 1: the row was edited outside Placard".to_owned()]);
    write("UPDATE core_privacyrecord SET status = 'active' WHERE id = 1");
    assert_eq!(verify(&app), Vec::<String>::new(), "restored exactly: verifies again");

    write("DELETE FROM core_privacyrecord WHERE id = 2");
    assert_eq!(verify(&app), vec!["privacy record 2: removed without a logged erase".to_owned()]);

    write("DELETE FROM core_consentlog WHERE id = 1");
    let problems = verify(&app);
    assert!(problems.iter().any(|p| p.contains("log entry 2: its predecessor is missing")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("privacy record 1: not in the log")), "{problems:?}");
});

both_backends!(p15_templates_read_the_recognized_users_privacy_records, |app| {
    let (_, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": "p15@example.org", "country": "Austria", "privacy": optin()}),
        )
        .await;
    let akid = body["akid"].as_str().unwrap().to_owned();
    let probe = "{% for record in user.privacyrecord_set.all %}[{{ record.version.type }} {{ record.status }} {{ record.version.hash|slice:\":8\" }}]{% empty %}none{% endfor %}";
    app.page_on_staff_set("stay-informed", "P15", &[("signup.html", probe)]);
    let (_, html, _) = app.get(&format!("/signup/stay-informed/?akid={akid}")).await;
    assert_eq!(html.trim(), format!("[optin active {}]", &optin()[..8]));
    let (_, html, _) = app.get("/signup/stay-informed/").await;
    assert_eq!(html.trim(), "none", "nobody recognized without an akid");
});

both_backends!(p2_countries_are_normalized_on_input_and_in_settings, |app| {
    let (status, body, _) = app
        .post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": "de@example.org", "country": "DE"}))
        .await;
    assert_eq!(status, 400, "DE is Germany, a listed country: {body}");
    let (status, _, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": "de@example.org", "country": "Deutschland", "privacy": optin()}),
        )
        .await;
    assert_eq!(status, 201);
    let stored = app.query(|c| core_user::table.select(core_user::country).first::<String>(c));
    assert_eq!(stored, "Germany", "stored by its standard English name");
    let recorded: Vec<String> = records(&app).into_iter().map(|r| r.2).collect();
    assert_eq!(recorded, vec!["Germany".to_owned()]);
    app.state
        .db
        .writer
        .submit_now(|c| {
            Ok(diesel::update(core_privacysettings::table)
                .set(core_privacysettings::countries.eq("Česko\nUK"))
                .execute(c)?)
        })
        .unwrap();
    let settings = app.query(placard::privacy::store::load_settings);
    assert!(settings.is_listed("Czech Republic") && settings.is_listed("GB") && settings.is_listed("Great Britain"));
    assert!(!settings.is_listed("Germany"));
});

both_backends!(p12_reports_count_records_by_type_and_status_and_find_stragglers, |app| {
    for (email, country, choice) in [
        ("a@example.org", "Austria", Some(optin())),
        ("b@example.org", "Belgium", Some(optout())),
        ("c@example.org", "France", None),
    ] {
        let mut body = json!({"page": "stay-informed", "email": email, "country": country});
        if let Some(choice) = choice {
            body["privacy"] = json!(choice);
        }
        app.post_json("/rest/v1/action/", body).await;
    }
    // The third was refused (require on actions); a straggler comes from elsewhere, e.g. an
    // old import: a French user with no record.
    app.state
        .db
        .writer
        .submit_now(|c| {
            Ok(diesel::update(core_privacysettings::table)
                .set(core_privacysettings::require_on_actions.eq(false))
                .execute(c)?)
        })
        .unwrap();
    app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": "c@example.org", "country": "France"}))
        .await;
    app.post_json(
        "/rest/v1/action/",
        json!({"page": "stay-informed", "email": "us@example.org", "country": "United States"}),
    )
    .await;
    app.post_json("/rest/v1/action/", json!({"page": "unsubscribe", "email": "b@example.org"})).await;
    let counts = app.query(placard::privacy::reports::by_type_and_status);
    let counts: Vec<(String, String, i64)> = counts.into_iter().map(|c| (c.text_type, c.status, c.records)).collect();
    assert_eq!(counts, vec![("optin".into(), "active".into(), 1), ("optout".into(), "withdrawn".into(), 1)]);
    let settings = app.query(placard::privacy::store::load_settings);
    let since = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let stragglers = app.query(|c| placard::privacy::reports::stragglers(c, &settings, since));
    let countries: Vec<&str> = stragglers.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(countries, vec!["France"], "listed country, no record; the US user is not one");
    let by_action = app.query(|c| placard::privacy::reports::by_action(c, 1));
    assert_eq!(by_action.len(), 1);
});

both_backends!(p14_notes_from_imports_admin_and_the_api_become_records_of_their_type, |app| {
    use placard::engine::notes::{self, NoteContext};
    app.post_json(
        "/rest/v1/action/",
        json!({"page": "stay-informed", "email": "n@example.org", "country": "Austria", "privacy": optin()}),
    )
    .await;
    let now = chrono::Utc::now().naive_utc();
    let user = app.query(|c| core_user::table.select(core_user::id).first::<i64>(c));
    app.state
        .db
        .writer
        .submit_now(|c| {
            notes::record(
                c,
                user,
                NoteContext::Import,
                &notes::parse("Signed up at the May rally, paper form").unwrap(),
                now,
            )?;
            notes::record(c, user, NoteContext::Import, &notes::parse(&optin()).unwrap(), now)?;
            notes::record(c, user, NoteContext::UserApi, &notes::parse(&optin()).unwrap(), now)?;
            notes::record(
                c,
                user,
                NoteContext::Admin,
                &notes::parse("Asked by phone to stay on the list").unwrap(),
                now,
            )?;
            Ok(())
        })
        .unwrap();
    let kinds: Vec<String> = records(&app).into_iter().map(|r| r.0).collect();
    assert_eq!(kinds, vec!["optin", "import_notes", "optin", "api_notes", "admin_notes"]);
    let unknown = PrivacyHash::of("optin", "never shown").to_string();
    let err = app
        .state
        .db
        .writer
        .submit_now(|c| notes::record(c, user, NoteContext::UserApi, &notes::parse(&unknown).unwrap(), now));
    assert!(matches!(err, Err(placard::error::AppError::Validation(_))), "an unknown hash is refused");
    assert_eq!(records(&app).len(), 5, "and stores nothing");
    assert_eq!(verify(&app), Vec::<String>::new());
});

/// Thank-you mails queued for `email`'s actions.
fn thanks_rows(app: &TestApp, email: &'static str) -> i64 {
    use placard::db::schema::core_outbox;
    app.query(move |c| {
        core_outbox::table
            .filter(core_outbox::to_email.eq(email))
            .filter(core_outbox::kind.eq("thanks"))
            .count()
            .get_result(c)
    })
}

both_backends!(p5_english_flags_unsubscribe_optouts_and_skip_their_thanks, |app| {
    let now = chrono::Utc::now().naive_utc();
    let page = app.query(|c| placard::pages::store::find_by_name(c, "stay-informed")).unwrap();
    app.state
        .db
        .writer
        .submit_now(|c| {
            let thanks = placard::pages::followup::FollowupChanges {
                send_email: true,
                email_subject: "Thanks".into(),
                ..Default::default()
            };
            placard::pages::followup::upsert(c, page.id, &thanks)?;
            Ok(())
        })
        .unwrap();
    // P10: the per-action option skips the thank-you for an opt-out only.
    let body = json!({"page": "stay-informed", "email": "o1@example.org", "country": "Italy", "privacy": optout(), "privacy_optout_skip_confirmation": "1"});
    assert_eq!(app.post_json("/rest/v1/action/", body).await.0, 201);
    assert_eq!(thanks_rows(&app, "o1@example.org"), 0);
    let body = json!({"page": "stay-informed", "email": "i1@example.org", "country": "Italy", "privacy": optin(), "privacy_optout_skip_confirmation": "1"});
    assert_eq!(app.post_json("/rest/v1/action/", body).await.0, 201);
    assert_eq!(thanks_rows(&app, "i1@example.org"), 1, "an opt-in still gets its thanks");
    // P5: the English flags do the same for every action, and opt-outs leave every list.
    app.state
        .db
        .writer
        .submit_now(|c| {
            placard::i18n::store::set_string(c, "en", "privacy_optouts_skip_thanks", "1", now)?;
            placard::i18n::store::set_string(c, "en", "privacy_unsub_optouts", "1", now)?;
            Ok(())
        })
        .unwrap();
    app.state.reload_staff_edits().unwrap();
    let body = json!({"page": "stay-informed", "email": "o2@example.org", "country": "Italy", "privacy": optin()});
    app.post_json("/rest/v1/action/", body).await;
    let body = json!({"page": "stay-informed", "email": "o2@example.org", "country": "Italy", "privacy": optout()});
    assert_eq!(app.post_json("/rest/v1/action/", body).await.0, 201);
    assert_eq!(thanks_rows(&app, "o2@example.org"), 1, "only the opt-in's thanks");
    let subs = app.query(|c| {
        core_subscription::table
            .inner_join(core_user::table)
            .filter(core_user::email.eq("o2@example.org"))
            .count()
            .get_result::<i64>(c)
    });
    assert_eq!(subs, 0, "privacy_unsub_optouts: the opt-out left every list");
    let statuses: Vec<(String, String)> = records(&app).into_iter().skip(2).map(|r| (r.0, r.1)).collect();
    assert_eq!(
        statuses,
        vec![("optin".into(), "withdrawn".into()), ("optout".into(), "active".into())],
        "P13 withdrawal"
    );
});
