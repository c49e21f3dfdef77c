//! The OpenAPI 3 document of the whole API (SPEC R4) at `/rest/v1/openapi.json`, built with
//! utoipa's builders from the API catalog — the same list the router is built from — and
//! the resource descriptors, so it cannot drift from the code. Built once, on first use.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, AnyOfBuilder, ArrayBuilder, ComponentsBuilder, ObjectBuilder, Ref, Schema,
    SchemaType, Type,
};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, HeaderBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, RefOr, Required};

use crate::http::api_v1::resource::{Descriptor, Kind, Method};
use crate::http::catalog::{Auth, Body, Endpoint, Shape};
use crate::pages::PageType;

/// Every endpoint of the API, in routing order: `/rest/v1/` then the Iterable-style `/api/`.
pub fn endpoints() -> Vec<Endpoint> {
    let mut all = crate::http::api_v1::catalog().endpoints().to_vec();
    all.extend_from_slice(crate::http::api_iterable::catalog().endpoints());
    all
}

pub async fn serve() -> HttpResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| document().to_json().unwrap_or_else(|_| "{}".into()));
    HttpResponse::Ok().content_type("application/json").body(body.clone())
}

pub fn document() -> OpenApi {
    let endpoints = endpoints();
    let mut paths = PathsBuilder::new();
    let mut order: Vec<&str> = vec![];
    for e in &endpoints {
        if !order.contains(&e.path.as_str()) {
            order.push(&e.path);
        }
    }
    for path in order {
        let mut item: Option<PathItem> = None;
        for e in endpoints.iter().filter(|e| e.path == path) {
            let op = PathItem::new(http_method(e.method), operation(e));
            match item.as_mut() {
                Some(existing) => existing.merge_operations(op),
                None => item = Some(op),
            }
        }
        if let Some(item) = item {
            paths = paths.path(path, item);
        }
    }
    let mut components = ComponentsBuilder::new()
        .security_scheme("staff", SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)))
        .security_scheme("apiKey", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("Api-Key"))))
        .schema("Error", object([("error", string())]))
        .schema("FieldErrors", errors_schema())
        .schema("IterableAnswer", iterable_answer())
        .schema("ActionFields", action_fields())
        .schema("Eraser", object([("email", string()), ("user_id", integer())]))
        .schema("ForgetRequest", object([("email", string()), ("userId", string())]))
        .schema("Meta", meta());
    let mut seen: Vec<&str> = vec![];
    for (desc, _) in endpoints.iter().filter_map(|e| e.resource) {
        if !seen.contains(&desc.name) {
            seen.push(desc.name);
            components = components.schema(desc.name, resource_schema(desc)).schema(
                format!("{}_list", desc.name),
                object([
                    ("meta", reference("Meta")),
                    ("objects", ArrayBuilder::new().items(reference(desc.name)).into()),
                ]),
            );
        }
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Placard API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "ActionKit-compatible REST resources under /rest/v1/ (JSON, or ActionKit XML by Accept) \
                     and Iterable-style data-subject endpoints under /api/.",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components.build()))
        .build()
}

fn operation(e: &Endpoint) -> utoipa::openapi::path::Operation {
    let mut op = OperationBuilder::new().summary(Some(e.summary)).operation_id(Some(operation_id(e))).tag(e.tag);
    op = match e.auth {
        Auth::Staff => op.security(SecurityRequirement::new("staff", Vec::<String>::new())),
        Auth::StaffOptional => op
            .security(SecurityRequirement::new("staff", Vec::<String>::new()))
            .security(SecurityRequirement::default()),
        Auth::ApiKey => op.security(SecurityRequirement::new("apiKey", Vec::<String>::new())),
        Auth::Public => op,
    };
    for name in path_parameters(&e.path) {
        let schema = if name == "id" { integer() } else { string() };
        op = op.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(schema)),
        );
    }
    if let Some((desc, Shape::List)) = e.resource {
        if e.method == Method::Get {
            let limit = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).maximum(Some(100)).into();
            let offset = whole_number(0).into();
            for (name, schema) in [("_limit", limit), ("_offset", offset), ("order_by", order_by(desc))] {
                op = op.parameter(query(name, schema, None));
            }
            for f in desc.column_fields() {
                op = op.parameter(query(f.name, field_type(f.kind, false), Some("Exact match; Django lookups too.")));
            }
        }
    }
    let body = match e.body {
        Body::None => None,
        Body::ActionFields => Some(("application/json", reference("ActionFields"))),
        Body::Json(name) => Some(("application/json", reference(name))),
        Body::Multipart => Some(("multipart/form-data", upload_form())),
        Body::Resource => e.resource.map(|(desc, _)| ("application/json", resource_body(desc, e.method))),
    };
    if let Some((content_type, schema)) = body {
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(content_type, Content::new(Some(schema)))
                .build(),
        ));
    }
    for &(status, description) in e.responses {
        let mut response = ResponseBuilder::new().description(description);
        if let Some(schema) = response_schema(e, status) {
            response = response.content("application/json", Content::new(Some(schema)));
        }
        if status == 201 {
            response = response.header("Location", HeaderBuilder::new().schema(string()).build());
        }
        op = op.response(status.to_string(), response);
    }
    op.build()
}

fn response_schema(e: &Endpoint, status: u16) -> Option<RefOr<Schema>> {
    match status {
        200 => match e.resource {
            Some((desc, Shape::List)) => Some(reference(&format!("{}_list", desc.name))),
            Some((desc, Shape::Detail)) => Some(reference(desc.name)),
            Some((_, Shape::Schema)) => Some(object([("fields", free_object())])),
            None => Some(free_object()),
        },
        400 if e.resource.is_some() => Some(reference("FieldErrors")),
        400..=499 if e.auth == Auth::ApiKey => Some(reference("IterableAnswer")),
        400..=499 => Some(reference("Error")),
        201 | 202 => (e.resource.is_none()).then(free_object),
        _ => None,
    }
}

fn operation_id(e: &Endpoint) -> String {
    let slug: String = e.path.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect::<String>();
    format!("{}{}", e.method.name().to_ascii_lowercase(), slug.trim_end_matches('_'))
}

/// The `{name}` parts of a path template.
pub fn path_parameters(path: &str) -> Vec<&str> {
    path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect()
}

fn http_method(method: Method) -> HttpMethod {
    match method {
        Method::Get => HttpMethod::Get,
        Method::Post => HttpMethod::Post,
        Method::Put => HttpMethod::Put,
        Method::Patch => HttpMethod::Patch,
        Method::Delete => HttpMethod::Delete,
    }
}

/// A resource's object as answered and as written: the input checks refuse undeclared
/// names, ignore read-only fields and take write options (never answered).
fn resource_schema(desc: &Descriptor) -> RefOr<Schema> {
    let mut schema = ObjectBuilder::new().description(Some(desc.help));
    for f in desc.fields {
        let mut prop = field_type(f.kind, f.nullable);
        if let RefOr::T(Schema::Object(obj)) = &mut prop {
            if !f.help.is_empty() {
                obj.description = Some(f.help.to_owned());
            }
            if f.readonly {
                obj.read_only = Some(true);
            }
        } else if f.readonly {
            prop = ObjectBuilder::new().read_only(Some(true)).into();
        }
        schema = schema.property(f.name, prop);
    }
    schema = schema.property("resource_uri", ObjectBuilder::new().schema_type(Type::String).read_only(Some(true)));
    for o in desc.options {
        let option = ObjectBuilder::new()
            .description(Some(o.help))
            .schema_type([Type::String, Type::Number, Type::Boolean].into_iter().collect::<SchemaType>())
            .write_only(Some(true));
        schema = schema.property(o.name, option);
    }
    schema.additional_properties(Some(AdditionalProperties::FreeForm(false))).into()
}

/// POST bodies must name every field that has no default; PUT and PATCH change only what
/// they name.
fn resource_body(desc: &Descriptor, method: Method) -> RefOr<Schema> {
    let required: Vec<&str> = desc.fields.iter().filter(|f| !f.blank && !f.readonly).map(|f| f.name).collect();
    if method != Method::Post || required.is_empty() {
        return reference(desc.name);
    }
    let must = required.into_iter().fold(ObjectBuilder::new(), ObjectBuilder::required);
    AllOfBuilder::new().item(reference(desc.name)).item(must).into()
}

/// A field's value as the input checks take it and the answers show it: integers as
/// 64-bit, times in ActionKit's ISO form, references as the referenced object's URI
/// (or its id, on input).
fn field_type(kind: Kind, nullable: bool) -> RefOr<Schema> {
    let ty = match kind {
        Kind::Integer => return nullable_or(whole_number(i64::MIN), nullable),
        Kind::Boolean => Type::Boolean,
        Kind::DateTime => {
            let time = ObjectBuilder::new().schema_type(Type::String).pattern(Some(TIME_PATTERN));
            return nullable_or(time, nullable);
        }
        Kind::Ref(target) => {
            let uri = ObjectBuilder::new().schema_type(Type::String).pattern(Some(uri_pattern(target)));
            let mut any = AnyOfBuilder::new().item(whole_number(1)).item(uri);
            if nullable {
                any = any.item(ObjectBuilder::new().schema_type(Type::Null));
            }
            return any.into();
        }
        Kind::String | Kind::Link(_) => Type::String,
        Kind::RefList(_) => {
            return ArrayBuilder::new().items(string()).into();
        }
        Kind::Dict => {
            return ObjectBuilder::new()
                .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)))
                .into();
        }
    };
    let ty: SchemaType = if nullable { [ty, Type::Null].into_iter().collect() } else { ty.into() };
    ObjectBuilder::new().schema_type(ty).into()
}

/// Times as `filter::parse_time` reads them and `resource::time` writes them: a real date
/// (leap days included), then optionally a time of day.
const TIME_PATTERN: &str = concat!(
    "^([0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)",
    "|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)-02-29)",
    "([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?)?$"
);

/// A reference's URI as `Descriptor::parse_uri` takes it and the answers write it; a page
/// is also named by its typed URI (`/rest/v1/petitionpage/5/`).
fn uri_pattern(target: &Descriptor) -> String {
    let segment = if target.name == "page" {
        let typed: Vec<String> = PageType::ALL
            .into_iter()
            .chain([PageType::Update])
            .map(|t| format!("{}page", t.as_str().to_ascii_lowercase()))
            .collect();
        format!("(page|{})", typed.join("|"))
    } else {
        target.name.to_owned()
    };
    format!("^/rest/v1/{segment}/[1-9][0-9]{{0,17}}/$")
}

/// A whole number from `min` that fits the 64 bits the API parses it into.
fn whole_number(min: i64) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(min)).maximum(Some(i64::MAX))
}

fn nullable_or(schema: ObjectBuilder, nullable: bool) -> RefOr<Schema> {
    if nullable {
        AnyOfBuilder::new().item(schema).item(ObjectBuilder::new().schema_type(Type::Null)).into()
    } else {
        schema.into()
    }
}

/// `order_by` takes one orderable field, `-` first for descending.
fn order_by(desc: &Descriptor) -> RefOr<Schema> {
    let names: Vec<String> = desc
        .column_fields()
        .filter(|f| crate::http::api_v1::resource::params::orderable(f.kind))
        .flat_map(|f| [f.name.to_owned(), format!("-{}", f.name)])
        .collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(names))
        .description(Some("A field to order by, `-` first for descending; several, comma-separated."))
        .into()
}

fn query(name: &str, schema: RefOr<Schema>, description: Option<&str>) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(description)
        .schema(Some(schema))
        .build()
}

fn reference(name: &str) -> RefOr<Schema> {
    Ref::from_schema_name(name).into()
}

fn string() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).into()
}

fn integer() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Integer).into()
}

fn free_object() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Object).into()
}

fn object<const N: usize>(props: [(&str, RefOr<Schema>); N]) -> RefOr<Schema> {
    props.into_iter().fold(ObjectBuilder::new(), |b, (name, schema)| b.property(name, schema)).into()
}

fn meta() -> RefOr<Schema> {
    let nullable_string =
        || ObjectBuilder::new().schema_type([Type::String, Type::Null].into_iter().collect::<SchemaType>());
    ObjectBuilder::new()
        .property("limit", integer())
        .property("offset", integer())
        .property("total_count", integer())
        .property("next", nullable_string())
        .property("previous", nullable_string())
        .into()
}

fn errors_schema() -> RefOr<Schema> {
    let messages = ArrayBuilder::new().items(string());
    ObjectBuilder::new()
        .property("errors", ObjectBuilder::new().additional_properties(Some(messages)))
        .property("error", string())
        .into()
}

fn iterable_answer() -> RefOr<Schema> {
    object([("msg", string()), ("code", string()), ("params", free_object())])
}

fn action_fields() -> RefOr<Schema> {
    ObjectBuilder::new()
        .description(Some(
            "An action's fields (SPEC A1): `page` and `email` (or `akid`), user fields, `action_*`, `user_*`, \
             `lists`, `privacy` …; also accepted form-urlencoded or as ActionKit XML.",
        ))
        .property("page", string())
        .property("email", string())
        .required("page")
        .additional_properties(Some(ObjectBuilder::new().schema_type(SchemaType::AnyValue)))
        .into()
}

fn upload_form() -> RefOr<Schema> {
    ObjectBuilder::new()
        .property("page", string())
        .property(
            "upload",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Binary))),
        )
        .required("page")
        .required("upload")
        .into()
}
