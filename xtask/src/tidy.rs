//! Repository hygiene: no machine-specific absolute paths and no private keys in tracked files,
//! no import loop between files and no page path outside the SPA's routes (`rooms`), and no
//! citation of a document the repository does not have (the design notes the project
//! started from live outside it; what the code relies on is in `docs/`). Run by `cargo xtask
//! test`, `cargo xtask tidy` and as a `#[test]`.

use std::{path::Path, process::Command};

use anyhow::{bail, Context as _};

/// Checks every tracked text file.
///
/// # Errors
/// Every problem found, one per line; or when git cannot list the files.
pub fn check(root: &Path) -> anyhow::Result<()> {
    let output = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output()
        .context("listing tracked files")?;
    let mut problems = Vec::new();
    let home = std::env::var("HOME").ok().filter(|h| h.len() > 1);
    let root_text = root.to_string_lossy().into_owned();
    for file in output.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let name = String::from_utf8_lossy(file).into_owned();
        let Ok(text) = std::fs::read_to_string(root.join(&name)) else {
            continue;
        };
        if text.contains(&root_text) {
            problems.push(format!("{name}: names the checkout's absolute path"));
        }
        if let Some(home) = &home {
            if text.contains(&format!("{home}/")) {
                problems.push(format!("{name}: names this machine's home directory"));
            }
        }
        // Spelled in two halves so that this file does not trip its own check.
        let pem_private = concat!("-----BEGIN ", "PRIVATE KEY-----");
        let pem_rsa_private = concat!("-----BEGIN RSA ", "PRIVATE KEY-----");
        if text.contains(pem_private) || text.contains(pem_rsa_private) {
            problems.push(format!("{name}: holds a private key"));
        }
        // A migration is frozen once applied (its checksum is in every database); this file's
        // tests hold examples of what it looks for.
        let exempt = name.starts_with("server/migrations/") || name == "xtask/src/tidy.rs";
        for cited in missing_citations(root, &name, &text)
            .into_iter()
            .filter(|_| !exempt)
        {
            problems.push(format!(
                "{name}: cites {cited}, which the repository does not have (write it into docs/)"
            ));
        }
    }
    problems.extend(crate::rooms::problems(root));
    problems.extend(user_agent_reads(root));
    if !problems.is_empty() {
        bail!("tidy:\n  {}", problems.join("\n  "));
    }
    Ok(())
}

/// Places where the portal's code reads a user agent: no page or part may depend on the
/// browser's name or system (issue 14; an e2e scenario runs with Windows, macOS and Linux
/// user-agent strings). The pages, the extension, the server and the bridge are searched.
fn user_agent_reads(root: &Path) -> Vec<String> {
    // Spelled in pieces so that this file does not trip its own check.
    let marks = [
        concat!("user", "agent"),
        concat!("user", "_agent"),
        concat!("user", "-agent"),
    ];
    let mut found = Vec::new();
    let mut stack: Vec<std::path::PathBuf> = ["app/src", "extension", "server/src", "bridge/src"]
        .iter()
        .map(|dir| root.join(dir))
        .collect();
    while let Some(path) = stack.pop() {
        if path.ends_with("extension/tests") || path.ends_with("node_modules") {
            continue;
        }
        if path.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&path) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
            continue;
        }
        let code = path.extension().is_some_and(|e| e == "rs" || e == "js");
        let Ok(text) = std::fs::read_to_string(&path).map(|t| t.to_lowercase()) else {
            continue;
        };
        if code && marks.iter().any(|mark| text.contains(mark)) {
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            found.push(format!(
                "{name}: reads the user agent (no page or part may depend on it)"
            ));
        }
    }
    found.sort();
    found
}

/// Citations in `text` (of the file `name`) of documents that are not in the repository at
/// `root`: any `….md` must be a file there — `docs/x.md` under `docs/`, `a/b.md` from the root,
/// and a bare `x.md` at the root (README.md, ARCHITECTURE.md, BENCHMARKS.md) or, in a document
/// under `docs/`, beside it. Code cites its documents as `docs/x.md`, so a bare name that only
/// an outside note has is found.
fn missing_citations(root: &Path, file: &str, text: &str) -> Vec<String> {
    let in_docs = file.starts_with("docs/");
    let mut missing = Vec::new();
    if text.contains(concat!("shared/", "design")) {
        missing.push(concat!("shared/", "design").to_owned());
    }
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text[from..].find(".md") {
        let end = from + at;
        from = end + 3;
        // The name before ".md": letters, digits, '-', '_' and '/'.
        let start = text[..end]
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let name = &text[start..end];
        if name.is_empty() || bytes.get(from).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        if let Some(doc) = name.strip_prefix("docs/") {
            match std::fs::read_to_string(root.join("docs").join(format!("{doc}.md"))) {
                Err(_) => missing.push(format!("{name}.md")),
                Ok(target) => {
                    if let Some(section) = cited_section(&text[from..]) {
                        if !has_section(&target, &section) {
                            missing.push(format!("{name}.md {section}"));
                        }
                    }
                }
            }
        } else {
            let exists = if name.contains('/') {
                root.join(format!("{name}.md")).is_file()
            } else {
                root.join(format!("{name}.md")).is_file()
                    || (in_docs && root.join("docs").join(format!("{name}.md")).is_file())
            };
            // A URL's path (`https://…/x.md`) is not a citation of this repository's files.
            let url = text[..start]
                .rsplit(char::is_whitespace)
                .next()
                .is_some_and(|w| w.contains("://"));
            if !exists && !url {
                missing.push(format!("{name}.md"));
            }
        }
    }
    missing
}

/// The section cited right after a document's name: `§5` (card.md's headings), `F3`
/// (flows.md's), or a bare number (security.md's numbered items), after an optional backtick.
fn cited_section(after: &str) -> Option<String> {
    let rest = after.strip_prefix('`').unwrap_or(after).strip_prefix(' ')?;
    let (prefix, digits) = if let Some(r) = rest.strip_prefix('§') {
        ("§", r)
    } else if let Some(r) = rest.strip_prefix('F') {
        ("F", r)
    } else {
        ("", rest)
    };
    let number: String = digits.chars().take_while(char::is_ascii_digit).collect();
    let next = digits[number.len()..].chars().next();
    // "docs/x.md 2026-…" or "… 3rd" is no citation.
    if number.is_empty() || next.is_some_and(|c| c.is_alphanumeric() || c == '-') {
        return None;
    }
    Some(format!("{prefix}{number}"))
}

/// Whether `document` has `section`: a heading `## §5 …` or `## F3 …`, or an item `12. …`.
fn has_section(document: &str, section: &str) -> bool {
    document.lines().any(|line| {
        if section.starts_with(['§', 'F']) {
            line.trim_start_matches('#')
                .trim_start()
                .starts_with(&format!("{section} "))
                && line.starts_with('#')
        } else {
            line.starts_with(&format!("{section}. "))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_is_tidy() {
        if let Err(problems) = check(&crate::project_root()) {
            panic!("{problems:#}");
        }
    }

    #[test]
    fn reading_the_user_agent_is_found() {
        let dir = std::env::temp_dir().join(format!("myna-tidy-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("app/src")).expect("dirs");
        std::fs::write(
            dir.join("app/src/phone.rs"),
            format!("let agent = navigator.{}();", concat!("user", "_agent")),
        )
        .expect("write");
        let found = user_agent_reads(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(found.len(), 1);
        assert!(user_agent_reads(&crate::project_root()).is_empty());
    }

    #[test]
    fn a_citation_of_a_missing_document_is_found() {
        let root = crate::project_root();
        let bare = format!("see {}.md §2", "jpki");
        assert_eq!(
            missing_citations(&root, "src/x.rs", &bare),
            vec!["jpki.md".to_owned()]
        );
        assert_eq!(
            missing_citations(&root, "src/x.rs", "(docs/card.md §2, docs/nothing-here.md)"),
            vec!["docs/nothing-here.md".to_owned()]
        );
        assert!(missing_citations(
            &root,
            "src/x.rs",
            "README.md and ARCHITECTURE.md, docs/flows.md F3"
        )
        .is_empty());
        assert_eq!(
            missing_citations(
                &root,
                "src/x.rs",
                "(`docs/card.md` §5, docs/card.md §42, `docs/security.md` 99)"
            ),
            vec![
                "docs/card.md §42".to_owned(),
                "docs/security.md 99".to_owned()
            ]
        );
        assert!(
            missing_citations(&root, "src/x.rs", "docs/security.md 4, docs/flows.md F7").is_empty()
        );
        // A bare name is a root document, or a sibling in docs/; an outside note's name is not.
        let flows = concat!("flows", ".md");
        assert_eq!(
            missing_citations(&root, "src/x.rs", &format!("see {flows} F3")),
            vec![flows.to_owned()]
        );
        assert!(missing_citations(&root, "docs/card.md", &format!("see {flows} F3")).is_empty());
        assert!(missing_citations(&root, "src/x.rs", "https://example.org/guide.md").is_empty());
    }
}
