//! Data-at-rest privacy: the sandbox's secrets and enrollees' photos are owner-only files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(unix)]
#[tokio::test]
async fn database_and_images_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;

    use smart_enroll_sandbox::{Sandbox, SandboxConfig};

    let dir = tempfile::tempdir().unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    // A database left world-readable by an older version is tightened at start.
    let db = dir.path().join("sandbox.db");
    std::fs::write(&db, b"").unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();

    let mut cfg = SandboxConfig::new(dir.path());
    cfg.client_token = Some("privacy-test-client-token".into());
    let sandbox = Sandbox::start(cfg).await.unwrap();

    assert_eq!(mode(&db), 0o600, "sandbox.db holds the signing secrets");
    assert_eq!(
        mode(&dir.path().join("images")),
        0o700,
        "images/ holds selfies"
    );
    let wal = dir.path().join("sandbox.db-wal");
    assert!(wal.exists(), "WAL mode expected");
    assert_eq!(mode(&wal), 0o600, "the WAL holds the same data");
    sandbox.shutdown().await;
}

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
