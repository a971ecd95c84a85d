//! Where the library looks for ONNX Runtime: only the explicit path, `ORT_DYLIB_PATH` or the
//! platform's library name. It never runs a program found on `PATH` (an earlier version asked
//! `python3` for its site-packages). Its own test binary with one test: it changes the process
//! environment and the runtime is loaded once per process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use smart_enroll_prefilter::detector::{PLATFORM_LIBRARY, runtime, runtime_candidates};
use smart_enroll_prefilter::{Prefilter, PrefilterConfig, PrefilterError};
use std::path::{Path, PathBuf};

#[test]
fn the_library_loads_only_from_the_config_the_env_or_the_platform_name() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("spawned");
    // A `python3` (and `python`) that leaves a marker when run, first on PATH.
    for name in ["python3", "python"] {
        let script = dir.path().join(name);
        std::fs::write(
            &script,
            format!("#!/bin/sh\ntouch '{}'\necho /usr/lib\n", marker.display()),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    let path = std::env::join_paths(std::iter::once(dir.path().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    // SAFETY: the only test of this binary; nothing else reads the environment concurrently.
    unsafe {
        std::env::set_var("PATH", path);
        std::env::set_var("ORT_DYLIB_PATH", dir.path().join("env/libonnxruntime.so"));
    }

    // The explicit path alone, then ORT_DYLIB_PATH alone, then the platform name alone.
    let explicit = Path::new("/opt/ort/libonnxruntime.so");
    assert_eq!(
        runtime_candidates(Some(explicit)),
        vec![explicit.to_path_buf()]
    );
    assert_eq!(
        runtime_candidates(None),
        vec![dir.path().join("env/libonnxruntime.so")]
    );
    // SAFETY: as above.
    unsafe { std::env::remove_var("ORT_DYLIB_PATH") };
    assert_eq!(
        runtime_candidates(None),
        vec![PathBuf::from(PLATFORM_LIBRARY)]
    );

    // Loading by the platform name goes through the system's loader; on this host (the
    // runtime comes from the Python wheel, not a system folder) that fails with a typed error
    // naming just that name, and nothing was spawned.
    let err = runtime(None).err();
    let p = Prefilter::new(PrefilterConfig::default()).unwrap();
    assert!(!marker.exists(), "the library ran a program from PATH");
    match err {
        // A host with a system-wide ONNX Runtime loads it by name: fine too.
        None => assert!(p.detector_available()),
        Some(PrefilterError::RuntimeLoad { path, .. }) => {
            assert_eq!(path, PLATFORM_LIBRARY);
            assert!(!p.detector_available());
        }
        Some(other) => panic!("unexpected error: {other:?}"),
    }
}
