//! Test triggers: tags after `+` in the registrant's email local part
//! (`ana+liveness-fail-once+manual-review@example.com`). Phone-only registrations have none.

/// Outcomes forced by tags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Triggers {
    pub liveness_fail: bool,
    pub liveness_fail_once: bool,
    pub face_exists: bool,
    pub low_compare: bool,
    pub back_side: bool,
    pub names_mismatch: bool,
    pub criminal_hit: bool,
    pub no_credits: bool,
    pub manual_review: bool,
}

/// Every trigger tag, as documented in `sandbox/README.md` ("Test triggers").
pub const TRIGGER_TAGS: &[&str] = &[
    "liveness-fail",
    "liveness-fail-once",
    "face-exists",
    "low-compare",
    "back-side",
    "names-mismatch",
    "criminal-hit",
    "no-credits",
    "manual-review",
];

impl Triggers {
    pub fn from_email(email: Option<&str>) -> Self {
        let mut t = Self::default();
        let Some(email) = email else { return t };
        let local = email.split('@').next().unwrap_or("");
        for tag in local.split('+').skip(1) {
            match tag.to_ascii_lowercase().as_str() {
                "liveness-fail" => t.liveness_fail = true,
                "liveness-fail-once" => t.liveness_fail_once = true,
                "face-exists" => t.face_exists = true,
                "low-compare" => t.low_compare = true,
                "back-side" => t.back_side = true,
                "names-mismatch" => t.names_mismatch = true,
                "criminal-hit" => t.criminal_hit = true,
                "no-credits" => t.no_credits = true,
                "manual-review" => t.manual_review = true,
                _ => {}
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_several_tags() {
        let t = Triggers::from_email(Some("ana+liveness-fail-once+manual-review@example.com"));
        assert!(t.liveness_fail_once && t.manual_review);
        assert!(!t.liveness_fail && !t.no_credits);
        assert_eq!(
            Triggers::from_email(Some("ana@example.com")),
            Triggers::default()
        );
        assert_eq!(Triggers::from_email(None), Triggers::default());
        assert_eq!(TRIGGER_TAGS.len(), 9);
    }
}
