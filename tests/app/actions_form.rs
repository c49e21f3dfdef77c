//! `POST /act/` (SPEC A1, A4, A8, P4): the HTML form path into the engine — a redirect to
//! the thanks page, or the page re-rendered with inline errors and the values kept.

use crate::helpers::both_backends;
use diesel::prelude::*;
use placard::db::schema::{core_action, core_subscription, core_user};

both_backends!(a1_form_post_redirects_to_thanks_and_stores_user_action_and_subscription, |app| {
    let (status, _, headers) = app
        .post_form(
            "/act/",
            "page=save-the-bees&email=ann%40example.org&first_name=Ann&last_name=Lee&zip=12345&country=United+States",
        )
        .await;
    assert_eq!(status, 302);
    let location = headers.get("location").and_then(|v| v.to_str().ok()).expect("Location").to_owned();
    assert!(location.starts_with("/cms/thanks/save-the-bees/?action_id="), "{location}");
    assert!(location.contains("&akid=.") && location.ends_with("&rd=1"), "{location}");

    let (user_id, zip, source) = app.query(|c| {
        core_action::table
            .inner_join(core_user::table.on(core_user::id.nullable().eq(core_action::user_id)))
            .select((core_user::id, core_user::zip, core_action::source))
            .first::<(i64, String, String)>(c)
    });
    assert_eq!((zip.as_str(), source.as_str()), ("12345", "website"));
    let page_list = app.query(|c| {
        placard::db::schema::core_page::table
            .filter(placard::db::schema::core_page::name.eq("save-the-bees"))
            .select(placard::db::schema::core_page::list_id)
            .first::<i64>(c)
    });
    let lists = app.query(|c| {
        core_subscription::table
            .filter(core_subscription::user_id.eq(user_id))
            .select(core_subscription::list_id)
            .load::<i64>(c)
    });
    assert_eq!(lists, vec![page_list], "A7: subscribed to the page's list");

    let (status, html, _) = app.get(&location).await;
    assert_eq!(status, 200);
    assert!(html.contains("Thank you for signing!"), "the page's thank-you text");
});

both_backends!(a4_form_errors_rerender_the_page_with_messages_values_and_nothing_stored, |app| {
    let (status, html, _) =
        app.post_form("/act/", "page=save-the-bees&email=not-an-email&first_name=%3Cb%3EAnn&zip=abc").await;
    assert_eq!(status, 400);
    assert!(html.contains("id=\"ak-errors\""), "error summary");
    assert!(html.contains("E-mail address is invalid."));
    assert!(html.contains("ZIP Code is invalid."));
    assert!(html.contains("id=\"err_last_name\""), "inline error on the missing field");
    assert!(html.contains("Last name: This field is required."), "the summary names the field");
    assert!(html.contains("value=\"not-an-email\""), "values kept");
    assert!(html.contains("value=\"&lt;b&gt;Ann\""), "values kept and escaped");
    assert!(!html.contains("<b>Ann"));
    assert_eq!(app.counts(), (0, 0, 0));
});

both_backends!(p4_errors_are_shown_in_the_page_language, |app| {
    let (status, html, _) = app.post_form("/act/", "page=bienen-retten&email=kaputt").await;
    assert_eq!(status, 400);
    assert!(html.contains("Die E-Mail-Adresse ist ungültig."), "German message");
    assert!(html.contains("lang=\"de\""));
});

both_backends!(a3_form_post_to_an_unknown_page_is_a_404_page, |app| {
    let (status, html, _) = app.post_form("/act/", "page=nope&email=a%40example.org").await;
    assert_eq!(status, 404);
    assert!(html.contains("<html") && html.contains("nope"), "an HTML error page: {html}");
    assert_eq!(app.counts(), (0, 0, 0));
});
