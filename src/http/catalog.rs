//! The API catalog (SPEC R4, S1): every endpoint of the ActionKit-style `/rest/v1/` and the
//! Iterable-style `/api/` — method, path, who may call it, what it takes and answers.
//!
//! The router is built from this list (`api_v1::routes`, `api_iterable::routes` call
//! [`Catalog::register`]) and so is the OpenAPI document (`http::openapi`), so a route
//! cannot exist undocumented, and tests can enumerate every non-public route from it.
//! Endpoints sharing a path become one actix resource, so a method the path does not
//! answer is a 405 with `Allow`, never a fall-through to another route.

use actix_web::http::header;
use actix_web::{guard, web, FromRequest, Handler, HttpRequest, HttpResponse, Responder};

use crate::error::AppError;
use crate::http::api_v1::resource::{self, Descriptor, Method, Resource};
use crate::http::negotiate::Format;

/// Who may call an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Staff over HTTP Basic; 401 without.
    Staff,
    /// Anyone; staff credentials, when sent, are checked and change what is allowed.
    StaffOptional,
    /// An API key in the `Api-Key` header (the Iterable-style endpoints); 401 without.
    ApiKey,
    /// Anyone (the OpenAPI document itself).
    Public,
}

/// What a request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    None,
    /// Action fields as JSON, form-urlencoded or ActionKit XML (SPEC A1).
    ActionFields,
    /// A JSON object described by a named schema in [`crate::http::openapi`].
    Json(&'static str),
    /// `multipart/form-data` with a CSV file.
    Multipart,
    /// The resource's own fields (create and update of a framework resource).
    Resource,
}

/// The shape of a framework resource's endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    List,
    Detail,
    Schema,
}

/// One documented operation.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub method: Method,
    /// The full path as actix and OpenAPI both write it (`/rest/v1/user/{id}/`).
    pub path: String,
    pub summary: &'static str,
    pub auth: Auth,
    pub body: Body,
    /// Status codes and what each means.
    pub responses: &'static [(u16, &'static str)],
    pub tag: &'static str,
    pub resource: Option<(&'static Descriptor, Shape)>,
}

/// How one documented operation is described, before it is mounted.
#[derive(Clone, Copy, Debug)]
pub struct Doc {
    pub summary: &'static str,
    pub auth: Auth,
    pub body: Body,
    pub responses: &'static [(u16, &'static str)],
    pub tag: &'static str,
}

type RouteFactory = Box<dyn Fn() -> actix_web::Route>;
type Registrar = Box<dyn Fn(&mut web::ServiceConfig)>;

enum Mount {
    /// A plain handler at `path` (relative to the catalog's prefix) for one method.
    Route { relative: String, method: Method, route: RouteFactory },
    /// A framework resource: its three paths, registered by the framework.
    Resource { list_path: String, register: Registrar },
}

/// The endpoints under one path prefix, in the order actix should try them.
pub struct Catalog {
    prefix: &'static str,
    endpoints: Vec<Endpoint>,
    mounts: Vec<Mount>,
}

impl Catalog {
    pub fn new(prefix: &'static str) -> Self {
        Self { prefix, endpoints: vec![], mounts: vec![] }
    }

    /// Adds `handler` for `method` at `path` (relative to the prefix).
    #[must_use]
    pub fn route<F, Args>(mut self, method: Method, path: &str, handler: F, doc: Doc) -> Self
    where
        F: Handler<Args> + Clone,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.endpoints.push(Endpoint {
            method,
            path: format!("{}{path}", self.prefix),
            summary: doc.summary,
            auth: doc.auth,
            body: doc.body,
            responses: doc.responses,
            tag: doc.tag,
            resource: None,
        });
        let route: RouteFactory = Box::new(move || web::method(http_method(method)).to(handler.clone()));
        self.mounts.push(Mount::Route { relative: path.to_owned(), method, route });
        self
    }

    /// Adds a framework resource: `<name>/`, `<name>/schema/`, `<name>/{id}/`.
    #[must_use]
    pub fn resource<R: Resource>(mut self) -> Self {
        let desc = R::DESCRIPTOR;
        let list = format!("{}/{}/", self.prefix, desc.name);
        let tag = desc.name;
        for &method in desc.list_methods {
            let (summary, body, responses) = match method {
                Method::Post => ("Create an object.", Body::Resource, CREATED),
                _ => ("List objects: filters, `order_by`, `_limit` (at most 100), `_offset`.", Body::None, LISTED),
            };
            self.endpoints.push(resource_endpoint(
                method,
                list.clone(),
                summary,
                body,
                responses,
                tag,
                desc,
                Shape::List,
            ));
        }
        let schema = format!("{list}schema/");
        let summary = "The resource's fields, filters and ordering.";
        self.endpoints.push(resource_endpoint(
            Method::Get,
            schema,
            summary,
            Body::None,
            FOUND,
            tag,
            desc,
            Shape::Schema,
        ));
        for &method in desc.detail_methods {
            let (summary, body, responses) = match method {
                Method::Put => ("Replace an object's fields.", Body::Resource, ACCEPTED),
                Method::Patch => ("Change some of an object's fields.", Body::Resource, ACCEPTED),
                Method::Delete => ("Delete an object.", Body::None, DELETED),
                _ => ("One object.", Body::None, FOUND),
            };
            let detail = format!("{list}{{id}}/");
            self.endpoints.push(resource_endpoint(method, detail, summary, body, responses, tag, desc, Shape::Detail));
        }
        let list_path = format!("/{}/", desc.name);
        self.mounts.push(Mount::Resource { list_path, register: Box::new(resource::register::<R>) });
        self
    }

    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// Wires every endpoint into `cfg` (already scoped to the prefix, if any). Routes that
    /// share a path share one actix resource, whose other methods answer 405 — unless a
    /// framework resource answers at the same path (`POST /action/` beside the `action`
    /// resource's list): then each route is guarded by its method, and the resource
    /// answers the rest.
    pub fn register(&self, cfg: &mut web::ServiceConfig) {
        let resource_paths: Vec<&str> = self
            .mounts
            .iter()
            .filter_map(|m| match m {
                Mount::Resource { list_path, .. } => Some(list_path.as_str()),
                Mount::Route { .. } => None,
            })
            .collect();
        let mut done: Vec<&str> = vec![];
        for mount in &self.mounts {
            match mount {
                Mount::Resource { register, .. } => register(cfg),
                Mount::Route { relative, .. } if done.contains(&relative.as_str()) => {}
                Mount::Route { relative, method, route } if resource_paths.contains(&relative.as_str()) => {
                    cfg.service(
                        web::resource(relative.as_str()).guard(guard::Method(http_method(*method))).route(route()),
                    );
                }
                Mount::Route { relative, .. } => {
                    done.push(relative);
                    let mut res = web::resource(relative.as_str());
                    let mut allowed = vec![];
                    for m in &self.mounts {
                        if let Mount::Route { relative: other, method, route } = m {
                            if other == relative {
                                res = res.route(route());
                                allowed.push(method.name());
                            }
                        }
                    }
                    let allow = allowed.join(", ");
                    cfg.service(res.default_service(web::to(move |req: HttpRequest| {
                        let allow = allow.clone();
                        async move { method_not_allowed(&req, &allow) }
                    })));
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn resource_endpoint(
    method: Method,
    path: String,
    summary: &'static str,
    body: Body,
    responses: &'static [(u16, &'static str)],
    tag: &'static str,
    desc: &'static Descriptor,
    shape: Shape,
) -> Endpoint {
    Endpoint { method, path, summary, auth: Auth::Staff, body, responses, tag, resource: Some((desc, shape)) }
}

fn http_method(method: Method) -> actix_web::http::Method {
    use actix_web::http::Method as M;
    match method {
        Method::Get => M::GET,
        Method::Post => M::POST,
        Method::Put => M::PUT,
        Method::Patch => M::PATCH,
        Method::Delete => M::DELETE,
    }
}

fn method_not_allowed(req: &HttpRequest, allow: &str) -> HttpResponse {
    let error = AppError::MethodNotAllowed(format!("{} answers {allow} only.", req.path()));
    let mut res = Format::of(req).error(&error);
    if let Ok(value) = header::HeaderValue::from_str(allow) {
        res.headers_mut().insert(header::ALLOW, value);
    }
    res
}

const UNAUTHORIZED: (u16, &str) = (401, "No or wrong credentials.");
/// A list answer.
pub const LISTED: &[(u16, &str)] =
    &[(200, "One page of objects."), (400, "A bad filter or paging parameter."), UNAUTHORIZED];
/// One object.
pub const FOUND: &[(u16, &str)] = &[(200, "The object."), UNAUTHORIZED, (404, "No such object.")];
pub const CREATED: &[(u16, &str)] =
    &[(201, "Created; `Location` names the new object."), (400, "Field errors."), UNAUTHORIZED];
pub const ACCEPTED: &[(u16, &str)] =
    &[(202, "Changed."), (400, "Field errors; nothing was changed."), UNAUTHORIZED, (404, "No such object.")];
pub const DELETED: &[(u16, &str)] = &[
    (204, "Deleted."),
    UNAUTHORIZED,
    (404, "No such object."),
    (409, "Still in use (a list with pages); nothing was deleted."),
];
