//! `/openapi.json` against the running sandbox: every described operation is routed and
//! implemented (no 501), every link resolves to an operation and its parameters (and, for a real
//! registration, to a value in the real answer), and real answers validate against the
//! document's response schemas (the `smart-enroll-api` types).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use smart_enroll_sandbox::{NOT_IMPLEMENTED, ROUTES};
use smart_enroll_testkit::{Auth, Server, png_b64};

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_ascii_uppercase(), path.clone(), op.clone()));
        }
    }
    out
}

/// Validates `instance` against the 200 response schema of `operationId`.
fn check(doc: &Value, op_id: &str, instance: &Value) {
    let op = operations(doc)
        .into_iter()
        .find(|(_, _, op)| op["operationId"] == op_id)
        .unwrap_or_else(|| panic!("no operation {op_id}"))
        .2;
    let mut schema = op["responses"]["200"]["content"]["application/json"]["schema"].clone();
    schema["components"] = doc["components"].clone();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{op_id}: {errors:?}\n{instance}");
    // A wrong shape is refused: the schema is not a blank cheque.
    assert!(!validator.is_valid(&json!({"data": 5})) || op_id == "openapi");
}

#[tokio::test]
async fn described_operations_are_routed_implemented_and_linked() {
    let s = Server::start().await;
    let doc = s.ok(Method::GET, "/openapi.json", Auth::None, None).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with('3'));
    for scheme in ["clientToken", "registrantToken"] {
        assert_eq!(
            doc["components"]["securitySchemes"][scheme]["scheme"],
            "bearer"
        );
    }
    let ops = operations(&doc);
    assert!(ops.len() >= 30, "{}", ops.len());
    let mut ids = std::collections::HashSet::new();
    for (method, path, op) in &ops {
        assert!(
            ids.insert(op["operationId"].as_str().unwrap().to_owned()),
            "duplicate id"
        );
        assert!(
            ROUTES.iter().any(|r| r.method == method && r.path == path),
            "{method} {path} is described but not in the route table"
        );
        assert!(!NOT_IMPLEMENTED.contains(&(method.as_str(), path.as_str())));
        let url = path
            .replace("{id}", "000000000000000000000000")
            .replace("{file}", "x.png");
        let (st, body) = s
            .call(
                Method::from_bytes(method.as_bytes()).unwrap(),
                &url,
                Auth::None,
                None,
            )
            .await;
        assert_ne!(st, StatusCode::NOT_IMPLEMENTED, "{method} {path}");
        assert!(!st.is_server_error(), "{method} {path}: {st} {body}");
        assert_ne!(body["message"], "404:route_not_found", "{method} {path}");
        for (kind, schema) in [
            ("request", &op["requestBody"]),
            ("response", &op["responses"]["200"]),
        ] {
            if method != "GET"
                && method != "DELETE"
                && kind == "request"
                && op["operationId"] != "compareFaces"
            {
                assert!(
                    schema["content"]["application/json"]["schema"].is_object(),
                    "{method} {path} {kind}"
                );
            }
        }
    }
    for r in ROUTES {
        let described = doc["paths"][r.path][r.method.to_ascii_lowercase()].is_object();
        assert_eq!(
            described,
            !NOT_IMPLEMENTED.contains(&(r.method, r.path)),
            "{} {}",
            r.method,
            r.path
        );
    }
    // Links name existing operations and their parameters.
    let mut links = 0;
    for (_, _, op) in &ops {
        let Some(map) = op["responses"]["200"]["links"].as_object() else {
            continue;
        };
        for (name, link) in map {
            links += 1;
            let target = ops
                .iter()
                .find(|(_, _, o)| o["operationId"] == link["operationId"])
                .unwrap_or_else(|| panic!("link {name} to a missing operation {link}"));
            let params: Vec<&str> = target.2["parameters"]
                .as_array()
                .map(|a| a.iter().filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            for (p, expr) in link["parameters"].as_object().into_iter().flatten() {
                assert!(
                    params.contains(&p.as_str()),
                    "link {name}: {p} not a parameter of {}",
                    target.1
                );
                assert!(expr.as_str().unwrap().starts_with("$response.body#/data/"));
            }
        }
    }
    assert!(links >= 12, "{links}");
    let create = ops
        .iter()
        .find(|(_, _, o)| o["operationId"] == "createAppRegistration")
        .unwrap();
    let create_links = create.2["responses"]["200"]["links"].as_object().unwrap();
    for op in [
        "syncAppRegistration",
        "retrieveAppRegistration",
        "uploadDocument",
        "createBiometricValidation",
        "compareFaces",
        "backgroundCheck",
    ] {
        assert!(
            create_links.contains_key(op),
            "create registration does not link {op}"
        );
    }
}

#[tokio::test]
async fn real_answers_validate_against_the_document() {
    let s = Server::start().await;
    let doc = s.ok(Method::GET, "/openapi.json", Auth::None, None).await;
    let p = s.create_project(json!({})).await;
    let kyc = s
        .ok(
            Method::GET,
            &format!("/v2/projects/kyc?id={p}&type=onboarding"),
            Auth::None,
            None,
        )
        .await;
    let flow = s.create_flow(&p, "full_kyc", json!({})).await;
    check(&doc, "createProjectFlow", &json!({"data": flow}));
    let created = s
        .ok(Method::POST, "/v2/app-registrations", Auth::None,
            Some(json!({"project": p, "projectFlow": flow["_id"], "email": "schema@example.com", "fullName": "Ana Lopez"})))
        .await;
    check(&doc, "createAppRegistration", &created);
    check(&doc, "kycConfig", &kyc);
    // Every create link's expression points at a value of the real answer.
    let ops = operations(&doc);
    let create = ops
        .iter()
        .find(|(_, _, o)| o["operationId"] == "createAppRegistration")
        .unwrap();
    for (_, link) in create.2["responses"]["200"]["links"].as_object().unwrap() {
        for (_, expr) in link["parameters"].as_object().into_iter().flatten() {
            let pointer = expr.as_str().unwrap().trim_start_matches("$response.body#");
            assert!(
                created.pointer(pointer).is_some_and(Value::is_string),
                "{pointer}"
            );
        }
    }
    let reg = smart_enroll_testkit::Registration {
        id: created["data"]["appRegistration"]["_id"]
            .as_str()
            .unwrap()
            .into(),
        token: created["data"]["token"].as_str().unwrap().into(),
        info: created["data"]["informationValidation"]["_id"]
            .as_str()
            .unwrap()
            .into(),
        project: p.clone(),
    };
    let t = Auth::Bearer(&reg.token);
    let otp = s
        .ok(
            Method::POST,
            "/v2/email-validations/app-registration",
            t,
            Some(json!({"project": p, "email": "schema@example.com"})),
        )
        .await;
    check(&doc, "createEmailValidation", &otp);
    let code = s.outbox_code("schema@example.com").await;
    let ok = s
        .ok(
            Method::PUT,
            &format!(
                "/v2/email-validations/{}",
                otp["data"]["_id"].as_str().unwrap()
            ),
            t,
            Some(json!({"email": "schema@example.com", "otp": code})),
        )
        .await;
    check(&doc, "validateEmailById", &ok);
    let sync = s.sync_ok(&reg, "signUpForm", "ONGOING").await;
    check(&doc, "syncAppRegistration", &sync);
    let front = s.ok(Method::POST, "/v2/document-validations/app-registration", t,
        Some(json!({"image": png_b64(48, 32, 2), "category": "id", "documentFace": png_b64(12, 12, 3)}))).await;
    check(&doc, "uploadDocument", &front);
    let back = s
        .ok(
            Method::POST,
            "/v2/document-validations/app-registration",
            t,
            Some(json!({"backImage": png_b64(48, 32, 4), "force": true})),
        )
        .await;
    check(&doc, "uploadDocument", &back);
    let id = back["data"]["documentValidation"]["_id"].as_str().unwrap();
    let names = s
        .ok(
            Method::PUT,
            &format!("/v2/document-validations/{id}/validate"),
            t,
            Some(json!({})),
        )
        .await;
    check(&doc, "nameValidation", &names);
    let bg = s
        .ok(
            Method::PUT,
            &format!("/v2/information-validations/{}/background-check", reg.info),
            t,
            Some(json!({})),
        )
        .await;
    check(&doc, "backgroundCheck", &bg);
    s.sync_ok(&reg, "document", "ONGOING").await;
    s.sync_ok(&reg, "liveness", "ONGOING").await;
    let bio = s
        .ok(
            Method::POST,
            "/v2/biometric-validations/app-registration",
            t,
            Some(json!({"image": png_b64(40, 40, 6), "os": "ANDROID"})),
        )
        .await;
    check(&doc, "createBiometricValidation", &bio);
    let cmp = s
        .ok(
            Method::POST,
            "/v2/face-recognition/compare/app-registration",
            t,
            None,
        )
        .await;
    check(&doc, "compareFaces", &cmp);
    let all = "populates[]=project&populates[]=projectFlow&populates[]=emailValidation&populates[]=documentValidation&populates[]=biometricValidation&populates[]=compareFaceVerification&populates[]=informationValidation&populates[]=person&populates[]=face&populates[]=documentFace";
    let me = s
        .ok(
            Method::GET,
            &format!("/v2/app-registrations/me?{all}"),
            t,
            None,
        )
        .await;
    check(&doc, "getOwnRegistration", &me);
    let full = s
        .ok(
            Method::GET,
            &format!("/v2/app-registrations/{}?{all}", reg.id),
            Auth::Client,
            None,
        )
        .await;
    check(&doc, "retrieveAppRegistration", &full);
    let plain = s
        .ok(
            Method::GET,
            &format!("/v2/app-registrations/{}", reg.id),
            Auth::Client,
            None,
        )
        .await;
    check(&doc, "retrieveAppRegistration", &plain);
    let list = s
        .ok(
            Method::GET,
            "/v2/app-registrations?page=1&perPage=5",
            Auth::Client,
            None,
        )
        .await;
    check(&doc, "listAppRegistrations", &list);
    let end = s.sync_ok(&reg, "end", "COMPLETED").await;
    check(&doc, "syncAppRegistration", &end);
    let health = s.ok(Method::GET, "/health", Auth::None, None).await;
    check(&doc, "health", &health);
    let outbox = s
        .ok(
            Method::GET,
            "/sandbox/outbox?to=schema%40example.com",
            Auth::None,
            None,
        )
        .await;
    check(&doc, "devOutbox", &outbox);
}
