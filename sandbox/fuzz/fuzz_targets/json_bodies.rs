//! The sandbox's JSON body handling, every endpoint that takes a body: the fuzz input picks a
//! route (first byte) and is sent as its body through the real router (handlers, validation,
//! image intake, SQLite in a temporary directory), in-process. A request may fail, but only
//! with a 4xx (or the documented 501) carrying the JSON error envelope: never a 500, a panic
//! or a non-JSON error.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, header};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use smart_enroll_sandbox::{ROUTES, Sandbox, SandboxConfig};
use tower::ServiceExt;

const TOKEN: &str = "fuzz-client-token-0123456789";

struct Ctx {
    rt: tokio::runtime::Runtime,
    router: axum::Router,
    registrant: String,
    reg_id: String,
    info_id: String,
    _sandbox: Sandbox,
    _dir: tempfile::TempDir,
}

static CTX: OnceLock<Ctx> = OnceLock::new();

async fn call(
    router: &axum::Router,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: Vec<u8>,
) -> (u16, Vec<u8>) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = auth {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::from(body)).expect("request"))
        .await
        .expect("router is infallible");
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, bytes.to_vec())
}

async fn ok(router: &axum::Router, path: &str, auth: Option<&str>, body: Value) -> Value {
    let (status, bytes) = call(router, "POST", path, auth, body.to_string().into_bytes()).await;
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&bytes));
    serde_json::from_slice(&bytes).expect("json")
}

fn ctx() -> &'static Ctx {
    CTX.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let (sandbox, router, registrant, reg_id, info_id) = rt.block_on(async {
            let mut cfg = SandboxConfig::new(dir.path());
            cfg.client_token = Some(TOKEN.into());
            cfg.durable = false;
            let sandbox = Sandbox::start(cfg).await.expect("sandbox");
            let router = sandbox.router();
            let p = ok(
                &router,
                "/v2/projects",
                Some(TOKEN),
                json!({"name": "Fuzz", "allowedCountries": ["Colombia"]}),
            )
            .await;
            let project = p["data"]["_id"].as_str().expect("project").to_owned();
            let f = ok(
                &router,
                "/v2/project-flows",
                Some(TOKEN),
                json!({"project": project, "type": "onboarding", "preset": "full_kyc",
                       "onboardingSettings": {"signUpForm": {"emailGateway": "none"}}}),
            )
            .await;
            let flow = f["data"]["_id"].as_str().expect("flow").to_owned();
            let r = ok(
                &router,
                "/v2/app-registrations",
                None,
                json!({"project": project, "projectFlow": flow, "email": "fuzz@example.com",
                       "phone": "3001234567", "countryCode": "+57"}),
            )
            .await;
            let d = &r["data"];
            (
                sandbox,
                router,
                d["token"].as_str().expect("token").to_owned(),
                d["appRegistration"]["_id"].as_str().expect("id").to_owned(),
                d["informationValidation"]["_id"]
                    .as_str()
                    .expect("info")
                    .to_owned(),
            )
        });
        Ctx {
            rt,
            router,
            registrant,
            reg_id,
            info_id,
            _sandbox: sandbox,
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let routes: Vec<_> = ROUTES
        .iter()
        .filter(|r| matches!(r.method, "POST" | "PUT"))
        .collect();
    let route = routes[usize::from(pick) % routes.len()];
    let c = ctx();
    let id = if route.path.contains("information-validations") {
        &c.info_id
    } else {
        &c.reg_id
    };
    let path = route.path.replace("{id}", id);
    let auth = match route.auth {
        "client" => Some(TOKEN),
        "registrant" | "optional-client" => Some(c.registrant.as_str()),
        _ => None,
    };
    let (status, bytes) =
        c.rt.block_on(call(&c.router, route.method, &path, auth, body.to_vec()));
    assert!(
        status < 500 || status == 501,
        "{} {path} answered {status}: {}",
        route.method,
        String::from_utf8_lossy(&bytes)
    );
    if status >= 400 {
        let v: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("{} {path} {status}: not JSON", route.method));
        assert!(
            v["code"].is_string() && v["message"].is_string(),
            "{} {path} {status}: {v}",
            route.method
        );
    }
});
