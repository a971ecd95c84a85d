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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn runs_on_the_named_multi_threaded_runtime() {
        let name = block_on(run(async {
            Ok(std::thread::current().name().unwrap_or("").to_owned())
        }))
        .unwrap();
        assert!(name.starts_with("smart-enroll-rt"), "{name}");
        assert!(worker_threads() >= 2);
    }

    #[test]
    fn a_panicking_task_is_an_internal_error() {
        let r: Result<u32, _> = block_on(run(async { panic!("boom") }));
        assert!(matches!(r, Err(SmartEnrollError::Internal { .. })), "{r:?}");
    }

    #[test]
    fn errors_pass_through() {
        let r: Result<u32, _> = block_on(run(async { Err(SmartEnrollError::OtpMismatch) }));
        assert_eq!(r, Err(SmartEnrollError::OtpMismatch));
    }

    #[test]
    fn dropping_the_caller_future_aborts_the_task() {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        block_on(async {
            // The task would hold `tx` for an hour; the caller gives up after 50 ms.
            let call = run(async move {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                drop(tx);
                Ok(())
            });
            assert!(
                tokio::time::timeout(Duration::from_millis(50), call)
                    .await
                    .is_err()
            );
            // Aborted: the task (and with it `tx`) is dropped, closing the channel.
            let closed = tokio::time::timeout(Duration::from_secs(10), rx).await;
            assert!(matches!(closed, Ok(Err(_))), "{closed:?}");
        });
    }
}
