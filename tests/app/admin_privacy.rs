//! The admin's privacy screens over HTTP (SPEC P1, P2, P3, P6, P12, B5, S2, S3): settings
//! with unknown-country warnings, texts that reach the pages at once, the notice tool
//! naming P6's step and diffing versions, the reports with their filters and CSV (and no
//! way to smuggle SQL in), editors refused, every save audited with the staff account.

use crate::admin::{add_staff, csrf_of, staff_id, Admin};
use crate::helpers::{both_backends, TestApp};
use diesel::prelude::*;
use placard::db::schema::{core_auditlog, core_languagestring, core_page};
use placard::privacy::PrivacyHash;
use placard::staff::Role;

const ADMIN: &str = "privacy.boss@example.org";
const EDITOR: &str = "privacy.writer@example.org";
const PASSWORD: &str = "a long staff password";
const OPTIN: &str = "Ja, haltet mich per E-Mail über diese und ähnliche Kampagnen auf dem Laufenden.";
const DE_NOTICE: &str =
    "<p>Wir verarbeiten Ihre Daten gemäß unserer <a href=\"/privacy/\" rel=\"noopener noreferrer\">Datenschutzerklärung</a>.</p>";

async fn signed_in<'a>(app: &'a TestApp, email: &str, role: Role) -> Admin<'a> {
    add_staff(app, email, role);
    let mut admin = Admin::new(app);
    let (status, body, _) = admin.login(email, PASSWORD).await;
    assert_eq!(status, 303, "signed in: {body}");
    admin
}

/// `(actor, verb, details)` of the audit entries with this verb.
fn audited(app: &TestApp, verb: &str) -> Vec<(String, String, String)> {
    let verb = verb.to_owned();
    app.query(move |c| {
        core_auditlog::table
            .filter(core_auditlog::verb.eq(verb))
            .order(core_auditlog::id.asc())
            .select((core_auditlog::actor, core_auditlog::via, core_auditlog::details))
            .load(c)
    })
}

fn page_id(app: &TestApp, name: &str) -> i64 {
    let name = name.to_owned();
    app.query(move |c| core_page::table.filter(core_page::name.eq(name)).select(core_page::id).first(c))
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The part of `html` inside the element with this id (to its first closing tag of `tag`).
fn element<'h>(html: &'h str, id: &str, tag: &str) -> &'h str {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("#{id} on the page: {html}"));
    let rest = &html[at..];
    &rest[..rest.find(&format!("</{tag}>")).unwrap_or(rest.len())]
}

both_backends!(p2_settings_warn_about_country_names_they_do_not_know, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let (status, html, _) = admin.get("/admin/privacy/").await;
    assert_eq!(status, 200, "{html}");
    assert!(!html.contains("id=\"country-warnings\""), "the demo's names are all known");

    // "Check names" shows how each reads, saves nothing.
    let before = app.state.privacy.get().countries.clone();
    let (status, html, _) = admin
        .submit(
            "/admin/privacy/",
            "/admin/privacy/",
            &[("enabled", "1"), ("countries", "DE\nAtlantis\nCzechia"), ("op", "check")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    let warnings = element(&html, "country-warnings", "div");
    assert!(warnings.contains("<li class=\"unknown-country\">Atlantis</li>"), "{warnings}");
    assert!(!warnings.contains("Czechia") && !warnings.contains(">DE<"), "{warnings}");
    let lines = element(&html, "country-lines", "table");
    assert!(lines.contains("<td>DE</td><td>Germany</td>"), "{lines}");
    assert!(lines.contains("<td>Czechia</td><td>Czech Republic</td>"), "{lines}");
    assert_eq!(app.state.privacy.get().countries, before, "checking saved nothing");
    assert!(audited(&app, "privacy_settings").is_empty());

    // Saving keeps the unknown name as typed, and the screen still warns about it.
    let (status, body, headers) = admin
        .submit(
            "/admin/privacy/",
            "/admin/privacy/",
            &[("enabled", "1"), ("countries", "DE\nAtlantis"), ("op", "save")],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(headers.get("location").unwrap(), "/admin/privacy/?saved=settings");
    let saved = app.state.privacy.get();
    assert_eq!(saved.countries, vec!["Germany".to_owned(), "Atlantis".to_owned()], "known names stored standard");
    assert!(saved.enabled && !saved.require_on_actions, "unticked switches are off");
    let (_, html, _) = admin.get("/admin/privacy/?saved=settings").await;
    assert!(element(&html, "country-warnings", "div").contains("Atlantis"));
    assert!(html.contains("id=\"saved\""));

    let staff = staff_id(&app, ADMIN);
    let entries = audited(&app, "privacy_settings");
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].0.as_str(), entries[0].1.as_str()), (format!("staff:{staff}").as_str(), "admin"));
    assert!(entries[0].2.contains("\"unknown_countries\":1"), "{}", entries[0].2);
});

both_backends!(p3_a_saved_german_notice_shows_at_once_on_the_german_page_sanitized, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let (status, html, _) = admin.get("/admin/privacy/?lang=de").await;
    assert_eq!(status, 200);
    assert!(html.contains("Wir verarbeiten"), "the German texts are in the boxes");

    let text = "<p>Neu: Wir speichern Ihre Wahl. <a href=\"/datenschutz/\" onclick=\"steal()\">Mehr</a></p><script>alert(1)</script>";
    let (status, body, headers) = admin
        .submit("/admin/privacy/?lang=de", "/admin/privacy/texts/", &[("lang", "de"), ("privacy_notice", text)])
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(headers.get("location").unwrap(), "/admin/privacy/?saved=texts&lang=de");

    let (status, page, _) = app.get("/sign/bienen-retten/").await;
    assert_eq!(status, 200);
    assert!(page.contains("Neu: Wir speichern Ihre Wahl."), "the new notice is on the German page at once");
    assert!(!page.contains("Wir verarbeiten"), "the old one is gone");
    assert!(!page.contains("alert(1)") && !page.contains("steal()"), "scripts never reach the page");
    let (_, english, _) = app.get("/sign/save-the-bees/").await;
    assert!(!english.contains("Neu: Wir speichern"), "the English page keeps its notice");

    let stored: String = app.query(|c| {
        core_languagestring::table
            .filter(core_languagestring::lang.eq("de"))
            .filter(core_languagestring::name.eq("privacy_notice"))
            .select(core_languagestring::text)
            .first(c)
    });
    assert!(!stored.contains("script") && !stored.contains("onclick"), "stored sanitized: {stored}");
    assert!(stored.contains("href=\"/datenschutz/\""), "links stay: {stored}");

    let entries = audited(&app, "privacy_texts");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0, format!("staff:{}", staff_id(&app, ADMIN)));
    assert!(entries[0].2.contains("\"lang\":\"de\"") && entries[0].2.contains("privacy_notice"), "{}", entries[0].2);

    // A text for a type this screen does not have is refused, nothing stored.
    let (status, _, _) = admin
        .submit("/admin/privacy/?lang=de", "/admin/privacy/texts/", &[("lang", "de"), ("privacy_unsub_optouts", "1")])
        .await;
    assert_eq!(status, 400, "flags are English-only");
    assert_eq!(audited(&app, "privacy_texts").len(), 1);

    // A custom type (P7) is added from the same form, and resolves for the German page.
    for bad in ["SMS Opt-in", "show_if", "notice", "sms_donation"] {
        let (status, _, _) = admin
            .submit(
                "/admin/privacy/?lang=de",
                "/admin/privacy/texts/",
                &[("lang", "de"), ("new_type", bad), ("new_text", "x")],
            )
            .await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, _, _) = admin
        .submit(
            "/admin/privacy/?lang=de",
            "/admin/privacy/texts/",
            &[("lang", "de"), ("new_type", "sms_optin"), ("new_text", "SMS bitte")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, html, _) = admin.get("/admin/privacy/?lang=de").await;
    assert!(html.contains("id=\"text-sms_optin\""), "the new type has its box");
    let german = page_id(&app, "bienen-retten");
    let (_, html, _) = admin.get(&format!("/admin/privacy/notices/?page={german}&country=DE")).await;
    let row = element(&html, "type-sms_optin", "tr");
    assert!(
        row.contains("data-step=\"3\"") && row.contains(&PrivacyHash::of("sms_optin", "SMS bitte").to_string()),
        "{row}"
    );
    assert_eq!(audited(&app, "privacy_texts").len(), 2);
});

both_backends!(b5_the_notice_tool_names_the_p6_step_and_diffs_two_versions, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let german = page_id(&app, "bienen-retten");
    let (status, html, _) = admin.get(&format!("/admin/privacy/notices/?page={german}&country=DE")).await;
    assert_eq!(status, 200, "{html}");
    assert!(element(&html, "visibility", "p").contains("Germany is a listed country"), "{html}");
    let notice = element(&html, "type-notice", "tr");
    assert!(notice.contains("data-step=\"3\""), "German's own privacy_notice: {notice}");
    assert!(notice.contains("de&#x27;s privacy_notice") || notice.contains("de's privacy_notice"), "{notice}");
    assert!(notice.contains(&PrivacyHash::of("notice", DE_NOTICE).to_string()), "with its hash: {notice}");

    // In French the German page reads French texts; a Brazilian visitor is not listed.
    let (_, html, _) = admin.get(&format!("/admin/privacy/notices/?page={german}&country=Brazil&lang=fr")).await;
    assert!(element(&html, "type-notice", "tr").contains("data-step=\"3\""));
    assert!(element(&html, "type-notice", "tr").contains("Nous traitons"));
    assert!(element(&html, "visibility", "p").contains("Brazil is not listed"));

    // The page's own field wins (step 1).
    app.state
        .db
        .writer
        .submit_now(move |c| {
            Ok(placard::pages::store::set_field(
                c,
                german,
                "privacy_optin",
                "Seiteneigenes Ja<script>alert(1)</script>",
            )?)
        })
        .unwrap();
    let (_, html, _) = admin.get(&format!("/admin/privacy/notices/?page={german}&country=Germany")).await;
    let optin = element(&html, "type-optin", "tr");
    assert!(optin.contains("data-step=\"1\"") && optin.contains("Seiteneigenes Ja"), "{optin}");
    assert!(
        !optin.contains("<script") && !optin.contains("alert(1)"),
        "shown sanitized, as supporters see it: {optin}"
    );

    // Saving a new German notice keeps old and new as versions; the diff shows the change.
    let new_text = "<p>Wir verarbeiten Ihre Daten gemäß unserer <a href=\"/privacy/\">Datenschutzerklärung</a>.</p>\n<p>Widerruf jederzeit.</p>";
    let (status, _, _) = admin
        .submit("/admin/privacy/?lang=de", "/admin/privacy/texts/", &[("lang", "de"), ("privacy_notice", new_text)])
        .await;
    assert_eq!(status, 303);
    let (_, html, _) = admin.get(&format!("/admin/privacy/notices/?page={german}&country=DE")).await;
    let row = element(&html, "type-notice", "tr");
    let old_hash = PrivacyHash::of("notice", DE_NOTICE).to_string();
    assert!(row.contains(&format!("<option value=\"{old_hash}\"")), "the old version can be picked: {row}");
    let new_hash = PrivacyHash::of("notice", &placard::privacy::texts::sanitize(new_text)).to_string();
    assert!(row.contains(&new_hash), "{row}");
    let (status, diff, _) =
        admin.get(&format!("/admin/privacy/notices/diff/?a={old_hash}&b={new_hash}&page={german}&lang=de")).await;
    assert_eq!(status, 200, "{diff}");
    let table = element(&diff, "diff", "table");
    assert!(table.contains("<ins>&lt;p&gt;Widerruf jederzeit."), "{table}");
    assert!(!table.contains("<del>"), "the first line is unchanged: {table}");
    let (status, html, _) = admin.get("/admin/privacy/notices/?page=1%20OR%201=1&country=DE").await;
    assert_eq!(status, 400);
    assert!(html.contains("page: choose a page from the list."), "{html}");
    let (status, _, _) = admin.get("/admin/privacy/notices/diff/?a=nothex&b=1").await;
    assert_eq!(status, 400);
    let (status, _, _) = admin.get(&format!("/admin/privacy/notices/diff/?a={}&b={old_hash}", "0".repeat(64))).await;
    assert_eq!(status, 404);
});

/// A German signer who opts in, through the form.
async fn opt_in(app: &TestApp, email: &str) {
    let body = format!(
        "page=bienen-retten&email={}&name=Eva+Berg&country=Germany&privacy={}&required=privacy",
        enc(email),
        PrivacyHash::of("optin", OPTIN)
    );
    let (status, text, _) = app.post_form("/act/", &body).await;
    assert_eq!(status, 302, "{text}");
}

both_backends!(p12_reports_filter_and_download_as_csv, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    opt_in(&app, "eva@example.org").await;
    // Stragglers come from forms that skip the privacy block: with the requirement off.
    let countries = placard::demo::EU_AND_UK.join("\n");
    let (status, _, _) =
        admin.submit("/admin/privacy/", "/admin/privacy/", &[("enabled", "1"), ("countries", &countries)]).await;
    assert_eq!(status, 303);
    let (status, text, _) =
        app.post_form("/act/", "page=save-the-bees&email=fr%40example.org&name=Jean+Roux&country=France").await;
    assert_eq!(status, 302, "accepted at once without a privacy choice: {text}");
    let (status, _, _) =
        app.post_form("/act/", "page=save-the-bees&email=us%40example.org&name=Sam+Lee&country=United+States").await;
    assert_eq!(status, 302);

    let (status, html, _) = admin.get("/admin/reports/").await;
    assert_eq!(status, 200);
    assert!(element(&html, "type-status", "table").contains("optin"));

    let (_, html, _) = admin.get("/admin/reports/records/?type=optin&status=active").await;
    assert!(element(&html, "total", "p").contains("1 record"), "{html}");
    let (_, html, _) = admin.get("/admin/reports/records/?type=optin&status=withdrawn").await;
    assert!(element(&html, "total", "p").contains("0 records"), "{html}");

    let (status, csv, headers) = admin.get("/admin/reports/records/?type=optin&format=csv").await;
    assert_eq!(status, 200);
    assert!(headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));
    assert!(headers.get("content-disposition").unwrap().to_str().unwrap().contains("attachment"));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "record_id,user_id,action_id,page_id,type,status,hash,context,created_at");
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains(",optin,active,") && lines[1].contains(&PrivacyHash::of("optin", OPTIN).to_string()));

    let (_, html, _) = admin.get("/admin/reports/stragglers/").await;
    let rows = element(&html, "report-rows", "table");
    assert!(rows.contains("<td>France</td>") && rows.contains("save-the-bees"), "{rows}");
    assert!(!rows.contains("Germany") && !rows.contains("United States"), "only listed users without records: {rows}");
    let (_, csv, _) = admin.get("/admin/reports/stragglers/?format=csv").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "action_id,page_id,page,user_id,country,created_at");
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains(",save-the-bees,") && lines[1].contains(",France,"));
    let (_, html, _) = admin.get("/admin/reports/stragglers/?since=2999-01-01").await;
    assert!(html.contains("No stragglers."), "the date filter applies");

    let (_, csv, _) = admin.get("/admin/reports/actions-per-page/?format=csv").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "page_id,page,type,actions");
    assert!(lines.contains(&format!("{},save-the-bees,Petition,2", page_id(&app, "save-the-bees")).as_str()), "{csv}");
    assert!(lines.contains(&format!("{},bienen-retten,Petition,1", page_id(&app, "bienen-retten")).as_str()), "{csv}");
    assert_eq!(lines.len(), 3, "pages without actions are left out: {csv}");
});

both_backends!(s2_sql_in_report_parameters_is_harmless, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    opt_in(&app, "eva@example.org").await;
    let (_, html, _) = admin.get("/admin/reports/records/").await;
    assert!(element(&html, "total", "p").contains("1 record"), "a record to leak: {html}");

    // Free text is a bound value: it matches nothing, and breaks nothing.
    for evil in ["' OR 1=1 --", "optin' OR '1'='1", "x'; DROP TABLE core_privacyrecord; --"] {
        let (status, html, _) = admin.get(&format!("/admin/reports/records/?type={}", enc(evil))).await;
        assert_eq!(status, 200, "{html}");
        assert!(element(&html, "total", "p").contains("0 records"), "{evil}: {html}");
        let (status, csv, _) = admin.get(&format!("/admin/reports/records/?type={}&format=csv", enc(evil))).await;
        assert_eq!(status, 200);
        assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
    }
    // Typed parameters refuse anything but their type, naming the field.
    for (field, evil) in [
        ("user", "1 OR 1=1"),
        ("action", "1; DELETE FROM core_user"),
        ("page", "' OR 1=1 --"),
        ("status", "active' OR '1'='1"),
    ] {
        let (status, html, _) = admin.get(&format!("/admin/reports/records/?{field}={}", enc(evil))).await;
        assert_eq!(status, 400, "{field}");
        assert!(element(&html, "report-errors", "div").contains(&format!("{field}:")), "{html}");
        let (status, _, _) = admin.get(&format!("/admin/reports/records/?{field}={}&format=csv", enc(evil))).await;
        assert_eq!(status, 400);
    }
    for path in ["stragglers", "actions-per-page"] {
        let (status, _, _) = admin.get(&format!("/admin/reports/{path}/?since={}", enc("2020-01-01' OR 1=1 --"))).await;
        assert_eq!(status, 400, "{path}");
    }
    let (_, html, _) = admin.get("/admin/reports/records/").await;
    assert!(element(&html, "total", "p").contains("1 record"), "the table is intact");
});

both_backends!(s1_editors_cannot_reach_privacy_settings_notices_or_reports, |app| {
    add_staff(&app, ADMIN, Role::Admin);
    let mut editor = signed_in(&app, EDITOR, Role::Editor).await;
    for path in [
        "/admin/privacy/",
        "/admin/privacy/notices/",
        "/admin/reports/",
        "/admin/reports/records/",
        "/admin/reports/records/?format=csv",
        "/admin/reports/stragglers/",
        "/admin/reports/actions-per-page/",
    ] {
        let (status, _, _) = editor.get(path).await;
        assert_eq!(status, 403, "{path}");
    }
    let (_, dashboard, _) = editor.get("/admin/").await;
    assert!(!dashboard.contains("href=\"/admin/privacy/\"") && !dashboard.contains("href=\"/admin/reports/\""));
    let token = csrf_of(&dashboard);
    let before = app.state.privacy.get().countries.clone();
    let (status, _, _) = editor.post("/admin/privacy/", &format!("csrf_token={token}&countries=Atlantis")).await;
    assert_eq!(status, 403);
    let (status, _, _) =
        editor.post("/admin/privacy/texts/", &format!("csrf_token={token}&lang=de&privacy_notice=x")).await;
    assert_eq!(status, 403);
    assert_eq!(app.state.privacy.get().countries, before);
    assert!(audited(&app, "privacy_settings").is_empty() && audited(&app, "privacy_texts").is_empty());
});
