//! A missing or corrupt model gives a typed error and quality-only mode, never a crash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use smart_enroll_prefilter::{ModelSource, Prefilter, PrefilterConfig, PrefilterError};

#[test]
fn missing_corrupt_and_wrong_models_are_typed_errors() {
    // The real runtime must load first (so these errors are about the model).
    let ok = common::prefilter(PrefilterConfig::default());
    assert!(ok.detector_available());

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.onnx");
    let p = Prefilter::new(PrefilterConfig {
        model: ModelSource::Path(missing),
        ..PrefilterConfig::default()
    })
    .unwrap();
    assert!(
        matches!(
            p.detector_error(),
            Some(PrefilterError::ModelMissing { .. })
        ),
        "{:?}",
        p.detector_error()
    );

    // Truncated model bytes.
    let truncated = dir.path().join("truncated.onnx");
    let model = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/face_detection_front_128x128_barracuda.onnx"
    ))
    .unwrap();
    std::fs::write(&truncated, &model[..model.len() / 3]).unwrap();
    let p = Prefilter::new(PrefilterConfig {
        model: ModelSource::Path(truncated),
        ..PrefilterConfig::default()
    })
    .unwrap();
    assert!(
        matches!(
            p.detector_error(),
            Some(PrefilterError::ModelInvalid { .. })
        ),
        "{:?}",
        p.detector_error()
    );
    // Still usable in quality-only mode.
    let fb = p
        .process_frame(&common::nv21_frame(&common::selfie(), 0))
        .unwrap();
    assert!(!fb.metrics.detector_available);

    // Random bytes.
    let garbage = dir.path().join("garbage.onnx");
    std::fs::write(&garbage, vec![0x5a; 4096]).unwrap();
    let p = Prefilter::new(PrefilterConfig {
        model: ModelSource::Path(garbage),
        ..PrefilterConfig::default()
    })
    .unwrap();
    assert!(matches!(
        p.detector_error(),
        Some(PrefilterError::ModelInvalid { .. })
    ));

    // The unmodified model from a path loads fine.
    let good = dir.path().join("good.onnx");
    std::fs::write(&good, &model).unwrap();
    let p = Prefilter::new(PrefilterConfig {
        model: ModelSource::Path(good),
        ..PrefilterConfig::default()
    })
    .unwrap();
    assert!(p.detector_error().is_none());

    // Bad configuration is an error up front.
    let err = Prefilter::new(PrefilterConfig {
        good_frames: 0,
        ..PrefilterConfig::default()
    })
    .unwrap_err();
    assert!(matches!(err, PrefilterError::Config { .. }));
    // Undecodable image bytes.
    assert!(matches!(
        ok.analyze_image(b"not an image"),
        Err(PrefilterError::ImageDecode { .. })
    ));
    // An image wider than MAX_DIMENSION is refused before its pixels are allocated.
    let wide = image::GrayImage::new(9000, 1);
    let mut png = Vec::new();
    wide.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert!(matches!(
        ok.analyze_image(&png),
        Err(PrefilterError::ImageDecode { .. })
    ));
}
