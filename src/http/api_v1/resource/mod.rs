//! The REST resource framework (SPEC R1–R3): ActionKit's conventions, once, for every
//! resource under `/rest/v1/`.
//!
//! - [`descriptor`]: a static [`Descriptor`] per resource — name, table, key column, and
//!   [`Field`]s with their [`Kind`], SQL column, nullable/blank/readonly/unique and help.
//!   Everything below is generated from it; column names reach SQL only from here.
//! - [`params`] + [`filter`]: `_limit`/`_offset`/`order_by` and Django-lookup filters
//!   (`email__icontains=`, `id__in=`, `user__email=`) → a [`crate::listing::Listing`]
//!   with bound values; a bad parameter is a 400 naming it.
//! - [`input`]: POST/PUT/PATCH bodies checked against the descriptor (unknown names and
//!   wrong types are 400s; read-only fields ignored) → an [`Input`].
//! - [`schema`]: `GET <resource>/schema/`.
//! - [`handlers`]: the [`Resource`] trait, auth (401), 404/405, the list envelope
//!   `{"meta": {limit, offset, total_count, next, previous}, "objects": [...]}`, 201 +
//!   `Location`, 202, 204, JSON or XML by `Accept`, and [`register`].
//!
//! ## Adding a resource
//!
//! 1. Write the query in the owning domain module (e.g. `pages::query::pages(conn,
//!    &Listing) -> QueryResult<(i64, Vec<Row>)>`): `table.filter(listing.filter.clone())`
//!    for the count, then the same with `.order(listing.order.clone()).limit(..).offset(..)`
//!    for the rows (see `people::query`).
//! 2. In `http/api_v1/<name>s.rs`: a `static DESCRIPTOR: Descriptor` (fields with
//!    `Field::new(name, Kind::..).column("core_x.col")`; references as
//!    `Kind::Ref(&other::DESCRIPTOR)`), and a type implementing [`Resource`]: `list` (calls
//!    the query, loads anything shown beside the row for the whole page), `id`, `to_json`
//!    (references as URIs via `Descriptor::uri`; times via [`time`]), and for a writable
//!    resource `create`/`update`/`delete` calling the domain inside the given transaction.
//! 3. `resource::register::<YourResource>` in `api_v1::routes`.

pub mod descriptor;
pub mod filter;
pub mod handlers;
pub mod input;
pub mod params;
pub mod schema;

pub use descriptor::{Descriptor, Field, Kind, Method, WriteOption, DETAIL_WRITE, LIST_CREATE, READ};
pub use handlers::{object, register, time, Resource, WriteCtx};
pub use input::{invalid, Input, WriteValue};
