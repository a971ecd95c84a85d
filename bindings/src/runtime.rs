//! The one global, multi-threaded tokio runtime every exported async function runs on.
//!
//! uniffi polls the exported futures from the foreign side (Kotlin coroutines, Swift tasks);
//! uniffi's own tokio support goes through `async-compat`, whose fallback runtime is
//! single-threaded. Instead, every exported async method spawns its work onto this runtime and
//! awaits the `JoinHandle`, which any executor can poll. Dropping the foreign future (a
//! cancelled coroutine or Swift task) aborts the spawned task.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::Runtime;
use tokio::task::AbortHandle;

use crate::error::SmartEnrollError;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// Number of runtime worker threads: the CPU count, clamped to 2..=4 (at least two so that one
/// blocked operation never starves another, at most four to stay light on phones).
fn worker_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 4)
}

/// The global runtime, built on first use.
pub(crate) fn runtime() -> Result<&'static Runtime, SmartEnrollError> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(worker_threads())
                .thread_name("smart-enroll-rt")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|reason| SmartEnrollError::Internal {
            reason: format!("could not start the async runtime: {reason}"),
        })
}

/// Aborts the spawned task when the awaiting (foreign) future is dropped.
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `fut` on the global runtime and waits for it. A panic inside the task becomes
/// [`SmartEnrollError::Internal`]; an aborted task becomes [`SmartEnrollError::Cancelled`].
pub(crate) async fn run<F, T>(fut: F) -> Result<T, SmartEnrollError>
where
    F: Future<Output = Result<T, SmartEnrollError>> + Send + 'static,
    T: Send + 'static,
{
    let handle = runtime()?.spawn(fut);
    let _guard = AbortOnDrop(handle.abort_handle());
    match handle.await {
        Ok(result) => result,
        Err(e) if e.is_panic() => {
            tracing::error!("a Smart Enroll task panicked; reported as an internal error");
            Err(SmartEnrollError::Internal {
                reason: "the SDK hit an internal error (panic)".to_owned(),
            })
        }
        Err(_) => Err(SmartEnrollError::Cancelled),
    }
}
