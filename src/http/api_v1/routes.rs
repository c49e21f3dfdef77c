//! Every endpoint under `/rest/v1/`, in routing order: the router and the OpenAPI document
//! (SPEC R4) are both built from this one list. To add an endpoint, add it here.

use super::resource::Method;
use super::{action_resources, allowed_fields, blackholed_emails, orders, pages, privacy_records};
use super::{actions, audit_log, gdpr, lists, phones, subscriptions, uploads, users};
use crate::http::catalog::{Auth, Body, Catalog, Doc, FOUND, LISTED};

const ACTION: &[(u16, &str)] = &[
    (201, "The action was stored; `Location` names it."),
    (400, "Field errors; nothing was stored."),
    (401, "Wrong staff credentials (none is anonymous)."),
    (403, "An authenticated caller tried to act for a forgotten person."),
    (404, "No such page."),
    (415, "Neither JSON, form-urlencoded nor XML."),
];
const ERASED: &[(u16, &str)] = &[
    (201, "Erased; the answer counts what was removed."),
    (400, "Bad input."),
    (401, "No or wrong credentials."),
    (404, "No such user."),
];
const EXPORTED: &[(u16, &str)] =
    &[(200, "Everything held on the user (SPEC G1)."), (401, "No or wrong credentials."), (404, "No such user.")];
const UPLOADED: &[(u16, &str)] = &[
    (201, "Created; `Location` names the new upload."),
    (400, "No CSV, or a bad header line."),
    (401, "No or wrong credentials."),
    (404, "No such import page."),
];
const DOCUMENT: &[(u16, &str)] = &[(200, "This document.")];

fn doc(
    summary: &'static str,
    auth: Auth,
    body: Body,
    responses: &'static [(u16, &'static str)],
    tag: &'static str,
) -> Doc {
    Doc { summary, auth, body, responses, tag }
}

pub fn catalog() -> Catalog {
    Catalog::new("/rest/v1")
        .route(
            Method::Get,
            "/openapi.json",
            crate::http::openapi::serve,
            doc("This OpenAPI document.", Auth::Public, Body::None, DOCUMENT, "meta"),
        )
        .route(
            Method::Post,
            "/action/",
            actions::create,
            doc(
                "Take an action on a page (SPEC A1): user, action, subscriptions and privacy records in one transaction.",
                Auth::StaffOptional,
                Body::ActionFields,
                ACTION,
                "action",
            ),
        )
        .route(
            Method::Post,
            "/eraser/",
            gdpr::eraser,
            doc("Erase a user by `email` or `user_id` (SPEC G2).", Auth::Staff, Body::Json("Eraser"), ERASED, "eraser"),
        )
        .route(
            Method::Get,
            "/user/{id}/export/",
            gdpr::export,
            doc("Everything held on a user, as one JSON document (SPEC G1).", Auth::Staff, Body::None, EXPORTED, "user"),
        )
        .route(
            Method::Post,
            "/upload/",
            uploads::create,
            doc("Upload a CSV of actions to an import page (multipart).", Auth::Staff, Body::Multipart, UPLOADED, "upload"),
        )
        .route(
            Method::Get,
            "/upload/{id}/",
            uploads::detail,
            doc("An upload's progress: `is_completed`, `has_errors`, counts.", Auth::Staff, Body::None, FOUND, "upload"),
        )
        .route(
            Method::Get,
            "/uploaderror/",
            uploads::errors,
            doc("Per-row errors of uploads (`?upload=<id>`).", Auth::Staff, Body::None, LISTED, "upload"),
        )
        .resource::<users::Users>()
        .resource::<phones::Phones>()
        .resource::<lists::Lists>()
        .resource::<subscriptions::Subscriptions>()
        .resource::<pages::Pages>()
        .resource::<pages::TypedPages<pages::Petition>>()
        .resource::<pages::TypedPages<pages::Signup>>()
        .resource::<pages::TypedPages<pages::Letter>>()
        .resource::<pages::TypedPages<pages::Survey>>()
        .resource::<pages::TypedPages<pages::Call>>()
        .resource::<pages::TypedPages<pages::Whipcount>>()
        .resource::<pages::TypedPages<pages::Lte>>()
        .resource::<pages::TypedPages<pages::Donation>>()
        .resource::<pages::TypedPages<pages::Unsubscribe>>()
        .resource::<pages::TypedPages<pages::Import>>()
        .resource::<action_resources::Actions>()
        .resource::<action_resources::TypedActions<action_resources::Petition>>()
        .resource::<action_resources::TypedActions<action_resources::Signup>>()
        .resource::<action_resources::TypedActions<action_resources::Letter>>()
        .resource::<action_resources::TypedActions<action_resources::Survey>>()
        .resource::<action_resources::TypedActions<action_resources::Call>>()
        .resource::<action_resources::TypedActions<action_resources::Whipcount>>()
        .resource::<action_resources::TypedActions<action_resources::Lte>>()
        .resource::<action_resources::TypedActions<action_resources::Donation>>()
        .resource::<action_resources::TypedActions<action_resources::Unsubscribe>>()
        .resource::<action_resources::TypedActions<action_resources::Import>>()
        .resource::<allowed_fields::AllowedUserFields>()
        .resource::<allowed_fields::AllowedPageFields>()
        .resource::<privacy_records::PrivacyRecords>()
        .resource::<privacy_records::PrivacyTexts>()
        .resource::<orders::Orders>()
        .resource::<blackholed_emails::BlackholedEmails>()
        .resource::<audit_log::AuditLog>()
}
