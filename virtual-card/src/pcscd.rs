//! A private pcscd with the vsmartcard virtual reader, for tests, benchmarks and development:
//! no root and no system service needed, and as many as there are test processes.
//!
//! pcscd is started socket-activated (`LISTEN_FDS=1`) on a Unix socket in a temporary directory,
//! with a reader configuration of one vpcd entry on a free port. vpcd then opens two readers,
//! `"<name> 00 00"` on PORT and `"<name> 00 01"` on PORT+1. A client process reaches this pcscd by
//! setting `PCSCLITE_CSOCK_NAME` to [`PrivatePcscd::socket`] (libpcsclite reads it once per
//! process, so clients are child processes such as the bridge).

use std::{
    net::{Ipv4Addr, SocketAddr, TcpListener},
    os::{fd::OwnedFd, unix::net::UnixListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicU16, Ordering},
};

use command_fds::{CommandFdExt, FdMapping};

/// Where Debian's vsmartcard-vpcd installs the driver.
pub const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
/// The friendly name of the virtual readers.
pub const READER_NAME: &str = "Virtual PCD";

/// Why pcscd could not be started.
#[derive(Debug, thiserror::Error)]
pub enum PcscdError {
    /// A file-system or process error.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// Why it failed.
        source: std::io::Error,
    },
    /// No free pair of TCP ports was found.
    #[error("no free port pair for vpcd")]
    NoPort,
}

fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> PcscdError {
    move |source| PcscdError::Io { context, source }
}

/// A running private pcscd; killed when dropped.
pub struct PrivatePcscd {
    child: Child,
    socket: PathBuf,
    port: u16,
    dir: tempfile::TempDir,
}

fn port_free(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// A pair of free ports (PORT, PORT+1), spread by process id so parallel test processes rarely
/// collide; a collision shows up as a missing reader, which the caller waits for.
fn free_port_pair() -> Result<u16, PcscdError> {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 20_000 + (std::process::id() % 1_000) as u16 * 20;
    for _ in 0..200 {
        let offset = NEXT.fetch_add(2, Ordering::SeqCst) % 10_000;
        let port = base.wrapping_add(offset);
        if port > 1024 && port < 65_000 && port_free(port) && port_free(port + 1) {
            return Ok(port);
        }
    }
    Err(PcscdError::NoPort)
}

impl PrivatePcscd {
    /// Starts pcscd with one vpcd entry (two readers).
    ///
    /// # Errors
    /// [`PcscdError`] when pcscd or its vpcd configuration cannot be found, written or started, or
    /// its socket does not come up.
    pub fn start() -> Result<Self, PcscdError> {
        Self::start_with(true)
    }

    /// Starts pcscd with no reader at all.
    ///
    /// # Errors
    /// As [`PrivatePcscd::start`].
    pub fn start_without_readers() -> Result<Self, PcscdError> {
        Self::start_with(false)
    }

    fn start_with(with_vpcd: bool) -> Result<Self, PcscdError> {
        let dir = tempfile::tempdir().map_err(io("creating the pcscd directory"))?;
        let conf_dir = dir.path().join("reader.conf.d");
        std::fs::create_dir(&conf_dir).map_err(io("creating reader.conf.d"))?;
        let port = free_port_pair()?;
        if with_vpcd {
            let entry = format!(
                "FRIENDLYNAME \"{READER_NAME}\"\nDEVICENAME /dev/null:{port}\nLIBPATH {VPCD_DRIVER}\nCHANNELID {port}\n"
            );
            std::fs::write(conf_dir.join("vpcd"), entry).map_err(io("writing the vpcd entry"))?;
        }
        let socket = dir.path().join("pcscd.comm");
        let child = spawn(&socket, &conf_dir)?;
        Ok(Self {
            child,
            socket,
            port,
            dir,
        })
    }

    /// Stops pcscd and starts it again on the same socket and readers, as a package upgrade or
    /// a socket re-activation does under running clients (which keep their old PC/SC context).
    /// The virtual cards connect again by themselves.
    ///
    /// # Errors
    /// When the new pcscd cannot be started.
    pub fn restart(&mut self) -> Result<(), PcscdError> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
        let conf_dir = self.dir.path().join("reader.conf.d");
        self.child = spawn(&self.socket, &conf_dir)?;
        Ok(())
    }

    /// Stops pcscd, as when the reader's service goes away under a running client (on a PC, the
    /// reader unplugged takes its readers away the same way); [`PrivatePcscd::restart`] brings
    /// it back.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The socket clients use through `PCSCLITE_CSOCK_NAME`.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Where vpcd listens for the card of reader `index` (0 or 1).
    pub fn vpcd_addr(&self, index: u16) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port + index))
    }

    /// The PC/SC name of reader `index`.
    pub fn reader_name(index: u16) -> String {
        format!("{READER_NAME} 00 {index:02}")
    }
}

/// pcscd, socket-activated on `socket`, with the readers of `conf_dir`.
fn spawn(socket: &Path, conf_dir: &Path) -> Result<Child, PcscdError> {
    let listener = UnixListener::bind(socket).map_err(io("binding the pcscd socket"))?;
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("LISTEN_PID=$$ LISTEN_FDS=1 exec pcscd --foreground -c \"$0\"")
        .arg(conf_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
        .fd_mappings(vec![FdMapping {
            parent_fd: OwnedFd::from(listener),
            child_fd: 3,
        }])
        .map_err(|_| PcscdError::Io {
            context: "passing the socket",
            source: std::io::Error::other("fd collision"),
        })?;
    command
        .spawn()
        .map_err(io("starting pcscd (is the pcscd package installed?)"))
}

impl Drop for PrivatePcscd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
