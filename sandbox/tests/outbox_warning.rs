//! The sandbox warns when `--dev` exposes the OTP outbox beyond loopback.
//!
//! Its own test binary with a single test: tracing caches each call site's
//! interest process-wide, so a scoped subscriber in one test races with other
//! tests hitting the same call sites on other threads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// A log sink for one test.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn start_logged(dev: bool, bind: &str) -> String {
    use smart_enroll_sandbox::{Sandbox, SandboxConfig};
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = SandboxConfig::new(dir.path());
    cfg.client_token = Some("privacy-test-client-token".into());
    cfg.dev = dev;
    cfg.bind = bind.parse().unwrap();
    let sandbox = Sandbox::start(cfg).await.unwrap();
    sandbox.shutdown().await;
    String::from_utf8(logs.0.lock().unwrap().clone()).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn dev_outbox_beyond_loopback_is_warned_about() {
    let exposed = start_logged(true, "0.0.0.0:0").await;
    assert!(exposed.contains("sandbox listening"), "{exposed}");
    assert!(
        exposed.contains("dev outbox reachable beyond this machine"),
        "{exposed}"
    );
    let local = start_logged(true, "127.0.0.1:0").await;
    assert!(local.contains("sandbox listening"), "{local}");
    assert!(!local.contains("dev outbox reachable"), "{local}");
    let no_dev = start_logged(false, "0.0.0.0:0").await;
    assert!(!no_dev.contains("dev outbox reachable"), "{no_dev}");
}
