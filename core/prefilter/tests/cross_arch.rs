//! Results identical across architectures: the same real photos, as the same camera frames, must
//! give the same guidance keys and face counts, and boxes within a stated tolerance, on x86_64
//! and on arm64 (scripts/test-arm64.sh runs this suite under qemu-aarch64 with the arm64 ONNX
//! Runtime). The expected values were recorded once, in `tests/golden/cross_arch.json`, and are
//! checked on both.
//!
//! What must be equal, and what only close:
//! - exactly equal: guidance key, face count, the detector's 128×128 input tensor (an FNV-1a hash
//!   of its f32 bits: the pixel-format conversions and sampling tables are integer arithmetic,
//!   so any difference is a bug), the whole-frame mean luma;
//! - within [`BOX_TOL_PX`]: every face box edge and keypoint (the models' float kernels differ
//!   between x86_64 and arm64 builds of ONNX Runtime: FMA, NEON vs AVX reductions);
//! - within [`SCORE_TOL`]: face scores; within [`METRIC_TOL`] (relative): brightness and
//!   sharpness of the face region (sampled where the box lies); within [`EYE_TOL`]: the Face Mesh
//!   eye-aspect ratios, face presence and the mean of its 192×192 input crop. That crop is placed
//!   by BlazeFace's keypoints (float model outputs, so not bit-identical across architectures)
//!   and rotated with libm's `sin_cos`: on arm64 its input differs in a few samples (its hash
//!   did), so it is compared by mean, not bit for bit.
//!
//! Re-record (on purpose only, e.g. after a model change) with
//! `SMART_ENROLL_GOLDEN_RECORD=1 cargo test -p smart-enroll-prefilter --test cross_arch`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use image::{RgbImage, imageops};
use serde_json::{Value, json};
use smart_enroll_prefilter::detector::Detector;
use smart_enroll_prefilter::eyes::EyeEstimator;
use smart_enroll_prefilter::{Frame, ModelSource, PixelFormat, PrefilterConfig, Rotation};

/// Largest allowed difference of a box coordinate or keypoint, in upright-frame pixels.
const BOX_TOL_PX: f64 = 1.0;
/// Largest allowed difference of a face score (sigmoid, 0..1).
const SCORE_TOL: f64 = 0.01;
/// Largest allowed relative difference of the face-region brightness and sharpness.
const METRIC_TOL: f64 = 0.02;
/// Largest allowed difference of an eye-aspect ratio or the face-presence probability.
const EYE_TOL: f64 = 0.01;

fn golden_path() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/cross_arch.json")
}

/// FNV-1a over the f32 bit patterns.
fn hash_f32(values: &[f32]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in values {
        for b in v.to_bits().to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Two decimals keep the file readable; tolerances are far larger.
fn r2(v: f32) -> f64 {
    (f64::from(v) * 100.0).round() / 100.0
}

/// Four decimals, for the 0..1 values (scores, eye ratios).
fn r4(v: f32) -> f64 {
    (f64::from(v) * 10_000.0).round() / 10_000.0
}

fn with_rotation(mut f: Frame, deg: u32, mirrored: bool) -> Frame {
    f.rotation = Rotation::from_degrees(deg).unwrap();
    f.mirrored = mirrored;
    f
}

/// The same image as a BGRA frame (iOS `32BGRA`).
fn bgra_frame(img: &RgbImage, ts: u64) -> Frame {
    let mut f = rgba_frame(img, ts);
    f.format = PixelFormat::Bgra;
    for px in f.planes[0].data.chunks_exact_mut(4) {
        px.swap(0, 2);
    }
    f
}

/// The same image as a 3-plane `YUV_420_888` frame with semi-planar chroma (pixel stride 2) and
/// padded rows, as CameraX delivers it.
fn yuv420_frame(img: &RgbImage, ts: u64) -> Frame {
    let nv21 = nv21_frame(img, ts);
    let (w, h) = (img.width() as usize, img.height() as usize);
    let stride = w + 16;
    let data = &nv21.planes[0].data;
    let mut y = vec![0u8; stride * h];
    for row in 0..h {
        y[row * stride..row * stride + w].copy_from_slice(&data[row * w..row * w + w]);
    }
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut u = vec![0u8; stride * ch];
    let mut v = vec![0u8; stride * ch];
    for row in 0..ch {
        for col in 0..cw {
            let c = w * h + row * w + col * 2; // NV21: V then U
            v[row * stride + col * 2] = data[c];
            u[row * stride + col * 2] = data[c + 1];
        }
    }
    let plane = |data: Vec<u8>, pixel_stride: u32| smart_enroll_prefilter::FramePlane {
        data,
        row_stride: stride as u32,
        pixel_stride,
    };
    Frame {
        format: PixelFormat::Yuv420,
        width: w as u32,
        height: h as u32,
        rotation: Rotation::Deg0,
        mirrored: false,
        timestamp_ms: ts,
        planes: vec![plane(y, 1), plane(u, 2), plane(v, 2)],
    }
}

/// The frames: real photos (faces, a cat, objects) through every pixel format, rotation and
/// mirroring the apps hand over.
fn cases() -> Vec<(&'static str, Frame)> {
    let selfie = selfie();
    let dark = map_pixels(&selfie, |v| v / 6);
    let bright = map_pixels(&selfie, |v| v.saturating_add(150));
    let blurred = imageops::blur(&selfie, 6.0);
    let small = on_canvas(
        &imageops::resize(&selfie, 150, 156, imageops::FilterType::Triangle),
        640,
        480,
        [90, 90, 90],
        245,
        162,
    );
    let off_centre = on_canvas(&selfie, 1000, 600, [40, 40, 40], 20, 40);
    let tilted = rotate_about_center(&selfie, 25.0, [0, 0, 0]);
    let mut two = RgbImage::from_pixel(1000, 520, image::Rgb([128, 128, 128]));
    imageops::overlay(&mut two, &selfie, 0, 0);
    imageops::overlay(&mut two, &imageops::flip_horizontal(&selfie), 500, 0);
    let lfw = {
        let face = load_rgb("lfw_face_000.png");
        on_canvas(
            &imageops::resize(&face, 200, 200, imageops::FilterType::CatmullRom),
            480,
            480,
            [100, 100, 100],
            140,
            140,
        )
    };
    // Even sizes for the YUV formats.
    let even = |img: &RgbImage| {
        imageops::crop_imm(img, 0, 0, img.width() & !1, img.height() & !1).to_image()
    };
    vec![
        ("selfie_nv21", nv21_frame(&selfie, 0)),
        (
            "selfie_nv21_rot270_mirrored",
            with_rotation(nv21_frame(&to_sensor(&selfie, 270), 0), 270, true),
        ),
        (
            "selfie_nv21_rot90",
            with_rotation(nv21_frame(&to_sensor(&selfie, 90), 0), 90, false),
        ),
        ("selfie_yuv420_padded", yuv420_frame(&selfie, 0)),
        (
            "selfie_bgra_rot180",
            with_rotation(bgra_frame(&to_sensor(&selfie, 180), 0), 180, false),
        ),
        ("selfie_rgba", rgba_frame(&selfie, 0)),
        ("dark_nv21", nv21_frame(&dark, 0)),
        ("bright_rgba", rgba_frame(&bright, 0)),
        ("blurred_nv21", nv21_frame(&blurred, 0)),
        ("small_face_nv21", nv21_frame(&small, 0)),
        ("off_centre_bgra", bgra_frame(&off_centre, 0)),
        ("tilted_rgba", rgba_frame(&tilted, 0)),
        ("two_faces_nv21", nv21_frame(&two, 0)),
        ("lfw_face_nv21", nv21_frame(&lfw, 0)),
        (
            "astronaut_full_nv21",
            nv21_frame(&load_rgb("astronaut.png"), 0),
        ),
        ("camera_rgba", rgba_frame(&load_rgb("camera.png"), 0)),
        ("coffee_nv21", nv21_frame(&even(&load_rgb("coffee.png")), 0)),
        ("chelsea_bgra", bgra_frame(&load_rgb("chelsea.png"), 0)),
        ("rocket_nv21", nv21_frame(&even(&load_rgb("rocket.png")), 0)),
    ]
}

/// One frame through a fresh prefilter (no history), plus the detector's input tensor.
fn observe(name: &str, frame: &Frame, det: &mut Detector) -> Value {
    let p = prefilter(PrefilterConfig::default());
    let fb = p.process_frame(frame).unwrap();
    assert!(
        fb.metrics.detector_available,
        "{name}: detector did not run"
    );
    let view = frame.view().unwrap();
    det.prepare(&view);
    let m = fb.metrics;
    json!({
        "name": name,
        "guidance": fb.guidance.key(),
        "face_count": fb.faces.len(),
        "input_hash": hash_f32(det.input()),
        "frame_brightness": r2(m.frame_brightness),
        "brightness": r2(m.brightness),
        "sharpness": r2(m.sharpness),
        "faces": fb.faces.iter().map(|f| json!({
            "box": [r2(f.x), r2(f.y), r2(f.width), r2(f.height)],
            "score": r4(f.score),
            "keypoints": f.keypoints.iter().map(|k| [r2(k.x), r2(k.y)]).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// Eye openness on the selfie (Face Mesh landmark model), upright and as a rotated sensor frame.
fn observe_eyes(det: &mut Detector) -> Value {
    let mut est = EyeEstimator::load(&ModelSource::Embedded, None)
        .unwrap_or_else(|e| panic!("{e}: run scripts/test.sh (it installs onnxruntime)"));
    let selfie = selfie();
    let frames = [
        ("selfie_nv21", nv21_frame(&selfie, 0)),
        (
            "selfie_nv21_rot270_mirrored",
            with_rotation(nv21_frame(&to_sensor(&selfie, 270), 0), 270, true),
        ),
    ];
    let mut out = Vec::new();
    for (name, frame) in frames {
        let view = frame.view().unwrap();
        det.prepare(&view);
        let face = *det.infer(0.5).unwrap().first().expect("selfie has a face");
        let eyes = est.estimate(&view, &face).unwrap().expect("eyes measured");
        out.push(json!({
            "name": name,
            "input_mean": r4(est.input().iter().sum::<f32>() / est.input().len() as f32),
            "right": r4(eyes.right),
            "left": r4(eyes.left),
            "presence": r4(eyes.presence),
        }));
    }
    Value::Array(out)
}

fn num(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {v}"))
}

fn close(errors: &mut Vec<String>, what: String, got: &Value, want: &Value, tol: f64) {
    let (g, w) = (num(got, &what), num(want, &what));
    if (g - w).abs() > tol {
        errors.push(format!("{what}: {g} vs golden {w} (tolerance {tol})"));
    }
}

fn same(errors: &mut Vec<String>, what: String, got: &Value, want: &Value) {
    if got != want {
        errors.push(format!("{what}: {got} vs golden {want}"));
    }
}

fn compare_case(errors: &mut Vec<String>, got: &Value, want: &Value) {
    let name = want["name"].as_str().unwrap_or("?").to_owned();
    for key in ["guidance", "face_count", "input_hash", "frame_brightness"] {
        same(errors, format!("{name}.{key}"), &got[key], &want[key]);
    }
    for key in ["brightness", "sharpness"] {
        let tol = METRIC_TOL * num(&want[key], key).abs().max(1.0);
        close(errors, format!("{name}.{key}"), &got[key], &want[key], tol);
    }
    let (Some(gf), Some(wf)) = (got["faces"].as_array(), want["faces"].as_array()) else {
        errors.push(format!("{name}: faces missing"));
        return;
    };
    for (i, (g, w)) in gf.iter().zip(wf).enumerate() {
        close(
            errors,
            format!("{name}.faces[{i}].score"),
            &g["score"],
            &w["score"],
            SCORE_TOL,
        );
        for k in 0..4 {
            close(
                errors,
                format!("{name}.faces[{i}].box[{k}]"),
                &g["box"][k],
                &w["box"][k],
                BOX_TOL_PX,
            );
        }
        for k in 0..6 {
            for c in 0..2 {
                close(
                    errors,
                    format!("{name}.faces[{i}].keypoints[{k}][{c}]"),
                    &g["keypoints"][k][c],
                    &w["keypoints"][k][c],
                    BOX_TOL_PX,
                );
            }
        }
    }
}

#[test]
fn same_results_as_the_golden_values_on_every_architecture() {
    // scripts/test-arm64.sh names the arm64 library the tests must have loaded; make sure the
    // detector really came from there (not an x86_64 one found elsewhere, nor none at all).
    if let Some(expected) = std::env::var_os("SMART_ENROLL_EXPECT_ORT") {
        assert_eq!(
            std::env::var_os("ORT_DYLIB_PATH"),
            Some(expected),
            "the arm64 run must load the arm64 ONNX Runtime"
        );
    }
    let mut det = Detector::load(&ModelSource::Embedded, None)
        .unwrap_or_else(|e| panic!("{e}: run scripts/test.sh (it installs onnxruntime)"));
    let cases: Vec<Value> = cases()
        .iter()
        .map(|(name, frame)| observe(name, frame, &mut det))
        .collect();
    let eyes = observe_eyes(&mut det);
    let observed = json!({
        "recorded_on": std::env::consts::ARCH,
        "tolerance": {
            "box_px": BOX_TOL_PX,
            "score": SCORE_TOL,
            "metric_relative": METRIC_TOL,
            "eye": EYE_TOL,
        },
        "cases": cases,
        "eyes": eyes,
    });
    if std::env::var_os("SMART_ENROLL_GOLDEN_RECORD").is_some() {
        let text = serde_json::to_string_pretty(&observed).unwrap() + "\n";
        std::fs::create_dir_all(golden_path().parent().unwrap()).unwrap();
        std::fs::write(golden_path(), text).unwrap();
        eprintln!("recorded {}", golden_path().display());
        return;
    }
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(golden_path()).unwrap()).unwrap();
    let (want_cases, want_eyes) = (
        golden["cases"].as_array().unwrap(),
        golden["eyes"].as_array().unwrap(),
    );
    assert_eq!(want_cases.len(), cases.len(), "golden file has other cases");
    assert_eq!(want_eyes.len(), 2);
    let mut errors = Vec::new();
    for (got, want) in cases.iter().zip(want_cases) {
        compare_case(&mut errors, got, want);
    }
    for (got, want) in observed["eyes"].as_array().unwrap().iter().zip(want_eyes) {
        let name = want["name"].as_str().unwrap_or("?");
        for key in ["input_mean", "right", "left", "presence"] {
            close(
                &mut errors,
                format!("eyes.{name}.{key}"),
                &got[key],
                &want[key],
                EYE_TOL,
            );
        }
    }
    // The recorded set must cover what it claims: faces found and not found, several guidance
    // keys, so a detector that never fires (or always fires) cannot pass.
    let keys: std::collections::BTreeSet<&str> = want_cases
        .iter()
        .filter_map(|c| c["guidance"].as_str())
        .collect();
    assert!(
        keys.len() >= 5,
        "golden guidance keys too uniform: {keys:?}"
    );
    assert!(want_cases.iter().any(|c| c["face_count"] == 0));
    assert!(want_cases.iter().any(|c| c["face_count"] == 1));
    assert!(
        want_cases
            .iter()
            .any(|c| c["face_count"].as_u64() >= Some(2))
    );
    assert!(
        errors.is_empty(),
        "{} difference(s) from {} (recorded on {}), running on {}:\n{}",
        errors.len(),
        golden_path().display(),
        golden["recorded_on"],
        std::env::consts::ARCH,
        errors.join("\n")
    );
}
