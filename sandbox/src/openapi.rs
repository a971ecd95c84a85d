//! `GET /openapi.json`: an OpenAPI 3.0 document generated from the route table
//! ([`crate::ROUTES`]) and the `smart-enroll-api` types (their `utoipa::ToSchema`), so routes,
//! types and the document cannot drift apart. Routes that answer 501 are left out; the dev
//! outbox is described only when the sandbox runs with `--dev`. Response links let a stateful
//! fuzzer walk a registration: create → (its `data.token` as the registrant bearer and
//! `data.appRegistration._id` as `{id}`) → OTP, sync, retrieve, document, biometric, compare,
//! background check.

use std::collections::BTreeMap;

use smart_enroll_api as wire;
use utoipa::ToSchema;
use utoipa::openapi::link::{Link, LinkBuilder};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths, Ref, RefOr,
    Required,
};

use crate::routes::{NOT_IMPLEMENTED, ROUTES, Route};

/// Named schemas collected while describing the operations.
#[derive(Default)]
pub(crate) struct Schemas(BTreeMap<String, RefOr<Schema>>);

impl Schemas {
    /// Registers `T` (and what it references) and returns a `$ref` to it.
    pub(crate) fn of<T: ToSchema>(&mut self) -> RefOr<Schema> {
        let mut deps = Vec::new();
        T::schemas(&mut deps);
        self.0.extend(deps);
        self.0.insert(T::name().into_owned(), T::schema());
        Ref::from_schema_name(T::name()).into()
    }

    /// `{"data": T}`.
    pub(crate) fn data<T: ToSchema>(&mut self) -> RefOr<Schema> {
        let inner = self.of::<T>();
        ObjectBuilder::new()
            .property("data", inner)
            .required("data")
            .into()
    }

    /// `{"data": [T]}` (the dev outbox).
    pub(crate) fn data_list<T: ToSchema>(&mut self) -> RefOr<Schema> {
        let inner = self.of::<T>();
        ObjectBuilder::new()
            .property(
                "data",
                utoipa::openapi::schema::ArrayBuilder::new().items(inner),
            )
            .required("data")
            .into()
    }
}

/// What one operation takes and answers.
pub(crate) struct Spec {
    pub(crate) id: &'static str,
    pub(crate) request: Option<RefOr<Schema>>,
    pub(crate) response: Option<RefOr<Schema>>,
    /// `(name, required)` query parameters.
    pub(crate) query: &'static [(&'static str, bool)],
    pub(crate) links: Vec<(&'static str, Link)>,
    pub(crate) binary: bool,
}

impl Spec {
    pub(crate) fn new() -> Self {
        Self {
            id: "",
            request: None,
            response: None,
            query: &[],
            links: Vec::new(),
            binary: false,
        }
    }
}

fn link(op: &str, params: &[(&str, &str)], description: &str) -> Link {
    let mut b = LinkBuilder::new().operation_id(op).description(description);
    for (name, expr) in params {
        b = b.parameter(*name, *expr);
    }
    b.build()
}

const REG_ID: &str = "$response.body#/data/appRegistration/_id";
const TOKEN_NOTE: &str = "Send `data.token` of this response as the registrant bearer token.";

/// Links from the create-registration answer to every operation of that registration.
fn registration_links() -> Vec<(&'static str, Link)> {
    let by_id = |op: &'static str| (op, link(op, &[("id", REG_ID)], TOKEN_NOTE));
    let by_token = |op: &'static str| (op, link(op, &[], TOKEN_NOTE));
    vec![
        by_id("syncAppRegistration"),
        by_id("retrieveAppRegistration"),
        by_id("resendLink"),
        by_id("dashboardRegistration"),
        by_token("getOwnRegistration"),
        by_token("createEmailValidation"),
        by_token("createPhoneValidation"),
        by_token("uploadDocument"),
        by_token("createBiometricValidation"),
        by_token("compareFaces"),
        (
            "backgroundCheck",
            link(
                "backgroundCheck",
                &[("id", "$response.body#/data/informationValidation/_id")],
                TOKEN_NOTE,
            ),
        ),
    ]
}

/// The operation description of a documented route; `None` for routes left out.
fn spec(route: &Route, s: &mut Schemas) -> Option<Spec> {
    let mut sp = Spec::new();
    let same_id = |op: &'static str, param: &'static str| {
        vec![(op, link(op, &[("id", param)], "The same registrant token."))]
    };
    match (route.method, route.path) {
        ("GET", "/openapi.json") => sp.id = "openapi",
        ("GET", "/health") => {
            sp.id = "health";
            sp.response = Some(s.data::<wire::Health>());
        }
        ("POST", "/v2/projects") => {
            sp.id = "createProject";
            sp.request = Some(s.of::<wire::CreateProjectRequest>());
            sp.response = Some(s.data::<wire::Project>());
            sp.links = vec![(
                "kycConfig",
                link(
                    "kycConfig",
                    &[("id", "$response.body#/data/_id")],
                    "The project's public configuration.",
                ),
            )];
        }
        ("GET", "/v2/projects/kyc") => {
            sp.id = "kycConfig";
            sp.response = Some(s.of::<wire::KycConfigResponse>());
            sp.query = &[("id", true), ("type", false), ("projectFlow", false)];
        }
        ("POST", "/v2/project-flows") => {
            sp.id = "createProjectFlow";
            sp.request = Some(s.of::<wire::CreateFlowRequest>());
            sp.response = Some(s.data::<wire::ProjectFlow>());
        }
        ("POST", "/v2/app-registrations") => {
            sp.id = "createAppRegistration";
            sp.request = Some(s.of::<wire::CreateAppRegistrationRequest>());
            sp.response = Some(s.data::<wire::CreateAppRegistrationResponse>());
            sp.links = registration_links();
        }
        ("GET", "/v2/app-registrations") => {
            sp.id = "listAppRegistrations";
            sp.response = Some(s.of::<wire::Page<wire::AppRegistration>>());
            sp.query = &[("page", false), ("perPage", false), ("project", false)];
        }
        ("GET", "/v2/app-registrations/me") => {
            sp.id = "getOwnRegistration";
            sp.response = Some(s.data::<wire::AppRegistration>());
            sp.query = &[("populates[]", false)];
        }
        ("POST", "/v2/app-registrations/me") => {
            sp.id = "postOwnRegistration";
            sp.request = Some(s.of::<wire::MeRequest>());
            sp.response = Some(s.data::<wire::AppRegistration>());
        }
        ("GET", "/v2/app-registrations/{id}") => {
            sp.id = "retrieveAppRegistration";
            sp.response = Some(s.data::<wire::AppRegistration>());
            sp.query = &[("populates[]", false)];
        }
        ("PUT", "/v2/app-registrations/{id}/sync") => {
            sp.id = "syncAppRegistration";
            sp.request = Some(s.of::<wire::SyncRequest>());
            sp.response = Some(s.data::<wire::SyncResponse>());
        }
        ("POST", "/v2/app-registrations/{id}/sync") => {
            sp.id = "syncAppRegistrationPost";
            sp.request = Some(s.of::<wire::SyncRequest>());
            sp.response = Some(s.data::<wire::SyncResponse>());
        }
        ("POST", "/v2/app-registrations/{id}/resend-link") => {
            sp.id = "resendLink";
            sp.request = Some(s.of::<wire::ResendLinkRequest>());
            sp.response = Some(s.data::<wire::ResendLinkResponse>());
        }
        ("POST", "/v2/email-validations/app-registration") => {
            sp.id = "createEmailValidation";
            sp.request = Some(s.of::<wire::CreateEmailValidationRequest>());
            sp.response = Some(s.data::<wire::OtpValidationCreated>());
            sp.links = same_id("validateEmailById", "$response.body#/data/_id");
        }
        ("PUT", "/v2/email-validations/{id}") => {
            sp.id = "validateEmailById";
            sp.request = Some(s.of::<wire::ValidateEmailRequest>());
            sp.response = Some(s.data::<wire::OtpValidated>());
        }
        ("PUT", "/v2/email-validations") => {
            sp.id = "validateEmail";
            sp.request = Some(s.of::<wire::ValidateEmailRequest>());
            sp.response = Some(s.data::<wire::OtpValidated>());
        }
        ("POST", "/v2/email-validations/validate") => {
            sp.id = "validateEmailPost";
            sp.request = Some(s.of::<wire::ValidateEmailRequest>());
            sp.response = Some(s.data::<wire::OtpValidated>());
        }
        ("POST", "/v2/phone-validations/app-registration") => {
            sp.id = "createPhoneValidation";
            sp.request = Some(s.of::<wire::CreatePhoneValidationRequest>());
            sp.response = Some(s.data::<wire::OtpValidationCreated>());
            sp.links = same_id("validatePhoneById", "$response.body#/data/_id");
        }
        ("PUT", "/v2/phone-validations") => {
            sp.id = "validatePhone";
            sp.request = Some(s.of::<wire::ValidatePhoneRequest>());
            sp.response = Some(s.data::<wire::OtpValidated>());
        }
        ("PUT", "/v2/phone-validations/{id}") => {
            sp.id = "validatePhoneById";
            sp.request = Some(s.of::<wire::ValidatePhoneRequest>());
            sp.response = Some(s.data::<wire::OtpValidated>());
        }
        ("POST", "/v2/phone-validations/validate") => {
            sp.id = "validatePhonePost";
            sp.request = Some(s.of::<wire::ValidatePhoneRequest>());
            sp.response = Some(s.data::<wire::OtpValidated>());
        }
        ("POST", "/v2/document-validations/app-registration") => {
            sp.id = "uploadDocument";
            sp.request = Some(s.of::<wire::DocumentUploadRequest>());
            sp.response = Some(s.data::<wire::DocumentValidationResponse>());
            let doc = "$response.body#/data/documentValidation/_id";
            sp.links = vec![
                (
                    "nameValidation",
                    link(
                        "nameValidation",
                        &[("id", doc)],
                        "The same registrant token.",
                    ),
                ),
                (
                    "manualVerification",
                    link(
                        "manualVerification",
                        &[("id", doc)],
                        "The same registrant token.",
                    ),
                ),
            ];
        }
        ("PUT", "/v2/document-validations/{id}/validate") => {
            sp.id = "nameValidation";
            sp.request = Some(s.of::<wire::NameValidationRequest>());
            sp.response = Some(s.data::<wire::NameValidationResult>());
            sp.query = &[("force", false)];
        }
        ("PUT", "/v2/document-validations/{id}/manual-verification") => {
            sp.id = "manualVerification";
            sp.request = Some(s.of::<wire::ManualVerificationRequest>());
            sp.response = Some(s.data::<wire::DocumentValidationResponse>());
        }
        ("POST", "/v2/biometric-validations/app-registration") => {
            sp.id = "createBiometricValidation";
            sp.request = Some(s.of::<wire::BiometricValidationRequest>());
            sp.response = Some(s.data::<wire::AppRegistration>());
            sp.links = same_id(
                "deleteBiometricValidation",
                "$response.body#/data/biometricValidation/_id",
            );
        }
        ("DELETE", "/v2/biometric-validations/{id}") => {
            sp.id = "deleteBiometricValidation";
            sp.response = Some(s.data::<wire::DeletedResponse>());
        }
        ("POST", "/v2/face-recognition/compare/app-registration") => {
            sp.id = "compareFaces";
            sp.response = Some(s.data::<wire::CompareResponse>());
        }
        ("PUT", "/v2/information-validations/{id}/background-check") => {
            sp.id = "backgroundCheck";
            sp.request = Some(s.of::<wire::BackgroundCheckRequest>());
            sp.response = Some(s.data::<wire::InformationValidation>());
        }
        ("GET", "/sandbox/outbox") => {
            sp.id = "devOutbox";
            sp.response = Some(s.data_list::<wire::OutboxEntry>());
            sp.query = &[("to", true)];
        }
        ("GET", "/sandbox/images/{file}") => {
            sp.id = "image";
            sp.binary = true;
        }
        _ => return crate::dashboard::spec(route, s),
    }
    Some(sp)
}

/// Whether a route is described in the document.
pub(crate) fn documented(route: &Route, dev: bool) -> bool {
    !NOT_IMPLEMENTED.contains(&(route.method, route.path))
        && (dev || !route.auth.starts_with("dev"))
}

fn method(m: &str) -> Option<HttpMethod> {
    Some(match m {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "DELETE" => HttpMethod::Delete,
        _ => return None,
    })
}

fn string_param(name: &str, at: ParameterIn, required: bool) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(at)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

/// The document as served. utoipa 5 serializes a Link's `operationId` / `requestBody` in
/// snake case; the spec's camelCase names are restored here.
pub(crate) fn document_json(dev: bool) -> serde_json::Value {
    let mut doc = serde_json::to_value(document(dev)).unwrap_or_default();
    fix_links(&mut doc);
    doc
}

fn fix_links(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(links)) = map.get_mut("links") {
                for link in links.values_mut() {
                    if let serde_json::Value::Object(l) = link {
                        for (from, to) in [
                            ("operation_id", "operationId"),
                            ("operation_ref", "operationRef"),
                            ("request_body", "requestBody"),
                        ] {
                            if let Some(x) = l.remove(from) {
                                l.insert(to.to_owned(), x);
                            }
                        }
                    }
                }
            }
            map.values_mut().for_each(fix_links);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(fix_links),
        _ => {}
    }
}

/// The OpenAPI 3 document.
pub(crate) fn document(dev: bool) -> OpenApi {
    let mut schemas = Schemas::default();
    let error = schemas.of::<wire::ErrorBody>();
    let mut paths = Paths::new();
    for route in ROUTES.iter().filter(|r| documented(r, dev)) {
        let (Some(m), Some(sp)) = (method(route.method), spec(route, &mut schemas)) else {
            continue;
        };
        let mut op = OperationBuilder::new()
            .operation_id(Some(sp.id))
            .summary(Some(route.summary));
        op = op.securities(Some(match route.auth {
            "client" | "dev-client" => vec![SecurityRequirement::new(
                "clientToken",
                Vec::<String>::new(),
            )],
            "registrant" => vec![SecurityRequirement::new(
                "registrantToken",
                Vec::<String>::new(),
            )],
            "optional-client" => vec![
                SecurityRequirement::default(),
                SecurityRequirement::new("clientToken", Vec::<String>::new()),
            ],
            _ => vec![SecurityRequirement::default()],
        }));
        for name in route
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        {
            op = op.parameter(string_param(name, ParameterIn::Path, true));
        }
        for (name, required) in sp.query {
            op = op.parameter(string_param(name, ParameterIn::Query, *required));
        }
        if let Some(req) = sp.request {
            op = op.request_body(Some(
                RequestBodyBuilder::new()
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(req)).build(),
                    )
                    .build(),
            ));
        }
        let mut ok = ResponseBuilder::new().description("Success");
        if sp.binary {
            ok = ok.content(
                "image/*",
                ContentBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String).format(
                        Some(utoipa::openapi::SchemaFormat::KnownFormat(
                            utoipa::openapi::KnownFormat::Binary,
                        )),
                    )))
                    .build(),
            );
        } else if let Some(resp) = sp.response {
            ok = ok.content(
                "application/json",
                ContentBuilder::new().schema(Some(resp)).build(),
            );
        } else {
            ok = ok.content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::Object)))
                    .build(),
            );
        }
        for (name, l) in sp.links {
            ok = ok.link(name, l);
        }
        op = op.response("200", ok.build()).response(
            "default",
            ResponseBuilder::new()
                .description(
                    "Error `{\"code\", \"message\"}` (colon-coded `NNN:token`, or a MissingParameter list)",
                )
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(error.clone())).build(),
                )
                .build(),
        );
        let error_response = |description: &str| {
            ResponseBuilder::new().description(description).content(
                "application/json",
                ContentBuilder::new().schema(Some(error.clone())).build(),
            )
        };
        if matches!(route.method, "POST" | "PUT") {
            op = op.response(
                "413",
                error_response(
                    "`payload_too_large` (body over 16 MiB, 256 KiB without images) or \
                     `image_too_large`",
                )
                .build(),
            );
        }
        if route.path.contains("email-validations") || route.path.contains("phone-validations") {
            let retry_after = utoipa::openapi::HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer))
                .description(Some("Seconds to wait"))
                .build();
            op = op.response(
                "429",
                error_response(
                    "Sandbox-defined OTP limits: `otp_resend_cooldown`, `otp_code_limit` (5 \
                     codes per registration and channel per hour), `otp_guess_limit` (25 codes \
                     compared per hour)",
                )
                .header("Retry-After", retry_after)
                .build(),
            );
        }
        paths.add_path_operation(route.path, vec![m], op.build());
    }
    let mut components = ComponentsBuilder::new()
        .security_scheme(
            "clientToken",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        )
        .security_scheme(
            "registrantToken",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    for (name, schema) in schemas.0 {
        components = components.schema(name, schema);
    }
    let description = format!(
        "Local sandbox of the Smart Enroll v2 API (generated from the sandbox's route table and \
         the smart-enroll-api types). Routes that answer 501 are not described. Sandbox \
         extensions: `Idempotency-Key` on POST/PUT, `preset` on flows. Test triggers (email \
         tags): {}",
        crate::triggers::TRIGGER_TAGS.join(", ")
    );
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Smart Enroll v2 sandbox")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(description)),
        )
        .paths(paths)
        .components(Some(components.build()))
        .build()
}
