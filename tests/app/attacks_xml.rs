//! XML attacks (SPEC A1): billion laughs, external entities (`file:///etc/passwd`), an
//! external DTD, parameter entities and XInclude, sent to the one XML-accepting route
//! (`POST /rest/v1/action/` as `application/xml`, `text/xml` and with a charset) and, as
//! XML, to every other body-taking route of the API catalog. Each is refused with a 400
//! that says why (or, on routes that take no XML, a 4xx), nothing is stored, nothing of
//! the file comes back, and nothing is fetched: the DTD and include URLs point at a
//! listener of the test's own that must see no connection.

use crate::attacks_support::{body_endpoints, concrete, credentials, send, stored_rows};
use crate::helpers::both_backends;
use placard::http::api_v1::resource::Method;
use std::fmt::Write as _;
use std::net::TcpListener;

/// The first line of `/etc/passwd` on any Unix: must never come back.
const PASSWD_MARK: &str = "root:";

fn billion_laughs() -> String {
    let mut dtd = String::from(r#"<!ENTITY lol0 "lol">"#);
    for level in 1..=9 {
        let prev = format!("&lol{};", level - 1);
        let _ = write!(dtd, r#"<!ENTITY lol{level} "{}">"#, prev.repeat(10));
    }
    format!(
        r#"<?xml version="1.0"?><!DOCTYPE request [{dtd}]><request type="hash"><page>stay-informed</page><email>bomb@example.org</email><first_name>&lol9;</first_name></request>"#
    )
}

/// `(payload, what it is)`: each must be refused as invalid XML.
fn hostile_documents(fetch_url: &str) -> Vec<(String, &'static str)> {
    let fields = "<page>stay-informed</page><email>xxe@example.org</email>";
    vec![
        (billion_laughs(), "billion laughs"),
        (
            format!(
                r#"<?xml version="1.0"?><!DOCTYPE request [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><request type="hash">{fields}<first_name>&xxe;</first_name></request>"#
            ),
            "an external entity on file:///etc/passwd",
        ),
        (
            format!(
                r#"<?xml version="1.0"?><!DOCTYPE request [<!ENTITY xxe SYSTEM "{fetch_url}/entity">]><request type="hash">{fields}<first_name>&xxe;</first_name></request>"#
            ),
            "an external entity over HTTP",
        ),
        (
            format!(
                r#"<?xml version="1.0"?><!DOCTYPE request SYSTEM "{fetch_url}/evil.dtd"><request type="hash">{fields}</request>"#
            ),
            "an external DTD",
        ),
        (
            format!(
                r#"<?xml version="1.0"?><!DOCTYPE request [<!ENTITY % remote SYSTEM "{fetch_url}/param.dtd"> %remote;]><request type="hash">{fields}</request>"#
            ),
            "a parameter entity",
        ),
        (
            format!(
                r#"<!DOCTYPE request PUBLIC "-//X//Y" "file:///etc/passwd"><request type="hash">{fields}</request>"#
            ),
            "a public DTD on a file",
        ),
        (
            format!(r#"<request type="hash">{fields}<first_name>&xxe;</first_name></request>"#),
            "an undefined entity without a DOCTYPE",
        ),
    ]
}

/// Whether anything connected to `listener` (non-blocking: what already arrived).
fn was_contacted(listener: &TcpListener) -> bool {
    listener.set_nonblocking(true).expect("non-blocking");
    listener.accept().is_ok()
}

both_backends!(a1_xml_bombs_and_external_entities_are_refused_on_the_action_api, |app| {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a listener for fetch attempts");
    let fetch_url = format!("http://{}", listener.local_addr().expect("address"));
    let before = stored_rows(&app);
    for content_type in ["application/xml", "text/xml", "application/xml; charset=utf-8"] {
        for (doc, what) in hostile_documents(&fetch_url) {
            for accept in ["application/json", "application/xml"] {
                let headers = [("Accept", accept.to_owned())];
                let (status, body) =
                    send(&app, Method::Post, "/rest/v1/action/", &headers, content_type, doc.clone().into_bytes())
                        .await;
                assert_eq!(status, 400, "{what} as {content_type}: refused, got {status}: {body}");
                assert!(body.contains("XML body is not valid"), "{what}: the error says why: {body}");
                assert!(!body.contains(PASSWD_MARK), "{what}: nothing of /etc/passwd comes back: {body}");
                assert!(!body.contains("lollol"), "{what}: no entity was expanded: {body}");
            }
        }
    }
    assert_eq!(stored_rows(&app), before, "nothing was stored");
    assert!(!was_contacted(&listener), "no DTD or entity was fetched");

    // XInclude is plain XML without a DOCTYPE: accepted as an ordinary (ignored) element,
    // and never fetched or expanded.
    let xinclude = format!(
        r#"<request type="hash" xmlns:xi="http://www.w3.org/2001/XInclude"><page>stay-informed</page><email>xinclude@example.org</email><first_name><xi:include href="file:///etc/passwd" parse="text"/></first_name><xi:include href="{fetch_url}/inc"/></request>"#
    );
    let (status, body) =
        send(&app, Method::Post, "/rest/v1/action/", &[], "application/xml", xinclude.into_bytes()).await;
    assert!(status == 201 || status == 400, "XInclude answered {status}: {body}");
    assert!(!body.contains(PASSWD_MARK), "XInclude brings no file back: {body}");
    let stored: Vec<String> = app.query(|c| {
        use diesel::prelude::*;
        use placard::db::schema::core_user;
        core_user::table.select(core_user::first_name).load(c)
    });
    assert!(stored.iter().all(|n| !n.contains(PASSWD_MARK)), "no file content stored: {stored:?}");
    assert!(!was_contacted(&listener), "no XInclude was fetched");
});

both_backends!(a1_xml_bombs_sent_to_every_other_body_route_are_refused_and_store_nothing, |app| {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a listener for fetch attempts");
    let fetch_url = format!("http://{}", listener.local_addr().expect("address"));
    let headers = credentials(&app);
    let before = stored_rows(&app);
    let mut tried = 0;
    for e in body_endpoints() {
        for (doc, what) in hostile_documents(&fetch_url).into_iter().take(3) {
            let path = concrete(&e.path);
            let (status, body) = send(&app, e.method, &path, &headers, "application/xml", doc.into_bytes()).await;
            assert!(
                (400..500).contains(&status),
                "{what} to {} {path}: a client error, got {status}: {body}",
                e.method.name()
            );
            assert!(!body.contains(PASSWD_MARK), "{what} to {path}: nothing of /etc/passwd comes back");
            assert!(!body.contains("lollol"), "{what} to {path}: no entity was expanded");
            tried += 1;
        }
    }
    assert!(tried >= 30, "every body route was tried ({tried})");
    assert_eq!(stored_rows(&app), before, "nothing was stored");
    assert!(!was_contacted(&listener), "nothing was fetched");
});
