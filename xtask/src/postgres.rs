//! A private PostgreSQL server for the test suite: `initdb` in a temporary directory, a free
//! loopback port, stopped when dropped. As root it runs as the `postgres` user (initdb refuses
//! root). fsync is off: the tests kill the portal server, never the database.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context as _};

/// A running PostgreSQL.
pub struct Postgres {
    child: Child,
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

fn bin_dir() -> anyhow::Result<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL is not installed (/usr/lib/postgresql)")?
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .context("no initdb under /usr/lib/postgresql")
}

/// `program` as the user that owns the cluster.
fn as_owner(program: &Path) -> Command {
    if crate::setup::is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

impl Postgres {
    /// Creates and starts a cluster.
    ///
    /// # Errors
    /// When PostgreSQL's binaries cannot be found or the server does not start.
    pub fn start() -> anyhow::Result<Self> {
        let bin = bin_dir()?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let dir = std::env::temp_dir().join(format!("myna-postgres-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        if crate::setup::is_root() {
            crate::sh("chown", &["postgres:postgres", &dir.to_string_lossy()])?;
        }
        let data = dir.join("data");
        let status = as_owner(&bin.join("initdb"))
            .args(["-D"])
            .arg(&data)
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale",
                "C",
            ])
            .stdout(Stdio::null())
            .status()
            .context("running initdb")?;
        if !status.success() {
            bail!("initdb failed");
        }
        let child = as_owner(&bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-k"])
            .arg(&dir)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-c",
                "fsync=off",
                "-c",
                "max_connections=400",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting postgres")?;
        let postgres = Self {
            child,
            bin: bin.clone(),
            dir,
            port,
        };
        let give_up = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = Command::new(bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-q"])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ready {
                return Ok(postgres);
            }
            if Instant::now() > give_up {
                bail!("PostgreSQL did not become ready on port {port}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The administrator's URL (database `postgres`).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // runuser does not pass signals on: stop the cluster with pg_ctl ("fast" disconnects
        // clients), then reap the child.
        let _ = as_owner(&self.bin.join("pg_ctl"))
            .arg("stop")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "-w", "-t", "30"])
            .stdout(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
