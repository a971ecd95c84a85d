//! Fuzzes the frame descriptor and buffers: any bytes become a format, size, rotation, mirroring,
//! plane strides and plane data. Validation must reject or accept without panicking, and every
//! accepted frame must convert (model patch, luma metrics, every corner pixel) in bounds.
//!
//! Run: `cargo install cargo-fuzz && cd core/prefilter/fuzz && cargo +nightly fuzz run frame`
#![no_main]

use libfuzzer_sys::fuzz_target;
use smart_enroll_prefilter::detector::{INPUT_SIZE, fill_input};
use smart_enroll_prefilter::quality::{Analyzer, QualityThresholds};
use smart_enroll_prefilter::{FrameView, PixelFormat, Plane, Rotation};

fn u16_at(d: &[u8], i: usize) -> u32 {
    u32::from(d.get(i).copied().unwrap_or(0)) | (u32::from(d.get(i + 1).copied().unwrap_or(0)) << 8)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 24 {
        return;
    }
    let format = match data[0] % 5 {
        0 => PixelFormat::Nv21,
        1 => PixelFormat::Nv12,
        2 => PixelFormat::Yuv420,
        3 => PixelFormat::Bgra,
        _ => PixelFormat::Rgba,
    };
    let rotation = [Rotation::Deg0, Rotation::Deg90, Rotation::Deg180, Rotation::Deg270][usize::from(data[1] % 4)];
    let mirrored = data[1] & 0x80 != 0;
    let (w, h) = (u16_at(data, 2), u16_at(data, 4));
    let n = usize::from(data[6] % 4);
    let mut planes = Vec::with_capacity(n);
    let body = &data[24..];
    let mut start = 0usize;
    for p in 0..n {
        let row_stride = u16_at(data, 7 + p * 5);
        let pixel_stride = u32::from(data[9 + p * 5] % 6);
        let len = (u16_at(data, 10 + p * 5) as usize).min(body.len() - start);
        planes.push(Plane { data: &body[start..start + len], row_stride, pixel_stride });
        start += len;
    }
    if let Ok(view) = FrameView::new(format, w, h, rotation, mirrored, 0, &planes) {
        let mut patch = vec![0f32; INPUT_SIZE * INPUT_SIZE * 3];
        fill_input(&view, &mut patch);
        let mut analyzer = Analyzer::new();
        let m = analyzer.measure(&view, None, &QualityThresholds::default());
        assert!(m.brightness.is_finite());
        let (uw, uh) = view.upright_size();
        for (u, v) in [(0, 0), (uw - 1, 0), (0, uh - 1), (uw - 1, uh - 1)] {
            let _ = view.rgb(u, v);
            let _ = view.luma(u, v);
        }
    }
});
