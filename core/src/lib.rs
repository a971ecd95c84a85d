//! Smart Enroll SDK core: the Smart Enroll v2 API client, the enrollment flow engine and the
//! on-device liveness prefilter (re-exported from `smart-enroll-prefilter`).

pub mod media;
pub mod validate;

pub use smart_enroll_prefilter as prefilter;
