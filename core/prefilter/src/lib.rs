//! On-device liveness prefilter (a capture-quality gate, not presentation-attack detection).
//!
//! Feed camera frames ([`Frame`] / [`FrameView`]: NV21, YUV_420_888, NV12, BGRA, RGBA with
//! rotation and mirroring) to a [`Prefilter`]; each frame gets a [`FrameFeedback`] with one
//! prioritised [`GuidanceCode`], the [`FrameMetrics`] and a readiness value. After N consecutive
//! good frames the sharpest one is cropped and encoded as a JPEG ([`CaptureResult`]). An optional
//! [`challenge`] (random head turns, optionally one blink) runs first. Faces are found by BlazeFace
//! (short range, 128×128) on ONNX Runtime, loaded at run time; without it the prefilter runs in
//! quality-only mode. The blink step reads eye openness from MediaPipe Face Mesh landmarks
//! ([`eyes`]), run only while that step is active.
//!
//! The server's liveness score decides; nothing here is certified presentation-attack detection.

pub mod capture;
pub mod challenge;
pub mod detector;
pub mod error;
pub mod eyes;
pub mod frame;
pub mod quality;
pub mod webcam;

pub use capture::{
    CaptureResult, FaceBox, FrameFeedback, ImageAnalysis, Point, Prefilter, PrefilterConfig,
};
pub use challenge::{
    ChallengeConfig, ChallengeFailure, ChallengeStatus, ChallengeStep, TurnDirection,
};
pub use detector::ModelSource;
pub use error::{FrameError, PrefilterError};
pub use eyes::EyeOpenness;
pub use frame::{Frame, FramePlane, FrameView, MAX_DIMENSION, PixelFormat, Plane, Rotation};
pub use quality::{FrameMetrics, GuidanceCode, QualityThresholds};
pub use webcam::{WebcamFormat, webcam_frame};

#[cfg(test)]
mod tests {
    #[test]
    fn prefilter_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<super::Prefilter>();
    }
}
