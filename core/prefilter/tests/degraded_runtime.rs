//! ONNX Runtime that cannot be loaded: one typed error, then quality-only mode; never a crash.
//! (Its own test binary: the runtime is loaded once per process.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use smart_enroll_prefilter::{GuidanceCode, PrefilterConfig, PrefilterError};

#[test]
fn garbage_runtime_library_degrades_to_quality_only() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("libonnxruntime.so");
    std::fs::write(&fake, b"this is not a shared library").unwrap();
    let config = PrefilterConfig {
        good_frames: 2,
        runtime_path: Some(fake.clone()),
        ..PrefilterConfig::default()
    };
    let p = smart_enroll_prefilter::Prefilter::new(config.clone()).unwrap();
    match p.detector_error() {
        Some(PrefilterError::RuntimeLoad { path, .. }) => {
            assert_eq!(path, fake.display().to_string())
        }
        other => panic!("expected RuntimeLoad, got {other:?}"),
    }
    assert!(!p.detector_available());
    // A second prefilter in the same process reports the same typed error (loaded once).
    let again = smart_enroll_prefilter::Prefilter::new(PrefilterConfig::default()).unwrap();
    assert!(matches!(
        again.detector_error(),
        Some(PrefilterError::RuntimeLoad { .. })
    ));

    // Quality-only mode still guides exposure and sharpness and can capture the centre.
    let good = common::selfie();
    let fb = p.process_frame(&common::nv21_frame(&good, 0)).unwrap();
    assert!(!fb.metrics.detector_available);
    assert_eq!(fb.guidance, GuidanceCode::HoldStill, "{:?}", fb.metrics);
    let dark = common::map_pixels(&good, |v| v / 6);
    assert_eq!(
        p.process_frame(&common::nv21_frame(&dark, 33))
            .unwrap()
            .guidance,
        GuidanceCode::TooDark
    );
    // The centre region (60% of the short side) is larger than a face box, so blur more.
    let blurred = image::imageops::blur(&good, 8.0);
    assert_eq!(
        p.process_frame(&common::nv21_frame(&blurred, 66))
            .unwrap()
            .guidance,
        GuidanceCode::Blurry
    );
    assert_eq!(
        p.process_frame(&common::nv21_frame(&good, 99))
            .unwrap()
            .guidance,
        GuidanceCode::HoldStill
    );
    let fb = p.process_frame(&common::nv21_frame(&good, 133)).unwrap();
    assert!(fb.captured);
    assert!(p.result().unwrap().jpeg.len() <= 150_000);
    // The still-image entry point also works (no faces reported).
    let a = p.analyze_image(&common::png_bytes(&good)).unwrap();
    assert!(a.faces.is_empty() && !a.metrics.detector_available);

    assert!(!p.challenge_available(), "no challenge configured");
    assert_eq!(p.challenge_unavailable_reason(), None);

    // A configured challenge cannot run without the detector (head turns are measured on its
    // landmarks): reported unavailable with the reason, and the capture goes on without it,
    // also after reset() (which must not start another challenge that can only time out).
    let with_challenge = smart_enroll_prefilter::Prefilter::new(PrefilterConfig {
        challenge: Some(smart_enroll_prefilter::ChallengeConfig {
            turns: 2,
            step_timeout_ms: 50,
            ..smart_enroll_prefilter::ChallengeConfig::default()
        }),
        ..config
    })
    .unwrap();
    assert!(!with_challenge.challenge_available());
    let reason = with_challenge.challenge_unavailable_reason().unwrap();
    assert!(
        reason.contains("face detector") && reason.contains("could not be loaded"),
        "{reason}"
    );
    assert_eq!(with_challenge.challenge_steps(), None);
    for round in 0..2u64 {
        let mut captured = false;
        for i in 0..4u64 {
            // Frames far apart: a challenge step would have timed out between them.
            let fb = with_challenge
                .process_frame(&common::nv21_frame(&good, round * 10_000 + i * 1_000))
                .unwrap();
            assert_eq!(fb.challenge, None, "round {round} frame {i}");
            assert_ne!(fb.guidance, GuidanceCode::ChallengeFailed);
            captured |= fb.captured;
        }
        assert!(captured, "round {round}: quality-only capture");
        assert!(!with_challenge.result().unwrap().challenge_passed);
        with_challenge.reset();
        assert_eq!(with_challenge.challenge_steps(), None, "reset starts none");
    }
}
