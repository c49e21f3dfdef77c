//! The demo site (SPEC O1): seeded into an empty database by `placard demo` or
//! `placard serve --demo`. Pages of every public kind in English and German, a stub
//! payment account, privacy records switched on for the EU and UK with their texts, and a
//! staff login whose generated password is printed once.

use chrono::Utc;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::pages::{self, NewPage, PageType};
use crate::people::{store as people, Email};
use crate::{i18n, staff};

pub const DEMO_STAFF_EMAIL: &str = "admin@example.org";

/// EU member states and the United Kingdom, by their ISO English short names (SPEC P2).
pub const EU_AND_UK: [&str; 28] = [
    "Austria",
    "Belgium",
    "Bulgaria",
    "Croatia",
    "Cyprus",
    "Czech Republic",
    "Denmark",
    "Estonia",
    "Finland",
    "France",
    "Germany",
    "Greece",
    "Hungary",
    "Ireland",
    "Italy",
    "Latvia",
    "Lithuania",
    "Luxembourg",
    "Malta",
    "Netherlands",
    "Poland",
    "Portugal",
    "Romania",
    "Slovakia",
    "Slovenia",
    "Spain",
    "Sweden",
    "United Kingdom",
];

/// What seeding did, for the CLI to print.
pub struct Seeded {
    pub staff_email: String,
    pub staff_password: String,
}

/// Seeds the demo unless the database already has pages; `None` when it had.
pub fn seed_if_empty(conn: &mut DbConnection) -> Result<Option<Seeded>, AppError> {
    if pages::store::count(conn)? > 0 {
        return Ok(None);
    }
    let now = Utc::now().naive_utc();
    i18n::store::insert_language(conn, "en", "English")?;
    i18n::store::insert_language(conn, "de", "Deutsch")?;
    i18n::store::insert_language(conn, "fr", "Français")?;
    i18n::store::insert_language(conn, "es", "Español")?;
    let main = people::insert_list(conn, "Supporters", true, now)?.0;
    let german = people::insert_list(conn, "Unterstützer:innen", false, now)?.0;
    let account = crate::orders::store::insert_payment_account(conn, "Stub (test) account", now)?;

    for page in demo_pages(main, german, account) {
        pages::store::insert(conn, &page, now)?;
    }
    seed_privacy(conn, now)?;

    let email = Email::parse(DEMO_STAFF_EMAIL).ok_or_else(|| AppError::internal("demo staff email"))?;
    let password = staff::generate_password();
    staff::add_or_reset(conn, &email, &password, staff::Role::Admin)?;
    Ok(Some(Seeded { staff_email: email.to_string(), staff_password: password }))
}

/// One page of every public kind, and a German petition.
fn demo_pages(main: i64, german: i64, account: i64) -> [NewPage; 6] {
    let en = |name: &str, title: &str, kind: PageType| NewPage {
        name: name.into(),
        title: title.into(),
        page_type: Some(kind),
        lang: "en".into(),
        list_id: main,
        ..NewPage::default()
    };
    [
        NewPage {
            required_fields: "first_name,last_name".into(),
            goal: Some(10_000),
            introduction_text:
                "<p>Bees and other pollinators feed the world. Neonicotinoid pesticides are killing them.</p>".into(),
            statement_leadin: "To the Minister of Agriculture:".into(),
            statement_text: "<p>Ban neonicotinoid pesticides now, and fund farmers to switch to safer practices.</p>"
                .into(),
            about_text: "<p>Over 40% of insect pollinator species face extinction.</p>".into(),
            thank_you_text: "<p>Thank you for signing! Now share the petition with three friends.</p>".into(),
            ..en("save-the-bees", "Save the bees: ban neonicotinoids", PageType::Petition)
        },
        NewPage {
            lang: "de".into(),
            list_id: german,
            required_fields: "first_name,last_name".into(),
            introduction_text: "<p>Bienen ernähren die Welt. Neonikotinoide töten sie.</p>".into(),
            statement_leadin: "An die Landwirtschaftsministerin:".into(),
            statement_text: "<p>Verbieten Sie Neonikotinoide jetzt.</p>".into(),
            thank_you_text: "<p>Danke für Ihre Unterschrift!</p>".into(),
            ..en("bienen-retten", "Rettet die Bienen", PageType::Petition)
        },
        NewPage {
            introduction_text: "<p>Get campaign news and calls to action, about twice a month.</p>".into(),
            thank_you_text: "<p>You're on the list. Watch your inbox.</p>".into(),
            ..en("stay-informed", "Stay informed", PageType::Signup)
        },
        NewPage {
            required_fields: "first_name,last_name,city".into(),
            introduction_text: "<p>Tell the city council to protect the riverside park.</p>".into(),
            statement_leadin: "Dear councillors,".into(),
            statement_text: "<p>Please vote no on the riverside development and keep the park open to all.</p>".into(),
            thank_you_text: "<p>Your letter is on its way.</p>".into(),
            ..en("write-to-council", "Write to the council", PageType::Letter)
        },
        NewPage {
            payment_account_id: Some(account),
            required_fields: "first_name,last_name,address1,city,zip".into(),
            introduction_text: "<p>We take no corporate money. Your gift keeps us independent.</p>".into(),
            thank_you_text: "<p>Thank you for your gift!</p>".into(),
            ..en("support-our-work", "Support our work", PageType::Donation)
        },
        NewPage {
            introduction_text: "<p>We're sorry to see you go. Enter your email to leave all our lists.</p>".into(),
            thank_you_text: "<p>You have been unsubscribed.</p>".into(),
            ..en("unsubscribe", "Unsubscribe", PageType::Unsubscribe)
        },
    ]
}

/// Privacy records on for the EU and UK (SPEC P1), with notice, opt-in and opt-out texts in
/// both languages (P3).
fn seed_privacy(conn: &mut DbConnection, now: chrono::NaiveDateTime) -> Result<(), AppError> {
    let settings = crate::privacy::PrivacySettings {
        enabled: true,
        countries: EU_AND_UK.iter().map(|c| (*c).to_owned()).collect(),
        require_on_actions: true,
        ..crate::privacy::PrivacySettings::default()
    };
    crate::privacy::store::save_settings(conn, &settings, now)?;
    let texts = [
        (
            "en",
            "privacy_notice",
            "<p>We process your data as described in our <a href=\"/privacy/\">privacy policy</a>.</p>",
        ),
        ("en", "privacy_optin", "Yes, keep me informed by email about this and related campaigns."),
        ("en", "privacy_optout", "No, only use my details for this action."),
        ("en", "privacy_really_optout", "Are you sure? We won't be able to tell you how this campaign goes."),
        (
            "de",
            "privacy_notice",
            "<p>Wir verarbeiten Ihre Daten gemäß unserer <a href=\"/privacy/\">Datenschutzerklärung</a>.</p>",
        ),
        ("de", "privacy_optin", "Ja, haltet mich per E-Mail über diese und ähnliche Kampagnen auf dem Laufenden."),
        ("de", "privacy_optout", "Nein, nutzt meine Angaben nur für diese Aktion."),
        ("de", "privacy_really_optout", "Sicher? Dann können wir Ihnen nicht berichten, wie die Kampagne ausgeht."),
        ("fr", "privacy_notice", "<p>Nous traitons vos données comme le décrit notre <a href=\"/privacy/\">politique de confidentialité</a>.</p>"),
        ("fr", "privacy_optin", "Oui, tenez-moi informé·e par e-mail de cette campagne et des campagnes proches."),
        ("fr", "privacy_optout", "Non, utilisez mes informations pour cette action seulement."),
        ("fr", "privacy_really_optout", "Vous êtes sûr·e ? Nous ne pourrons pas vous dire comment se termine la campagne."),
        ("es", "privacy_notice", "<p>Tratamos tus datos como se describe en nuestra <a href=\"/privacy/\">política de privacidad</a>.</p>"),
        ("es", "privacy_optin", "Sí, mantenedme informada por correo sobre esta campaña y otras parecidas."),
        ("es", "privacy_optout", "No, usad mis datos solo para esta acción."),
        ("es", "privacy_really_optout", "¿Seguro? No podremos contarte cómo termina la campaña."),
    ];
    for (lang, key, text) in texts {
        i18n::store::set_string(conn, lang, key, text, now)?;
    }
    Ok(())
}
