//! On-device liveness prefilter (a capture-quality gate, not presentation-attack detection).
