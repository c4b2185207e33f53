//! The bridge as a citizen installs it: the Debian package unpacked with `dpkg --root`, and the
//! WebDriver server and browser run in a mount namespace where that tree overlays `/usr/lib`
//! and `/etc/chromium` (the machine is not changed), so that the browser finds the bridge
//! through the package's system-wide host manifests.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use crate::*;

/// `program args…` in a mount namespace of its own where the package's tree `installed` lies over
/// the system's `/usr/lib` and `/etc/chromium` (read-only overlays), so that a browser started
/// there finds the package's system-wide host manifests and executable where the package puts
/// them, and the machine is left as it was. Root maps to itself; another user becomes root of
/// a user namespace of its own (where the kernel allows unprivileged overlays).
pub(crate) fn in_system_namespace(
    installed: &Path,
    program: &Path,
    args: &[String],
) -> anyhow::Result<Command> {
    let mut overlays = String::new();
    for dir in ["/usr/lib", "/etc/chromium"] {
        let upper = installed.join(dir.trim_start_matches('/'));
        anyhow::ensure!(
            upper.is_dir() && Path::new(dir).is_dir(),
            "{dir} is missing in the package or on this machine"
        );
        overlays.push_str(&format!(
            "mount -t overlay overlay -o 'lowerdir={}:{dir}' '{dir}' && ",
            upper.display()
        ));
    }
    let mut command = Command::new("unshare");
    // `/proc/self` belongs to the process's effective user.
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt as _;
        m.uid() == 0
    });
    if !root {
        command.args(["--user", "--map-root-user"]);
    }
    command
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(format!("{overlays}exec \"$@\""))
        .arg("sh")
        .arg(program)
        .args(args);
    Ok(command)
}

/// Builds the bridge's Debian package from `bridge` (for this test's extensions) and installs it
/// with `dpkg` into `root/installed`; returns the installed tree.
pub(crate) fn install_package(bridge: &Path, root: &Path) -> anyhow::Result<PathBuf> {
    let deb = root.join("myna-bridge.deb");
    let run = |command: &mut Command| -> anyhow::Result<()> {
        let output = command.output()?;
        anyhow::ensure!(
            output.status.success(),
            "{command:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    };
    run(Command::new(bridge)
        .arg("package")
        .arg("--root")
        .arg(root.join("package"))
        .arg("--deb")
        .arg(&deb)
        .args([
            "--extension",
            CHROMIUM_EXTENSION,
            "--extension",
            FIREFOX_EXTENSION,
        ])
        .args(["--origin", "https://myna.example"]))?;
    let installed = root.join("installed");
    for sub in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
    ] {
        std::fs::create_dir_all(installed.join(sub))?;
    }
    std::fs::write(installed.join("var/lib/dpkg/status"), "")?;
    run(Command::new("dpkg")
        .arg(format!("--root={}", installed.display()))
        .arg(format!("--log={}", root.join("dpkg.log").display()))
        .args(["--force-depends", "--force-not-root", "--install"])
        .arg(&deb))?;
    Ok(installed)
}
