//! Resource URIs as ActionKit writes them: paths relative to the host, with a trailing
//! slash (`/rest/v1/user/3/`).

use crate::pages::PageType;

pub fn user(id: i64) -> String {
    format!("/rest/v1/user/{id}/")
}

pub fn action(id: i64) -> String {
    format!("/rest/v1/action/{id}/")
}

/// Pages are referred to by their typed resource: `/rest/v1/signuppage/10/`; the built-in
/// `/me/update/` page has no typed resource, so it is `/rest/v1/page/<id>/`.
pub fn page(kind: PageType, id: i64) -> String {
    match kind {
        PageType::Update => format!("/rest/v1/page/{id}/"),
        _ => format!("/rest/v1/{}page/{id}/", kind.as_str().to_ascii_lowercase()),
    }
}

pub fn mailing(id: i64) -> String {
    format!("/rest/v1/mailing/{id}/")
}
