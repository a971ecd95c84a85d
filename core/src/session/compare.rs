//! Step: the face compare (document face against the selfie).

use super::*;

impl EnrollmentSession {
    pub(super) async fn compare(&self) -> Result<(), EnrollError> {
        let cfv = match self
            .upload(
                UploadKind::Compare,
                "/v2/face-recognition/compare/app-registration",
                None,
                None,
                "faceCompare",
            )
            .await?
        {
            Delivered::Answer(v) => {
                match parse_data::<smart_enroll_api::CompareResponse>(&v, "faceCompare") {
                    Ok(r) => r.compare_face_verification,
                    Err(_) => parse_data(&v, "faceCompare")?,
                }
            }
            Delivered::FromServer(reg) => reg
                .compare()
                .cloned()
                .ok_or_else(|| EnrollError::malformed("retrieve: no compare result"))?,
        };
        let min = self.progress().flow.document.compare_min_score;
        let mut p = self.progress();
        p.scores.compare_score = cfv.result.score;
        p.scores.compare_passed = cfv.passed(min);
        Ok(())
    }
}
