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
