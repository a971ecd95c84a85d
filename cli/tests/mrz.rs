//! `smart-enroll mrz` as a user runs it: the real binary, OCR text on stdin or in a FILE.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_smart-enroll");

/// OCR text of a page: header lines, then the ICAO 9303 Part 4 TD3 specimen with OCR noise
/// (spaces, lower case, `O` for `0` in the birth date).
const NOISY_TD3: &str = "UTOPIA  PASSPORT\nSurname ERIKSSON\n\
    p<utoERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n\
    L898902C36 UTO74O8122F1204159ZE184226B<<<<<10\n";
/// ICAO 9303 Part 5 TD1 specimen.
const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\n\
    ERIKSSON<<ANNA<MARIA<<<<<<<<<<\n";

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .arg("mrz")
        .args(args)
        .env("SMART_ENROLL_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command stops reading past its 1 MiB limit: a broken pipe here is expected then.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn json_from_stdin_has_exactly_the_issue_keys() {
    let out = run(&["--json"], NOISY_TD3.as_bytes());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(
        keys(&v),
        ["failed_checks", "fields", "format", "found", "valid"]
    );
    assert_eq!(
        keys(&v["fields"]),
        [
            "date_of_birth",
            "document_number",
            "expiry_date",
            "given_names",
            "issuing_state",
            "nationality",
            "sex",
            "surname"
        ]
    );
    assert_eq!(v["found"], true);
    assert_eq!(v["format"], "TD3");
    assert_eq!(v["valid"], true);
    assert_eq!(v["failed_checks"], serde_json::json!([]));
    let f = &v["fields"];
    assert_eq!(f["surname"], "ERIKSSON");
    assert_eq!(f["given_names"], "ANNA MARIA");
    assert_eq!(f["document_number"], "L898902C3");
    assert_eq!(f["nationality"], "UTO");
    assert_eq!(f["issuing_state"], "UTO");
    assert_eq!(f["date_of_birth"], "1974-08-12");
    assert_eq!(f["sex"], "F");
    assert_eq!(f["expiry_date"], "2012-04-15");
    // Nothing personal on stderr, even with every log level on.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("ERIKSSON") && !stderr.contains("L898902C3"),
        "{stderr}"
    );
}

#[test]
fn json_and_text_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ocr.txt");
    std::fs::write(&path, TD1).unwrap();
    let out = run(&["--json", path.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["format"], "TD1");
    assert_eq!(v["fields"]["document_number"], "D23145890");
    let out = run(&[path.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("MRZ TD1: every check digit holds\n"),
        "{text}"
    );
    assert!(text.contains("  surname:         ERIKSSON\n"), "{text}");
    // `-` is standard input.
    let out = run(&["--json", "-"], TD1.as_bytes());
    assert_eq!(json(&out)["format"], "TD1");
}

#[test]
fn a_failed_check_digit_exits_3_and_names_the_field() {
    let bad = NOISY_TD3.replace("F1204159", "F1204169");
    let out = run(&["--json"], bad.as_bytes());
    assert_eq!(out.status.code(), Some(3));
    let v = json(&out);
    assert_eq!(v["found"], true);
    assert_eq!(v["valid"], false);
    assert_eq!(
        v["failed_checks"],
        serde_json::json!(["expiry_date", "composite"])
    );
    let out = run(&[], bad.as_bytes());
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("check digits FAILED: expiry_date, composite"),
        "{text}"
    );
}

#[test]
fn no_mrz_exits_4_with_nulls() {
    let out = run(&["--json"], b"just a shopping list\nmilk\neggs\n");
    assert_eq!(out.status.code(), Some(4));
    let v = json(&out);
    assert_eq!(
        v,
        serde_json::json!({"found": false, "format": null, "valid": null, "fields": null, "failed_checks": null})
    );
    let out = run(&[], b"");
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "no MRZ found\n");
}

#[test]
fn unreadable_input_is_a_clear_error() {
    let out = run(&["/nonexistent/ocr.txt"], b"");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: cannot read /nonexistent/ocr.txt"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    let out = run(&["--json"], b"P<UTO\xff\xfe\n");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("standard input is not UTF-8 text"),
        "{stderr}"
    );
    // Over 1 MiB.
    let out = run(&["--json"], &vec![b'<'; 1024 * 1024 + 10]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("more than 1 MiB")
    );
    // A usage error is clap's 2.
    let out = run(&["--nope"], b"");
    assert_eq!(out.status.code(), Some(2));
}
