//! Test hooks, compiled only with the `test-hooks` cargo feature (enabled by the Kotlin host
//! tests' build in `scripts/checks/30-bindings-kotlin.sh`, never by the mobile builds). They
//! let the foreign tests prove what the shipped library must guarantee: a Rust panic becomes an
//! exception, and async work really runs on several runtime threads at once.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use crate::error::SmartEnrollError;
use crate::runtime;

/// Panics inside Rust, synchronously: uniffi must turn it into an exception
/// (`InternalException` in Kotlin), never a crash.
#[uniffi::export]
#[allow(clippy::panic)]
pub fn test_hooks_panic() -> u32 {
    panic!("deliberate panic from test_hooks_panic")
}

/// Panics inside a task on the SDK runtime: reported as `SmartEnrollError::Internal`.
#[uniffi::export]
pub async fn test_hooks_panic_async() -> Result<u32, SmartEnrollError> {
    runtime::run(async {
        tracing::warn!("test hook: about to panic on purpose");
        #[allow(clippy::panic)]
        fn boom() -> u32 {
            panic!("deliberate panic from test_hooks_panic_async")
        }
        Ok(boom())
    })
    .await
}

/// Where a rendezvous call ran.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RendezvousReport {
    /// Whether `parties` callers were inside the rendezvous at the same time.
    pub all_met: bool,
    /// Name of the runtime thread that ran this call.
    pub thread_name: String,
    /// Debug form of that thread's id (distinct per thread).
    pub thread_id: String,
}

struct Rendezvous {
    arrived: u32,
    generation: u64,
}

static RENDEZVOUS: Mutex<Rendezvous> = Mutex::new(Rendezvous {
    arrived: 0,
    generation: 0,
});
static RENDEZVOUS_CV: Condvar = Condvar::new();

fn poisoned<T>(_: T) -> SmartEnrollError {
    SmartEnrollError::Internal {
        reason: "rendezvous lock poisoned".to_owned(),
    }
}

/// Blocks a runtime worker thread until `parties` calls are inside at the same time (or
/// `timeout_ms` passes). All of them meeting proves that that many SDK operations run in
/// parallel on distinct runtime threads: a single-threaded runtime could never get there.
#[uniffi::export]
pub async fn test_hooks_rendezvous(
    parties: u32,
    timeout_ms: u64,
) -> Result<RendezvousReport, SmartEnrollError> {
    runtime::run(async move {
        let current = std::thread::current();
        let thread_name = current.name().unwrap_or("").to_owned();
        let thread_id = format!("{:?}", current.id());
        let mut state = RENDEZVOUS.lock().map_err(poisoned)?;
        state.arrived += 1;
        let all_met = if state.arrived >= parties {
            state.arrived = 0;
            state.generation += 1;
            RENDEZVOUS_CV.notify_all();
            true
        } else {
            let my_generation = state.generation;
            let (mut state, _) = RENDEZVOUS_CV
                .wait_timeout_while(state, Duration::from_millis(timeout_ms), |s| {
                    s.generation == my_generation
                })
                .map_err(poisoned)?;
            let met = state.generation != my_generation;
            if !met {
                state.arrived = state.arrived.saturating_sub(1);
            }
            met
        };
        Ok(RendezvousReport {
            all_met,
            thread_name,
            thread_id,
        })
    })
    .await
}

/// The name of the Rust thread that calls this. Called from inside a foreign callback (state
/// observer, log sink), it names the Rust thread that ran the callback: JNA shows such native
/// threads to Java under generic names, so the test asks Rust.
#[uniffi::export]
pub fn test_hooks_thread_name() -> String {
    std::thread::current()
        .name()
        .unwrap_or("<unnamed>")
        .to_owned()
}

/// Objects alive on the Rust side (see `live.rs`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LiveObjects {
    pub clients: u64,
    pub sessions: u64,
    pub observer_handles: u64,
    /// Foreign `StateObserver` objects still held by Rust.
    pub foreign_observers: u64,
    pub captures: u64,
}

/// Counts of the exported objects alive right now: after `close()`, they must go back down.
#[uniffi::export]
pub fn test_hooks_live_objects() -> LiveObjects {
    use crate::live::{Kind, live};
    LiveObjects {
        clients: live(Kind::Client),
        sessions: live(Kind::Session),
        observer_handles: live(Kind::ObserverHandle),
        foreign_observers: live(Kind::ForeignObserver),
        captures: live(Kind::Capture),
    }
}

/// Benchmark baseline for `bindings/tools/bench-ffi.sh`: runs `capture.processFrame(frame)`
/// `iterations` times inside Rust and returns the elapsed nanoseconds, so the per-frame cost
/// of crossing the FFI (JNA marshalling, copying the planes) can be given as a ratio.
#[uniffi::export]
pub fn test_hooks_native_frame_loop(
    capture: std::sync::Arc<crate::prefilter::LivenessCapture>,
    frame: crate::prefilter::CameraFrame,
    iterations: u32,
) -> Result<u64, SmartEnrollError> {
    capture.native_frame_loop(frame, iterations)
}

/// Benchmark probe: receives a frame and only counts its bytes, so the bench can separate the
/// cost of marshalling a `CameraFrame` across the FFI from the cost of analysing it.
#[uniffi::export]
pub fn test_hooks_marshal_frame(frame: crate::prefilter::CameraFrame) -> u64 {
    frame.planes.iter().map(|p| p.data.len() as u64).sum()
}
