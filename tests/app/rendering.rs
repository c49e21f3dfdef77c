//! Rendering through the real app (SPEC T1, T3, P1, P3, P6–P8): staff templatesets
//! override Original on a page, privacy texts reach the privacy block per language and
//! page, and nothing shows while the feature is off.

use crate::helpers::both_backends;
use chrono::Utc;
use diesel::prelude::*;
use placard::db::schema::{core_page, core_privacysettings};
use placard::privacy::PrivacyHash;
use placard::templatesets;

fn page_id(app: &crate::helpers::TestApp, name: &'static str) -> i64 {
    app.query(|c| core_page::table.filter(core_page::name.eq(name)).select(core_page::id).first(c))
}

both_backends!(p8_privacy_block_shows_the_page_language_texts_with_their_hashes, |app| {
    let (_, html, _) = app.get("/sign/save-the-bees/").await;
    let optin = "Yes, keep me informed by email about this and related campaigns.";
    assert!(html.contains("class=\"ak-privacy\""), "block present");
    assert!(html.contains("id=\"ak-fieldbox-privacy_notice\"") && html.contains("privacy policy"), "notice");
    assert!(html.contains(optin));
    let optin_hash = PrivacyHash::of("optin", optin);
    assert!(html.contains(&format!("value=\"{optin_hash}\"")), "radio value is the opt-in hash");
    assert!(html.contains("name=\"required\" value=\"privacy\""));
    assert!(html.contains("id=\"really-opt-out\""));
    let (_, html, _) = app.get("/sign/bienen-retten/").await;
    assert!(html.contains("Ja, haltet mich per E-Mail"), "German texts on the German page");
    assert!(!html.contains(optin));
});

both_backends!(p6_a_custom_page_field_overrides_the_language_string, |app| {
    let id = page_id(&app, "stay-informed");
    app.state
        .db
        .writer
        .submit_now(|c| Ok(placard::pages::store::set_field(c, id, "privacy_notice", "<p>Only for this page.</p>")?))
        .unwrap();
    let (_, html, _) = app.get("/signup/stay-informed/").await;
    assert!(html.contains("Only for this page."));
    assert!(html.contains(&PrivacyHash::of("notice", "<p>Only for this page.</p>").to_string()));
    let (_, html, _) = app.get("/sign/save-the-bees/").await;
    assert!(!html.contains("Only for this page."), "other pages keep the language string");
});

both_backends!(p1_with_the_feature_off_no_privacy_block_renders, |app| {
    app.state
        .db
        .writer
        .submit_now(|c| {
            Ok(diesel::update(core_privacysettings::table).set(core_privacysettings::enabled.eq(false)).execute(c)?)
        })
        .unwrap();
    app.state.reload_staff_edits().unwrap();
    let (status, html, _) = app.get("/sign/save-the-bees/").await;
    assert_eq!(status, 200);
    assert!(!html.contains("ak-privacy"), "no block while off");
});

both_backends!(t1_a_staff_templateset_overrides_original_on_its_pages_only, |app| {
    let wrapper = "<div class=\"campaign-2026\">{% block content %}{% endblock %}</div>";
    app.page_on_staff_set("stay-informed", "Campaign 2026", &[("wrapper.html", wrapper)]);
    let (_, html, _) = app.get("/signup/stay-informed/").await;
    assert!(html.starts_with("<div class=\"campaign-2026\">"), "the set's wrapper: {}", &html[..80.min(html.len())]);
    assert!(html.contains("name=\"page\" value=\"stay-informed\""), "Original's signup form inside it");
    let (_, html, _) = app.get("/sign/save-the-bees/").await;
    assert!(!html.contains("campaign-2026"), "pages on Original are untouched");
});

both_backends!(t1_template_saves_keep_revisions_detect_conflicts_and_revert, |app| {
    let now = Utc::now().naive_utc();
    let (first, second, stale, after_revert) = app
        .state
        .db
        .writer
        .submit_now(|c| {
            let set = templatesets::store::create_set(c, "Revisions", "", now)?;
            let first = templatesets::store::save_template(c, set, "thanks.html", "one", None, None, now)?;
            let second = templatesets::store::save_template(c, set, "thanks.html", "two", Some(1), None, now)?;
            let stale =
                templatesets::store::save_template(c, set, "thanks.html", "from another tab", Some(1), None, now)?;
            templatesets::store::revert_to_original(c, set, "thanks.html", now)?;
            let after = templatesets::store::load_all(c)?;
            Ok((first, second, stale, after))
        })
        .unwrap();
    assert_eq!((first, second, stale), (Some(1), Some(2), None), "a stale save is refused");
    let set = after_revert.iter().find(|s| s.name == "Revisions").unwrap();
    assert!(set.files.is_empty(), "reverted: Original's file shows again");
    let history = app.query(|c| {
        let id = templatesets::store::find_set_id(c, "Revisions")?.unwrap();
        templatesets::store::revisions(c, id, "thanks.html")
    });
    let codes: Vec<&str> = history.iter().map(|(_, code, _)| code.as_str()).collect();
    assert_eq!(codes, vec!["two", "one"], "every saved version kept, newest first");
});

both_backends!(t3_context_carries_args_request_and_required, |app| {
    let id = page_id(&app, "stay-informed");
    let probe = "{{ args.source }}|{{ request.path }}|{{ context.required.0 }}|{{ page.custom_fields.color }}|{{ templateset.name }}|{{ missing.deeply.nested }}";
    app.state.db.writer.submit_now(|c| Ok(placard::pages::store::set_field(c, id, "color", "green")?)).unwrap();
    app.page_on_staff_set("stay-informed", "Probe", &[("signup.html", probe)]);
    let (_, html, _) = app.get("/signup/stay-informed/?source=fb%3Cx%3E").await;
    assert_eq!(html, "fb&lt;x&gt;|/signup/stay-informed/|email|green|Probe|");
});

both_backends!(t3_every_demo_page_type_renders_in_four_languages_with_its_privacy_texts, |app| {
    let expected = [
        ("en", "Sign the petition", "Yes, keep me informed"),
        ("de", "Petition unterschreiben", "Ja, haltet mich per E-Mail"),
        ("fr", "Signer la pétition", "Oui, tenez-moi informé·e"),
        ("es", "Firmar la petición", "Sí, mantenedme informada"),
    ];
    for (lang, submit, optin) in expected {
        app.state
            .db
            .writer
            .submit_now(|c| Ok(diesel::update(core_page::table).set(core_page::lang.eq(lang)).execute(c)?))
            .unwrap();
        // Written straight to the database, as SQL would be: the server sees the staff
        // revision move when it next looks (once a second, or now).
        assert!(app.state.reload_if_staff_saved().unwrap(), "the page change moved the staff revision");
        for url in
            ["/sign/save-the-bees/", "/signup/stay-informed/", "/letter/write-to-council/", "/donate/support-our-work/"]
        {
            let (status, html, _) = app.get(url).await;
            assert_eq!(status, 200, "{lang} {url}");
            assert!(html.contains(&format!("lang=\"{lang}\"")), "{lang} {url}");
            assert!(html.contains(optin), "{lang} {url}: opt-in text in the page's language");
        }
        let (_, html, _) = app.get("/sign/save-the-bees/").await;
        assert!(html.contains(submit), "{lang}: interface strings in the page's language");
    }
});

both_backends!(t2_a_live_page_whose_template_fails_shows_a_plain_error_page, |app| {
    app.page_on_staff_set("stay-informed", "Broken", &[("signup.html", "{{ page.title|no_such_filter }}")]);
    let (status, html, _) = app.get("/signup/stay-informed/").await;
    assert_eq!(status, 500);
    assert!(html.contains("<html") && html.contains("Something went wrong"), "{html}");
    assert!(!html.contains("no_such_filter") && !html.contains("signup.html"), "no internals shown: {html}");
});

both_backends!(t1_a_template_that_does_not_compile_is_refused_on_save_with_its_line, |app| {
    let sources = app.state.renderer.sources();
    let now = Utc::now().naive_utc();
    let err = app
        .state
        .db
        .writer
        .submit_now(|c| {
            templatesets::save(c, &sources, "Staff set", "petition.html", "ok\n{% if %}\n", None, None, now)
        })
        .unwrap_err();
    let placard::error::AppError::Validation(errors) = err else { panic!("a validation error") };
    assert_eq!(errors.0[0].field, "code");
    assert!(errors.0[0].message.contains("line 2"), "{}", errors.0[0].message);
    let stored = app.query(templatesets::store::load_all);
    assert!(stored.is_empty(), "nothing stored, not even the set");
    let err = app
        .state
        .db
        .writer
        .submit_now(|c| templatesets::save(c, &sources, "Staff set", "../etc/passwd", "x", None, None, now))
        .unwrap_err();
    assert!(matches!(err, placard::error::AppError::Validation(_)));
    let first = app
        .state
        .db
        .writer
        .submit_now(|c| templatesets::save(c, &sources, "Staff set", "thanks.html", "one", None, None, now))
        .unwrap();
    let stale =
        app.state.db.writer.submit_now(|c| {
            templatesets::save(c, &sources, "Staff set", "thanks.html", "two", Some(first - 1), None, now)
        });
    assert!(matches!(stale, Err(placard::error::AppError::Conflict(_))), "a second tab is told");
});

both_backends!(t1_a_templateset_written_like_a_real_actionkit_site_renders_and_takes_actions, |app| {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ak_templateset");
    let now = Utc::now().naive_utc();
    let sources = app.state.renderer.sources();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let code = std::fs::read_to_string(&path).unwrap();
        app.state
            .db
            .writer
            .submit_now(|c| templatesets::save(c, &sources, "Example Action", &file, &code, None, None, now))
            .unwrap_or_else(|e| panic!("{file}: {e:?}"));
    }
    let id = page_id(&app, "support-our-work");
    app.state
        .db
        .writer
        .submit_now(|c| {
            let set = templatesets::store::find_set_id(c, "Example Action")?.unwrap();
            placard::pages::store::set_templateset(c, id, Some(set))?;
            Ok(())
        })
        .unwrap();
    app.state.reload_staff_edits().unwrap();
    let (status, html, _) = app.get("/donate/support-our-work/").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<title>Give: Support our work | Test Org</title>"), "blocks, filters, client_name");
    assert!(html.contains("href=\"/static/placard.css\""), "load_css: {}", &html[..html.find("</head>").unwrap_or(0)]);
    assert!(html.contains("<body class=\"ak-donation\">"));
    assert!(html.contains("<h1>SUPPORT OUR WORK</h1>"));
    assert!(html.contains("class=\"amount first\"") && html.contains("$25.00"), "with/split/forloop/floatformat");
    assert!(
        html.contains("id=\"ak-fieldbox-first_name\"") && html.contains("ak-required"),
        "is_in on context.required"
    );
    assert!(html.contains("<option>Germany</option>"), "ifequal and the country list");
    assert!(
        html.contains("id=\"privacy_optin\"")
            && html.contains(
                &PrivacyHash::of("optin", "Yes, keep me informed by email about this and related campaigns.")
                    .to_string()
            )
    );
    assert!(html.contains("<button type=\"submit\">DONATE</button>"), "filter block");
    assert!(html.contains("<footer>Paid for by Example Action</footer>"), "firstof and comment");
    let body = format!(
        "page=support-our-work&email=ak%40example.org&name=A+K&address1=1+St&city=X&zip=12345&country=Germany&amount=25&card_num=4111&card_code=007&privacy={}",
        PrivacyHash::of("optin", "Yes, keep me informed by email about this and related campaigns.")
    );
    let (status, _, headers) = app.post_form("/act/", &body).await;
    assert_eq!(status, 302, "an action from the set's form goes through");
    assert!(headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().contains("&total=25.00"));
});
