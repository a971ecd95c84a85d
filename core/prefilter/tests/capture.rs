//! Auto-capture over a stream of real frames, and the head-turn challenge on keypoint sequences.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use smart_enroll_prefilter::challenge::Challenge;
use smart_enroll_prefilter::quality::yaw_from_keypoints;
use smart_enroll_prefilter::{
    ChallengeConfig, ChallengeFailure, ChallengeStatus, ChallengeStep, GuidanceCode,
    PrefilterConfig, TurnDirection,
};

#[test]
fn auto_capture_after_consecutive_good_frames() {
    let p = prefilter(PrefilterConfig {
        good_frames: 4,
        ..PrefilterConfig::default()
    });
    let good = selfie();
    let blurred = image::imageops::blur(&good, 4.0);
    // A blurred frame breaks the streak.
    let seq = [&good, &good, &blurred, &good, &good, &good, &good];
    let mut feedback = Vec::new();
    for (i, img) in seq.iter().enumerate() {
        feedback.push(p.process_frame(&nv21_frame(img, i as u64 * 33)).unwrap());
    }
    for f in &feedback {
        println!(
            "{} motion {:.3} sharp {:.1}",
            f.guidance, f.metrics.motion, f.metrics.sharpness
        );
    }
    let codes: Vec<_> = feedback.iter().map(|f| f.guidance).collect();
    assert_eq!(
        codes,
        [
            GuidanceCode::HoldStill,
            GuidanceCode::HoldStill,
            GuidanceCode::Blurry,
            GuidanceCode::HoldStill,
            GuidanceCode::HoldStill,
            GuidanceCode::HoldStill,
            GuidanceCode::Captured,
        ]
    );
    assert_eq!(feedback[0].readiness, 0.25);
    assert_eq!(feedback[2].readiness, 0.0);
    assert_eq!(feedback[5].readiness, 0.75);
    assert!(feedback[6].captured && feedback[6].readiness == 1.0);
    let result = p.result().expect("captured result");
    assert!(result.jpeg.len() <= 150_000 && result.jpeg.len() > 1000);
    assert!(result.width.max(result.height) <= 1080);
    let decoded = image::load_from_memory(&result.jpeg).unwrap();
    assert_eq!(
        (decoded.width(), decoded.height()),
        (result.width, result.height)
    );
    // The crop contains the face, with margin on each side.
    let f = &result.face;
    assert!(
        f.x > 0.0
            && f.y > 0.0
            && f.x + f.width < result.width as f32
            && f.y + f.height < result.height as f32,
        "{f:?}"
    );
    // The crop is a face the detector finds again.
    let again = p.analyze_image(&result.jpeg).unwrap();
    assert_eq!(again.metrics.face_count, 1);
    // Debug never prints the image bytes.
    assert!(!format!("{result:?}").contains("255"));
    // After capture: stays captured; reset starts over.
    assert_eq!(
        p.process_frame(&nv21_frame(&good, 300)).unwrap().guidance,
        GuidanceCode::Captured
    );
    p.reset();
    assert!(p.result().is_none());
    assert_eq!(
        p.process_frame(&nv21_frame(&good, 400)).unwrap().guidance,
        GuidanceCode::HoldStill
    );
}

#[test]
fn large_frames_are_capped_at_1080_and_150kb() {
    let p = prefilter(PrefilterConfig {
        good_frames: 1,
        ..PrefilterConfig::default()
    });
    // 4× upscale of the selfie: the face crop is ~1800 px before the cap.
    let big = image::imageops::resize(&selfie(), 2000, 2080, image::imageops::FilterType::Triangle);
    let fb = p.process_frame(&rgba_frame(&big, 0)).unwrap();
    assert!(fb.captured, "{:?}", fb.guidance);
    let r = p.result().unwrap();
    assert!(r.width.max(r.height) <= 1080, "{}x{}", r.width, r.height);
    assert!(r.jpeg.len() <= 150_000, "{}", r.jpeg.len());
}

#[test]
fn moving_face_is_reported() {
    let p = prefilter(PrefilterConfig::default());
    let good = selfie();
    let (w, h) = (good.width(), good.height());
    assert_eq!(
        p.process_frame(&nv21_frame(&good, 0)).unwrap().guidance,
        GuidanceCode::HoldStill
    );
    let moved = on_canvas(&good, w, h, [128, 128, 128], (w / 10) as i64, 0);
    let fb = p.process_frame(&nv21_frame(&moved, 33)).unwrap();
    assert_eq!(fb.guidance, GuidanceCode::Moving, "{:?}", fb.metrics);
    assert!(fb.metrics.motion > 0.12);
}

// ---- challenge, on keypoint sequences ---------------------------------------------------------

/// Keypoints of a head of unit size turned by `yaw` degrees (positive = the subject's left,
/// which is image right in a non-mirrored image): a 3D model projected orthographically.
fn head_keypoints(yaw_deg: f32) -> [[f32; 2]; 6] {
    let (s, c) = yaw_deg.to_radians().sin_cos();
    // x (image right), y (down), z (towards camera) of: right eye, left eye, nose, mouth, ears.
    let model = [
        [-0.3, -0.2, 0.5],
        [0.3, -0.2, 0.5],
        [0.0, 0.1, 0.8],
        [0.0, 0.4, 0.5],
        [-0.75, 0.0, -0.5],
        [0.75, 0.0, -0.5],
    ];
    model.map(|[x, y, z]| [100.0 + 50.0 * (x * c + z * s), 100.0 + 50.0 * y])
}

/// A flat photo of a frontal face, itself turned by `angle` degrees about the vertical axis.
fn photo_keypoints(angle: f32) -> [[f32; 2]; 6] {
    let squeeze = angle.to_radians().cos();
    head_keypoints(0.0).map(|[x, y]| [100.0 + (x - 100.0) * squeeze, y])
}

fn cfg() -> ChallengeConfig {
    ChallengeConfig {
        turns: 2,
        step_timeout_ms: 3000,
        turn_yaw_deg: 25.0,
        straight_yaw_deg: 10.0,
        seed: Some(1),
        ..ChallengeConfig::default()
    }
}

#[test]
fn yaw_estimate_tracks_head_turns_not_photo_turns() {
    for yaw in [-45.0f32, -30.0, 0.0, 30.0, 45.0] {
        let est = yaw_from_keypoints(&head_keypoints(yaw), false);
        assert!((est - yaw).abs() < 1.0, "{yaw} -> {est}");
        assert!(
            (yaw_from_keypoints(&head_keypoints(yaw), true) + est).abs() < 1e-4,
            "mirroring flips the sign"
        );
    }
    for angle in [0.0f32, 30.0, 60.0] {
        assert!(yaw_from_keypoints(&photo_keypoints(angle), false).abs() < 1.0);
    }
}

#[test]
fn challenge_passes_with_real_head_turns() {
    let steps = vec![TurnDirection::Left, TurnDirection::Right];
    let mut ch = Challenge::with_steps(cfg(), steps);
    let mut t = 0u64;
    let mut feed = |ch: &mut Challenge, yaw: f32| {
        t += 100;
        ch.update(t, Some(yaw_from_keypoints(&head_keypoints(yaw), false)))
    };
    assert!(matches!(
        feed(&mut ch, 0.0),
        ChallengeStatus::Turn {
            direction: TurnDirection::Left,
            step: 0,
            of: 2
        }
    ));
    assert!(matches!(feed(&mut ch, 15.0), ChallengeStatus::Turn { .. }));
    assert!(matches!(
        feed(&mut ch, 40.0),
        ChallengeStatus::LookStraight { step: 1, .. }
    ));
    assert!(matches!(
        feed(&mut ch, 2.0),
        ChallengeStatus::Turn {
            direction: TurnDirection::Right,
            step: 1,
            ..
        }
    ));
    assert!(matches!(
        feed(&mut ch, -40.0),
        ChallengeStatus::LookStraight { step: 2, .. }
    ));
    assert_eq!(feed(&mut ch, 0.0), ChallengeStatus::Passed);
    assert_eq!(ch.progress(), 1.0);
}

#[test]
fn still_photo_fails_the_challenge() {
    // A photo held up and waved/turned: the yaw estimate stays frontal, so each step times out.
    let mut ch = Challenge::new(cfg());
    let mut status = ch.status();
    for i in 0..100u64 {
        let angle = (i as f32 * 0.3).sin() * 60.0;
        status = ch.update(
            i * 100,
            Some(yaw_from_keypoints(&photo_keypoints(angle), false)),
        );
    }
    assert_eq!(status, ChallengeStatus::Failed(ChallengeFailure::Timeout));
    // No face at all also times out.
    let mut ch = Challenge::new(cfg());
    assert_eq!(
        ch.update(0, None),
        ChallengeStatus::LookStraight { step: 0, of: 2 }
    );
    assert_eq!(
        ch.update(3001, None),
        ChallengeStatus::Failed(ChallengeFailure::Timeout)
    );
}

#[test]
fn wrong_direction_fails_and_sequences_are_random() {
    let mut ch = Challenge::with_steps(cfg(), vec![TurnDirection::Left]);
    ch.update(0, Some(0.0));
    assert_eq!(
        ch.update(100, Some(-40.0)),
        ChallengeStatus::Failed(ChallengeFailure::WrongDirection)
    );
    let seqs: std::collections::HashSet<Vec<ChallengeStep>> = (0..32)
        .map(|seed| {
            Challenge::new(ChallengeConfig {
                turns: 4,
                seed: Some(seed),
                ..cfg()
            })
            .steps()
            .to_vec()
        })
        .collect();
    assert!(seqs.len() > 4, "sequences should vary: {seqs:?}");
    for s in &seqs {
        assert!(
            s.windows(3).all(|w| !(w[0] == w[1] && w[1] == w[2])),
            "{s:?}"
        );
    }
}

#[test]
fn challenge_with_a_still_real_photo_stream_fails_in_the_session() {
    let p = prefilter(PrefilterConfig {
        challenge: Some(ChallengeConfig {
            step_timeout_ms: 1000,
            ..cfg()
        }),
        ..PrefilterConfig::default()
    });
    assert_eq!(p.challenge_steps().unwrap().len(), 2);
    let still = selfie();
    let mut last = None;
    for i in 0..8u64 {
        last = Some(p.process_frame(&nv21_frame(&still, i * 200)).unwrap());
        if i == 0 {
            let fb = last.as_ref().unwrap();
            assert!(
                matches!(
                    fb.guidance,
                    GuidanceCode::TurnHeadLeft | GuidanceCode::TurnHeadRight
                ),
                "{:?}",
                fb.guidance
            );
        }
    }
    let fb = last.unwrap();
    assert_eq!(fb.guidance, GuidanceCode::ChallengeFailed);
    assert!(p.result().is_none(), "no capture after a failed challenge");
}

#[test]
fn one_capture_object_shared_across_threads() {
    let p = std::sync::Arc::new(prefilter(PrefilterConfig {
        good_frames: 6,
        ..PrefilterConfig::default()
    }));
    let frame = std::sync::Arc::new(nv21_frame(&selfie(), 0));
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let (p, frame) = (p.clone(), frame.clone());
            std::thread::spawn(move || {
                (0..4)
                    .map(|_| p.process_frame(&frame).unwrap().captured)
                    .filter(|c| *c)
                    .count()
            })
        })
        .collect();
    let captured: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    // 12 good frames in total, capture after 6: exactly one frame reports the capture.
    assert_eq!(captured, 1);
    assert!(p.result().is_some());
}

#[test]
fn a_face_jump_during_the_challenge_fails_it() {
    let p = prefilter(PrefilterConfig {
        challenge: Some(cfg()),
        ..PrefilterConfig::default()
    });
    let good = selfie();
    let (w, h) = (good.width(), good.height());
    for i in 0..2u64 {
        let fb = p.process_frame(&nv21_frame(&good, i * 33)).unwrap();
        assert!(
            matches!(fb.challenge, Some(ChallengeStatus::Turn { .. })),
            "{:?}",
            fb.challenge
        );
    }
    // The face jumps by ~0.7 face widths from one frame to the next (a swapped photo).
    let jumped = on_canvas(&good, w, h, [128, 128, 128], (w * 3 / 10) as i64, 0);
    let fb = p.process_frame(&nv21_frame(&jumped, 66)).unwrap();
    assert!(fb.metrics.motion > 0.5, "{:?}", fb.metrics);
    assert_eq!(
        fb.challenge,
        Some(ChallengeStatus::Failed(ChallengeFailure::FaceChanged))
    );
    assert_eq!(fb.guidance, GuidanceCode::ChallengeFailed);
    // Failure sticks until reset.
    let fb = p.process_frame(&nv21_frame(&good, 99)).unwrap();
    assert_eq!(fb.guidance, GuidanceCode::ChallengeFailed);
    p.reset();
    let fb = p.process_frame(&nv21_frame(&good, 132)).unwrap();
    assert!(matches!(fb.challenge, Some(ChallengeStatus::Turn { .. })));
}
