//! Finding ONNX Runtime for the CLI. The library loads it only from an explicit path,
//! `ORT_DYLIB_PATH` or the platform's library name; the search through the places a developer
//! machine keeps it (the PyPI `onnxruntime` wheel in Python's site-packages, system library
//! folders) lives here, in the command-line tool, not in the library.

use smart_enroll_core::prefilter::PrefilterConfig;
use smart_enroll_core::prefilter::detector;
use std::path::{Path, PathBuf};

/// The ONNX Runtime library the CLI passes to the prefilter: `explicit` (`--ort-lib`); else
/// `None` when `ORT_DYLIB_PATH` is set (the library reads it); else the first library found in
/// Python's site-packages (`onnxruntime/capi/`) or the system library folders; else `None` (the
/// library then tries the platform's library name).
pub fn runtime_path(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if std::env::var_os("ORT_DYLIB_PATH").is_some_and(|v| !v.is_empty()) {
        return None;
    }
    host_candidates().into_iter().find(|p| p.is_file())
}

/// A prefilter configuration with the runtime found by [`runtime_path`].
pub fn prefilter_config() -> PrefilterConfig {
    PrefilterConfig {
        runtime_path: runtime_path(None),
        ..PrefilterConfig::default()
    }
}

/// Loads ONNX Runtime for the whole process (the library keeps the first outcome), so the
/// enrollment session's document face crop finds it too. A failure is reported where the
/// prefilter is used.
pub fn preload() {
    if let Err(err) = detector::runtime(runtime_path(None).as_deref()) {
        tracing::debug!(%err, "ONNX Runtime not loaded");
    }
}

/// Where a developer machine keeps ONNX Runtime, most specific first.
fn host_candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in python_site_dirs() {
        push_matching(&mut out, &dir.join("onnxruntime").join("capi"));
    }
    for dir in [
        "/usr/local/lib",
        "/usr/lib",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/opt/homebrew/lib",
    ] {
        push_matching(&mut out, Path::new(dir));
    }
    out
}

fn push_matching(out: &mut Vec<PathBuf>, dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("libonnxruntime.so")
                    || (n.starts_with("libonnxruntime") && n.ends_with(".dylib"))
                    || n == "onnxruntime.dll"
            })
        })
        .collect();
    // Prefer the fully versioned file name (sorts last).
    found.sort();
    found.reverse();
    out.extend(found);
}

/// Python's site-packages directories (where the PyPI `onnxruntime` wheel lives), asked from
/// `python3` itself so virtualenvs, pyenv and user installs are all found.
fn python_site_dirs() -> Vec<PathBuf> {
    const SCRIPT: &str = "import site,sysconfig\n\
        p=sysconfig.get_paths()\n\
        d=[p['purelib'],p['platlib']]\n\
        d+=getattr(site,'getsitepackages',lambda:[])()\n\
        d.append(site.getusersitepackages())\n\
        print('\\n'.join(d))";
    let mut dirs = Vec::new();
    for python in ["python3", "python"] {
        let Ok(out) = std::process::Command::new(python)
            .args(["-c", SCRIPT])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
        else {
            continue;
        };
        if !out.status.success() {
            continue;
        }
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let p = PathBuf::from(line.trim());
            if !line.trim().is_empty() && !dirs.contains(&p) {
                dirs.push(p);
            }
        }
        break;
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_path_wins() {
        let p = Path::new("/opt/ort/libonnxruntime.so");
        assert_eq!(runtime_path(Some(p)), Some(p.to_path_buf()));
    }

    #[test]
    fn only_shared_libraries_of_onnxruntime_match() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        for name in [
            "libonnxruntime.so.1.23.2",
            "libonnxruntime.so",
            "libonnxruntime_providers_shared.so",
            "notes.txt",
        ] {
            std::fs::write(dir.path().join(name), b"").unwrap_or_else(|e| unreachable!("{e}"));
        }
        let mut out = Vec::new();
        push_matching(&mut out, dir.path());
        let names: Vec<_> = out
            .iter()
            .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
            .collect();
        assert_eq!(names, ["libonnxruntime.so.1.23.2", "libonnxruntime.so"]);
    }
}
