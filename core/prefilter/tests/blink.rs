//! The blink step: eye openness from the Face Mesh landmark model on real photos, the blink logic
//! on eye-aspect-ratio sequences, a still real photo streamed through the session (it never
//! closes its eyes, so the step times out), and degradation without the landmark model.
//!
//! No real closed-eye photo ships in the registry datasets the tests use (scikit-image's samples
//! and `lfw_subset` all have open eyes), so the closed path is tested on ratio sequences only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use image::{RgbImage, imageops};
use smart_enroll_prefilter::challenge::Challenge;
use smart_enroll_prefilter::detector::Detector;
use smart_enroll_prefilter::eyes::{EyeEstimator, LEFT_EYE, RIGHT_EYE};
use smart_enroll_prefilter::{
    ChallengeConfig, ChallengeFailure, ChallengeStatus, ChallengeStep, GuidanceCode, ModelSource,
    Prefilter, PrefilterConfig, PrefilterError, Rotation, TurnDirection,
};

fn estimator() -> EyeEstimator {
    EyeEstimator::load(&ModelSource::Embedded, None)
        .unwrap_or_else(|e| panic!("{e}: run scripts/test.sh (it installs onnxruntime)"))
}

fn detector() -> Detector {
    Detector::load(&ModelSource::Embedded, None)
        .unwrap_or_else(|e| panic!("{e}: run scripts/test.sh (it installs onnxruntime)"))
}

/// Detects the main face in `frame` and measures its eyes; also checks the landmarks land on
/// the detector's eye keypoints (so the crop, rotation and mapping back are right).
fn measure(
    det: &mut Detector,
    est: &mut EyeEstimator,
    frame: &smart_enroll_prefilter::Frame,
) -> Option<smart_enroll_prefilter::EyeOpenness> {
    let view = frame.view().unwrap();
    det.prepare(&view);
    let face = *det.infer(0.5).unwrap().first()?;
    let eyes = est.estimate(&view, &face).unwrap()?;
    let centre = |eye: &[usize; 8]| {
        let a = est.landmark_in_frame(eye[0]).unwrap();
        let b = est.landmark_in_frame(eye[4]).unwrap();
        [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
    };
    let [kr, kl] = [face.keypoints[0], face.keypoints[1]];
    let iod = (kr[0] - kl[0]).hypot(kr[1] - kl[1]);
    // Both models label what they see: keypoint 0 and mesh "right eye" are the eye on the image
    // left of an upright face (the subject's right eye unless the frame is mirrored).
    let (a, b) = (centre(&RIGHT_EYE), centre(&LEFT_EYE));
    let err = ((a[0] - kr[0]).hypot(a[1] - kr[1]) + (b[0] - kl[0]).hypot(b[1] - kl[1])) / 2.0;
    assert!(
        err < 0.3 * iod,
        "eye landmarks {err:.1}px from the keypoints (iod {iod:.1})"
    );
    Some(eyes)
}

#[test]
fn open_eyes_on_real_photos_are_above_the_open_threshold() {
    let (mut det, mut est) = (detector(), estimator());
    let open = ChallengeConfig::default().blink_open_ear;

    // The astronaut, upright and through every sensor rotation / mirroring (NV21).
    let upright = selfie();
    let reference = measure(&mut det, &mut est, &nv21_frame(&upright, 0)).unwrap();
    println!("astronaut: {reference:?}");
    assert!(reference.presence > 0.9, "{reference:?}");
    assert!(
        reference.right > open && reference.left > open,
        "{reference:?}"
    );
    for deg in [90u32, 180, 270] {
        for mirrored in [false, true] {
            let mut frame = nv21_frame(&to_sensor(&upright, deg), 0);
            frame.rotation = Rotation::from_degrees(deg).unwrap();
            frame.mirrored = mirrored;
            let e = measure(&mut det, &mut est, &frame).unwrap();
            // Mirroring swaps which eye is which in the image, not the mean.
            assert!(
                (e.mean() - reference.mean()).abs() < 0.2 * reference.mean(),
                "{deg} {mirrored}: {e:?} vs {reference:?}"
            );
        }
    }
    // A tilted head: the crop is rotated along the eye line.
    let tilted = rotate_about_center(&upright, 20.0, [128, 128, 128]);
    let e = measure(&mut det, &mut est, &rgba_frame(&tilted, 0)).unwrap();
    assert!(
        (e.mean() - reference.mean()).abs() < 0.2 * reference.mean(),
        "tilted: {e:?} vs {reference:?}"
    );

    // lfw_subset faces (25×25 crops, upscaled onto a canvas as in the detection tests): every
    // face the detector and the landmark model both accept has open eyes.
    let mut measured = Vec::new();
    for i in 0..100 {
        let img = load_rgb(&format!("lfw_face_{i:03}.png"));
        let face = imageops::resize(&img, 104, 104, imageops::FilterType::CatmullRom);
        let canvas: RgbImage = on_canvas(&face, 256, 256, [128, 128, 128], 76, 76);
        if let Some(e) = measure(&mut det, &mut est, &rgba_frame(&canvas, 0)) {
            measured.push((i, e.mean()));
        }
    }
    let below: Vec<_> = measured.iter().filter(|(_, m)| *m < open).collect();
    println!(
        "lfw_subset: {} faces measured, mean EAR {:.3}, below {open}: {below:?}",
        measured.len(),
        measured.iter().map(|(_, m)| m).sum::<f32>() / measured.len().max(1) as f32
    );
    assert!(
        measured.len() >= 80,
        "only {} faces measured",
        measured.len()
    );
    assert!(
        below.len() <= measured.len() / 20,
        "open eyes measured as not open: {below:?}"
    );
}

// ---- blink logic, on eye-aspect-ratio sequences -----------------------------------------------

fn cfg() -> ChallengeConfig {
    ChallengeConfig {
        turns: 1,
        step_timeout_ms: 3000,
        seed: Some(1),
        blink: true,
        ..ChallengeConfig::default()
    }
}

/// Feeds (yaw 0, ear) frames 100 ms apart; returns the statuses.
fn feed(ch: &mut Challenge, ears: &[Option<f32>]) -> Vec<ChallengeStatus> {
    ears.iter()
        .enumerate()
        .map(|(i, &e)| ch.update_with_eyes(i as u64 * 100, Some(0.0), e))
        .collect()
}

#[test]
fn a_blink_is_open_closed_open_relative_to_the_open_baseline() {
    let blink_only = |c: ChallengeConfig| Challenge::with_steps(c, [ChallengeStep::Blink]);
    // Open, closed, open: passes on the reopening frame.
    let mut ch = blink_only(cfg());
    let s = feed(
        &mut ch,
        &[
            Some(0.30),
            Some(0.31),
            Some(0.29),
            Some(0.08),
            Some(0.06),
            Some(0.28),
        ],
    );
    assert_eq!(s[0], ChallengeStatus::Blink { step: 0, of: 1 });
    assert!(
        s[1..5]
            .iter()
            .all(|s| matches!(s, ChallengeStatus::Blink { .. })),
        "{s:?}"
    );
    assert_eq!(s[5], ChallengeStatus::Passed);
    assert_eq!(ch.progress(), 1.0);

    // Closed first (no open baseline yet) does not count; it must be seen open first.
    let mut ch = blink_only(cfg());
    let s = feed(&mut ch, &[Some(0.05), Some(0.30), Some(0.30)]);
    assert!(matches!(s[2], ChallengeStatus::Blink { .. }), "{s:?}");
    let s = feed(&mut ch, &[Some(0.05), Some(0.30)]);
    assert_eq!(s[1], ChallengeStatus::Passed);

    // The threshold is relative: a narrow-eyed person (open 0.18) blinking to 0.09 passes...
    let mut ch = blink_only(cfg());
    let s = feed(&mut ch, &[Some(0.18), Some(0.18), Some(0.09), Some(0.17)]);
    assert_eq!(s[3], ChallengeStatus::Passed, "{s:?}");
    // ...while a wide-eyed one (0.35) squinting to 0.25 does not.
    let mut ch = blink_only(cfg());
    let s = feed(&mut ch, &[Some(0.35), Some(0.34), Some(0.25), Some(0.35)]);
    assert!(matches!(s[3], ChallengeStatus::Blink { .. }), "{s:?}");

    // Closed but never reopened enough: still waiting.
    let mut ch = blink_only(cfg());
    let s = feed(&mut ch, &[Some(0.30), Some(0.05), Some(0.20), Some(0.22)]);
    assert!(matches!(s[3], ChallengeStatus::Blink { .. }), "{s:?}");

    // No eye data (no usable face, or the model did not see a face): no progress; no yaw either.
    let mut ch = blink_only(cfg());
    feed(&mut ch, &[Some(0.30)]);
    assert!(matches!(
        ch.update_with_eyes(200, None, Some(0.05)),
        ChallengeStatus::Blink { .. }
    ));
    assert!(matches!(
        ch.update_with_eyes(300, Some(0.0), None),
        ChallengeStatus::Blink { .. }
    ));
    assert!(matches!(
        ch.update_with_eyes(400, Some(0.0), Some(f32::NAN)),
        ChallengeStatus::Blink { .. }
    ));
    // Plain `update` (no eye data) never passes a blink step: it times out.
    assert_eq!(
        ch.update(3500, Some(0.0)),
        ChallengeStatus::Failed(ChallengeFailure::Timeout)
    );
}

#[test]
fn blink_and_turns_in_one_sequence() {
    let mut ch = Challenge::with_steps(
        cfg(),
        [
            ChallengeStep::Turn(TurnDirection::Left),
            ChallengeStep::Blink,
        ],
    );
    let mut t = 0;
    let mut step = |ch: &mut Challenge, yaw: f32, ear: Option<f32>| {
        t += 100;
        ch.update_with_eyes(t, Some(yaw), ear)
    };
    assert!(matches!(
        step(&mut ch, 0.0, None),
        ChallengeStatus::Turn { step: 0, of: 2, .. }
    ));
    // Eye data during a turn is ignored (a "blink" now does nothing).
    assert!(matches!(
        step(&mut ch, 5.0, Some(0.05)),
        ChallengeStatus::Turn { .. }
    ));
    assert!(matches!(
        step(&mut ch, 40.0, None),
        ChallengeStatus::LookStraight { step: 1, .. }
    ));
    assert_eq!(
        step(&mut ch, 1.0, None),
        ChallengeStatus::Blink { step: 1, of: 2 }
    );
    assert!(ch.wants_eyes());
    assert!(matches!(
        step(&mut ch, 1.0, Some(0.3)),
        ChallengeStatus::Blink { .. }
    ));
    assert!(matches!(
        step(&mut ch, 1.0, Some(0.1)),
        ChallengeStatus::Blink { .. }
    ));
    assert_eq!(step(&mut ch, 1.0, Some(0.3)), ChallengeStatus::Passed);
    assert!(!ch.wants_eyes());

    // The blink step lands at a random place, once, only when configured; turn sequences with
    // the same seed are unchanged by it.
    let mut places = std::collections::HashSet::new();
    for seed in 0..32 {
        let c = ChallengeConfig {
            turns: 3,
            seed: Some(seed),
            ..cfg()
        };
        let with = Challenge::new(c).steps().to_vec();
        let without = Challenge::new(ChallengeConfig { blink: false, ..c })
            .steps()
            .to_vec();
        assert_eq!(
            with.iter().filter(|s| **s == ChallengeStep::Blink).count(),
            1
        );
        assert!(!without.contains(&ChallengeStep::Blink));
        let turns: Vec<_> = with
            .iter()
            .copied()
            .filter(|s| *s != ChallengeStep::Blink)
            .collect();
        assert_eq!(turns, without);
        places.insert(with.iter().position(|s| *s == ChallengeStep::Blink));
    }
    assert!(places.len() >= 3, "{places:?}");
}

// ---- the session ------------------------------------------------------------------------------

/// A seed whose sequence starts with the blink step.
fn blink_first(config: ChallengeConfig) -> ChallengeConfig {
    (0..64)
        .map(|seed| ChallengeConfig {
            seed: Some(seed),
            ..config
        })
        .find(|c| Challenge::new(*c).steps()[0] == ChallengeStep::Blink)
        .unwrap()
}

#[test]
fn a_still_real_photo_stream_fails_the_blink_step() {
    let config = blink_first(ChallengeConfig {
        step_timeout_ms: 1500,
        ..cfg()
    });
    let p = prefilter(PrefilterConfig {
        challenge: Some(config),
        ..PrefilterConfig::default()
    });
    assert!(p.blink_available(), "{:?}", p.blink_error());
    assert_eq!(p.challenge_steps().unwrap()[0], ChallengeStep::Blink);
    // The photo held in front of the camera: small shifts and exposure changes between frames,
    // never a blink.
    let still = selfie();
    let (w, h) = (still.width(), still.height());
    let mut ears = Vec::new();
    let mut last = None;
    for i in 0..10u64 {
        let dx = [0i64, 2, -2, 1, -1][i as usize % 5];
        let shifted = on_canvas(&still, w, h, [128, 128, 128], dx, dx / 2);
        let gain = 0.95 + 0.025 * (i % 3) as f32;
        let frame = map_pixels(&shifted, |c| (f32::from(c) * gain).round().min(255.0) as u8);
        let fb = p.process_frame(&nv21_frame(&frame, i * 200)).unwrap();
        if i == 0 {
            assert_eq!(
                fb.challenge,
                Some(ChallengeStatus::Blink { step: 0, of: 2 })
            );
            assert_eq!(fb.guidance, GuidanceCode::Blink);
        }
        if let Some(e) = fb.eye_openness {
            ears.push(e.mean());
        }
        last = Some(fb);
    }
    println!("still photo EAR per frame: {ears:.3?}");
    assert!(ears.len() >= 7, "eyes measured on {} frames", ears.len());
    let open = ears.iter().cloned().fold(f32::MIN, f32::max);
    assert!(
        ears.iter().all(|e| *e >= config.blink_closed_ratio * open),
        "a still photo looked like a blink: {ears:?}"
    );
    let fb = last.unwrap();
    assert_eq!(
        fb.challenge,
        Some(ChallengeStatus::Failed(ChallengeFailure::Timeout))
    );
    assert_eq!(fb.guidance, GuidanceCode::ChallengeFailed);
    assert!(p.result().is_none());
}

#[test]
fn the_landmark_model_runs_only_during_a_blink_step() {
    // A turn comes first here: no eye data until the blink step.
    let config = (0..64)
        .map(|seed| ChallengeConfig {
            seed: Some(seed),
            ..cfg()
        })
        .find(|c| Challenge::new(*c).steps()[0] != ChallengeStep::Blink)
        .unwrap();
    let p = prefilter(PrefilterConfig {
        challenge: Some(config),
        ..PrefilterConfig::default()
    });
    let fb = p.process_frame(&nv21_frame(&selfie(), 0)).unwrap();
    assert!(
        matches!(fb.challenge, Some(ChallengeStatus::Turn { .. })),
        "{:?}",
        fb.challenge
    );
    assert_eq!(fb.eye_openness, None);
    // Without blink configured the model is not even loaded.
    let p = prefilter(PrefilterConfig {
        challenge: Some(ChallengeConfig {
            blink: false,
            ..cfg()
        }),
        ..PrefilterConfig::default()
    });
    assert!(!p.blink_available() && p.blink_error().is_none());
    assert!(!p.challenge_steps().unwrap().contains(&ChallengeStep::Blink));
}

#[test]
fn without_the_landmark_model_the_challenge_runs_without_blink() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.onnx");
    let model = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/face_landmark_192.onnx"
    ))
    .unwrap();
    std::fs::write(&corrupt, &model[..model.len() / 3]).unwrap();
    let wrong = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/face_detection_front_128x128_barracuda.onnx"
    ));
    let cases = [
        (
            ModelSource::Path(dir.path().join("missing.onnx")),
            "missing",
        ),
        (ModelSource::Path(corrupt), "corrupt"),
        // A valid ONNX model with the wrong signature.
        (ModelSource::Path(wrong.clone()), "wrong"),
        // The same, handed in as bytes (how the mobile SDK passes an app's asset).
        (
            ModelSource::Bytes(model[..model.len() / 3].to_vec().into()),
            "corrupt",
        ),
        (ModelSource::Bytes(vec![0x5a; 4096].into()), "corrupt"),
        (
            ModelSource::Bytes(std::fs::read(&wrong).unwrap().into()),
            "wrong",
        ),
    ];
    for (source, what) in cases {
        let p = Prefilter::new(PrefilterConfig {
            challenge: Some(ChallengeConfig { turns: 2, ..cfg() }),
            landmark_model: source,
            ..PrefilterConfig::default()
        })
        .unwrap();
        let err = p.blink_error();
        match (what, &err) {
            ("missing", Some(PrefilterError::ModelMissing { .. })) => {}
            ("corrupt" | "wrong", Some(PrefilterError::ModelInvalid { reason })) => {
                assert!(
                    reason.starts_with("Face Mesh landmarks 192x192"),
                    "{reason}"
                );
            }
            _ => panic!("{what}: {err:?}"),
        }
        assert!(!p.blink_available());
        // The face detector and the head-turn challenge are unaffected.
        assert!(p.detector_available());
        let steps = p.challenge_steps().unwrap();
        assert_eq!(steps.len(), 2, "{what}: {steps:?}");
        assert!(!steps.contains(&ChallengeStep::Blink));
        let fb = p.process_frame(&nv21_frame(&selfie(), 0)).unwrap();
        assert!(
            matches!(fb.challenge, Some(ChallengeStatus::Turn { .. })),
            "{:?}",
            fb.challenge
        );
        // The error stays the same (reported once, not per frame); reset keeps blink out.
        p.reset();
        assert_eq!(p.blink_error(), err);
        assert!(!p.challenge_steps().unwrap().contains(&ChallengeStep::Blink));
    }
}

#[test]
fn the_landmark_model_loads_from_bytes() {
    let bytes: std::sync::Arc<[u8]> = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/face_landmark_192.onnx"
    ))
    .unwrap()
    .into();
    let source = ModelSource::Bytes(bytes.clone());
    // Debug names the length, never the bytes.
    let shown = format!("{source:?}");
    assert_eq!(shown, format!("Bytes(<{} bytes>)", bytes.len()));
    let p = Prefilter::new(PrefilterConfig {
        challenge: Some(ChallengeConfig { turns: 1, ..cfg() }),
        landmark_model: source,
        ..PrefilterConfig::default()
    })
    .unwrap();
    assert!(p.blink_available(), "{:?}", p.blink_error());
    assert!(p.blink_error().is_none());
    assert!(p.challenge_steps().unwrap().contains(&ChallengeStep::Blink));

    // The bytes measure the same eyes as the embedded model.
    let mut det = detector();
    let mut from_bytes = EyeEstimator::load(&ModelSource::Bytes(bytes), None).unwrap();
    let frame = rgba_frame(&selfie(), 0);
    let eyes = measure(&mut det, &mut from_bytes, &frame).unwrap();
    assert!(
        eyes.mean() > ChallengeConfig::default().blink_open_ear,
        "{eyes:?}"
    );
    assert_eq!(Some(eyes), measure(&mut det, &mut estimator(), &frame));
}

#[test]
fn blink_thresholds_are_validated() {
    for bad in [
        ChallengeConfig {
            blink_closed_ratio: 0.9,
            blink_reopen_ratio: 0.8,
            ..cfg()
        },
        ChallengeConfig {
            blink_open_ear: 0.0,
            ..cfg()
        },
        ChallengeConfig {
            blink_reopen_ratio: 1.5,
            ..cfg()
        },
    ] {
        let err = Prefilter::new(PrefilterConfig {
            challenge: Some(bad),
            ..PrefilterConfig::default()
        })
        .unwrap_err();
        assert!(matches!(err, PrefilterError::Config { .. }), "{err:?}");
    }
}
