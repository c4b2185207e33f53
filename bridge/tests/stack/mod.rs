//! The real stack for the bridge's black-box tests: a private pcscd with the vpcd readers, virtual
//! cards, and the `myna-bridge` binary spoken to over its stdin and stdout.

#![allow(dead_code)] // Not every test binary uses every helper.

use std::{
    io::{Read, Write},
    path::{Path, PathBuf},
    process::{Child, ChildStdin, ChildStdout, Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

use serde_json::{json, Value};
use virtual_card::{fixtures::Templates, pcscd::PrivatePcscd, vpcd::VpcdCard, CardDir, CardKind};

pub const PIN: &str = "9753";
pub const ORIGIN: &str = "https://myna.example";
pub const EXTENSION: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/";
/// 32 bytes 00..1F in standard base64.
pub const NONCE: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// One CA and one card of each kind per test binary; each test copies them.
fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(|| Templates::new(PIN).expect("test cards"))
}

/// A fresh copy of a template card.
pub fn card_dir(kind: CardKind, into: &Path) -> CardDir {
    templates().copy_card(kind, into).expect("card copy")
}

pub fn ca_cert_path() -> PathBuf {
    templates().ca_dir().join("auth-ca.cert.pem")
}

/// pcscd, up to two cards, and a configuration file.
pub struct Stack {
    pub dir: tempfile::TempDir,
    pub pcscd: PrivatePcscd,
    pub cards: Vec<VpcdCard>,
    pub config: PathBuf,
}

impl Stack {
    /// pcscd and a My Number Card in reader 0.
    pub fn with_card() -> Self {
        Self::with_cards(&[(0, CardKind::Jpki)])
    }

    pub fn with_cards(cards: &[(u16, CardKind)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let pcscd = PrivatePcscd::start().expect("pcscd");
        let mut started = Vec::new();
        for (index, kind) in cards {
            let card = card_dir(*kind, &dir.path().join(format!("card{index}")));
            started.push(VpcdCard::start(card, pcscd.vpcd_addr(*index)).expect("card"));
        }
        let config = dir.path().join("bridge.json");
        let stack = Self {
            dir,
            pcscd,
            cards: started,
            config,
        };
        stack.write_config(json!({}));
        stack
    }

    pub fn without_readers() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let pcscd = PrivatePcscd::start_without_readers().expect("pcscd");
        let config = dir.path().join("bridge.json");
        let stack = Self {
            dir,
            pcscd,
            cards: Vec::new(),
            config,
        };
        stack.write_config(json!({}));
        stack
    }

    /// Writes the bridge configuration: the test origin and extension, short deadlines, plus
    /// `extra` keys.
    pub fn write_config(&self, extra: Value) {
        let mut config = json!({
            "allowedOrigins": [ORIGIN],
            "developerOrigins": ["http://127.0.0.1:8080"],
            "allowedExtensions": [EXTENSION, "helper@myna.example"],
            "cardTimeoutMs": 10000,
            "cardWaitMs": 2000,
        });
        if let (Some(config), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
            for (key, value) in extra {
                config.insert(key.clone(), value.clone());
            }
        }
        std::fs::write(&self.config, config.to_string()).expect("config");
    }

    pub fn card(&self) -> &VpcdCard {
        &self.cards[0]
    }

    pub fn bridge(&self) -> Bridge {
        Bridge::start(
            Some(self.pcscd.socket()),
            &self.config,
            &[EXTENSION],
            &self.dir.path().join("bridge.log"),
        )
    }

    /// Waits until pcscd reports the expected cards (a card is seen ≤ 400 ms after it connects).
    pub fn wait_for_cards(&self, bridge: &mut Bridge, n_cards: usize) -> Value {
        let give_up = Instant::now() + Duration::from_secs(10);
        loop {
            let status = bridge.request(json!({"id": 0, "command": "status"}));
            let present = status["result"]["readers"].as_array().map_or(0, |readers| {
                readers.iter().filter(|r| r["card"] != "absent").count()
            });
            if present == n_cards {
                return status;
            }
            assert!(
                Instant::now() < give_up,
                "pcscd never saw {n_cards} cards: {status}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the card has received `n` command APDUs in all (a request under way has
    /// reached that step).
    pub fn wait_for_apdus(&self, n: usize) {
        let give_up = Instant::now() + Duration::from_secs(10);
        while self.card().n_apdus() < n {
            assert!(Instant::now() < give_up, "APDU {n} never reached the card");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Asserts that the bridge still answers (after a fault).
    pub fn assert_alive(bridge: &mut Bridge) {
        let reply = bridge.request(json!({"id": 99, "command": "hello"}));
        assert_eq!(
            reply["result"]["protocol"],
            protocol::PROTOCOL_VERSION,
            "{reply}"
        );
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("bridge.log")).unwrap_or_default()
    }
}

/// The bridge binary over stdio.
pub struct Bridge {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
}

impl Bridge {
    /// An installed bridge at `exe`, reading the configuration beside it (as the browser
    /// starts it), against `socket`'s pcscd.
    pub fn start_installed(exe: &Path, socket: &Path, args: &[&str], log: &Path) -> Self {
        Self::spawn(Command::new(exe), Some(socket), args, log)
    }

    pub fn start(socket: Option<&Path>, config: &Path, args: &[&str], log: &Path) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_myna-bridge"));
        command.env("MYNA_BRIDGE_CONFIG", config);
        Self::spawn(command, socket, args, log)
    }

    fn spawn(mut command: Command, socket: Option<&Path>, args: &[&str], log: &Path) -> Self {
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log");
        command
            .args(args)
            .env("MYNA_BRIDGE_LOG", "trace")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file));
        match socket {
            Some(socket) => command.env("PCSCLITE_CSOCK_NAME", socket),
            None => command.env("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm"),
        };
        let mut child = command.spawn().expect("bridge starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        Self {
            child,
            stdin: Some(stdin),
            stdout,
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    pub fn send_frame(&mut self, payload: &[u8]) {
        let mut frame = (payload.len() as u32).to_ne_bytes().to_vec();
        frame.extend_from_slice(payload);
        self.send_raw(&frame);
    }

    pub fn read_reply(&mut self) -> Value {
        let mut length = [0u8; 4];
        self.stdout.read_exact(&mut length).expect("reply length");
        let length = u32::from_ne_bytes(length) as usize;
        assert!(
            length <= 8 * 1024,
            "reply of {length} bytes is over the 8 KiB limit"
        );
        let mut body = vec![0u8; length];
        self.stdout.read_exact(&mut body).expect("reply body");
        serde_json::from_slice(&body).expect("reply is JSON")
    }

    pub fn request(&mut self, request: Value) -> Value {
        self.send_frame(request.to_string().as_bytes());
        self.read_reply()
    }

    pub fn authenticate(&mut self, pin: &str, confirm_last_try: bool) -> Value {
        self.request(json!({
            "id": 7, "command": "authenticate", "origin": ORIGIN, "nonce": NONCE,
            "pin": pin, "confirmLastTry": confirm_last_try,
        }))
    }

    /// Sends `authenticate` (id 9) without waiting for the answer ([`Bridge::read_reply`]).
    pub fn send_authenticate(&mut self) {
        self.send_frame(
            json!({"id": 9, "command": "authenticate", "origin": ORIGIN, "nonce": NONCE, "pin": PIN})
                .to_string()
                .as_bytes(),
        );
    }

    /// Closes stdin and waits for the process to exit by itself.
    pub fn close(mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        let give_up = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < give_up,
                "bridge did not exit after stdin closed"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn error_code(reply: &Value) -> &str {
    reply["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error: {reply}"))
}
