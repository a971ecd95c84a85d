//! `smart-enroll camera` (cargo feature `camera`): the desktop webcam through `nokhwa`, fed to the
//! same live prefilter the phones use (per-frame guidance, optional head-turn/blink challenge,
//! auto-capture of the sharpest of N good frames). The guidance keys are printed as they change,
//! readiness is an `indicatif` progress line, and the captured JPEG is saved where
//! `enroll --selfie` can take it.
//!
//! The format conversions (YUYV, NV12, MJPEG, raw RGB, grey) are the prefilter's
//! [`webcam_frame`], unit-tested on synthetic buffers without a device.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressStyle};
use nokhwa::Camera;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{ApiBackend, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType};
use smart_enroll_core::prefilter::{
    ChallengeConfig, GuidanceCode, Prefilter, PrefilterConfig, WebcamFormat, webcam_frame,
};

#[derive(clap::Args)]
pub struct Args {
    /// Where to save the captured selfie (JPEG, ready for `enroll --selfie`).
    #[arg(long, default_value = "selfie.jpg")]
    pub out: PathBuf,
    /// Camera index (0 = the default webcam).
    #[arg(long, default_value_t = 0)]
    pub index: u32,
    /// Head turns of the challenge before the capture (0 = none, up to 6), as on the phones.
    #[arg(long, default_value_t = 1)]
    pub challenge_turns: u32,
    /// Add one blink step to the challenge (needs --challenge-turns >= 1).
    #[arg(long)]
    pub blink: bool,
    /// The camera delivers mirror-image frames (a driver that flips them like a selfie preview);
    /// the saved selfie is un-mirrored either way.
    #[arg(long)]
    pub mirrored: bool,
    /// Give up after this many seconds without a capture.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// ONNX Runtime shared library to load (default: ORT_DYLIB_PATH, then the Python
    /// `onnxruntime` wheel, then system library directories).
    #[arg(long, value_name = "PATH")]
    pub ort_lib: Option<PathBuf>,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || run_blocking(args))
        .await
        .context("camera task failed")?
}

/// nokhwa's frame format as the prefilter's conversion names it.
fn webcam_format(format: FrameFormat) -> anyhow::Result<WebcamFormat> {
    Ok(match format {
        FrameFormat::YUYV => WebcamFormat::Yuyv,
        FrameFormat::NV12 => WebcamFormat::Nv12,
        FrameFormat::MJPEG => WebcamFormat::Mjpeg,
        FrameFormat::RAWRGB => WebcamFormat::Rgb,
        FrameFormat::GRAY => WebcamFormat::Gray,
        #[allow(unreachable_patterns)]
        other => bail!("the camera delivers {other}, which the prefilter does not convert"),
    })
}

fn open_camera(index: u32) -> anyhow::Result<Camera> {
    let cameras = nokhwa::query(ApiBackend::Auto).unwrap_or_default();
    if cameras.is_empty() {
        bail!(
            "no camera found: nokhwa lists no video device on this machine (on Linux: /dev/video*; \
             check permissions, e.g. the `video` group)"
        );
    }
    let requested =
        RequestedFormat::new::<RgbFormat>(RequestedFormatType::AbsoluteHighestFrameRate);
    let mut camera = Camera::new(CameraIndex::Index(index), requested)
        .with_context(|| format!("cannot open camera {index} ({} found)", cameras.len()))?;
    camera
        .open_stream()
        .with_context(|| format!("cannot start camera {index}"))?;
    Ok(camera)
}

fn run_blocking(args: Args) -> anyhow::Result<()> {
    if args.blink && args.challenge_turns == 0 {
        bail!("--blink needs --challenge-turns >= 1");
    }
    // The camera first: on a machine without one, that is the error to see.
    let mut camera = open_camera(args.index)?;
    let prefilter = Prefilter::new(PrefilterConfig {
        runtime_path: args.ort_lib.clone(),
        challenge: (args.challenge_turns > 0).then(|| ChallengeConfig {
            turns: args.challenge_turns,
            blink: args.blink,
            ..ChallengeConfig::default()
        }),
        ..PrefilterConfig::default()
    })?;
    if let Some(err) = prefilter.detector_error() {
        bail!("face detector unavailable: {err}");
    }
    let format = camera.camera_format();
    println!(
        "[ok]   Camera {}: {}x{} {} at {} fps",
        args.index,
        format.width(),
        format.height(),
        format.format(),
        format.frame_rate()
    );
    if let Some(steps) = prefilter.challenge_steps() {
        println!("[ok]   Challenge: {} step(s), then hold still", steps.len());
    }
    let bar = ProgressBar::new(100);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos:>3}% {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let start = Instant::now();
    let deadline = Duration::from_secs(args.timeout);
    let mut last: Option<GuidanceCode> = None;
    loop {
        if start.elapsed() > deadline {
            bar.abandon();
            bail!("no capture within {} s", args.timeout);
        }
        let buffer = camera.frame().context("reading a camera frame")?;
        let res = buffer.resolution();
        let frame = webcam_frame(
            webcam_format(buffer.source_frame_format())?,
            res.width(),
            res.height(),
            buffer.buffer(),
            start.elapsed().as_millis() as u64,
            args.mirrored,
        )?;
        let feedback = prefilter.process_frame(&frame)?;
        bar.set_position((feedback.readiness * 100.0).round() as u64);
        bar.set_message(feedback.guidance.key());
        if last != Some(feedback.guidance) {
            bar.println(format!("guidance: {}", feedback.guidance.key()));
            last = Some(feedback.guidance);
        }
        if feedback.captured {
            bar.finish_and_clear();
            let result = prefilter
                .result()
                .context("the prefilter reported a capture without a result")?;
            std::fs::write(&args.out, &result.jpeg)
                .with_context(|| format!("writing {}", args.out.display()))?;
            println!(
                "[ok]   Captured {}x{} JPEG ({} KB{}) → {}",
                result.width,
                result.height,
                result.jpeg.len().div_ceil(1024),
                if result.challenge_passed {
                    ", challenge passed"
                } else {
                    ""
                },
                args.out.display()
            );
            println!(
                "       next: smart-enroll enroll ... --selfie {}",
                args.out.display()
            );
            return Ok(());
        }
    }
}
