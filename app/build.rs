//! Generates the `i18n` module from `locales/ja.json` (the default) and `locales/en.json`; a key
//! missing from either fails the build.

use std::{error::Error, path::PathBuf};

use leptos_i18n_build::{Config, TranslationsInfos};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    let config = Config::new("ja")?.add_locale("en")?;
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out)?;
    simulated_card()?;
    Ok(())
}

/// With the `simulated-helper` feature, copies the TEST-ONLY key and certificate of the virtual
/// card named by `MYNA_SIMULATED_CARD` where `src/simulated.rs` builds them in; empty files
/// otherwise (that helper then cannot sign).
fn simulated_card() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-env-changed=MYNA_SIMULATED_CARD");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let mut key = Vec::new();
    let mut cert = Vec::new();
    if std::env::var_os("CARGO_FEATURE_SIMULATED_HELPER").is_some() {
        if let Some(dir) = std::env::var_os("MYNA_SIMULATED_CARD") {
            let dir = PathBuf::from(dir);
            let key_path = dir.join("auth.TEST-ONLY.key.pem");
            let cert_path = dir.join("auth.cert.der");
            println!("cargo::rerun-if-changed={}", key_path.display());
            println!("cargo::rerun-if-changed={}", cert_path.display());
            key = std::fs::read(&key_path)
                .map_err(|e| format!("MYNA_SIMULATED_CARD: {}: {e}", key_path.display()))?;
            cert = std::fs::read(&cert_path)
                .map_err(|e| format!("MYNA_SIMULATED_CARD: {}: {e}", cert_path.display()))?;
        }
    }
    std::fs::write(out.join("simulated-card.key.pem"), key)?;
    std::fs::write(out.join("simulated-card.cert.der"), cert)?;
    Ok(())
}
