#![doc = include_str!("../README.md")]

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
