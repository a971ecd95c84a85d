//! `smart-enroll document` as a user runs it: the real binary on the demo's specimen passport
//! page (written by `demo --save-images`, so the demo's own document check runs too), the same
//! page photographed on a desk (synthetic scene with known corners), a photo without a
//! document, real PDF417 photos from ZXing's test suite, a truncated JPEG and a decode bomb.
//!
//! What only passes once the document crate's bodies land (issue 13): the outline and corners
//! on the desk scene (detector), the MRZ read back from the specimen (glyph reader + parser) and
//! the PDF417 texts (decoder). Everything else passes on the skeleton too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_smart-enroll");
const SELFIE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-selfie.jpg");
const RUN_LIMIT: Duration = Duration::from_secs(120);

fn run(args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("SMART_ENROLL_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + RUN_LIMIT;
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("smart-enroll {args:?} did not finish within {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn json_of(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every entry has exactly the documented keys (plus `error` on a failed image).
fn assert_entry_shape(e: &Value) {
    let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    for k in ["image", "document", "barcode", "mrz"] {
        assert!(keys.contains(&k), "{k} missing in {e}");
    }
    if e.get("error").is_none() {
        assert_eq!(keys.len(), 4, "{e}");
        let d = e["document"].as_object().unwrap();
        let mut dk: Vec<&str> = d.keys().map(String::as_str).collect();
        dk.sort();
        assert_eq!(dk, ["corners", "found", "guidance"], "{e}");
    }
}

/// The demo's specimen passport page, written by `demo --save-images` (a whole demo run
/// against its in-process sandbox, which also runs the demo's document check).
fn specimen(dir: &Path) -> (PathBuf, Value) {
    let out = run(&["demo", "--json", "--save-images", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let demo = json_of(&out);
    let path = dir.join("specimen-passport.jpg");
    assert!(path.is_file());
    (path, demo)
}

/// The specimen page photographed on a desk: a 2000×1500 textured scene with the page at
/// known corners. Synthetic.
fn desk_scene(page: &Path, dir: &Path) -> (PathBuf, [[f64; 2]; 4]) {
    let page = image::open(page).unwrap().into_rgb8();
    let (pw, ph) = (page.width(), page.height());
    let (w, h) = (pw * 8 / 5, ph * 8 / 5);
    let mut scene = RgbImage::from_fn(w, h, |x, y| {
        let grain = ((x * 7 + y * 13) % 23) as u8;
        Rgb([110 + grain, 82 + grain / 2, 55 + grain / 3])
    });
    let (x0, y0) = (pw * 3 / 10, ph * 3 / 10);
    image::imageops::overlay(&mut scene, &page, i64::from(x0), i64::from(y0));
    let path = dir.join("synthetic-specimen-on-desk.jpg");
    scene.save(&path).unwrap();
    let (x0, y0, x1, y1) = (
        f64::from(x0),
        f64::from(y0),
        f64::from(x0 + pw),
        f64::from(y0 + ph),
    );
    (path, [[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
}

fn assert_specimen_mrz(m: &Value) {
    assert_eq!(m["found"], true, "{m}");
    assert_eq!(m["format"], "TD3", "{m}");
    assert_eq!(m["valid"], true, "{m}");
    let f = &m["fields"];
    assert_eq!(f["surname"], "ERIKSSON", "{m}");
    assert_eq!(f["given_names"], "ANNA MARIA", "{m}");
    assert_eq!(f["document_number"], "L898902C3", "{m}");
    assert_eq!(f["nationality"], "UTO", "{m}");
    assert_eq!(f["date_of_birth"], "1974-08-12", "{m}");
    assert_eq!(f["sex"], "F", "{m}");
    assert_eq!(f["expiry_date"], "2034-04-15", "{m}");
    assert_eq!(f["issuing_state"], "UTO", "{m}");
}

#[test]
fn a_photo_without_a_document_and_broken_files() {
    let dir = tempfile::tempdir().unwrap();
    // A truncated JPEG (the header is intact: only the decode fails).
    let selfie = std::fs::read(SELFIE).unwrap();
    let truncated = dir.path().join("truncated.jpg");
    std::fs::write(&truncated, &selfie[..selfie.len() / 3]).unwrap();
    // A decode bomb: a tiny JPEG whose header claims 60000×60000 pixels.
    let bomb = dir.path().join("bomb.jpg");
    let mut b = Vec::new();
    RgbImage::from_pixel(16, 16, Rgb([90, 120, 150]))
        .write_to(&mut std::io::Cursor::new(&mut b), image::ImageFormat::Jpeg)
        .unwrap();
    let sof = b.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    b[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    std::fs::write(&bomb, &b).unwrap();
    let text_file = dir.path().join("notes.jpg");
    std::fs::write(&text_file, "not an image").unwrap();

    let out = run(&[
        "document",
        "--json",
        SELFIE,
        truncated.to_str().unwrap(),
        bomb.to_str().unwrap(),
        text_file.to_str().unwrap(),
    ]);
    // The run fails (some images could not be analysed) but reports every image, in order.
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("3 of 4 image(s) could not be analysed"),
        "{err}"
    );
    let v = json_of(&out);
    let entries = v.as_array().expect("one JSON array for several images");
    assert_eq!(entries.len(), 4);
    for e in entries {
        assert_entry_shape(e);
    }
    // No document in a selfie: found false, no corners, no_document; no barcode, no MRZ.
    let s = &entries[0];
    assert_eq!(s["image"], SELFIE);
    assert!(s.get("error").is_none(), "{s}");
    assert_eq!(s["document"]["found"], false, "{s}");
    assert_eq!(s["document"]["corners"], Value::Null, "{s}");
    assert_eq!(s["document"]["guidance"], "no_document", "{s}");
    assert_eq!(s["barcode"], Value::Null, "{s}");
    assert_eq!(s["mrz"], Value::Null, "{s}");
    // Clear errors.
    let e1 = entries[1]["error"].as_str().unwrap();
    assert!(
        e1.contains("could not be decoded") && e1.contains("truncated"),
        "{e1}"
    );
    let e2 = entries[2]["error"].as_str().unwrap();
    assert!(
        e2.contains("60000x60000") && e2.contains("over the limit"),
        "{e2}"
    );
    let e3 = entries[3]["error"].as_str().unwrap();
    assert!(e3.contains("not a readable image header"), "{e3}");

    // Text mode: human readable, same verdicts.
    let out = run(&["document", SELFIE, truncated.to_str().unwrap()]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("guidance: no_document"), "{text}");
    assert!(text.contains("document: not found"), "{text}");
    assert!(
        text.contains("error:") && text.contains("truncated"),
        "{text}"
    );
    // A single good image: exit 0, still a JSON array.
    let out = run(&["document", "--json", SELFIE]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_of(&out).as_array().unwrap().len(), 1);
}

/// Passes once the MRZ glyph reader and parser land (and, for the desk scene, the detector).
#[test]
fn the_specimen_page_its_mrz_and_its_outline_on_a_desk() {
    let dir = tempfile::tempdir().unwrap();
    let (page, demo) = specimen(dir.path());
    // The demo ran its document check before the upload and read its own MRZ back.
    let check = &demo["document_check"];
    for k in ["found", "guidance", "mrz", "barcode"] {
        assert!(check.get(k).is_some(), "{k} missing in {check}");
    }
    assert_eq!(check["barcode"], Value::Null);
    let (scene, truth) = desk_scene(&page, dir.path());

    let out = run(&[
        "document",
        "--json",
        page.to_str().unwrap(),
        scene.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json_of(&out);
    let entries = v.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    for e in entries {
        assert_entry_shape(e);
        assert_eq!(
            e["barcode"],
            Value::Null,
            "a passport page has no PDF417: {e}"
        );
    }
    // The page itself: the MRZ is read (on the flattened page, or on the whole image).
    assert_specimen_mrz(&entries[0]["mrz"]);
    assert_specimen_mrz(&check["mrz"]);

    // On the desk: found, corners clockwise from the top-left within 2 % of the page width.
    let d = &entries[1]["document"];
    assert_eq!(d["found"], true, "{d}");
    let corners = d["corners"].as_array().unwrap();
    assert_eq!(corners.len(), 4, "{d}");
    let tolerance = (truth[1][0] - truth[0][0]) * 0.02;
    for (c, t) in corners.iter().zip(truth) {
        let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!(
            (x - t[0]).abs() <= tolerance && (y - t[1]).abs() <= tolerance,
            "corner {c} vs {t:?} (±{tolerance:.0} px): {d}"
        );
    }
    assert_ne!(d["guidance"], "no_document", "{d}");
    assert_specimen_mrz(&entries[1]["mrz"]);
}

/// Real PDF417 photos (ZXing's test suite): the barcode is found over the whole image (there
/// is no document outline) and its text is ZXing's expected text. Passes once the PDF417
/// decoder lands.
#[test]
fn real_pdf417_photos_decode_to_zxings_expected_text() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata/pdf417-zxing");
    assert!(
        data.is_dir(),
        "{} missing (the shared test data)",
        data.display()
    );
    let names = ["zxing-pdf417-1-07", "zxing-pdf417-2-01"];
    let paths: Vec<String> = names
        .iter()
        .map(|n| data.join(format!("{n}.png")).display().to_string())
        .collect();
    let mut args = vec!["document", "--json"];
    args.extend(paths.iter().map(String::as_str));
    let out = run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json_of(&out);
    for (e, n) in v.as_array().unwrap().iter().zip(names) {
        assert_entry_shape(e);
        let expected = std::fs::read_to_string(data.join(format!("{n}.txt"))).unwrap();
        let b = &e["barcode"];
        assert_eq!(b["format"], "pdf417", "{n}: {e}");
        assert_eq!(b["text"].as_str(), Some(expected.as_str()), "{n}");
        assert!(
            ["aamva", "colombian_cedula", "unknown"].contains(&b["kind"].as_str().unwrap()),
            "{n}: {b}"
        );
        assert!(b["fields"].is_object(), "{n}: {b}");
        assert_eq!(e["mrz"], Value::Null, "{n}");
    }
}

/// `enroll`'s document check before the registration: a found document that is blurry is
/// refused (nothing is written on the server); `--no-document-check` uploads it anyway (here
/// the run then stops at the email code, stdin being closed: it got past the pre-flight).
/// The refusal passes once the detector lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_refuses_a_blurry_document_unless_told_not_to_check() {
    use smart_enroll_core::{ClientConfig, ClientToken, InsecureHttp, SmartEnrollClient};
    let dir = tempfile::tempdir().unwrap();
    let (page, _) = tokio::task::spawn_blocking({
        let d = dir.path().to_owned();
        move || specimen(&d)
    })
    .await
    .unwrap();
    // The page, blurred (as by a lens out of focus), on the desk: a sharp outline, no detail.
    let blurred = image::imageops::blur(&image::open(&page).unwrap().into_rgb8(), 9.0);
    let blurred_page = dir.path().join("synthetic-blurred-page.png");
    blurred.save(&blurred_page).unwrap();
    let (scene, _) = desk_scene(&blurred_page, dir.path());

    let mut sb = smart_enroll_testkit::Server::start().await;
    let admin = {
        let mut c = ClientConfig::new(&sb.base);
        c.allow_insecure_http = InsecureHttp::Loopback;
        SmartEnrollClient::new(c).unwrap()
    };
    let token = ClientToken::new(smart_enroll_testkit::CLIENT_TOKEN);
    let (project_id, flow_id) = sb.setup("full_kyc", serde_json::json!({})).await;
    let registrations = || async { admin.list_registrations(&token, 1, 20).await.unwrap().total };
    let base = sb.base.clone();
    let enroll = |extra: Option<&'static str>| {
        let mut args: Vec<String> = [
            "enroll",
            "--api-url",
            &base,
            "--project",
            &project_id,
            "--flow",
            &flow_id,
            "--email",
            "blurry.doc@example.com",
            "--phone",
            "3105550199",
            "--country-code",
            "+57",
            "--document-front",
            scene.to_str().unwrap(),
            "--selfie",
            SELFIE,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.map(str::to_owned));
        tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            run(&refs)
        })
    };

    let out = enroll(None).await.unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("would not pass the document check (guidance blurry")
            && err.contains("--no-document-check"),
        "{err}"
    );
    assert_eq!(registrations().await, 0, "refused before the registration");

    let out = enroll(Some("--no-document-check")).await.unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("stdin ended before the code was given"),
        "{err}"
    );
    assert_eq!(registrations().await, 1);
    sb.stop().await;
}
