#![doc = include_str!("../README.md")]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    uniffi::uniffi_bindgen_main();
    let args: Vec<String> = std::env::args().collect();
    let kotlin = match value_of(&args, &["--language", "-l"]) {
        Some(lang) => lang == "kotlin",
        None => true,
    };
    let Some(out_dir) = value_of(&args, &["--out-dir", "-o"]) else {
        return ExitCode::SUCCESS;
    };
    if !kotlin || !args.iter().any(|a| a == "generate") {
        return ExitCode::SUCCESS;
    }
    match patch_dir(Path::new(&out_dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("uniffi-bindgen: patching the Kotlin error messages failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The value after one of `names` (`--out-dir X`) or in `--out-dir=X` form.
fn value_of(args: &[String], names: &[&str]) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        for n in names {
            if a == n {
                return it.next().cloned();
            }
            if let Some(v) = a.strip_prefix(&format!("{n}=")) {
                return Some(v.to_owned());
            }
        }
    }
    None
}

fn kotlin_files(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            kotlin_files(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "kt") {
            found.push(path);
        }
    }
    Ok(())
}

fn patch_dir(dir: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    kotlin_files(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let patched = patch_kotlin(&text)?;
        if patched != text {
            std::fs::write(&f, patched).map_err(|e| format!("{}: {e}", f.display()))?;
        }
    }
    Ok(())
}

const SEALED_ERROR: &str = ": kotlin.Exception() {";
const DISPLAY_MARK: &str = "    // The local Rust `Display`/`Debug` implementation.\n    override fun toString(): String {";
const DISPLAY_NEW: &str = "    // The local Rust `Display` implementation: the error's text, also its `message`.\n    protected fun uniffiDisplayText(): String {";
const MESSAGE_GETTER: &str = "override val message\n            get() = ";
const END_OF_CLASS: &str = "    companion object ErrorHandler";

/// Points the `message` of every non-flat error class with an exported `Display` at it.
/// Errors (not a silent no-op) when such a class has a shape this code does not know, so a
/// uniffi upgrade that changes the template cannot quietly bring the field dumps back.
fn patch_kotlin(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 1024);
    let mut rest = text;
    while let Some(start) = rest.find(SEALED_ERROR) {
        let line_start = rest[..start].rfind('\n').map_or(0, |i| i + 1);
        let Some(end) = rest[start..].find(END_OF_CLASS).map(|e| start + e) else {
            return Err("an error class without its ErrorHandler".into());
        };
        let class = &rest[line_start..end];
        out.push_str(&rest[..line_start]);
        if class.contains("override fun toString(): String {") {
            if !class.contains(DISPLAY_MARK) {
                return Err(format!(
                    "unknown Display shape in `{}`",
                    class.lines().next().unwrap_or_default()
                ));
            }
            let mut patched = class.replacen(DISPLAY_MARK, DISPLAY_NEW, 1);
            let mut replaced = String::with_capacity(patched.len());
            let mut p = patched.as_str();
            while let Some(i) = p.find(MESSAGE_GETTER) {
                replaced.push_str(&p[..i]);
                replaced.push_str(
                    "override val message: String\n            get() = uniffiDisplayText()",
                );
                let after = &p[i + MESSAGE_GETTER.len()..];
                p = after.find('\n').map_or("", |n| &after[n..]);
            }
            replaced.push_str(p);
            patched = replaced;
            out.push_str(&patched);
        } else {
            out.push_str(class);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = r#"sealed class DemoException: kotlin.Exception() {
    class Bad(
        val `code`: kotlin.String
        ) : DemoException() {
        override val message
            get() = "code=${ `code` }"
    }
    class Empty(
        ) : DemoException() {
        override val message
            get() = ""
    }

    // The local Rust `Display`/`Debug` implementation.
    override fun toString(): String {
        return lift()
    }

    companion object ErrorHandler : UniffiRustCallStatusErrorHandler<DemoException> {
    }
}
sealed class PlainException: kotlin.Exception() {
    class Other(
        val `code`: kotlin.String
        ) : PlainException() {
        override val message
            get() = "code=${ `code` }"
    }
    companion object ErrorHandler : UniffiRustCallStatusErrorHandler<PlainException> {
    }
}
"#;

    #[test]
    fn an_error_with_display_gets_it_as_message_and_others_are_untouched() {
        let out = patch_kotlin(GENERATED).unwrap();
        assert_eq!(
            out.matches("get() = uniffiDisplayText()").count(),
            2,
            "{out}"
        );
        assert!(out.contains("protected fun uniffiDisplayText(): String {"));
        assert!(!out.contains("override fun toString()"));
        // The class without Display keeps uniffi's field dump.
        assert!(out.contains(
            "PlainException() {\n        override val message\n            get() = \"code="
        ));
        assert_eq!(patch_kotlin(&out).unwrap(), out, "idempotent");
    }

    #[test]
    fn an_unknown_shape_is_an_error() {
        let odd = GENERATED.replace("// The local Rust `Display`/`Debug` implementation.\n", "");
        assert!(patch_kotlin(&odd).is_err());
        assert!(patch_kotlin("sealed class X: kotlin.Exception() {\n}\n").is_err());
    }

    #[test]
    fn out_dir_is_found_in_both_forms() {
        let args: Vec<String> = ["x", "generate", "--out-dir", "d"]
            .map(String::from)
            .to_vec();
        assert_eq!(value_of(&args, &["--out-dir", "-o"]).as_deref(), Some("d"));
        let args: Vec<String> = ["x", "-o=e"].map(String::from).to_vec();
        assert_eq!(value_of(&args, &["--out-dir", "-o"]).as_deref(), Some("e"));
    }
}
