//! Fuzzes the client's reading of server answers: the first bytes pick the reader (every answer
//! type of the contract the client reads, see `smart_enroll_core::fuzzing`), the HTTP status and
//! a `Retry-After`; the rest is the body. Every reader must answer or give a typed error, never
//! panic, whatever the body (JSON or not).
//!
//! Run: `scripts/fuzz.sh`, or `cd core/fuzz && cargo +nightly fuzz run responses`
#![no_main]

use libfuzzer_sys::fuzz_target;
use smart_enroll_core::fuzzing::parse_response;

fuzz_target!(|data: &[u8]| {
    let [selector, status_byte, retry, body @ ..] = data else {
        return;
    };
    // Mostly 2xx (the typed readers), else a spread of error statuses and odd ones.
    let status = match status_byte % 8 {
        0..=4 => 200,
        5 => 400 + u16::from(status_byte / 8) % 32,
        6 => 500 + u16::from(status_byte / 8) % 8,
        _ => u16::from(*status_byte) * 3,
    };
    let retry_after = (*retry != 0).then(|| u64::from(*retry) * 60);
    parse_response(*selector, status, body, retry_after);
});
