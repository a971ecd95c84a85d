//! Benchmark: one Full-KYC enrollment against the in-process sandbox, through a loopback
//! counting proxy.
//!
//! Measures, per enrollment: wall time, HTTP requests (counted by the proxy, independently of
//! the client's own counters), request bytes, and the size of the uploaded document and selfie
//! JPEGs (decoded from the request bodies). The baseline, measured in the same run, is one bare
//! `GET /v2/projects/kyc` round trip through the same proxy; the enrollment time is reported as
//! a ratio against it. No timing is asserted; the request count and upload sizes are checked
//! against their targets and the run fails (exit 1) if they are missed.
//!
//! `cargo bench -p smart-enroll-cli --bench enrollment` (full: 10 enrollments, 300 GETs).
//! Without `--bench` (e.g. `cargo test --benches`) it runs a quick pass (1 enrollment, 20 GETs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../src/outbox.rs"]
mod outbox;
#[path = "../src/progress.rs"]
#[allow(dead_code, unused_imports)]
mod progress;
#[path = "../src/runner.rs"]
#[allow(dead_code)]
mod runner;
#[path = "../src/specimen.rs"]
#[allow(dead_code, unused_imports)]
mod specimen;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, Response, StatusCode};
use base64::Engine;
use smart_enroll_core::media::{DOCUMENT_MAX_BYTES, SELFIE_MAX_BYTES};
use smart_enroll_core::{
    ClientConfig, ClientToken, DocumentCategory, DocumentSide, EnrollmentSession, FlowPreset,
    InsecureHttp, NewFlow, NewProject, PhoneChannel, SignUpData, SmartEnrollClient,
};
use smart_enroll_testkit::{CLIENT_TOKEN, Server};

use progress::{Mode, Progress};
use runner::Inputs;

/// Requests of one Full-KYC enrollment with email and SMS codes (contract §7): flow config,
/// create registration, create+validate email OTP, create+validate phone OTP, sync signUpForm,
/// document front (passport), sync liveness, selfie, face compare, the review's retrieve
/// (`POST …/me` with populates), sync end.
const LIFECYCLE_MINIMUM: usize = 13;

#[derive(Debug, Clone)]
struct Logged {
    path: String,
    body_bytes: usize,
    /// Size of the base64 `image`/`backImage` in the body, decoded.
    image_bytes: Option<usize>,
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    log: Arc<Mutex<Vec<Logged>>>,
}

fn image_size(body: &[u8]) -> Option<usize> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let s = v.get("image").or_else(|| v.get("backImage"))?.as_str()?;
    let b64 = s.split_once(";base64,").map_or(s, |(_, b)| b);
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .ok()
        .map(|b| b.len())
}

async fn forward(State(p): State<Proxy>, req: Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 64 << 20).await.unwrap();
    p.log.lock().unwrap().push(Logged {
        path: parts.uri.path().to_owned(),
        body_bytes: bytes.len(),
        image_bytes: image_size(&bytes),
    });
    let pq = parts.uri.path_and_query().map_or("/", |x| x.as_str());
    let mut rb = p
        .http
        .request(parts.method.clone(), format!("{}{pq}", p.upstream));
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            rb = rb.header(name, value);
        }
    }
    let resp = match rb.body(bytes).send().await {
        Ok(r) => r,
        Err(_) => {
            return Response::builder()
                .status(StatusCode::BAD_GATEWAY)
                .body(Body::empty())
                .unwrap();
        }
    };
    let mut out = Response::builder().status(resp.status());
    for (name, value) in resp.headers() {
        if name != "content-length" && name != "transfer-encoding" {
            out = out.header(name, value);
        }
    }
    out.body(Body::from(resp.bytes().await.unwrap_or_default()))
        .unwrap()
}

fn reqwest_client() -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .no_proxy()
        .build()
        .unwrap()
}

async fn start_proxy(upstream: String, log: Arc<Mutex<Vec<Logged>>>) -> String {
    let state = Proxy {
        upstream,
        http: reqwest_client(),
        log,
    };
    let app = axum::Router::new().fallback(forward).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

struct BenchInputs {
    outbox: outbox::Outbox,
    email: String,
    phone: String,
    specimen: Vec<u8>,
}

impl Inputs for BenchInputs {
    async fn email_code(&mut self, _: &str) -> anyhow::Result<String> {
        self.outbox
            .latest_code(std::slice::from_ref(&self.email), &["email"])
            .await
    }
    async fn phone_code(&mut self, _: &str, _: PhoneChannel) -> anyhow::Result<String> {
        self.outbox
            .latest_code(
                &[format!("+57{}", self.phone), self.phone.clone()],
                &["sms"],
            )
            .await
    }
    fn phone_channel(&mut self, _: &[PhoneChannel]) -> PhoneChannel {
        PhoneChannel::Sms
    }
    async fn document(
        &mut self,
        _: DocumentSide,
        _: &[DocumentCategory],
    ) -> anyhow::Result<Option<(Vec<u8>, DocumentCategory)>> {
        Ok(Some((self.specimen.clone(), DocumentCategory::Passport)))
    }
    async fn selfie(&mut self, _: &mut Progress) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(Some(specimen::SAMPLE_SELFIE.to_vec()))
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (enrollments, gets) = if full { (10, 300) } else { (1, 20) };

    // The sandbox on a temporary SQLite file, dev outbox on (smart-enroll-testkit).
    let mut sandbox = Server::start().await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let proxy = start_proxy(sandbox.base.clone(), log.clone()).await;

    let client_for = |base: &str| {
        let mut c = ClientConfig::new(base);
        c.allow_insecure_http = InsecureHttp::Loopback;
        SmartEnrollClient::new(c).unwrap()
    };
    let admin = client_for(&sandbox.base);
    let token = ClientToken::new(CLIENT_TOKEN);
    let project = admin
        .create_project(
            &token,
            &NewProject {
                name: "bench".into(),
                allowed_countries: vec!["Colombia".into()],
                contact_email: "owner@example.com".into(),
                privacy_url: "https://example.com/p".into(),
                terms_and_conditions_url: "https://example.com/t".into(),
            },
        )
        .await
        .unwrap();
    let flow = admin
        .create_flow(
            &token,
            &NewFlow::preset(project.id.clone(), FlowPreset::FullKyc),
        )
        .await
        .unwrap();
    let specimen =
        specimen::render_jpeg(&specimen::SpecimenData::demo(), specimen::SAMPLE_SELFIE).unwrap();

    // Baseline: bare GET round trips through the same proxy (warm-up first).
    let client = client_for(&proxy);
    for _ in 0..5 {
        client
            .fetch_flow_config(&project.id, Some(&flow.flow_id))
            .await
            .unwrap();
    }
    let t = Instant::now();
    for _ in 0..gets {
        client
            .fetch_flow_config(&project.id, Some(&flow.flow_id))
            .await
            .unwrap();
    }
    let get_ms = t.elapsed().as_secs_f64() * 1000.0 / f64::from(gets);
    log.lock().unwrap().clear();

    // Second baseline: the client-side image work alone (what the session does to the same two
    // images before uploading them), median of a few runs.
    let mut prep = Vec::new();
    for _ in 0..enrollments.max(3) {
        let t = Instant::now();
        let d = smart_enroll_core::media::prepare_document(&specimen).unwrap();
        let f = smart_enroll_core::media::prepare_selfie(specimen::SAMPLE_SELFIE).unwrap();
        prep.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(d.jpeg.len() <= DOCUMENT_MAX_BYTES && f.jpeg.len() <= SELFIE_MAX_BYTES);
    }
    let prep_ms = median(prep);

    let mut times = Vec::new();
    let mut failures = Vec::new();
    let mut last: Vec<Logged> = Vec::new();
    let mut bytes_up = 0usize;
    for i in 0..enrollments {
        let client = client_for(&proxy);
        let email = format!("bench{i}@example.com");
        let phone = format!("30055501{i:02}");
        let started = Instant::now();
        let cfg = client
            .fetch_flow_config(&project.id, Some(&flow.flow_id))
            .await
            .unwrap();
        let session = EnrollmentSession::new(
            client.clone(),
            cfg,
            SignUpData {
                email: Some(email.clone()),
                phone: Some(phone.clone()),
                country_code: Some("+57".into()),
                full_name: Some("Anna Maria Eriksson".into()),
                language: None,
                ..SignUpData::default()
            },
        )
        .unwrap();
        let mut inputs = BenchInputs {
            outbox: outbox::Outbox::new(&sandbox.base).unwrap(),
            email,
            phone,
            specimen: specimen.clone(),
        };
        let mut progress = Progress::new(Mode::Quiet);
        let runner::Driven { result, .. } = runner::drive(&session, &mut inputs, &mut progress)
            .await
            .unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(runner::outcome_str(result.outcome), "COMPLETED");
        let entries: Vec<Logged> = std::mem::take(&mut *log.lock().unwrap());
        let stats = client.stats();
        if entries.len() != LIFECYCLE_MINIMUM || stats.requests as usize != LIFECYCLE_MINIMUM {
            failures.push(format!(
                "enrollment {i}: {} requests at the proxy, {} by the client; the lifecycle minimum is {LIFECYCLE_MINIMUM}",
                entries.len(),
                stats.requests
            ));
        }
        bytes_up = entries.iter().map(|e| e.body_bytes).sum();
        last = entries;
    }
    sandbox.stop().await;

    let doc = last
        .iter()
        .find(|e| e.path.starts_with("/v2/document-validations"))
        .and_then(|e| e.image_bytes)
        .unwrap_or(0);
    let selfie = last
        .iter()
        .find(|e| e.path.starts_with("/v2/biometric-validations"))
        .and_then(|e| e.image_bytes)
        .unwrap_or(0);
    if doc == 0 || doc > DOCUMENT_MAX_BYTES {
        failures.push(format!(
            "document upload {doc} bytes (target ≤ {DOCUMENT_MAX_BYTES})"
        ));
    }
    if selfie == 0 || selfie > SELFIE_MAX_BYTES {
        failures.push(format!(
            "selfie upload {selfie} bytes (target ≤ {SELFIE_MAX_BYTES})"
        ));
    }
    let enroll_ms = median(times.clone());
    let min_ms = times.iter().copied().fold(f64::INFINITY, f64::min);
    println!("enrollment benchmark ({enrollments} Full-KYC enrollments, {gets} baseline GETs)");
    println!(
        "  requests per enrollment     {} (lifecycle minimum {LIFECYCLE_MINIMUM})",
        last.len()
    );
    for e in &last {
        println!(
            "    {:<48} {:>8} B{}",
            e.path.split('/').take(3).collect::<Vec<_>>().join("/")
                + if e.path.split('/').count() > 3 {
                    "/…"
                } else {
                    ""
                },
            e.body_bytes,
            e.image_bytes
                .map(|b| format!("  (image {b} B)"))
                .unwrap_or_default()
        );
    }
    println!("  request bytes per enrollment {bytes_up}");
    println!("  document JPEG               {doc} B (target ≤ {DOCUMENT_MAX_BYTES})");
    println!("  selfie JPEG                 {selfie} B (target ≤ {SELFIE_MAX_BYTES})");
    println!("  baseline GET round trip     {get_ms:.2} ms");
    println!("  enrollment wall time        median {enroll_ms:.1} ms, min {min_ms:.1} ms");
    println!("  image preparation alone     {prep_ms:.1} ms (document + selfie, client side)");
    println!(
        "  ratio enrollment / GET      {:.1}x (median), {:.1}x per request",
        enroll_ms / get_ms,
        enroll_ms / get_ms / LIFECYCLE_MINIMUM as f64
    );
    println!(
        "  ratio enrollment / (13 GETs + image preparation)  {:.2}x",
        enroll_ms / (LIFECYCLE_MINIMUM as f64 * get_ms + prep_ms)
    );
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("TARGET MISSED: {f}");
        }
        std::process::exit(1);
    }
}
