//! End-to-end tests of the `smart-enroll` binary: `demo`, `setup`, `enroll` and `results`, each
//! against a real sandbox (the demo's own in-process one, or one started here with
//! `smart-enroll-testkit`) over loopback HTTP with a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../src/outbox.rs"]
#[allow(dead_code)]
mod outbox;

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use smart_enroll_core::{
    ClientConfig, ClientToken, FlowPreset, InsecureHttp, NewFlow, NewProject, SmartEnrollClient,
};
use smart_enroll_testkit::{CLIENT_TOKEN, Server};

const BIN: &str = env!("CARGO_BIN_EXE_smart-enroll");
const SELFIE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-selfie.jpg");
/// No single CLI run may take longer than this (they take ~1-3 s in debug builds).
const RUN_LIMIT: Duration = Duration::from_secs(120);

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_remove("SMART_ENROLL_CLIENT_TOKEN")
        .env("SMART_ENROLL_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Waits for `child` with a deadline; kills it and fails the test when it is exceeded.
fn wait_bounded(mut child: Child) -> Output {
    let deadline = Instant::now() + RUN_LIMIT;
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "smart-enroll did not finish within {RUN_LIMIT:?}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run(args: &[&str]) -> Output {
    wait_bounded(command(args).spawn().unwrap())
}

fn stdout_json(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Asserts a zero exit (showing stderr otherwise) and parses stdout as one JSON object.
fn success_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(out)
}

fn assert_completed_with_token(v: &Value) {
    assert_eq!(v["outcome"], "COMPLETED", "{v:#}");
    let token = v["token"].as_str().unwrap();
    assert_eq!(
        token.split('.').count(),
        3,
        "the final token is a JWT: {token}"
    );
    let redirect = v["redirectUrl"].as_str().unwrap();
    assert_eq!(
        redirect,
        format!("https://example.com/welcome?token={token}"),
        "redirect URL carries the final token"
    );
}

fn demo_json(flow: &str) -> Value {
    let out = run(&["demo", "--flow", flow, "--json"]);
    assert!(
        out.status.success(),
        "demo --flow {flow} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

#[test]
fn demo_full_kyc_completes_with_token_and_redirect() {
    let v = demo_json("full");
    assert_completed_with_token(&v);
    assert_eq!(v["flow"], "full");
    assert_eq!(
        v["states"],
        serde_json::json!([
            "AwaitingEmailCode",
            "AwaitingPhoneCode",
            "AwaitingDocument",
            "AwaitingSelfie",
            "AwaitingReview",
            "Completed"
        ])
    );
    // The lifecycle's minimum for Full KYC with email and SMS (contract §7): flow config,
    // create, 2 x (create OTP + validate), sync signUpForm, document, sync liveness, selfie,
    // compare, the review's retrieve (`me`), sync end.
    assert_eq!(v["requests"], 13, "{v:#}");
    assert_eq!(v["retries"], 0);
    let uploaded = v["bytesUploaded"].as_u64().unwrap();
    assert!(
        uploaded > 20_000 && uploaded < (600 + 150 + 64) * 1024,
        "{uploaded}"
    );
    assert!(v["scores"]["livenessScore"].as_f64().unwrap() > 0.65);
    assert_eq!(v["scores"]["comparePassed"], true);
    // The demo shows the review it confirmed.
    assert_review_json(&v);
    // The on-device prefilter ran on the selfie with the real model.
    assert_eq!(
        v["prefilter"]["detector"], true,
        "the face detector did not load: ONNX Runtime is missing; run scripts/test.sh (it installs it)"
    );
    assert_eq!(v["prefilter"]["faces"], 1, "{v:#}");
    assert!(v["prefilter"]["bestFaceScore"].as_f64().unwrap() > 0.7);
    // The stable localisation key, as in `enroll` and the bindings.
    assert_eq!(v["prefilter"]["guidance"], "hold_still", "{v:#}");
    // Every step is recorded and succeeded.
    let steps = v["steps"].as_array().unwrap();
    assert!(steps.len() >= 12, "{steps:?}");
    assert!(steps.iter().all(|s| s["status"] == "ok"), "{steps:?}");
}

#[test]
fn demo_basic_flow_completes() {
    let v = demo_json("basic");
    assert_completed_with_token(&v);
    assert_eq!(v["flow"], "basic");
    assert_eq!(v["states"].as_array().unwrap().last().unwrap(), "Completed");
}

#[test]
fn demo_plain_output_shows_steps_and_result() {
    let images = tempfile::tempdir().unwrap();
    let dir = images.path().join("imgs");
    let out = run(&["demo", "--save-images", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // The saved images are the ones the demo uploaded: a passport-page JPEG and the selfie.
    let page = image::open(dir.join("specimen-passport.jpg")).unwrap();
    assert_eq!((page.width(), page.height()), (1250, 880));
    assert_eq!(
        std::fs::read(dir.join("sample-selfie.jpg")).unwrap(),
        std::fs::read(SELFIE).unwrap()
    );
    assert!(text.contains("[ok]   Save the images to "), "{text}");
    // Not a TTY here: plain lines, no spinner escape codes.
    assert!(!text.contains('\u{1b}'), "{text}");
    for needle in [
        "[ok]   Start the sandbox",
        "[ok]   Draw the specimen passport page",
        "[ok]   Verify the email code for a***@example.com",
        "[ok]   Upload the selfie",
        "Outcome:      COMPLETED",
        "Redirect URL: https://example.com/welcome?token=",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // The demo shows the review (scores with thresholds) before it completes.
    assert_review_printed_before_confirming(&text);
    // Codes never appear: the only 6-digit runs would be in ids or the token, not on their own.
    assert!(
        !text
            .lines()
            .any(|l| l.trim().len() == 6 && l.trim().bytes().all(|b| b.is_ascii_digit()))
    );
}

#[test]
fn demo_without_onnx_runtime_warns_and_still_completes() {
    // A fresh machine without ONNX Runtime: the prefilter step says so and the demo goes on.
    let out = wait_bounded(
        command(&["demo", "--json"])
            .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so")
            .spawn()
            .unwrap(),
    );
    let v = success_json(&out);
    assert_completed_with_token(&v);
    assert_eq!(v["prefilter"]["detector"], false, "{v:#}");
    let warned: Vec<_> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "warn")
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    let detail = warned[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("face detector unavailable") && detail.contains("pip install onnxruntime"),
        "{detail}"
    );
}

/// A line `tracing`'s formatter would print: a level word after a timestamp, or any ANSI escape.
fn raw_log_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains('\x1b')
                || ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]
                    .iter()
                    .any(|level| l.split_whitespace().take(3).any(|w| w == *level))
                || l.contains("smart_enroll_")
        })
        .collect()
}

#[test]
fn demo_without_onnx_runtime_prints_only_its_own_lines() {
    // A newcomer's first run: no ONNX Runtime anywhere, the CLI's default log settings.
    let out = wait_bounded(
        command(&["demo"])
            .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so")
            .env_remove("SMART_ENROLL_LOG")
            .spawn()
            .unwrap(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        raw_log_lines(&stderr).is_empty() && stderr.trim().is_empty(),
        "stderr holds log lines: {stderr:?}"
    );
    assert!(raw_log_lines(&stdout).is_empty(), "{stdout}");
    // The CLI says it itself, once, in its own [warn] line.
    let warned: Vec<&str> = stdout.lines().filter(|l| l.starts_with("[warn]")).collect();
    assert_eq!(warned.len(), 1, "{stdout}");
    assert!(warned[0].contains("face detector unavailable"), "{stdout}");
    assert!(stdout.lines().all(|l| !l.contains('\x1b')), "{stdout}");

    // -v shows the library's events, still without colour codes on a pipe.
    let out = wait_bounded(
        command(&["demo", "-v", "--json"])
            .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so")
            .env_remove("SMART_ENROLL_LOG")
            .spawn()
            .unwrap(),
    );
    let v = success_json(&out);
    assert_completed_with_token(&v);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("WARN") && stderr.contains("ONNX Runtime unavailable"),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b'), "ANSI codes on a pipe: {stderr:?}");
}

#[test]
fn prefilter_json_is_machine_clean_without_onnx_runtime() {
    // The detector error is the command's one `error:` line; stdout stays empty.
    let out = wait_bounded(
        command(&["prefilter", "--json", SELFIE])
            .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so")
            .env_remove("SMART_ENROLL_LOG")
            .spawn()
            .unwrap(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(raw_log_lines(&stderr).is_empty(), "{stderr:?}");
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(
        stderr.starts_with("error: face detector unavailable"),
        "{stderr:?}"
    );
}

#[test]
fn demo_rejects_unknown_flow() {
    let out = run(&["demo", "--flow", "premium"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("basic") && err.contains("full"), "{err}");
}

// ---- setup / enroll against a sandbox started here ----

fn admin(base: &str) -> SmartEnrollClient {
    let mut c = ClientConfig::new(base);
    c.allow_insecure_http = InsecureHttp::Loopback;
    SmartEnrollClient::new(c).unwrap()
}

async fn spawn_blocking_run(cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut cmd = cmd;
        wait_bounded(cmd.spawn().unwrap())
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_without_token_is_a_clear_error() {
    let out = spawn_blocking_run(command(&["setup", "--api-url", "http://127.0.0.1:9"])).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("SMART_ENROLL_CLIENT_TOKEN is not set"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_creates_project_and_flow() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();

    let mut cmd = command(&[
        "setup",
        "--api-url",
        &base,
        "--preset",
        "basic",
        "--name",
        "Shop",
        "--json",
    ]);
    cmd.env("SMART_ENROLL_CLIENT_TOKEN", CLIENT_TOKEN);
    let out = spawn_blocking_run(cmd).await;
    let v = success_json(&out);
    let project = v["projectId"].as_str().unwrap().to_owned();
    let flow = v["flowId"].as_str().unwrap().to_owned();
    // The flow really exists, is public and is the Basic preset.
    let cfg = admin(&base)
        .fetch_flow_config(&project, Some(&flow))
        .await
        .unwrap();
    assert_eq!(cfg.flow_id, flow);
    assert_eq!(format!("{:?}", cfg.steps.document), "Optional");

    // Plain output names both ids.
    let mut cmd = command(&["setup", "--api-url", &base]);
    cmd.env("SMART_ENROLL_CLIENT_TOKEN", CLIENT_TOKEN);
    let out = spawn_blocking_run(cmd).await;
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("project id: ") && text.contains("flow id:    "),
        "{text}"
    );

    // A wrong token is refused by the server with a clear error, and creates nothing.
    let mut cmd = command(&["setup", "--api-url", &base]);
    cmd.env(
        "SMART_ENROLL_CLIENT_TOKEN",
        "not-the-right-token-at-all-000000",
    );
    let out = spawn_blocking_run(cmd).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("creating the project"), "{err}");
    assert!(
        !err.contains("not-the-right-token"),
        "the token leaked: {err}"
    );

    sb.stop().await;
}

async fn full_kyc_flow(base: &str) -> (String, String) {
    preset_flow(base, FlowPreset::FullKyc).await
}

async fn preset_flow(base: &str, preset: FlowPreset) -> (String, String) {
    let admin = admin(base);
    let token = ClientToken::new(CLIENT_TOKEN);
    let project = admin
        .create_project(
            &token,
            &NewProject {
                name: "cli enroll test".into(),
                allowed_countries: vec!["Colombia".into()],
                contact_email: "owner@example.com".into(),
                privacy_url: "https://example.com/p".into(),
                terms_and_conditions_url: "https://example.com/t".into(),
            },
        )
        .await
        .unwrap();
    let flow = admin
        .create_flow(&token, &NewFlow::preset(project.id.clone(), preset))
        .await
        .unwrap();
    (project.id, flow.flow_id)
}

/// A synthetic document photo (the testkit's deterministic PNG): the sandbox accepts any real
/// image.
fn write_document(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("document.png");
    std::fs::write(&path, smart_enroll_testkit::png_bytes(900, 600, 7)).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_reads_codes_from_stdin_and_completes() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let (project, flow) = full_kyc_flow(&base).await;
    let files = tempfile::tempdir().unwrap();
    let doc = write_document(files.path());
    let email = "enroll.cli@example.com";

    let mut cmd = command(&[
        "enroll",
        "--api-url",
        &base,
        "--project",
        &project,
        "--flow",
        &flow,
        "--email",
        email,
        "--phone",
        "3105550101",
        "--country-code",
        "+57",
        "--name",
        "Ana Test",
        "--document-front",
        doc.to_str().unwrap(),
        "--selfie",
        SELFIE,
        "--json",
    ]);
    cmd.stdin(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();

    // Feed the codes from the outbox as the CLI asks for them: first a wrong email code (the
    // CLI must say so and read the next line), then the right ones.
    let outbox = outbox::Outbox::new(&base).unwrap();
    let email_code = outbox
        .latest_code(&[email.into()], &["email"])
        .await
        .unwrap();
    let wrong = format!(
        "{:06}",
        (email_code.parse::<u32>().unwrap() + 1) % 1_000_000
    );
    writeln!(stdin, "{wrong}").unwrap();
    writeln!(stdin, "{email_code}").unwrap();
    let phone_code = outbox
        .latest_code(&["+573105550101".into(), "3105550101".into()], &["sms"])
        .await
        .unwrap();
    writeln!(stdin, "{phone_code}").unwrap();
    drop(stdin);

    let out = tokio::task::spawn_blocking(move || wait_bounded(child))
        .await
        .unwrap();
    let v = success_json(&out);
    assert_completed_with_token(&v);
    assert_review_json(&v);
    let steps = v["steps"].as_array().unwrap();
    let warned: Vec<_> = steps.iter().filter(|s| s["status"] == "warn").collect();
    assert_eq!(warned.len(), 1, "exactly the wrong code warned: {steps:?}");
    assert!(
        warned[0]["detail"]
            .as_str()
            .unwrap()
            .contains("does not match")
    );
    // Nothing personal in the step log: masked email only, no codes.
    let log = serde_json::to_string(steps).unwrap();
    assert!(!log.contains(email) && !log.contains(&email_code) && !log.contains(&phone_code));
    assert!(log.contains("e***@example.com"), "{log}");

    // The server holds exactly one completed registration for this project.
    let page = admin(&base)
        .list_registrations(&ClientToken::new(CLIENT_TOKEN), 1, 20)
        .await
        .unwrap();
    assert_eq!(page.total, 1, "{page:?}");
    sb.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_prints_each_state_in_plain_mode() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let (project, flow) = full_kyc_flow(&base).await;
    let files = tempfile::tempdir().unwrap();
    let doc = write_document(files.path());
    let mut cmd = command(&[
        "enroll",
        "--api-url",
        &base,
        "--project",
        &project,
        "--flow",
        &flow,
        "--email",
        "plain@example.com",
        "--phone",
        "3105550199",
        "--country-code",
        "+57",
        "--document-front",
        doc.to_str().unwrap(),
        "--selfie",
        SELFIE,
    ]);
    cmd.stdin(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let outbox = outbox::Outbox::new(&base).unwrap();
    let c1 = outbox
        .latest_code(&["plain@example.com".into()], &["email"])
        .await
        .unwrap();
    // "resend" instead of a code asks for it again (refused here: the 60 s cooldown).
    writeln!(stdin, "resend").unwrap();
    writeln!(stdin, "{c1}").unwrap();
    let c2 = outbox
        .latest_code(&["+573105550199".into(), "3105550199".into()], &["sms"])
        .await
        .unwrap();
    writeln!(stdin, "{c2}").unwrap();
    drop(stdin);
    let out = tokio::task::spawn_blocking(move || wait_bounded(child))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for state in [
        "→ AwaitingEmailCode (p***@example.com)",
        "→ AwaitingPhoneCode",
        "→ AwaitingDocument (Front, 3 attempts left)",
        "→ AwaitingSelfie (3 attempts left)",
        "→ AwaitingReview",
        "→ Completed (COMPLETED)",
        "[warn] Resend the email code to p***@example.com: rate limited (otp_resend_cooldown)",
        "Outcome:      COMPLETED",
    ] {
        assert!(text.contains(state), "missing {state:?} in:\n{text}");
    }
    assert_review_printed_before_confirming(&text);
    sb.stop().await;
}

/// The text mode prints the review (document fields, scores with their thresholds, what
/// confirming stores) after the selfie and before the confirming `sync end`.
fn assert_review_printed_before_confirming(text: &str) {
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("missing {needle:?} in:\n{text}"))
    };
    let review = at("Review of registration ");
    assert!(at("→ AwaitingReview") < review, "{text}");
    assert!(review < at("Confirm the review (sync end)"), "{text}");
    for needle in [
        "  Document:       Passport PP (ACTIVE)",
        "  Number:         ",
        "  Name:           ",
        "  Date of birth:  ",
        "  Expires:        ",
        "  Nationality:    ",
        "  Names match:    ",
        "  Liveness:       0.",
        "(minimum 0.65, passes above it): passed",
        "  Face compare:   0.",
        "(minimum 0.80, passes at or above it): passed",
        "  Criminal check: ",
        "  Confirming asks the server to store COMPLETED",
    ] {
        let pos = at(needle);
        assert!(
            review < pos && pos < at("Confirm the review (sync end)"),
            "{needle:?} in:\n{text}"
        );
    }
}

/// `review` in the JSON output: the Review with camelCase keys, its scores matching `scores`.
fn assert_review_json(v: &Value) {
    let r = &v["review"];
    assert_eq!(r["registrationId"], v["registrationId"], "{v:#}");
    for key in [
        "registrationId",
        "document",
        "namesMatch",
        "liveness",
        "compare",
        "criminalCheck",
        "expectedOutcome",
    ] {
        assert!(r.get(key).is_some(), "review has no {key}: {r:#}");
    }
    assert_eq!(r["expectedOutcome"], "COMPLETED");
    assert_eq!(
        r["liveness"]["score"], v["scores"]["livenessScore"],
        "{v:#}"
    );
    assert_eq!(r["liveness"]["minScore"], 0.65);
    assert_eq!(r["liveness"]["passed"], true);
    assert_eq!(r["compare"]["score"], v["scores"]["compareScore"]);
    assert_eq!(r["compare"]["minScore"], 0.8);
    assert_eq!(r["compare"]["passed"], true);
    // The document's OCR fields, as the server extracted them (camelCase keys).
    let d = r["document"]
        .as_object()
        .unwrap_or_else(|| panic!("no document: {r:#}"));
    assert_eq!(d["status"], "ACTIVE", "{d:?}");
    assert_eq!(d["category"], "Passport", "{d:?}");
    for key in [
        "documentNumber",
        "dateOfBirth",
        "expirationDate",
        "nationality",
    ] {
        assert!(
            d[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key}: {d:?}"
        );
    }
    assert!(
        d["fullName"].is_string() || d["firstName"].is_string(),
        "{d:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_bad_inputs_fail_before_any_registration() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let (project, flow) = full_kyc_flow(&base).await;
    let files = tempfile::tempdir().unwrap();
    let garbage = files.path().join("garbage.jpg");
    std::fs::write(&garbage, b"this is not an image at all").unwrap();
    let missing = files.path().join("missing.jpg");

    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--email".into(),
                "x@example.com".into(),
                "--selfie".into(),
                missing.display().to_string(),
            ],
            "cannot read the --selfie file",
        ),
        (
            vec![
                "--email".into(),
                "x@example.com".into(),
                "--selfie".into(),
                garbage.display().to_string(),
            ],
            "the --selfie file",
        ),
        (vec!["--email".into(), "not-an-email".into()], "email"),
        (
            vec![
                "--email".into(),
                "x@example.com".into(),
                "--phone".into(),
                "12ab".into(),
                "--country-code".into(),
                "+57".into(),
            ],
            "phone",
        ),
        (vec![], "--email"),
    ];
    for (extra, expected) in cases {
        let mut args: Vec<String> = [
            "enroll",
            "--api-url",
            &base,
            "--project",
            &project,
            "--flow",
            &flow,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.clone());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = spawn_blocking_run(command(&refs)).await;
        assert!(!out.status.success(), "{extra:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(expected),
            "{extra:?}: expected {expected:?} in {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }

    // stdin ends before the code: a clear error (the registration exists, waiting for its code).
    let out = spawn_blocking_run(command(&[
        "enroll",
        "--api-url",
        &base,
        "--project",
        &project,
        "--flow",
        &flow,
        "--email",
        "eof@example.com",
        "--phone",
        "3105550123",
        "--country-code",
        "+57",
        "--document-front",
        write_document(files.path()).to_str().unwrap(),
        "--selfie",
        SELFIE,
    ]))
    .await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("stdin ended before the code was given"),
        "{err}"
    );

    // Only that last run reached the server.
    let page = admin(&base)
        .list_registrations(&ClientToken::new(CLIENT_TOKEN), 1, 20)
        .await
        .unwrap();
    assert_eq!(page.total, 1, "{page:?}");
    sb.stop().await;
}

/// Runs `enroll --json` with the email's sandbox trigger tags, feeding the two codes from the
/// outbox; returns the process output.
async fn enroll_json(base: &str, email: &str, phone: &str, extra: &[&str]) -> Output {
    enroll_json_with(
        base,
        FlowPreset::FullKyc,
        email,
        phone,
        Some(SELFIE),
        extra,
        |_| {},
    )
    .await
}

/// [`enroll_json`] on a flow of `preset`, with another selfie (or none), and `configure`
/// applied to the command (environment).
async fn enroll_json_with(
    base: &str,
    preset: FlowPreset,
    email: &str,
    phone: &str,
    selfie: Option<&str>,
    extra: &[&str],
    configure: impl FnOnce(&mut Command),
) -> Output {
    let (project, flow) = preset_flow(base, preset).await;
    let mut args = vec![
        "enroll",
        "--api-url",
        base,
        "--project",
        &project,
        "--flow",
        &flow,
        "--email",
        email,
        "--phone",
        phone,
        "--country-code",
        "+57",
        "--json",
    ];
    if let Some(selfie) = selfie {
        args.extend_from_slice(&["--selfie", selfie]);
    }
    args.extend_from_slice(extra);
    let mut cmd = command(&args);
    configure(&mut cmd);
    cmd.stdin(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let outbox = outbox::Outbox::new(base).unwrap();
    let c1 = outbox
        .latest_code(&[email.into()], &["email"])
        .await
        .unwrap();
    writeln!(stdin, "{c1}").unwrap();
    let c2 = outbox
        .latest_code(&[format!("+57{phone}"), phone.into()], &["sms"])
        .await
        .unwrap();
    writeln!(stdin, "{c2}").unwrap();
    drop(stdin);
    tokio::task::spawn_blocking(move || wait_bounded(child))
        .await
        .unwrap()
}

fn warned_steps(v: &Value) -> Vec<String> {
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "warn")
        .map(|s| format!("{}: {}", s["step"], s["detail"]))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_retries_a_failed_liveness_then_completes() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let files = tempfile::tempdir().unwrap();
    let doc = write_document(files.path());
    let out = enroll_json(
        &base,
        "ana+liveness-fail-once@example.com",
        "3105550301",
        &["--document-front", doc.to_str().unwrap()],
    )
    .await;
    let v = success_json(&out);
    assert_completed_with_token(&v);
    let warned = warned_steps(&v);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("liveness"), "{warned:?}");
    // The selfie was asked for again, with one attempt fewer.
    let states: Vec<_> = v["states"].as_array().unwrap().iter().collect();
    assert_eq!(
        states.iter().filter(|s| **s == "AwaitingSelfie").count(),
        2,
        "{states:?}"
    );
    sb.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_reports_failed_outcome_when_attempts_run_out() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let files = tempfile::tempdir().unwrap();
    let doc = write_document(files.path());
    let out = enroll_json(
        &base,
        "ana+liveness-fail@example.com",
        "3105550302",
        &["--document-front", doc.to_str().unwrap()],
    )
    .await;
    // FAILED is an outcome, not an error: exit 0, and the JSON says so.
    let v = success_json(&out);
    assert_eq!(v["outcome"], "FAILED", "{v:#}");
    assert_eq!(v["states"].as_array().unwrap().last().unwrap(), "Completed");
    // The flow allows 3 liveness attempts: each failed one is reported.
    let warned = warned_steps(&v);
    assert!(
        warned.iter().filter(|w| w.contains("liveness")).count() >= 2,
        "{warned:?}"
    );
    sb.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_uploads_the_back_side_when_the_server_asks() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let files = tempfile::tempdir().unwrap();
    let doc = write_document(files.path());
    let d = doc.to_str().unwrap();
    let out = enroll_json(
        &base,
        "ana+back-side@example.com",
        "3105550303",
        &["--document-front", d, "--document-back", d],
    )
    .await;
    let v = success_json(&out);
    assert_completed_with_token(&v);
    let steps = serde_json::to_string(&v["steps"]).unwrap();
    assert!(
        steps.contains("Upload the document front (GovernmentId"),
        "{steps}"
    );
    assert!(
        steps.contains("Upload the document back (GovernmentId"),
        "{steps}"
    );

    // Without --document-back the CLI says exactly what is missing.
    let out = enroll_json(
        &base,
        "bo+back-side@example.com",
        "3105550304",
        &["--document-front", d, "--document-type", "id"],
    )
    .await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pass --document-back"), "{err}");
    sb.stop().await;
}

/// A loopback proxy in front of the sandbox that answers `503` to the first `fail` requests
/// whose path starts with `prefix`, without forwarding them.
async fn flaky_proxy(upstream: String, prefix: &'static str, fail: usize) -> String {
    use axum::body::Body;
    use axum::http::{Request, Response, StatusCode};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let failed = Arc::new(AtomicUsize::new(0));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .no_proxy()
        .build()
        .unwrap();
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let (failed, http, upstream) = (failed.clone(), http.clone(), upstream.clone());
        async move {
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, 64 << 20).await.unwrap();
            if parts.uri.path().starts_with(prefix) && failed.fetch_add(1, Ordering::SeqCst) < fail
            {
                return Response::builder()
                    .status(StatusCode::SERVICE_UNAVAILABLE)
                    .header("content-type", "text/html")
                    .body(Body::from("<html><body>503 upstream busy</body></html>"))
                    .unwrap();
            }
            let pq = parts.uri.path_and_query().map_or("/", |x| x.as_str());
            let mut rb = http.request(parts.method.clone(), format!("{upstream}{pq}"));
            for (name, value) in &parts.headers {
                if name != "host" && name != "content-length" {
                    rb = rb.header(name, value);
                }
            }
            let resp = rb.body(bytes).send().await.unwrap();
            let mut out = Response::builder().status(resp.status());
            for (name, value) in resp.headers() {
                if name != "content-length" && name != "transfer-encoding" {
                    out = out.header(name, value);
                }
            }
            out.body(Body::from(resp.bytes().await.unwrap())).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_survives_a_server_error_on_the_selfie_upload() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let (project, flow) = full_kyc_flow(&base).await;
    // More failures in a row than the client's own retries (3): the session reports the error,
    // the CLI says so and uploads the selfie again.
    let proxy = flaky_proxy(base.clone(), "/v2/biometric-validations", 4).await;
    let files = tempfile::tempdir().unwrap();
    let doc = write_document(files.path());
    let email = "flaky@example.com";
    let mut cmd = command(&[
        "enroll",
        "--api-url",
        &proxy,
        "--project",
        &project,
        "--flow",
        &flow,
        "--email",
        email,
        "--phone",
        "3105550401",
        "--country-code",
        "+57",
        "--document-front",
        doc.to_str().unwrap(),
        "--selfie",
        SELFIE,
        "--json",
    ]);
    cmd.stdin(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let outbox = outbox::Outbox::new(&base).unwrap();
    let c1 = outbox
        .latest_code(&[email.into()], &["email"])
        .await
        .unwrap();
    writeln!(stdin, "{c1}").unwrap();
    let c2 = outbox
        .latest_code(&["+573105550401".into(), "3105550401".into()], &["sms"])
        .await
        .unwrap();
    writeln!(stdin, "{c2}").unwrap();
    drop(stdin);
    let out = tokio::task::spawn_blocking(move || wait_bounded(child))
        .await
        .unwrap();
    let v = success_json(&out);
    assert_completed_with_token(&v);
    let warned = warned_steps(&v);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].contains("selfie") && warned[0].contains("503"),
        "{warned:?}"
    );
    // The failed upload never reached the sandbox, so it cost no attempt.
    let states = v["states"].as_array().unwrap();
    assert_eq!(
        states.iter().filter(|s| **s == "AwaitingSelfie").count(),
        2,
        "{states:?}"
    );
    sb.stop().await;
}

#[test]
fn enroll_refuses_plain_http_to_other_hosts() {
    let out = run(&[
        "enroll",
        "--api-url",
        "http://192.0.2.10:8080",
        "--project",
        "p",
        "--flow",
        "f",
        "--email",
        "x@example.com",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--allow-insecure-http"), "{err}");
}

#[test]
fn enroll_rejects_a_malformed_pin_or_ca_cert_before_anything_is_sent() {
    let base = [
        "enroll",
        "--api-url",
        "https://127.0.0.1:9",
        "--project",
        "p",
        "--flow",
        "f",
        "--email",
        "x@example.com",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = with(&["--pin", "garbage"]);
    assert!(err.contains("invalid --pin"), "{err}");
    assert!(err.contains("sha256/"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("ca.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let err = with(&["--ca-cert", bad.to_str().unwrap()]);
    assert!(err.contains("invalid --ca-cert file"), "{err}");
    let missing = dir.path().join("missing.pem");
    let err = with(&["--ca-cert", missing.to_str().unwrap()]);
    assert!(err.contains("cannot read the --ca-cert file"), "{err}");
}

// ---- enroll's pre-flight: nothing is written on the server until every input checked out ----

/// The scikit-image photos `scripts/deps/20-prefilter.sh` exports (as the prefilter tests do).
fn prefilter_photo(name: &str) -> String {
    let dir = std::env::var_os("SMART_ENROLL_PREFILTER_TEST_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../target/prefilter-test-data")
        });
    assert!(
        dir.join("COMPLETE").is_file(),
        "prefilter test photos missing in {}: run scripts/test.sh (scripts/deps/20-prefilter.sh)",
        dir.display()
    );
    dir.join(name).display().to_string()
}

#[test]
fn prefilter_judges_stills_on_what_the_server_needs() {
    // A real portrait (the astronaut's head and shoulders) at the top of a tall, light photo,
    // as official portraits are framed; a darkened copy; two portraits side by side.
    let files = tempfile::tempdir().unwrap();
    let astronaut = image::open(prefilter_photo("astronaut.png"))
        .unwrap()
        .to_rgb8();
    let crop = image::imageops::crop_imm(&astronaut, 100, 0, 250, 260).to_image();
    let portrait = image::imageops::resize(&crop, 500, 520, image::imageops::FilterType::Lanczos3);
    let mut tall = image::RgbImage::from_pixel(560, 1000, image::Rgb([205, 205, 200]));
    image::imageops::overlay(&mut tall, &portrait, 30, 0);
    let mut dark = tall.clone();
    for p in dark.pixels_mut() {
        p.0 = p.0.map(|v| (f32::from(v) * 0.2) as u8);
    }
    let mut two = image::RgbImage::from_pixel(1000, 520, image::Rgb([128, 128, 128]));
    image::imageops::overlay(&mut two, &portrait, 0, 0);
    image::imageops::overlay(
        &mut two,
        &image::imageops::flip_horizontal(&portrait),
        500,
        0,
    );
    let paths: Vec<String> = [("tall.jpg", &tall), ("dark.jpg", &dark), ("two.jpg", &two)]
        .iter()
        .map(|(name, img)| {
            let path = files.path().join(name);
            img.save(&path).unwrap();
            path.display().to_string()
        })
        .collect();
    let mut args = vec!["prefilter", "--json"];
    args.extend(paths.iter().map(String::as_str));
    let out = run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = stdout_json(&out);
    assert_eq!(v[0]["guidance"], "hold_still", "{v:#}");
    assert_eq!(
        v[0]["advice"],
        serde_json::json!(["face_off_center"]),
        "{v:#}"
    );
    assert_eq!(v[1]["guidance"], "too_dark", "{v:#}");
    assert_eq!(v[2]["guidance"], "multiple_faces", "{v:#}");
    assert_eq!(v[2]["faces"].as_array().unwrap().len(), 2, "{v:#}");
    // The table names the advice next to the guidance.
    let out = run(&["prefilter", &paths[0]]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("hold_still (advice: face_off_center)"),
        "{table}"
    );
}

async fn registrations(base: &str) -> u64 {
    admin(base)
        .list_registrations(&ClientToken::new(CLIENT_TOKEN), 1, 20)
        .await
        .unwrap()
        .total
}

/// `enroll` against a Full-KYC flow with these inputs, stdin closed (no code can be given).
async fn enroll_once(base: &str, project: &str, flow: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "enroll",
        "--api-url",
        base,
        "--project",
        project,
        "--flow",
        flow,
    ];
    args.extend_from_slice(extra);
    spawn_blocking_run(command(&args)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_preflight_refuses_missing_inputs_before_any_registration() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let (project, flow) = full_kyc_flow(&base).await;
    let files = tempfile::tempdir().unwrap();
    let doc = write_document(files.path());
    let doc = doc.to_str().unwrap();
    let text_file = files.path().join("notes.txt");
    std::fs::write(&text_file, "not an image\n").unwrap();
    let text_file = text_file.to_str().unwrap();
    let email = "pre.flight@example.com";
    let contact = [
        "--email",
        email,
        "--phone",
        "3105550501",
        "--country-code",
        "+57",
    ];

    let not_an_image = format!("the --document-front file {text_file} is not a usable image");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        // The flow needs a document and none was given.
        (
            [&contact[..], &["--selfie", SELFIE]].concat(),
            "this flow requires a document: pass --document-front",
        ),
        // The flow needs a selfie and none was given.
        (
            [&contact[..], &["--document-front", doc]].concat(),
            "this flow requires a selfie: pass --selfie",
        ),
        // The flow needs the phone.
        (
            vec![
                "--email",
                email,
                "--document-front",
                doc,
                "--selfie",
                SELFIE,
            ],
            "invalid --phone: required by this flow",
        ),
        // A file that is not an image, named by its flag.
        (
            [
                &contact[..],
                &["--document-front", text_file, "--selfie", SELFIE],
            ]
            .concat(),
            &not_an_image,
        ),
        // A selfie path that does not exist.
        (
            [
                &contact[..],
                &["--document-front", doc, "--selfie", "/nonexistent/me.jpg"],
            ]
            .concat(),
            "cannot read the --selfie file",
        ),
    ];
    for (extra, expected) in &cases {
        let out = enroll_once(&base, &project, &flow, extra).await;
        assert_eq!(
            out.status.code(),
            Some(1),
            "{extra:?} should fail with exit 1"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(expected),
            "{extra:?}: expected {expected:?} in {err}"
        );
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error: ")).count(),
            1,
            "one error line: {err}"
        );
        assert!(
            !err.contains(email) && !err.contains("3105550501"),
            "personal data: {err}"
        );
        // Plain mode: the failed pre-flight step is on stdout, and no registration step.
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("[fail] "), "{text}");
        assert!(!text.contains("Create the registration"), "{text}");
    }
    // None of them reached `POST /v2/app-registrations`.
    assert_eq!(registrations(&base).await, 0);
    sb.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_prefilter_refuses_a_selfie_that_cannot_pass() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let (project, flow) = full_kyc_flow(&base).await;
    let files = tempfile::tempdir().unwrap();
    let doc = write_document(files.path());
    let doc = doc.to_str().unwrap();
    // A pitch-dark frame, generated here: no face can be seen.
    let dark = files.path().join("dark.png");
    image::RgbImage::from_pixel(480, 640, image::Rgb([6, 6, 8]))
        .save(&dark)
        .unwrap();
    let dark = dark.to_str().unwrap();
    let coffee = prefilter_photo("coffee.png");
    let astronaut = prefilter_photo("astronaut.png");

    for (selfie, key) in [
        (coffee.as_str(), "face_not_found"),
        (astronaut.as_str(), "face_too_small"),
        (dark, "too_dark"),
    ] {
        let out = enroll_once(
            &base,
            &project,
            &flow,
            &[
                "--email",
                "no.face@example.com",
                "--phone",
                "3105550601",
                "--country-code",
                "+57",
                "--document-front",
                doc,
                "--selfie",
                selfie,
                "--json",
            ],
        )
        .await;
        assert_eq!(out.status.code(), Some(1), "{selfie} must be refused");
        assert!(out.stdout.is_empty(), "--json prints nothing on failure");
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or_else(|| panic!("no error line: {err}"));
        assert!(
            line.contains("--selfie")
                && line.contains(&format!("prefilter guidance {key}"))
                && line.contains("--no-prefilter"),
            "{line}"
        );
    }
    // Refused before the registration: nothing uploaded, no attempt used.
    assert_eq!(registrations(&base).await, 0);

    // --no-prefilter uploads it anyway (the sandbox's liveness check is not face-aware).
    let out = enroll_json_with(
        &base,
        FlowPreset::FullKyc,
        "no.face@example.com",
        "3105550602",
        Some(&coffee),
        &["--document-front", doc, "--no-prefilter"],
        |_| {},
    )
    .await;
    let v = success_json(&out);
    assert_completed_with_token(&v);
    assert_eq!(v["prefilter"], Value::Null, "{v:#}");
    let steps = v["steps"].as_array().unwrap();
    assert!(
        steps
            .iter()
            .any(|s| s["step"] == "Upload the selfie for the liveness check" && s["status"] == "ok"),
        "{steps:?}"
    );
    assert!(
        !steps
            .iter()
            .any(|s| s["step"].as_str().unwrap().contains("prefilter"))
    );
    assert_eq!(registrations(&base).await, 1);
    sb.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_prefilter_passes_a_good_selfie_before_the_registration() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let files = tempfile::tempdir().unwrap();
    let doc = write_document(files.path());
    let out = enroll_json(
        &base,
        "good.selfie@example.com",
        "3105550701",
        &["--document-front", doc.to_str().unwrap()],
    )
    .await;
    let v = success_json(&out);
    assert_completed_with_token(&v);
    assert_eq!(
        v["prefilter"]["detector"], true,
        "ONNX Runtime missing? {v:#}"
    );
    assert_eq!(v["prefilter"]["faces"], 1, "{v:#}");
    assert_eq!(v["prefilter"]["guidance"], "hold_still", "{v:#}");
    // The pre-flight steps come first, then the registration.
    let names: Vec<&str> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        &names[..6],
        [
            "Read and decode the images",
            "Fetch the flow configuration",
            "Check the inputs against the flow",
            "Check the selfie on device (liveness prefilter)",
            "Check the document front on device (document check)",
            "Create the registration",
        ],
        "{names:?}"
    );
    assert_eq!(registrations(&base).await, 1);
    sb.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_without_onnx_runtime_warns_once_and_completes() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let files = tempfile::tempdir().unwrap();
    let doc = write_document(files.path());
    let out = enroll_json_with(
        &base,
        FlowPreset::FullKyc,
        "no.ort@example.com",
        "3105550801",
        Some(SELFIE),
        &["--document-front", doc.to_str().unwrap()],
        |cmd| {
            // The CLI's own log settings (not the tests' SMART_ENROLL_LOG=warn).
            cmd.env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so")
                .env_remove("SMART_ENROLL_LOG");
        },
    )
    .await;
    let v = success_json(&out);
    assert_completed_with_token(&v);
    assert_eq!(v["prefilter"]["detector"], false, "{v:#}");
    assert_eq!(warned_steps(&v).len(), 1, "{:?}", warned_steps(&v));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.matches("face detector unavailable").count(),
        1,
        "warned exactly once: {err}"
    );
    assert!(err.contains("pip install onnxruntime"), "{err}");
    sb.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_skips_optional_steps_without_files() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    // Basic: document and selfie optional; none given, so both are skipped, as before.
    let out = enroll_json_with(
        &base,
        FlowPreset::Basic,
        "basic@example.com",
        "3105550901",
        None,
        &[],
        |_| {},
    )
    .await;
    let v = success_json(&out);
    assert_eq!(v["states"].as_array().unwrap().last().unwrap(), "Completed");
    assert_eq!(v["prefilter"], Value::Null);
    let steps = serde_json::to_string(&v["steps"]).unwrap();
    for needle in [
        "no document (optional, skipped)",
        "Skip the optional document",
        "Skip the optional selfie",
    ] {
        assert!(steps.contains(needle), "missing {needle:?} in {steps}");
    }
    assert!(!steps.contains("prefilter"), "{steps}");
    sb.stop().await;
}

// ---- results: what the integrator's backend checks ----

/// `results` with the client token in the environment.
async fn results(base: &str, extra: &[&str]) -> Output {
    let mut args = vec!["results", "--api-url", base];
    args.extend_from_slice(extra);
    let mut cmd = command(&args);
    cmd.env("SMART_ENROLL_CLIENT_TOKEN", CLIENT_TOKEN);
    spawn_blocking_run(cmd).await
}

/// A refused run: non-zero exit, the reason on stderr, no panic, and the token nowhere.
fn assert_refused(out: &Output, token: &str, reason: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    let all = format!("{}{err}", String::from_utf8_lossy(&out.stdout));
    assert!(!out.status.success(), "{all}");
    assert!(err.contains("error: "), "{err}");
    assert!(err.contains(reason), "missing {reason:?} in {err}");
    assert!(!err.contains("panicked"), "{err}");
    if token.len() > 8 {
        assert!(!all.contains(token), "the token was printed: {all}");
    }
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_verifies_a_real_final_token_and_refuses_forged_ones() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let files = tempfile::tempdir().unwrap();
    let doc = write_document(files.path());
    let doc_arg = ["--document-front", doc.to_str().unwrap()];
    let done = success_json(&enroll_json(&base, "res@example.com", "3105550401", &doc_arg).await);
    assert_completed_with_token(&done);
    let token = done["token"].as_str().unwrap().to_owned();
    let reg_id = done["registrationId"].as_str().unwrap().to_owned();

    // The real final token verifies: status, the OCR fields and the scores.
    let v = success_json(&results(&base, &["--json", &token]).await);
    assert_eq!(v["verified"], true, "{v:#}");
    assert_eq!(v["status"], "COMPLETED");
    assert_eq!(v["registrationId"], reg_id.as_str());
    assert_eq!(v["input"], "finalToken");
    assert_eq!(v["reasons"], serde_json::json!([]));
    let document = v["document"].as_object().unwrap();
    assert!(document["documentNumber"].is_string(), "{v:#}");
    assert!(document.contains_key("firstName") && document.contains_key("dateOfBirth"));
    assert_eq!(
        v["scores"]["liveness"]["score"],
        done["scores"]["livenessScore"]
    );
    assert_eq!(v["scores"]["liveness"]["minScore"], 0.65);
    assert_eq!(v["scores"]["liveness"]["passed"], true);
    assert_eq!(v["scores"]["compare"]["passed"], true);
    assert!(!serde_json::to_string(&v).unwrap().contains(&token));
    let project = v["projectId"].as_str().unwrap().to_owned();
    let flow = v["flowId"].as_str().unwrap().to_owned();

    // `-` reads the token from stdin (out of the process listing).
    let mut cmd = command(&["results", "--api-url", &base, "--json", "-"]);
    cmd.env("SMART_ENROLL_CLIENT_TOKEN", CLIENT_TOKEN)
        .stdin(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    writeln!(child.stdin.take().unwrap(), "{token}").unwrap();
    let out = tokio::task::spawn_blocking(move || wait_bounded(child))
        .await
        .unwrap();
    assert_eq!(success_json(&out)["verified"], true);

    // With this project and flow required, it still holds.
    let v = success_json(
        &results(
            &base,
            &["--json", "--project", &project, "--flow", &flow, &token],
        )
        .await,
    );
    assert_eq!(v["verified"], true, "{v:#}");
    assert_eq!(v["checked"]["project"], project.as_str());

    // Text mode: readable fields, the verdict, never the token.
    let out = results(&base, &[&token]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("Registration:   {reg_id}")),
        "{text}"
    );
    for needle in [
        "Status:         COMPLETED",
        "  Document:       ",
        "  Number:         ",
        "  Liveness:       0.",
        "(minimum 0.65, passes above it): passed",
        "Verified:       yes",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains(&token));

    // A registration id: the registration, but nothing is verified without the token.
    let v = success_json(&results(&base, &["--json", &reg_id]).await);
    assert_eq!(v["verified"], false);
    assert_eq!(v["status"], "COMPLETED");
    assert_eq!(v["input"], "registrationId");
    assert!(
        v["document"].is_object() && v["scores"]["compare"].is_object(),
        "{v:#}"
    );

    // Forged: the signature of the real token altered.
    let (head, sig) = token.rsplit_once('.').unwrap();
    let flipped: String = sig
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 3 {
                if c == 'A' { 'B' } else { 'A' }
            } else {
                c
            }
        })
        .collect();
    let forged = format!("{head}.{flipped}");
    assert_refused(
        &results(&base, &["--json", &forged]).await,
        &forged,
        "the server refused the token",
    );
    // The JSON still says why.
    let v = stdout_json(&results(&base, &["--json", &forged]).await);
    assert_eq!(v["verified"], false);
    assert_eq!(v["reasons"][0]["code"], "rejected_by_server");
    assert!(v["document"].is_null(), "nothing read for a refused token");

    // alg:none with the real claims.
    let payload = token.split('.').nth(1).unwrap();
    let unsigned = format!("{}.{payload}.", b64(r#"{"alg":"none","typ":"JWT"}"#));
    assert_refused(&results(&base, &[&unsigned]).await, &unsigned, "unsigned");

    // Random text that looks like a token.
    assert_refused(
        &results(&base, &["not.a.token"]).await,
        "not.a.token",
        "not a Smart Enroll token",
    );

    // A genuine final token of another project, when this project is required.
    let other =
        success_json(&enroll_json(&base, "other@example.com", "3105550402", &doc_arg).await);
    let other_token = other["token"].as_str().unwrap().to_owned();
    assert_refused(
        &results(&base, &["--project", &project, &other_token]).await,
        &other_token,
        "another project",
    );
    // Another flow than the registration's.
    let (_, other_flow) = preset_flow(&base, FlowPreset::Basic).await;
    assert_refused(
        &results(
            &base,
            &["--project", &project, "--flow", &other_flow, &token],
        )
        .await,
        &token,
        "another flow",
    );

    // A genuine final token of a registration that ended FAILED (low compare score).
    let failed = success_json(
        &enroll_json(&base, "low+low-compare@example.com", "3105550403", &doc_arg).await,
    );
    assert_eq!(failed["outcome"], "FAILED", "{failed:#}");
    let failed_token = failed["token"].as_str().unwrap().to_owned();
    let out = results(&base, &["--json", &failed_token]).await;
    assert_refused(&out, &failed_token, "FAILED, not COMPLETED");
    let v = stdout_json(&out);
    assert_eq!(
        (v["verified"].clone(), v["status"].clone()),
        (false.into(), "FAILED".into())
    );
    assert_eq!(v["scores"]["compare"]["passed"], false);

    // No client token, a wrong one, an unknown registration: clear errors.
    let out = spawn_blocking_run(command(&["results", "--api-url", &base, &token])).await;
    assert_refused(&out, &token, "SMART_ENROLL_CLIENT_TOKEN is not set");
    let mut cmd = command(&["results", "--api-url", &base, &token]);
    cmd.env(
        "SMART_ENROLL_CLIENT_TOKEN",
        "not-the-right-token-at-all-000000",
    );
    let out = spawn_blocking_run(cmd).await;
    assert_refused(&out, &token, "forbidden");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("not-the-right-token"));
    assert_refused(
        &results(&base, &["ffffffffffffffffffffffff"]).await,
        "",
        "not found",
    );
    sb.stop().await;
}

// ---- setup --webhook-url ----

/// A loopback webhook receiver: every POSTed JSON body, in order.
async fn webhook_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use axum::routing::post;
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                    sink.lock().unwrap().push(v);
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_sets_the_flows_webhook_url() {
    let mut sb = Server::start().await;
    let base = sb.base.clone();
    let (hook, got) = webhook_receiver().await;

    let mut cmd = command(&[
        "setup",
        "--api-url",
        &base,
        "--webhook-url",
        &hook,
        "--json",
    ]);
    cmd.env("SMART_ENROLL_CLIENT_TOKEN", CLIENT_TOKEN);
    let v = success_json(&spawn_blocking_run(cmd).await);
    assert_eq!(v["webhookUrl"], hook.as_str());
    let project = v["projectId"].as_str().unwrap().to_owned();
    let flow = v["flowId"].as_str().unwrap().to_owned();

    // The server really sends the flow's events there: start a registration.
    let cfg = admin(&base)
        .fetch_flow_config(&project, Some(&flow))
        .await
        .unwrap();
    let session = smart_enroll_core::EnrollmentSession::new(
        admin(&base),
        cfg,
        smart_enroll_core::SignUpData {
            email: Some("hook@example.com".into()),
            phone: Some("3105550501".into()),
            country_code: Some("+57".into()),
            ..smart_enroll_core::SignUpData::default()
        },
    )
    .unwrap();
    session.start().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let types: Vec<String> = got
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| e["type"].as_str().map(str::to_owned))
            .collect();
        if types
            .iter()
            .any(|t| t == "onboarding_app_registration_created")
        {
            break;
        }
        assert!(Instant::now() < deadline, "no webhook arrived: {types:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Bad URLs are refused before any request: the API URL here is not even reachable.
    for bad in [
        "hooks.example.com/x",
        "http://hooks.example.com/x",
        "ftp://hooks.example.com/x",
        "https://user:pw@hooks.example.com/x",
    ] {
        let mut cmd = command(&[
            "setup",
            "--api-url",
            "http://127.0.0.1:9",
            "--webhook-url",
            bad,
        ]);
        cmd.env("SMART_ENROLL_CLIENT_TOKEN", CLIENT_TOKEN);
        let out = spawn_blocking_run(cmd).await;
        assert!(!out.status.success(), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("invalid --webhook-url"), "{bad}: {err}");
        assert!(out.stdout.is_empty());
    }
    sb.stop().await;
}

/// A 16×16 JPEG whose SOF0 header claims `w`×`h` pixels (a decode bomb of a few hundred bytes).
fn jpeg_bomb(w: u16, h: u16) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(16, 16, image::Rgb([90, 120, 150]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    let mut bytes = out.into_inner();
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    bytes
}

#[test]
fn prefilter_refuses_huge_files_and_decode_bombs_before_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.jpg");
    // 1 GiB, sparse: refused from its size, never read.
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let bomb = dir.path().join("bomb.jpg");
    std::fs::write(&bomb, jpeg_bomb(60_000, 60_000)).unwrap();
    let (huge_s, bomb_s) = (huge.to_str().unwrap(), bomb.to_str().unwrap());
    let out = run(&["prefilter", "--json", huge_s, bomb_s, SELFIE]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = stdout_json(&out);
    let entries = v.as_array().unwrap();
    assert_eq!(entries.len(), 3, "{v:#}");
    let err = |i: usize| entries[i]["error"].as_str().unwrap_or_default().to_owned();
    assert!(err(0).contains("over the 50.0 MB limit"), "{v:#}");
    assert!(err(1).contains("60000x60000"), "{v:#}");
    // The good image next to them is still analysed.
    assert!(entries[2]["error"].is_null(), "{v:#}");
    assert_eq!(entries[2]["faces"].as_array().unwrap().len(), 1, "{v:#}");
}

#[test]
fn enroll_refuses_a_decode_bomb_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.jpg");
    std::fs::write(&bomb, jpeg_bomb(50_000, 50_000)).unwrap();
    let out = run(&[
        "enroll",
        "--api-url",
        "http://127.0.0.1:9",
        "--project",
        "p1",
        "--flow",
        "f1",
        "--email",
        "x@example.com",
        "--selfie",
        bomb.to_str().unwrap(),
    ]);
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a usable image"), "{err}");
    assert!(err.contains("50000x50000"), "{err}");
}
