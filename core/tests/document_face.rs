//! The document's face crop (`documentFace`, contract §5.6) against the real sandbox over
//! loopback: a document front with a real portrait is uploaded with a crop of its face (the
//! sandbox stores it and answers `documentFaceUrl`); a document without a face is uploaded
//! without one. The crop is checked with the real face detector (BlazeFace on ONNX Runtime,
//! installed by scripts/deps/20-prefilter.sh): exactly one face, centred, with the margin.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, signup};
use image::{DynamicImage, Rgb, RgbImage, imageops::FilterType};
use serde_json::Value;
use smart_enroll_core::prefilter::{Prefilter, PrefilterConfig};
use smart_enroll_core::{DocumentCategory, DocumentSide, EnrollState, EnrollmentSession, Outcome};
use smart_enroll_testkit::Auth;

/// The face detector the checks use; fails clearly when ONNX Runtime is missing.
fn detector() -> Prefilter {
    let p = Prefilter::new(PrefilterConfig::default()).unwrap();
    if let Some(err) = p.detector_error() {
        panic!(
            "face detector failed to load ({err}); run scripts/install-deps.sh (it installs onnxruntime)"
        );
    }
    p
}

/// An ID-1 card (85.6 × 54 mm at ~14.6 px/mm): security-print background, header band, the
/// holder's portrait (the CLI's public-domain sample photo, 300 × 380 px at (70, 170)), printed
/// field bars and a faint ghost portrait, as a phone camera JPEG. Returns the card and where
/// the portrait is.
fn id_card() -> (RgbImage, (u32, u32, u32, u32)) {
    let (w, h) = (1250u32, 789u32);
    let mut card = RgbImage::from_fn(w, h, |x, y| {
        let wave = ((x as f32 * 0.045 + (y as f32 * 0.02).sin() * 6.0).sin()
            * (y as f32 * 0.05 + (x as f32 * 0.013).cos() * 4.0).cos())
        .abs();
        let line = if wave > 0.97 { 20.0 } else { 0.0 };
        Rgb([
            (232.0 - 12.0 * y as f32 / h as f32 - line) as u8,
            (238.0 - 8.0 * x as f32 / w as f32 - line * 0.6) as u8,
            (226.0 + 10.0 * x as f32 / w as f32 - line * 0.3) as u8,
        ])
    });
    for y in 0..110 {
        for x in 0..w {
            card.put_pixel(x, y, Rgb([30, 70, 120]));
        }
    }
    let face = image::load_from_memory(&common::selfie()).unwrap();
    let portrait = (70u32, 170u32, 300u32, 380u32);
    let photo = face
        .resize_to_fill(portrait.2, portrait.3, FilterType::CatmullRom)
        .into_rgb8();
    image::imageops::overlay(
        &mut card,
        &photo,
        i64::from(portrait.0),
        i64::from(portrait.1),
    );
    // Printed fields: dark bars of varying length to the right of the portrait.
    for (i, len) in [520u32, 380, 610, 300, 450, 560, 240].iter().enumerate() {
        let y0 = 190 + i as u32 * 62;
        for y in y0..y0 + 22 {
            for x in 430..430 + len {
                card.put_pixel(x, y, Rgb([40, 40, 52]));
            }
        }
    }
    // The ghost portrait: small, grey and faint, bottom right.
    let ghost = DynamicImage::ImageRgb8(photo)
        .resize_to_fill(110, 140, FilterType::Triangle)
        .into_luma8();
    for (x, y, l) in ghost.enumerate_pixels() {
        let p = card.get_pixel_mut(1080 + x, 620 + y);
        for c in 0..3 {
            p[c] = (f32::from(p[c]) * 0.8 + f32::from(l[0]) * 0.2) as u8;
        }
    }
    (card, portrait)
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(img)
        .unwrap();
    out.into_inner()
}

/// The card photographed on a desk: 2400 × 1800 px, the card ~55 % of the width.
fn card_on_a_desk() -> RgbImage {
    let (card, _) = id_card();
    let card = image::imageops::resize(&card, 1320, 833, FilterType::Triangle);
    let mut scene = RgbImage::from_fn(2400, 1800, |x, y| {
        let grain = ((x * 7 + y * 13) % 23) as u8;
        Rgb([120 + grain, 90 + grain / 2, 60 + grain / 3])
    });
    image::imageops::overlay(&mut scene, &card, 540, 480);
    scene
}

/// A session at the document step of a Full-KYC flow (ID card, front and back).
async fn at_document_step(env: &Env, email: &str) -> EnrollmentSession {
    let flow = env.flow(|_| {}).await;
    let su = signup(email);
    let s = EnrollmentSession::new(env.client(), flow, su.clone()).unwrap();
    let mut st = s.start().await.unwrap();
    while !matches!(st, EnrollState::AwaitingDocument { .. }) {
        st = common::step(env, &s, &su).await.unwrap();
    }
    s
}

/// The registration as the sandbox stored it (client token), with its document validation
/// and document face.
async fn stored(env: &Env, s: &EnrollmentSession) -> Value {
    let id = s.snapshot().registration_id().expect("registered");
    env.ok(
        reqwest::Method::GET,
        &format!(
            "/v2/app-registrations/{id}?populates[]=documentValidation&populates[]=documentFace"
        ),
        Auth::Client,
        None,
    )
    .await["data"]
        .clone()
}

/// A stored image's bytes (client token).
async fn fetch(env: &Env, url: &str) -> Vec<u8> {
    assert!(url.starts_with(&env.base), "{url}");
    let r = env
        .http
        .get(url)
        .bearer_auth(smart_enroll_testkit::CLIENT_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    r.bytes().await.unwrap().to_vec()
}

/// Where `crop` lies on `card` (searched around the portrait): the top-left corner and the
/// mean absolute difference per channel there (on a 16×16 sample grid).
fn locate(crop: &RgbImage, card: &RgbImage, portrait: (u32, u32, u32, u32)) -> (u32, u32, f32) {
    let (cw, ch) = (crop.width(), crop.height());
    let samples: Vec<(u32, u32)> = (0..16)
        .flat_map(|j| (0..16).map(move |i| (i * (cw - 1) / 15, j * (ch - 1) / 15)))
        .collect();
    let mut best = (0, 0, f32::MAX);
    let xs = portrait.0.saturating_sub(cw)..(portrait.0 + portrait.2).min(card.width() - cw);
    let ys = portrait.1.saturating_sub(ch)..(portrait.1 + portrait.3).min(card.height() - ch);
    for y0 in ys {
        for x0 in xs.clone() {
            let mut sum = 0.0f32;
            for &(i, j) in &samples {
                let (a, b) = (crop.get_pixel(i, j), card.get_pixel(x0 + i, y0 + j));
                for c in 0..3 {
                    sum += (f32::from(a[c]) - f32::from(b[c])).abs();
                }
                if sum / (3.0 * samples.len() as f32) > best.2 {
                    break;
                }
            }
            let mean = sum / (3.0 * samples.len() as f32);
            if mean < best.2 {
                best = (x0, y0, mean);
            }
        }
    }
    best
}

/// Checks a face crop as uploaded: a JPEG within the crop limits, face-shaped, holding exactly
/// one face, centred, that fills about 1 / 1.8 of it (40 % margin on each side).
fn check_crop(crop: &[u8], detector: &Prefilter) {
    assert_eq!(image::guess_format(crop).unwrap(), image::ImageFormat::Jpeg);
    assert!(
        crop.len() <= smart_enroll_core::media::DOCUMENT_FACE_MAX_BYTES,
        "{}",
        crop.len()
    );
    let img = image::load_from_memory(crop).unwrap();
    let (w, h) = (img.width(), img.height());
    assert!(
        w.max(h) <= smart_enroll_core::media::DOCUMENT_FACE_MAX_EDGE,
        "{w}x{h}"
    );
    assert!(w >= 96 && h >= 96, "{w}x{h}");
    let aspect = w as f32 / h as f32;
    assert!((0.7..=1.4).contains(&aspect), "{w}x{h}");
    let found = detector.analyze_image(crop).unwrap();
    assert_eq!(found.faces.len(), 1, "{:?}", found.faces);
    let f = &found.faces[0];
    let (cx, cy) = (f.x + f.width / 2.0, f.y + f.height / 2.0);
    assert!(
        (cx / w as f32 - 0.5).abs() < 0.15 && (cy / h as f32 - 0.5).abs() < 0.15,
        "face not centred: {f:?} in {w}x{h}"
    );
    let share = f.width / w as f32;
    assert!((0.4..=0.75).contains(&share), "face {share} of the crop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_with_a_portrait_is_uploaded_with_its_face_crop() {
    let detector = detector();
    let env = Env::start().await;
    let s = at_document_step(&env, "face@example.com").await;
    let (card, portrait) = id_card();
    // On the whole card the portrait is too small for BlazeFace's 128×128 input: one
    // whole-frame pass (what the still check does without its tile pass) misses it; only a
    // windowed search finds it.
    let single_pass = Prefilter::new(PrefilterConfig {
        still_second_pass: false,
        ..PrefilterConfig::default()
    })
    .unwrap();
    assert!(
        single_pass
            .analyze_image(&jpeg(&card))
            .unwrap()
            .faces
            .is_empty()
    );
    let st = s
        .submit_document(
            DocumentSide::Front,
            jpeg(&card),
            DocumentCategory::GovernmentId,
        )
        .await
        .unwrap();
    assert!(
        matches!(
            st,
            EnrollState::AwaitingDocument {
                side: DocumentSide::Back,
                ..
            }
        ),
        "{st:?}"
    );
    let reg = stored(&env, &s).await;
    let doc = &reg["documentValidation"];
    let face_url = doc["documentFaceUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("no documentFaceUrl: {doc}"));
    let front_url = doc["url"].as_str().unwrap();
    assert_ne!(face_url, front_url);
    // The registration's document face is the crop (the compare uses it), not the front.
    assert_eq!(reg["documentFace"]["url"].as_str(), Some(face_url), "{reg}");
    let crop = fetch(&env, face_url).await;
    check_crop(&crop, &detector);
    // The crop is cut from the portrait: found on the card pixel for pixel (up to JPEG
    // noise; it is small enough not to be resized), inside the photo with its margin, and the
    // face the detector sees in it lies inside the photo.
    let img = image::load_from_memory(&crop).unwrap().into_rgb8();
    let (x0, y0, diff) = locate(&img, &card, portrait);
    assert!(
        diff < 12.0,
        "crop not found on the card (best mean difference {diff})"
    );
    let (cw, ch) = (img.width(), img.height());
    assert!(
        x0 + cw <= portrait.0 + portrait.2 + 20 && y0 + ch <= portrait.1 + portrait.3 + 20,
        "crop at ({x0}, {y0}) {cw}x{ch} leaves the portrait {portrait:?}"
    );
    let f = &detector.analyze_image(&crop).unwrap().faces[0];
    let (fx, fy) = (x0 as f32 + f.x, y0 as f32 + f.y);
    assert!(
        fx >= portrait.0 as f32
            && fy >= portrait.1 as f32
            && fx + f.width <= (portrait.0 + portrait.2) as f32
            && fy + f.height <= (portrait.1 + portrait.3) as f32,
        "{f:?} at ({x0}, {y0})"
    );

    // The back side carries no crop; the enrollment completes with the crop as the document
    // face.
    let su = signup("face@example.com");
    let seen = common::drive(&env, &s, &su).await;
    let EnrollState::Completed { result } = seen.last().unwrap() else {
        panic!("{seen:?}")
    };
    assert_eq!(result.outcome, Outcome::Completed);
    let reg = stored(&env, &s).await;
    assert_eq!(
        reg["documentValidation"]["documentFaceUrl"].as_str(),
        Some(face_url)
    );
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_photographed_on_a_desk_is_cropped_too() {
    let detector = detector();
    let env = Env::start().await;
    let s = at_document_step(&env, "desk@example.com").await;
    s.submit_document(
        DocumentSide::Front,
        jpeg(&card_on_a_desk()),
        DocumentCategory::GovernmentId,
    )
    .await
    .unwrap();
    let reg = stored(&env, &s).await;
    let face_url = reg["documentValidation"]["documentFaceUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("no documentFaceUrl: {reg}"))
        .to_owned();
    check_crop(&fetch(&env, &face_url).await, &detector);
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_without_a_face_is_uploaded_without_a_crop() {
    // The detector works in this process: the missing crop is the detector's answer.
    let detector = detector();
    let doc = common::document_image();
    assert!(detector.analyze_image(&doc).unwrap().faces.is_empty());
    let env = Env::start().await;
    let s = at_document_step(&env, "noface@example.com").await;
    let st = s
        .submit_document(DocumentSide::Front, doc, DocumentCategory::GovernmentId)
        .await
        .unwrap();
    assert!(matches!(st, EnrollState::AwaitingDocument { .. }), "{st:?}");
    let reg = stored(&env, &s).await;
    let doc = &reg["documentValidation"];
    assert!(doc["url"].is_string(), "{doc}");
    assert!(doc.get("documentFaceUrl").is_none(), "{doc}");
    // The sandbox falls back to the front as the document face.
    assert_eq!(reg["documentFace"]["url"], doc["url"], "{reg}");
    env.shutdown().await;
}
