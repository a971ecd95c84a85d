//! `smart-enroll serve` as a process: the exact first stdout line (harnesses read the port from
//! it), the one-time generated client token, `SMART_ENROLL_CLIENT_TOKEN`, `--dev`, and a clean
//! stop on SIGTERM with the data kept for the next start.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_smart-enroll");
const PREFIX: &str = "smart-enroll sandbox listening on http://";

struct Served {
    child: Child,
    lines: mpsc::Receiver<String>,
    addr: String,
}

fn serve(dir: &std::path::Path, token: Option<&str>, dev: bool) -> Served {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env_remove("SMART_ENROLL_CLIENT_TOKEN")
        .env("SMART_ENROLL_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if dev {
        cmd.arg("--dev");
    }
    if let Some(t) = token {
        cmd.env("SMART_ENROLL_CLIENT_TOKEN", t);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = lines
        .recv_timeout(Duration::from_secs(60))
        .expect("no first line within 60 s");
    let addr = first
        .strip_prefix(PREFIX)
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    let port: u16 = addr.strip_prefix("127.0.0.1:").unwrap().parse().unwrap();
    assert_ne!(port, 0);
    Served {
        child,
        lines,
        addr: addr.to_owned(),
    }
}

/// One HTTP/1.1 request over a plain socket; returns (status, body).
fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp.split(' ').nth(1).unwrap().parse().unwrap();
    let body = resp.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

/// SIGTERM, then a bounded wait; returns the remaining stdout lines.
fn stop(mut s: Served) -> Vec<String> {
    let ok = Command::new("sh")
        // The shell's builtin `kill`: no procps needed on minimal images.
        .args(["-c", &format!("kill -TERM {}", s.child.id())])
        .status()
        .unwrap();
    assert!(ok.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = s.child.kill();
            panic!("serve did not stop within 30 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "serve exited with {status}");
    s.lines.try_iter().collect()
}

const PROJECT: &str = r#"{"name":"cli","allowedCountries":["Colombia"]}"#;

#[test]
fn serve_prints_address_then_generated_token_once_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path(), None, false);
    let second = s.lines.recv_timeout(Duration::from_secs(10)).unwrap();
    let token = second.strip_prefix("client token: ").unwrap().to_owned();
    assert!(token.len() >= 32);
    assert_eq!(http(&s.addr, "GET", "/health", None, "").0, 200);
    let (status, body) = http(&s.addr, "POST", "/v2/projects", Some(&token), PROJECT);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        http(
            &s.addr,
            "POST",
            "/v2/projects",
            Some("wrong-token-123"),
            PROJECT
        )
        .0,
        403
    );
    // Without --dev there is no outbox.
    let (status, body) = http(&s.addr, "GET", "/sandbox/outbox?to=a%40b.co", None, "");
    assert_eq!(status, 404, "{body}");
    assert!(stop(s).is_empty());

    // Same data dir: no new token, the old one still works, the project is still there.
    let s = serve(dir.path(), None, true);
    assert_eq!(
        http(&s.addr, "GET", "/v2/app-registrations", Some(&token), "").0,
        200
    );
    let (status, _) = http(&s.addr, "GET", "/sandbox/outbox?to=a%40b.co", None, "");
    assert_eq!(status, 200);
    let rest = stop(s);
    assert!(
        rest.iter().all(|l| !l.starts_with("client token")),
        "{rest:?}"
    );
}

#[test]
fn serve_uses_the_client_token_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let preset = "env-preset-client-token-42";
    let s = serve(dir.path(), Some(preset), false);
    assert_eq!(
        http(&s.addr, "POST", "/v2/projects", Some(preset), PROJECT).0,
        200
    );
    let rest = stop(s);
    assert!(
        rest.iter().all(|l| !l.starts_with("client token")),
        "{rest:?}"
    );
}
