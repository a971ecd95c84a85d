//! The docs don't rot (issue 15):
//!
//! - every relative link and `#anchor` in every Markdown file of the repository resolves
//!   (anchors follow GitHub's heading slugs, duplicates numbered `-1`, `-2`, …);
//! - every `--flag` the docs give a `smart-enroll <command>` exists in that command's `--help`
//!   (the real binary's), both in command lines (code blocks and code spans) and in inline
//!   `` `--flag` `` spans of a section whose heading names `smart-enroll <command>`;
//! - the README's Kotlin and Swift snippets are exactly the compiled sample files;
//! - every workspace crate has a README.md that is its rustdoc front page.
//!
//! Each checker also runs on planted mistakes, so none of them can pass by finding nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};

const BIN: &str = env!("CARGO_BIN_EXE_smart-enroll");

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf()
}

/// Every `*.md` below `root`, skipping build output, tool caches and hidden directories.
fn markdown_files(root: &Path) -> Vec<PathBuf> {
    const SKIP: &[&str] = &["target", "node_modules", "build"];
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                if !name.starts_with('.') && !SKIP.contains(&name.as_str()) {
                    stack.push(path);
                }
            } else if name.ends_with(".md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// GitHub's heading anchor: lower case, punctuation and symbols dropped (letters, digits, `-`,
/// `_` and spaces kept), each space a `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

struct Doc {
    /// Anchors the file defines: heading slugs (numbered when repeated) and HTML `id`/`name`.
    anchors: BTreeSet<String>,
    /// (line, destination) of every link and image.
    links: Vec<(usize, String)>,
}

fn html_anchors(html: &str, anchors: &mut BTreeSet<String>) {
    for attr in ["id=\"", "name=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                anchors.insert(rest[..end].to_string());
            }
        }
    }
}

fn parse_doc(text: &str) -> Doc {
    let mut anchors = BTreeSet::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut links = Vec::new();
    let mut heading: Option<String> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                if let Some(id) = id {
                    anchors.insert(id.to_string());
                }
                heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take() {
                    let base = slug(&h);
                    let n = seen.entry(base.clone()).or_insert(0);
                    let anchor = if *n == 0 {
                        base.clone()
                    } else {
                        format!("{base}-{n}")
                    };
                    *n += 1;
                    anchors.insert(anchor);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::Html(t) | Event::InlineHtml(t) => html_anchors(&t, &mut anchors),
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                links.push((line_of(text, range.start), dest_url.to_string()));
            }
            _ => {}
        }
    }
    Doc { anchors, links }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `a/./b/../c` → `a/c` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Every broken relative link or anchor in the Markdown files below `root`, as
/// `path:line: message`.
fn broken_links(root: &Path) -> Vec<String> {
    let files = markdown_files(root);
    let docs: BTreeMap<PathBuf, Doc> = files
        .iter()
        .map(|f| (normalize(f), parse_doc(&fs::read_to_string(f).unwrap())))
        .collect();
    let mut errors = Vec::new();
    for (file, doc) in &docs {
        let shown = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        for (line, dest) in &doc.links {
            let external = dest
                .split(['/', '#'])
                .next()
                .is_some_and(|first| first.contains(':'));
            // Rustdoc intra-doc links (`crate::Foo`) in the crate READMEs are not files.
            if external || dest.contains("::") {
                continue;
            }
            let (path, fragment) = match dest.split_once('#') {
                Some((p, f)) => (p, Some(percent_decode(f))),
                None => (dest.as_str(), None),
            };
            let path = percent_decode(path);
            let target = if path.is_empty() {
                file.clone()
            } else if let Some(abs) = path.strip_prefix('/') {
                normalize(&root.join(abs))
            } else {
                normalize(&file.parent().unwrap().join(&path))
            };
            if !target.exists() {
                errors.push(format!("{shown}:{line}: `{dest}`: {} does not exist", path));
                continue;
            }
            let Some(fragment) = fragment else { continue };
            if target.extension().is_none_or(|e| e != "md") {
                continue; // line anchors into source files are not checked
            }
            let anchors = match docs.get(&target) {
                Some(d) => &d.anchors,
                None => {
                    errors.push(format!(
                        "{shown}:{line}: `{dest}`: not a checked Markdown file"
                    ));
                    continue;
                }
            };
            if !anchors.contains(&fragment) {
                errors.push(format!(
                    "{shown}:{line}: `{dest}`: no heading or anchor `#{fragment}`"
                ));
            }
        }
    }
    errors
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let root = repo_root();
    let files = markdown_files(&root);
    assert!(
        files.len() >= 15 && files.iter().any(|f| f.ends_with("README.md")),
        "the walk found too few Markdown files: {files:?}"
    );
    let errors = broken_links(&root);
    assert!(
        errors.is_empty(),
        "broken links in the docs:\n{}",
        errors.join("\n")
    );
}

#[test]
fn link_checker_finds_planted_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("code.rs"), "fn main() {}\n").unwrap();
    fs::write(
        root.join("README.md"),
        "# Smart Enroll SDK\n\n## The `smart-enroll demo`: one command!\n\n## Set-up\n\n## Set-up\n\n\
         <a id=\"custom\"></a>\n\n\
         [ok](#smart-enroll-sdk) [ok](#the-smart-enroll-demo-one-command) [ok](#set-up-1)\n\
         [ok](sub/OTHER.md#other-doc) [ok](code.rs#L1) [ok](sub/) [ok](#custom)\n\
         [ok](https://example.com/missing) [ok](crate::Foo) ![ok](code.rs)\n\
         [bad](missing.md) [bad](#set-up-2) [bad](sub/OTHER.md#nope) ![bad](img.png)\n\
         [bad](#The-Smart-Enroll-Demo)\n\n```text\n[not a link](nowhere.md)\n```\n",
    )
    .unwrap();
    fs::write(
        root.join("sub/OTHER.md"),
        "# Other doc\n\n[ok](../README.md#set-up)\n[bad](../README.md#nope)\n",
    )
    .unwrap();
    let errors = broken_links(root);
    let expected = [
        "README.md:14: `missing.md`",
        "README.md:14: `#set-up-2`",
        "README.md:14: `sub/OTHER.md#nope`",
        "README.md:14: `img.png`",
        "README.md:15: `#The-Smart-Enroll-Demo`",
        "sub/OTHER.md:4: `../README.md#nope`",
    ];
    for e in expected {
        assert!(
            errors.iter().any(|x| x.starts_with(e)),
            "not reported: {e}\ngot: {errors:#?}"
        );
    }
    assert_eq!(
        errors.len(),
        expected.len(),
        "unexpected reports: {errors:#?}"
    );
}

#[test]
fn slugs_follow_github() {
    assert_eq!(
        slug("`smart-enroll demo`: a whole enrollment in one command"),
        "smart-enroll-demo-a-whole-enrollment-in-one-command"
    );
    assert_eq!(
        slug("Sandbox-defined behaviour (§11 of the contract)"),
        "sandbox-defined-behaviour-11-of-the-contract"
    );
    assert_eq!(
        slug("Use it from Android (Kotlin) and iOS (Swift)"),
        "use-it-from-android-kotlin-and-ios-swift"
    );
    assert_eq!(slug("Data flow → API"), "data-flow--api");
    assert_eq!(slug("snake_case Título"), "snake_case-título");
}

// ---- CLI flags named in the docs -------------------------------------------------------------

fn help(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run smart-enroll --help");
    assert!(out.status.success(), "smart-enroll {args:?} failed");
    String::from_utf8(out.stdout).unwrap()
}

/// The subcommands listed by `smart-enroll --help`, each with the `--flags` of its own `--help`.
fn cli_flags() -> BTreeMap<String, BTreeSet<String>> {
    let top = help(&["--help"]);
    let commands: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    assert!(
        commands.len() >= 5,
        "could not read the subcommands from:\n{top}"
    );
    commands
        .into_iter()
        .map(|c| {
            let text = help(&[&c, "--help"]);
            (c, flags_in(&text).into_iter().collect())
        })
        .collect()
}

/// The `--long-flag` tokens of a text (`--flag=value`, `[--flag`, `--flag]...` included).
fn flags_in(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | '(' | ')' | ',' | '`' | '|'))
        .filter_map(|t| {
            let t = t.strip_prefix("--")?;
            let name: String = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            (name.len() > 1 && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
                .then(|| format!("--{name}"))
        })
        .collect()
}

/// `(subcommand, flag)` for every `smart-enroll <subcommand> … --flag …` command line in a code
/// text. Continuation lines (`\`) are joined; a command ends at `|`, `;`, `&`, `)` or a comment.
fn command_flags(text: &str, commands: &BTreeSet<String>) -> Vec<(String, String)> {
    let joined = text.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let line = match line.find(" #") {
            Some(i) => &line[..i],
            None if line.trim_start().starts_with('#') => "",
            None => line,
        };
        for segment in line.split(['|', ';', '&', ')']) {
            let words: Vec<&str> = segment.split_whitespace().collect();
            for (i, w) in words.iter().enumerate() {
                // `smart-enroll`, `target/release/smart-enroll` or `-p smart-enroll-cli --`.
                let is_bin = w.rsplit('/').next() == Some("smart-enroll")
                    || (*w == "--" && i >= 1 && words[i - 1] == "smart-enroll-cli");
                let Some(cmd) = words.get(i + 1).filter(|_| is_bin) else {
                    continue;
                };
                if !commands.contains(*cmd) {
                    continue;
                }
                for flag in flags_in(&words[i + 2..].join(" ")) {
                    out.push((cmd.to_string(), flag));
                }
            }
        }
    }
    out
}

/// Every flag a Markdown text names for a subcommand that the subcommand does not have.
fn unknown_flags(text: &str, cli: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let commands: BTreeSet<String> = cli.keys().cloned().collect();
    let mut errors = Vec::new();
    let check = |line: usize, cmd: &str, flag: &str, errors: &mut Vec<String>| {
        if !cli[cmd].contains(flag) {
            errors.push(format!(
                "{line}: `smart-enroll {cmd} {flag}`: no such flag in `{cmd} --help`"
            ));
        }
    };
    // The subcommand named by the innermost heading, e.g. "`smart-enroll enroll`: …".
    let mut scopes: Vec<(HeadingLevel, Option<String>)> = Vec::new();
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut code: Option<(usize, String)> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        let line = line_of(text, range.start);
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, h)) = heading.take() {
                    scopes.retain(|(l, _)| *l < level);
                    let named = h
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .windows(2)
                        .find_map(|w| {
                            (w[0] == "smart-enroll"
                                && commands
                                    .contains(w[1].trim_matches(|c: char| !c.is_alphanumeric())))
                            .then(|| {
                                w[1].trim_matches(|c: char| !c.is_alphanumeric())
                                    .to_string()
                            })
                        });
                    scopes.push((level, named));
                }
            }
            Event::Start(Tag::CodeBlock(_)) => code = Some((line, String::new())),
            Event::End(TagEnd::CodeBlock) => {
                if let Some((start, body)) = code.take() {
                    for (cmd, flag) in command_flags(&body, &commands) {
                        check(start, &cmd, &flag, &mut errors);
                    }
                }
            }
            Event::Text(t) => {
                if let Some((_, body)) = code.as_mut() {
                    body.push_str(&t);
                } else if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::Code(t) => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&t);
                    continue;
                }
                let found = command_flags(&t, &commands);
                if !found.is_empty() {
                    for (cmd, flag) in found {
                        check(line, &cmd, &flag, &mut errors);
                    }
                } else if t.starts_with("--") {
                    let scope = scopes.iter().rev().find_map(|(_, s)| s.clone());
                    if let (Some(cmd), Some(flag)) = (scope, flags_in(&t).first()) {
                        check(line, &cmd, flag, &mut errors);
                    }
                }
            }
            _ => {}
        }
    }
    errors
}

#[test]
fn every_documented_cli_flag_exists() {
    let root = repo_root();
    let cli = cli_flags();
    assert!(
        cli["enroll"].contains("--selfie") && cli["serve"].contains("--bind"),
        "{cli:#?}"
    );
    let mut errors = Vec::new();
    let mut named = 0;
    for file in markdown_files(&root) {
        let text = fs::read_to_string(&file).unwrap();
        let shown = file.strip_prefix(&root).unwrap().display().to_string();
        named += text.matches("--").count();
        errors.extend(
            unknown_flags(&text, &cli)
                .into_iter()
                .map(|e| format!("{shown}:{e}")),
        );
    }
    assert!(
        named > 100,
        "the docs name suspiciously few flags ({named})"
    );
    assert!(
        errors.is_empty(),
        "the docs name flags that `--help` does not list:\n{}",
        errors.join("\n")
    );
}

#[test]
fn flag_checker_finds_planted_mistakes() {
    let cli: BTreeMap<String, BTreeSet<String>> = [
        ("enroll", &["--selfie", "--json", "--help"][..]),
        ("serve", &["--bind", "--dev", "--help"][..]),
    ]
    .into_iter()
    .map(|(c, f)| (c.to_string(), f.iter().map(|s| s.to_string()).collect()))
    .collect();
    let doc = "# Tools\n\n\
        ```sh\nsmart-enroll enroll --selfie s.jpg \\\n  --no-such-flag x | jq . # --commented-out\n\
        cargo run --release -p smart-enroll-cli -- serve --bind 127.0.0.1:0 --dvd\n\
        target/release/smart-enroll serve [--dev] [--json]...\n```\n\n\
        ## `smart-enroll enroll`: one enrollment\n\n`--selfie` is fine, `--selfy` is not; \
        `smart-enroll serve --bind x` is fine.\n\n### Details\n\n`--prefilter-off` is not.\n\n\
        ## Other\n\n`--anything` outside a command's section is not checked.\n";
    let errors = unknown_flags(doc, &cli);
    let expected = [
        "3: `smart-enroll enroll --no-such-flag`",
        "3: `smart-enroll serve --dvd`",
        "3: `smart-enroll serve --json`",
        "12: `smart-enroll enroll --selfy`",
        "16: `smart-enroll enroll --prefilter-off`",
    ];
    for e in expected {
        assert!(
            errors.iter().any(|x| x.starts_with(e)),
            "not reported: {e}\ngot: {errors:#?}"
        );
    }
    assert_eq!(
        errors.len(),
        expected.len(),
        "unexpected reports: {errors:#?}"
    );
}

// ---- README snippets are the compiled sample files -------------------------------------------

#[test]
fn readme_snippets_are_the_compiled_samples() {
    let root = repo_root();
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    for (lang, path) in [
        ("kotlin", "bindings/kotlin/samples/ReadmeSample.kt"),
        ("swift", "bindings/swift/samples/ReadmeSample.swift"),
    ] {
        let sample = fs::read_to_string(root.join(path)).unwrap();
        let mut blocks = Vec::new();
        let mut current: Option<String> = None;
        for event in Parser::new(&readme) {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(l))) if &*l == lang => {
                    current = Some(String::new())
                }
                Event::Text(t) => {
                    if let Some(c) = current.as_mut() {
                        c.push_str(&t);
                    }
                }
                Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
                _ => {}
            }
        }
        assert!(
            blocks.contains(&sample),
            "README.md has no ```{lang} block equal to {path} (scripts/checks compile that file; \
             copy it into the README unchanged)"
        );
    }
}

// ---- every crate's README is its rustdoc front page ------------------------------------------

#[test]
fn every_crate_readme_is_its_rustdoc_front_page() {
    let root = repo_root();
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let members_line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("members"))
        .expect("workspace members");
    let members: Vec<&str> = members_line.split('"').skip(1).step_by(2).collect();
    assert!(members.len() >= 8, "members: {members:?}");
    for member in members {
        let dir = root.join(member);
        assert!(
            dir.join("README.md").is_file(),
            "{member}/README.md is missing"
        );
        let entry = ["src/lib.rs", "src/main.rs"]
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{member} has no src/lib.rs or src/main.rs"));
        let source = fs::read_to_string(&entry).unwrap();
        assert!(
            source.starts_with("#![doc = include_str!(\"../README.md\")]"),
            "{} must start with #![doc = include_str!(\"../README.md\")]",
            entry.display()
        );
    }
}
