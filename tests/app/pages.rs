//! Public pages (SPEC §1 URLs, T3, O1, O5): the home page, action pages from the Original
//! templateset, canonical and trailing-slash URLs, the 404 page, health endpoints.

use crate::helpers::both_backends;

both_backends!(o1_home_lists_every_public_demo_page, |app| {
    let (status, html, _) = app.get("/").await;
    assert_eq!(status, 200);
    for url in [
        "/sign/save-the-bees/",
        "/sign/bienen-retten/",
        "/signup/stay-informed/",
        "/letter/write-to-council/",
        "/donate/support-our-work/",
        "/unsubscribe/unsubscribe/",
    ] {
        assert!(html.contains(&format!("href=\"{url}\"")), "home links {url}");
    }
});

both_backends!(t3_petition_renders_from_original_with_form_posting_to_act, |app| {
    let (status, html, headers) = app.get("/sign/save-the-bees/").await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("content-type").and_then(|v| v.to_str().ok()), Some("text/html; charset=utf-8"));
    assert!(html.contains("<title>Save the bees: ban neonicotinoids · Test Org</title>"));
    assert!(html.contains("action=\"/act/\""));
    assert!(html.contains("name=\"page\" value=\"save-the-bees\""));
    assert!(html.contains("Ban neonicotinoid pesticides now"), "statement text");
    assert!(html.contains("name=\"required\" value=\"first_name\""), "page's required fields travel with the form");
    assert!(html.contains("<option") && html.contains("United Kingdom"), "country select");
});

both_backends!(t3_every_demo_page_type_renders_in_its_language, |app| {
    for (url, expect) in [
        ("/signup/stay-informed/", "Sign up"),
        ("/letter/write-to-council/", "Send the letter"),
        ("/donate/support-our-work/", "Donate"),
        ("/unsubscribe/unsubscribe/", "Unsubscribe"),
        ("/sign/bienen-retten/", "Petition unterschreiben"),
    ] {
        let (status, html, _) = app.get(url).await;
        assert_eq!(status, 200, "{url}");
        assert!(html.contains(expect), "{url} shows {expect:?}");
    }
});

both_backends!(urls_canonical_kind_mismatch_and_missing_slash_redirect, |app| {
    let (status, html, _) = app.get("/cms/petition/save-the-bees/").await;
    assert_eq!(status, 200);
    assert!(html.contains("Save the bees"));
    let (status, _, headers) = app.get("/signup/save-the-bees/").await;
    assert_eq!(status, 301);
    assert_eq!(headers.get("location").and_then(|v| v.to_str().ok()), Some("/sign/save-the-bees/"));
    let (status, _, headers) = app.get("/sign/save-the-bees").await;
    assert_eq!(status, 301);
    assert_eq!(headers.get("location").and_then(|v| v.to_str().ok()), Some("/sign/save-the-bees/"));
});

both_backends!(unknown_pages_get_an_html_404_without_internals, |app| {
    let (status, html, _) = app.get("/sign/no-such-page/").await;
    assert_eq!(status, 404);
    assert!(html.contains("<html") && html.contains("404"));
    let (status, _, _) = app.get("/static/nothing.css").await;
    assert_eq!(status, 404);
});

both_backends!(o5_health_and_readiness, |app| {
    assert_eq!(app.get("/healthz").await.0, 200);
    let (status, body, _) = app.get("/readyz").await;
    assert_eq!((status, body.as_str()), (200, "ready"));
    let (status, _, headers) = app.get("/static/placard.css").await;
    assert_eq!(status, 200);
    assert!(headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().starts_with("text/css"));
});
