//! Repository hygiene: no machine-specific absolute paths and no private keys in tracked files.

use std::{path::Path, process::Command};

use anyhow::{bail, Context as _};

/// Checks every tracked text file.
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
    }
    if !problems.is_empty() {
        bail!("tidy:\n  {}", problems.join("\n  "));
    }
    Ok(())
}
