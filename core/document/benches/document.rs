//! Per-frame cost of the document-frame pipeline (detection, metrics, guidance, capture logic)
//! on a 1280×720 NV21 frame, one thread, against the face prefilter's pipeline on the SAME frame
//! in the same run, plus the allocations per frame in steady state (counting allocator).
//!
//! Run: `cargo bench -p smart-enroll-document --bench document -- --warm-up-time 1 --measurement-time 3`
//! After criterion, the binary prints the ratios from interleaved medians and the allocation
//! counts (`DOCUMENT_BENCH_RATIOS_ONLY=1`: only those). Results are recorded in BENCHMARKS.md ("Document frame pipeline"). The scenes are
//! SYNTHETIC (tests/scene).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/scene/mod.rs"]
mod scene;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::Criterion;
use scene::{Background, Page, background, compose, nv21, pose, synthetic_page, to_sensor};
use smart_enroll_document::{DocumentCapture, DocumentCaptureConfig, DocumentGuidance};
use smart_enroll_prefilter::{Frame, FrameView, Prefilter, PrefilterConfig, Rotation};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A landscape 1280×720 NV21 frame (row padding 64) with an ID-1 card at a mild angle.
fn landscape_card() -> Frame {
    let truth = pose(1280, 720, Page::Id1, 760.0, 4.0, 14.0, 20.0, -10.0);
    let scene = compose(
        &synthetic_page(Page::Id1),
        &background(Background::Wood, 1280, 720, 7),
        truth,
    );
    nv21(&scene, 64)
}

/// A 1280×720 NV21 sensor frame of a phone held upright (rotation 90): a card in portrait.
fn portrait_card() -> Frame {
    let truth = pose(720, 1280, Page::Id1, 620.0, 3.0, 10.0, 0.0, 40.0);
    let upright = compose(
        &synthetic_page(Page::Id1),
        &background(Background::Wood, 720, 1280, 9),
        truth,
    );
    let mut f = nv21(&to_sensor(&upright, 90), 0);
    f.rotation = Rotation::Deg90;
    f
}

/// The same frame size with no document (the detector finds nothing).
fn empty() -> Frame {
    nv21(&background(Background::Noise, 1280, 720, 3), 0)
}

fn document_capture() -> DocumentCapture {
    DocumentCapture::new(DocumentCaptureConfig {
        good_frames: u32::MAX,
        ..DocumentCaptureConfig::default()
    })
    .unwrap()
}

fn face_prefilter() -> Prefilter {
    let p = Prefilter::new(PrefilterConfig {
        good_frames: 300,
        ..PrefilterConfig::default()
    })
    .unwrap();
    assert!(
        p.detector_available(),
        "{:?}: run scripts/test.sh (it installs onnxruntime)",
        p.detector_error()
    );
    p
}

fn bench(c: &mut Criterion, name: &str, frame: &Frame, expect: Option<DocumentGuidance>) {
    let view = frame.view().unwrap();
    let mut doc = document_capture();
    let first = doc.process_view(&view);
    if let Some(g) = expect {
        assert_eq!(first.guidance, g, "{name}: {first:?}");
    }
    let face = face_prefilter();
    let mut g = c.benchmark_group(name);
    g.bench_function("document_pipeline", |b| {
        b.iter(|| doc.process_view(black_box(&view)))
    });
    g.bench_function("face_pipeline", |b| {
        b.iter(|| face.process_view(black_box(&view)))
    });
    g.finish();
}

/// The capture frame: a new sharpest good frame is warped to the flat page at full resolution,
/// and the last good frame encodes the JPEG (good_frames = 1: both on one frame).
fn bench_capture(c: &mut Criterion, frame: &Frame) {
    let view = frame.view().unwrap();
    let mut doc = DocumentCapture::new(DocumentCaptureConfig {
        good_frames: 1,
        ..DocumentCaptureConfig::default()
    })
    .unwrap();
    c.bench_function("capture_warp_and_jpeg_720p", |b| {
        b.iter(|| {
            doc.reset();
            assert!(doc.process_view(&view).captured);
        })
    });
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Interleaved medians: the document pipeline and the face pipeline on the same view.
fn ratio(name: &str, view: &FrameView<'_>) {
    let mut doc = document_capture();
    let face = face_prefilter();
    for _ in 0..30 {
        doc.process_view(view);
        face.process_view(view);
    }
    let (mut d, mut f) = (Vec::new(), Vec::new());
    let start = Instant::now();
    while d.len() < 400 && start.elapsed() < Duration::from_secs(30) {
        let t = Instant::now();
        black_box(doc.process_view(black_box(view)));
        d.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        black_box(face.process_view(black_box(view)));
        f.push(t.elapsed().as_secs_f64());
    }
    let n = d.len();
    let (dm, fm) = (median(&mut d), median(&mut f));
    println!(
        "{name}: document pipeline / face pipeline = {:.2}  (medians of {n} interleaved runs: \
         document {:.3} ms, face {:.3} ms)",
        dm / fm,
        dm * 1e3,
        fm * 1e3
    );
}

/// Allocations per frame in steady state (after a warm-up that sizes the kept buffers).
fn allocations(name: &str, view: &FrameView<'_>) {
    const FRAMES: usize = 100;
    let mut doc = document_capture();
    let face = face_prefilter();
    for _ in 0..5 {
        doc.process_view(view);
        face.process_view(view);
    }
    let (a0, b0) = (ALLOCS.load(Ordering::SeqCst), BYTES.load(Ordering::SeqCst));
    for _ in 0..FRAMES {
        black_box(doc.process_view(view));
    }
    let (a1, b1) = (ALLOCS.load(Ordering::SeqCst), BYTES.load(Ordering::SeqCst));
    for _ in 0..FRAMES {
        black_box(face.process_view(view));
    }
    let (a2, b2) = (ALLOCS.load(Ordering::SeqCst), BYTES.load(Ordering::SeqCst));
    println!(
        "{name}: allocations per frame in steady state: document {:.1} ({:.0} KiB), face {:.1} ({:.0} KiB)",
        (a1 - a0) as f64 / FRAMES as f64,
        (b1 - b0) as f64 / FRAMES as f64 / 1024.0,
        (a2 - a1) as f64 / FRAMES as f64,
        (b2 - b1) as f64 / FRAMES as f64 / 1024.0,
    );
}

fn main() {
    // DOCUMENT_BENCH_PROFILE=1: only a loop of document frames (for `perf record`).
    if std::env::var_os("DOCUMENT_BENCH_PROFILE").is_some() {
        let frame = if std::env::var_os("DOCUMENT_BENCH_EMPTY").is_some() {
            empty()
        } else {
            landscape_card()
        };
        let view = frame.view().unwrap();
        let mut doc = document_capture();
        for _ in 0..2000 {
            black_box(doc.process_view(&view));
        }
        return;
    }
    // DOCUMENT_BENCH_RATIOS_ONLY=1: skip criterion, print only the same-run ratios and counts.
    let ratios_only = std::env::var_os("DOCUMENT_BENCH_RATIOS_ONLY").is_some();
    let mut c = Criterion::default().configure_from_args();
    let frames = [
        (
            "nv21_1280x720_card",
            landscape_card(),
            Some(DocumentGuidance::HoldStill),
        ),
        (
            "nv21_1280x720_rot90_card",
            portrait_card(),
            Some(DocumentGuidance::HoldStill),
        ),
        (
            "nv21_1280x720_no_document",
            empty(),
            Some(DocumentGuidance::NoDocument),
        ),
    ];
    if !ratios_only {
        for (name, frame, expect) in &frames {
            bench(&mut c, name, frame, *expect);
        }
        bench_capture(&mut c, &frames[0].1);
        c.final_summary();
    }
    println!("\n== ratios and allocations (same run) ==");
    for (name, frame, _) in &frames {
        let view = frame.view().unwrap();
        ratio(name, &view);
        allocations(name, &view);
    }
}
