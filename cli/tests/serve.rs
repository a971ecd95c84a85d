//! `smart-enroll serve` as a process: the exact first stdout line (harnesses read the port from
//! it), the one-time generated client token, `SMART_ENROLL_CLIENT_TOKEN`, `--dev`, and a clean
//! stop on SIGTERM with the data kept for the next start; a refused start (bad token, busy
//! address, unusable data directory, unopenable database) writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
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

// ------------------------------------------------------------ refused starts write nothing

/// Runs `serve` expecting it to refuse to start (bounded); returns its stderr.
fn refused(dir: &Path, token: Option<&str>, bind: &str) -> String {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--bind", bind, "--data-dir"])
        .arg(dir)
        .env_remove("SMART_ENROLL_CLIENT_TOKEN")
        .env("SMART_ENROLL_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(t) = token {
        cmd.env("SMART_ENROLL_CLIENT_TOKEN", t);
    }
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve neither refused nor stopped within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!status.success(), "serve started: {err}");
    assert_eq!(status.code(), Some(1), "{err}");
    err
}

/// Every path under `root` (relative, sorted) with the contents of its files.
fn snapshot(root: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Option<Vec<u8>>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if path.is_dir() {
                out.push((rel, None));
                walk(root, &path, out);
            } else {
                out.push((rel, Some(std::fs::read(&path).unwrap())));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

#[test]
fn a_bad_client_token_is_refused_before_anything_is_written() {
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("data").join("nested");
    for token in ["short", "has white space"] {
        let err = refused(&missing, Some(token), "127.0.0.1:0");
        assert!(err.contains("invalid client token"), "{err}");
        assert!(!err.contains(token), "the token is echoed: {err}");
        assert!(
            snapshot(root.path()).is_empty(),
            "{:?}",
            snapshot(root.path())
        );
    }
    // An existing, empty data directory stays empty.
    let err = refused(root.path(), Some("short"), "127.0.0.1:0");
    assert!(err.contains("invalid client token"), "{err}");
    assert!(snapshot(root.path()).is_empty());
}

#[test]
fn a_busy_address_is_refused_before_anything_is_written() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let root = tempfile::tempdir().unwrap();
    let err = refused(
        &root.path().join("data"),
        Some("a-valid-client-token"),
        &addr,
    );
    assert!(err.contains(&format!("cannot bind {addr}")), "{err}");
    assert!(
        snapshot(root.path()).is_empty(),
        "{:?}",
        snapshot(root.path())
    );
}

#[test]
fn an_unusable_data_directory_is_refused_before_anything_is_written() {
    let root = tempfile::tempdir().unwrap();
    // The data directory, or one of its parents, is a regular file.
    let file = root.path().join("plain-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let before = snapshot(root.path());
    for dir in [file.clone(), file.join("data")] {
        let err = refused(&dir, Some("a-valid-client-token"), "127.0.0.1:0");
        assert!(err.contains("not a directory"), "{err}");
        assert_eq!(snapshot(root.path()), before);
    }
    // `images` is a file, or `sandbox.db` a directory.
    for (name, make_dir) in [("images", false), ("sandbox.db", true)] {
        let data = tempfile::tempdir().unwrap();
        let path = data.path().join(name);
        if make_dir {
            std::fs::create_dir(&path).unwrap();
        } else {
            std::fs::write(&path, b"x").unwrap();
        }
        let before = snapshot(data.path());
        let err = refused(data.path(), Some("a-valid-client-token"), "127.0.0.1:0");
        assert!(err.contains("is not a"), "{err}");
        assert_eq!(snapshot(data.path()), before, "{name}");
    }
}

#[test]
fn a_database_that_cannot_be_opened_leaves_the_data_directory_as_it_was() {
    // Not a database at all: the `images/` directory the start created is removed again.
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("sandbox.db"), vec![0x5a; 8192]).unwrap();
    let before = snapshot(data.path());
    let err = refused(data.path(), Some("a-valid-client-token"), "127.0.0.1:0");
    assert!(err.contains("database"), "{err}");
    assert_eq!(snapshot(data.path()), before);

    // A database from a newer sandbox (schema version 99): refused, not touched.
    let data = tempfile::tempdir().unwrap();
    stop(serve(data.path(), Some("a-valid-client-token"), false));
    let db = data.path().join("sandbox.db");
    let mut bytes = std::fs::read(&db).unwrap();
    // `user_version` is the big-endian u32 at offset 60 of the SQLite header.
    bytes[60..64].copy_from_slice(&99u32.to_be_bytes());
    std::fs::write(&db, &bytes).unwrap();
    let before = snapshot(data.path());
    let err = refused(data.path(), Some("a-valid-client-token"), "127.0.0.1:0");
    assert!(err.contains("schema version 99"), "{err}");
    assert_eq!(snapshot(data.path()), before);
}
