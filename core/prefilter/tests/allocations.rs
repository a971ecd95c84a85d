//! Steady-state allocations, counted by a global allocator: the conversion and metric stages
//! (and the blink step's face crop) allocate nothing per frame; a whole `process_view`
//! allocates a small constant amount (the returned feedback's face list, and ort's per-run
//! bookkeeping), never growing with frames, also while a blink step runs the landmark model.
//! Only the measuring thread's allocations are counted (the calls under test run on it): other
//! threads, e.g. libtest's main thread printing "has been running for over 60 seconds" when
//! the suite is slow (under qemu-aarch64), must not show up as per-frame allocations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use smart_enroll_prefilter::challenge::Challenge;
use smart_enroll_prefilter::detector::{Detector, ModelSource};
use smart_enroll_prefilter::eyes::EyeEstimator;
use smart_enroll_prefilter::quality::{Analyzer, QualityThresholds};
use smart_enroll_prefilter::{
    ChallengeConfig, ChallengeStatus, ChallengeStep, PrefilterConfig, Rotation,
};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // Const-initialised, no destructor: safe to read from inside the allocator.
    static MEASURING: Cell<bool> = const { Cell::new(false) };
}

fn counted() -> bool {
    MEASURING.try_with(Cell::get).unwrap_or(false)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counted() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counted() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by this thread while `f` runs.
fn count<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCS.load(Ordering::SeqCst);
    MEASURING.with(|m| m.set(true));
    let out = f();
    MEASURING.with(|m| m.set(false));
    (out, ALLOCS.load(Ordering::SeqCst) - before)
}

#[test]
fn steady_state_allocations() {
    common::data_dir();
    let mut frame = common::nv21_frame(&common::selfie(), 0);
    frame.rotation = Rotation::Deg0;
    let view = frame.view().unwrap();

    // Stages on their own: zero allocations after the first frame.
    let mut det = Detector::load(&ModelSource::Embedded, None)
        .unwrap_or_else(|e| panic!("{e}: run scripts/test.sh (it installs onnxruntime)"));
    let mut analyzer = Analyzer::new();
    let t = QualityThresholds::default();
    det.prepare(&view);
    let faces = det.infer(t.min_face_score).unwrap().to_vec();
    analyzer.measure(&view, Some(&faces), &t);
    for _ in 0..5 {
        let ((), n) = count(|| det.prepare(&view));
        assert_eq!(n, 0, "conversion allocated");
        let (_, n) = count(|| analyzer.measure(&view, Some(&faces), &t));
        assert_eq!(n, 0, "metrics allocated");
    }

    // The whole per-frame call: constant, small.
    let p = common::prefilter(PrefilterConfig {
        good_frames: 300,
        ..PrefilterConfig::default()
    });
    for _ in 0..3 {
        p.process_view(&view);
    }
    let counts: Vec<usize> = (0..10).map(|_| count(|| p.process_view(&view)).1).collect();
    println!("allocations per process_view (1 face): {counts:?}");
    assert!(
        counts.iter().all(|&c| c == counts[0]),
        "allocations vary per frame: {counts:?}"
    );
    assert!(
        counts[0] <= 64,
        "too many allocations per frame: {counts:?}"
    );

    // The blink step: the crop allocates nothing; the whole call stays constant per frame.
    let mut eyes = EyeEstimator::load(&ModelSource::Embedded, None).unwrap();
    eyes.prepare(&view, &faces[0]);
    for _ in 0..3 {
        let ((), n) = count(|| eyes.prepare(&view, &faces[0]));
        assert_eq!(n, 0, "landmark crop allocated");
    }
    let config = (0..64)
        .map(|seed| ChallengeConfig {
            turns: 1,
            seed: Some(seed),
            step_timeout_ms: 60_000,
            blink: true,
            ..ChallengeConfig::default()
        })
        .find(|c| Challenge::new(*c).steps()[0] == ChallengeStep::Blink)
        .unwrap();
    let p = common::prefilter(PrefilterConfig {
        challenge: Some(config),
        ..PrefilterConfig::default()
    });
    for _ in 0..3 {
        p.process_view(&view);
    }
    let counts: Vec<usize> = (0..10)
        .map(|_| {
            let (fb, n) = count(|| p.process_view(&view));
            assert!(matches!(fb.challenge, Some(ChallengeStatus::Blink { .. })));
            assert!(fb.eye_openness.is_some());
            n
        })
        .collect();
    println!("allocations per process_view during a blink step: {counts:?}");
    assert!(
        counts.iter().all(|&c| c == counts[0]),
        "allocations vary per frame: {counts:?}"
    );
    assert!(
        counts[0] <= 64,
        "too many allocations per frame: {counts:?}"
    );
}
