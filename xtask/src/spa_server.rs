//! A real server for the SPA's flow tests (`app/tests/flows.rs`): `myna-server` on a fresh
//! SQLite database with `--cors`, trusting a virtual card's CA and knowing its holder; the
//! browser tests' page (served by `wasm-bindgen-test-runner` at a fixed address) calls it across
//! origins, and the simulated helper signs with that card's TEST-ONLY key.

use std::{
    ffi::OsString,
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context as _};

use crate::{run::link_card, sh, target_dir};

/// The holder of the test card in the registry feed.
const PERSON: &str = "flow-person";

/// The running server; stopped on drop.
pub struct FlowServer {
    child: Child,
    /// What `cargo test` needs: the runner's address, the server's origin, the card.
    pub env: Vec<(String, String)>,
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr().context("local address")?.port())
}

fn state_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache").join("myna-portal").join("spa-tests")
}

impl FlowServer {
    /// Builds the server and the virtual card (debug), makes the card once, and starts the
    /// server on a database of its own named after `run`.
    ///
    /// # Errors
    /// When the server cannot be started or does not come up.
    pub fn start(run: &str) -> anyhow::Result<Self> {
        sh(
            "cargo",
            &["build", "--locked", "-p", "server", "-p", "virtual-card"],
        )?;
        let debug = target_dir().join("debug");
        let base = state_dir();
        let card = base.join("card");
        let ca = base.join("ca");
        if !card.join("state.json").exists() {
            let tool = debug.join("virtual-card");
            let status = Command::new(&tool)
                .args(["new", "--pin", "1234", "--out"])
                .arg(&card)
                .arg("--ca")
                .arg(&ca)
                .status()
                .context("starting virtual-card")?;
            if !status.success() {
                bail!("virtual-card new failed with {status}");
            }
        }
        let data = base.join(format!("data-{run}"));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).context("creating the data directory")?;
        let page = free_port()?;
        let api = free_port()?;
        let settings: Vec<OsString> = vec![
            "--data-dir".into(),
            data.clone().into(),
            "--origin".into(),
            format!("http://127.0.0.1:{page}").into(),
            "--listen".into(),
            format!("127.0.0.1:{api}").into(),
            "--trust-ca".into(),
            ca.join("auth-ca.cert.pem").into(),
            "--cors".into(),
            // The texts kept as data (`app/public/content/`): the page fetches them from the server.
            "--static-dir".into(),
            crate::project_root().join("app").join("public").into(),
        ];
        let server = debug.join("myna-server");
        link_card(&server, &settings, &card, PERSON, &data)?;
        let log = std::fs::File::create(data.join("server.log")).context("creating the log")?;
        let child = Command::new(&server)
            .args(&settings)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting the server")?;
        let mut started = Self {
            child,
            env: vec![
                (
                    "WASM_BINDGEN_TEST_ADDRESS".into(),
                    format!("127.0.0.1:{page}"),
                ),
                ("MYNA_TEST_SERVER".into(), format!("http://127.0.0.1:{api}")),
                (
                    "MYNA_SIMULATED_CARD".into(),
                    card.to_string_lossy().into_owned(),
                ),
            ],
        };
        let give_up = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", api)).is_err() {
            if let Ok(Some(status)) = started.child.try_wait() {
                bail!(
                    "the server stopped with {status}; see {}",
                    data.join("server.log").display()
                );
            }
            if Instant::now() > give_up {
                bail!("the server did not listen on 127.0.0.1:{api}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(started)
    }
}

impl Drop for FlowServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
