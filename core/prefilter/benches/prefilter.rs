//! Per-frame cost of the prefilter, split into stages, with raw model inference as the floor.
//!
//! Run: `cargo bench -p smart-enroll-prefilter --bench prefilter -- --warm-up-time 1 --measurement-time 3`
//! (`PREFILTER_BENCH_STILLS_ONLY=1` runs only the still-image second-pass ratios.)
//! After criterion, the binary prints (a) the pipeline / inference ratios measured in this same
//! run by interleaved timing, (a') the blink step's extra cost (Face Mesh landmark model, run
//! only during a blink step) against BlazeFace inference, and (b) the peak heap of a capture session (counting allocator) and
//! the process's peak RSS. Results are recorded in BENCHMARKS.md (ratios, not absolute times).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::Criterion;
use image::{RgbImage, imageops};
use smart_enroll_prefilter::challenge::Challenge;
use smart_enroll_prefilter::detector::{Detector, ModelSource};
use smart_enroll_prefilter::eyes::EyeEstimator;
use smart_enroll_prefilter::quality::{Analyzer, QualityThresholds, guidance};
use smart_enroll_prefilter::{
    ChallengeConfig, ChallengeStatus, ChallengeStep, Frame, Prefilter, PrefilterConfig, Rotation,
};

struct Tracking;
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// 1280×720 NV21 sensor frame of a portrait selfie (front camera: rotation 270, mirrored).
fn nv21_720p() -> Frame {
    let selfie = common::selfie();
    let face = imageops::resize(&selfie, 720, 749, imageops::FilterType::Triangle);
    let upright = common::on_canvas(&face, 720, 1280, [120, 120, 120], 0, (1280 - 749) / 2);
    let mut f = common::nv21_frame(&common::to_sensor(&upright, 270), 0);
    f.rotation = Rotation::Deg270;
    f.mirrored = true;
    f
}

/// 640×480 BGRA frame (landscape, upright).
fn bgra_480p() -> Frame {
    let selfie = common::selfie();
    let face = imageops::resize(&selfie, 440, 458, imageops::FilterType::Triangle);
    let upright: RgbImage = common::on_canvas(&face, 640, 480, [120, 120, 120], 100, 11);
    let mut f = common::rgba_frame(&upright, 0);
    for px in f.planes[0].data.chunks_mut(4) {
        px.swap(0, 2);
    }
    f.format = smart_enroll_prefilter::PixelFormat::Bgra;
    f
}

fn detector() -> Detector {
    common::data_dir();
    Detector::load(&ModelSource::Embedded, None)
        .unwrap_or_else(|e| panic!("{e}: run scripts/test.sh (it installs onnxruntime)"))
}

fn eyes() -> EyeEstimator {
    EyeEstimator::load(&ModelSource::Embedded, None)
        .unwrap_or_else(|e| panic!("{e}: run scripts/test.sh (it installs onnxruntime)"))
}

/// A session whose challenge starts with the blink step and stays in it (a still frame never
/// blinks; the frames' timestamps do not advance, so it never times out).
fn blink_session() -> Prefilter {
    let config = (0..64)
        .map(|seed| ChallengeConfig {
            turns: 1,
            seed: Some(seed),
            step_timeout_ms: u64::MAX / 2,
            blink: true,
            ..ChallengeConfig::default()
        })
        .find(|c| Challenge::new(*c).steps()[0] == ChallengeStep::Blink)
        .unwrap();
    let p = Prefilter::new(PrefilterConfig {
        challenge: Some(config),
        ..PrefilterConfig::default()
    })
    .unwrap();
    assert!(p.blink_available(), "{:?}", p.blink_error());
    p
}

fn bench_frame(c: &mut Criterion, name: &str, frame: &Frame) {
    let view = frame.view().unwrap();
    let t = QualityThresholds::default();
    let mut det = detector();
    let mut analyzer = Analyzer::new();
    det.prepare(&view);
    let faces = det.infer(t.min_face_score).unwrap().to_vec();
    assert_eq!(
        faces.len(),
        1,
        "{name}: the benchmark frame must contain one face"
    );

    let mut g = c.benchmark_group(name);
    g.bench_function("conversion", |b| b.iter(|| det.prepare(black_box(&view))));
    g.bench_function("inference_raw", |b| b.iter(|| det.run_model().unwrap()));
    g.bench_function("decode_nms", |b| {
        b.iter(|| det.decode_last(t.min_face_score).len())
    });
    g.bench_function("metrics", |b| {
        b.iter(|| {
            let m = analyzer.measure(black_box(&view), Some(&faces), &t);
            guidance(&m, faces.first(), view.upright_size(), &t, true)
        })
    });
    let p = Prefilter::new(PrefilterConfig {
        good_frames: 300,
        ..PrefilterConfig::default()
    })
    .unwrap();
    g.bench_function("pipeline", |b| b.iter(|| p.process_view(black_box(&view))));
    let mut est = eyes();
    est.prepare(&view, &faces[0]);
    g.bench_function("landmark_crop", |b| {
        b.iter(|| est.prepare(black_box(&view), &faces[0]))
    });
    g.bench_function("landmark_inference_raw", |b| {
        b.iter(|| est.run_model().unwrap())
    });
    let blink = blink_session();
    // The first frame starts the blink step; the eyes are measured from the next one on.
    blink.process_view(&view);
    let fb = blink.process_view(&view);
    assert!(
        matches!(fb.challenge, Some(ChallengeStatus::Blink { .. })) && fb.eye_openness.is_some()
    );
    g.bench_function("pipeline_blink_step", |b| {
        b.iter(|| blink.process_view(black_box(&view)))
    });
    g.finish();
}

/// Interleaved medians: BlazeFace inference, landmark inference, the pipeline without a
/// challenge and during a blink step.
fn blink_ratio(name: &str, frame: &Frame) {
    let view = frame.view().unwrap();
    let mut det = detector();
    det.prepare(&view);
    let face = det.infer(0.5).unwrap()[0];
    let mut est = eyes();
    est.prepare(&view, &face);
    let plain = Prefilter::new(PrefilterConfig {
        good_frames: 300,
        ..PrefilterConfig::default()
    })
    .unwrap();
    let blink = blink_session();
    let mut runs: [Vec<f64>; 4] = Default::default();
    for _ in 0..30 {
        det.run_model().unwrap();
        est.run_model().unwrap();
        plain.process_view(&view);
        blink.process_view(&view);
    }
    let start = Instant::now();
    while runs[0].len() < 300 && start.elapsed() < Duration::from_secs(30) {
        let t = Instant::now();
        det.run_model().unwrap();
        runs[0].push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        est.run_model().unwrap();
        runs[1].push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        black_box(plain.process_view(&view));
        runs[2].push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let fb = black_box(blink.process_view(&view));
        runs[3].push(t.elapsed().as_secs_f64());
        assert!(fb.eye_openness.is_some());
    }
    let n = runs[0].len();
    let [bf, lm, pipe, pipe_blink] = runs.map(|mut v| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    });
    println!(
        "{name}: landmark inference / BlazeFace inference = {:.2}; pipeline during a blink step / \
         pipeline = {:.2}; blink-step pipeline / BlazeFace inference = {:.2}  (medians of {} \
         interleaved runs: BlazeFace {:.3} ms, landmarks {:.3} ms, pipeline {:.3} ms, blink step {:.3} ms)",
        lm / bf,
        pipe_blink / pipe,
        pipe_blink / bf,
        n,
        bf * 1e3,
        lm * 1e3,
        pipe * 1e3,
        pipe_blink * 1e3
    );
}

fn bench_capture(c: &mut Criterion) {
    let frame = nv21_720p();
    let view = frame.view().unwrap();
    let p = Prefilter::new(PrefilterConfig {
        good_frames: 1,
        ..PrefilterConfig::default()
    })
    .unwrap();
    c.bench_function("capture_crop_and_jpeg_720p", |b| {
        b.iter(|| {
            p.reset();
            assert!(p.process_view(&view).captured);
        })
    });
}

/// Median of interleaved timings: pipeline vs raw inference, same inputs, same run.
fn ratio(name: &str, frame: &Frame) -> (f64, f64, f64) {
    let view = frame.view().unwrap();
    let mut det = detector();
    det.prepare(&view);
    let p = Prefilter::new(PrefilterConfig {
        good_frames: 300,
        ..PrefilterConfig::default()
    })
    .unwrap();
    for _ in 0..30 {
        det.run_model().unwrap();
        p.process_view(&view);
    }
    let (mut inf, mut pipe) = (Vec::new(), Vec::new());
    let start = Instant::now();
    while inf.len() < 400 && start.elapsed() < Duration::from_secs(20) {
        let t0 = Instant::now();
        det.run_model().unwrap();
        inf.push(t0.elapsed().as_secs_f64());
        let t1 = Instant::now();
        black_box(p.process_view(&view));
        pipe.push(t1.elapsed().as_secs_f64());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (i, q) = (median(&mut inf), median(&mut pipe));
    println!(
        "{name}: pipeline/inference = {:.3}  (medians of {} interleaved runs: inference {:.3} ms, pipeline {:.3} ms)",
        q / i,
        inf.len(),
        i * 1e3,
        q * 1e3
    );
    (q / i, i, q)
}

fn peak_memory() {
    let frame = nv21_720p();
    let view = frame.view().unwrap();
    let before = CURRENT.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let p = Prefilter::new(PrefilterConfig {
        good_frames: 10,
        ..PrefilterConfig::default()
    })
    .unwrap();
    let mut captured = false;
    for _ in 0..30 {
        captured |= p.process_view(&view).captured;
    }
    assert!(captured);
    let peak = PEAK.load(Ordering::SeqCst) - before;
    drop(p);
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "VmHWM: n/a".to_owned());
    println!(
        "capture session (1280x720 NV21, 30 frames, auto-capture at 10): peak Rust heap {:.2} MiB \
         (ONNX Runtime's own C++ allocations are not counted); process {rss}",
        peak as f64 / (1024.0 * 1024.0)
    );
}

/// A still image as `enroll`'s pre-flight sees it (JPEG).
fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

/// The still-image check's second detection pass (tiles + refinement): interleaved medians of
/// `analyze_image` with it and without it, on the same JPEG.
fn still_ratio(name: &str, img: &RgbImage) {
    let bytes = jpeg(img);
    let make = |second: bool| {
        Prefilter::new(PrefilterConfig {
            still_second_pass: second,
            ..PrefilterConfig::default()
        })
        .unwrap()
    };
    let (single, double) = (make(false), make(true));
    let mut runs: [Vec<f64>; 2] = Default::default();
    for _ in 0..5 {
        single.analyze_image(&bytes).unwrap();
        double.analyze_image(&bytes).unwrap();
    }
    let start = Instant::now();
    while runs[0].len() < 60 && start.elapsed() < Duration::from_secs(30) {
        let t = Instant::now();
        black_box(single.analyze_image(black_box(&bytes)).unwrap());
        runs[0].push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        black_box(double.analyze_image(black_box(&bytes)).unwrap());
        runs[1].push(t.elapsed().as_secs_f64());
    }
    let n = runs[0].len();
    let [one, two] = runs.map(|mut v| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    });
    let tiles = smart_enroll_prefilter::detector::Tile::still_tiles(
        img.width() as usize,
        img.height() as usize,
    )
    .len();
    println!(
        "still {name} ({}x{} JPEG, {tiles} tiles): analyze_image with the second pass / without = {:.2}  (medians of {n} interleaved runs: {:.2} ms vs {:.2} ms, decode included)",
        img.width(),
        img.height(),
        two / one,
        two * 1e3,
        one * 1e3
    );
}

fn main() {
    // PREFILTER_BENCH_STILLS_ONLY=1: only the still-image ratios (seconds, not minutes).
    let stills_only = std::env::var_os("PREFILTER_BENCH_STILLS_ONLY").is_some();
    let mut c = Criterion::default().configure_from_args();
    if !stills_only {
        bench_frame(&mut c, "nv21_1280x720", &nv21_720p());
        bench_frame(&mut c, "bgra_640x480", &bgra_480p());
        bench_capture(&mut c);
        c.final_summary();
    }
    println!("\n== ratios (same run) ==");
    let portrait = common::selfie();
    still_ratio(
        "portrait",
        &common::on_canvas(&portrait, 560, 1000, [205, 205, 200], 30, 0),
    );
    let mut two = RgbImage::from_pixel(1000, 520, image::Rgb([128, 128, 128]));
    imageops::overlay(&mut two, &portrait, 0, 0);
    imageops::overlay(&mut two, &imageops::flip_horizontal(&portrait), 500, 0);
    still_ratio("two portraits", &two);
    still_ratio(
        "phone photo",
        &imageops::resize(&portrait, 810, 1080, imageops::FilterType::Triangle),
    );
    if stills_only {
        return;
    }
    ratio("nv21_1280x720", &nv21_720p());
    ratio("bgra_640x480", &bgra_480p());
    blink_ratio("nv21_1280x720", &nv21_720p());
    blink_ratio("bgra_640x480", &bgra_480p());
    peak_memory();
}
