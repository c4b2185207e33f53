//! The Debian package of the bridge (issue 12, "Installers"): built from the bridge binary,
//! installed into a root of its own with the real `dpkg`, its manifests where each browser reads
//! them, the installed bridge reaching READY and signing with the real pcscd and the virtual card
//! through the configuration the package put beside it, and nothing left after the purge.

mod stack;

use std::{path::Path, process::Command};

use serde_json::{json, Value};
use stack::{Bridge, Stack, EXTENSION, ORIGIN, PIN};

const MANIFESTS: [&str; 4] = [
    "etc/opt/chrome/native-messaging-hosts/jp.myna.bridge.json",
    "etc/chromium/native-messaging-hosts/jp.myna.bridge.json",
    "etc/opt/edge/native-messaging-hosts/jp.myna.bridge.json",
    "usr/lib/mozilla/native-messaging-hosts/jp.myna.bridge.json",
];
const INSTALLED: &str = "usr/lib/myna-bridge/myna-bridge";

fn run(command: &mut Command) -> String {
    let output = command.output().expect("the command starts");
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `dpkg` working on `root` instead of the machine's own file system and database.
fn dpkg(root: &Path) -> Command {
    let mut command = Command::new("dpkg");
    command
        .arg(format!("--root={}", root.display()))
        .arg(format!("--log={}", root.join("dpkg.log").display()))
        // The package's dependencies (pcscd, libpcsclite1) are on the machine, not in `root`.
        .args(["--force-depends", "--force-not-root"]);
    command
}

#[test]
fn the_debian_package_installs_works_and_purges() {
    let stack = Stack::with_card();
    let dir = stack.dir.path();
    let deb = dir.join("myna-bridge.deb");
    run(Command::new(env!("CARGO_BIN_EXE_myna-bridge"))
        .args(["package", "--root"])
        .arg(dir.join("stage"))
        .arg("--deb")
        .arg(&deb)
        .args([
            "--extension",
            EXTENSION,
            "--extension",
            "helper@myna.example",
        ])
        .args(["--origin", ORIGIN]));

    let contents = run(Command::new("dpkg-deb").arg("--contents").arg(&deb));
    for path in MANIFESTS
        .iter()
        .chain([&INSTALLED, &"usr/lib/myna-bridge/bridge.json"])
    {
        assert!(
            contents.contains(&format!("./{path}")),
            "{path} missing:\n{contents}"
        );
    }
    let info = run(Command::new("dpkg-deb")
        .args(["--field"])
        .arg(&deb)
        .arg("Depends"));
    assert_eq!(info.trim(), "libpcsclite1, pcscd");

    // A root of its own, with an empty package database.
    let root = dir.join("root");
    for sub in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
    ] {
        std::fs::create_dir_all(root.join(sub)).expect("dir");
    }
    std::fs::write(root.join("var/lib/dpkg/status"), "").expect("status");
    run(dpkg(&root).arg("--install").arg(&deb));
    let listed = run(dpkg(&root).args(["--status", "myna-bridge"]));
    assert!(listed.contains("Status: install ok installed"), "{listed}");

    for path in MANIFESTS {
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(root.join(path)).expect(path)).expect("JSON");
        assert_eq!(manifest["name"], "jp.myna.bridge", "{path}");
        assert_eq!(manifest["type"], "stdio");
        assert_eq!(manifest["path"], format!("/{INSTALLED}"), "{path}");
        if path.contains("mozilla") {
            assert_eq!(
                manifest["allowed_extensions"],
                json!(["helper@myna.example"])
            );
        } else {
            assert_eq!(manifest["allowed_origins"], json!([EXTENSION]));
        }
    }

    // The installed bridge, started as a browser starts it, with the configuration the package
    // put beside it: the card step's READY, then a signature.
    let installed = root.join(INSTALLED);
    let mut bridge = Bridge::start_installed(
        &installed,
        stack.pcscd.socket(),
        &[EXTENSION],
        &dir.join("installed.log"),
    );
    let hello = bridge.request(json!({"id": 1, "command": "hello"}));
    assert_eq!(
        hello["result"]["protocol"],
        protocol::PROTOCOL_VERSION,
        "{hello}"
    );
    let status = stack.wait_for_cards(&mut bridge, 1);
    assert_eq!(status["result"]["authPinTriesLeft"], 3, "{status}");
    bridge.request(json!({"id": 2, "command": "prepare"}));
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
    drop(bridge);

    run(dpkg(&root).args(["--purge", "myna-bridge"]));
    for path in MANIFESTS.iter().chain([&INSTALLED]) {
        assert!(!root.join(path).exists(), "{path} left after the purge");
    }
    assert!(!root.join("usr/lib/myna-bridge").exists());
}
