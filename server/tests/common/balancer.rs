//! A real load balancer in front of several `myna-server` instances: Debian's nginx on loopback,
//! round robin, started with a configuration of its own in a temporary directory and stopped on
//! drop. Shared by the multi-instance test and the flows benchmark.

use std::{
    io::Write as _,
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Where Debian puts nginx.
pub const NGINX: &str = "/usr/sbin/nginx";

/// A running nginx balancing over `upstreams` (`http://127.0.0.1:PORT` bases).
pub struct Balancer {
    child: Child,
    _dir: tempfile::TempDir,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Balancer {
    /// Starts nginx in front of `upstreams` and waits until it accepts connections.
    ///
    /// A request that cannot reach an instance (refused, reset before an answer) goes to the next
    /// one; one whose answer was lost after it was sent is not repeated for POST (nginx's rule),
    /// so the client sees 502 and nothing is applied twice.
    pub fn start(upstreams: &[String]) -> Self {
        let dir = tempfile::tempdir().expect("nginx dir");
        let port = free_port();
        let servers: String = upstreams
            .iter()
            .map(|base| {
                format!(
                    "        server {} max_fails=1 fail_timeout=2s;\n",
                    base.trim_start_matches("http://")
                )
            })
            .collect();
        let root = dir.path().display();
        let config = format!(
            "daemon off;\nmaster_process on;\nworker_processes 1;\npid {root}/nginx.pid;\n\
             error_log {root}/error.log warn;\nevents {{ worker_connections 1024; }}\n\
             http {{\n    access_log off;\n    client_body_temp_path {root}/body;\n    \
             proxy_temp_path {root}/proxy;\n    fastcgi_temp_path {root}/fastcgi;\n    \
             uwsgi_temp_path {root}/uwsgi;\n    scgi_temp_path {root}/scgi;\n    \
             upstream myna {{\n{servers}        keepalive 64;\n    }}\n    server {{\n        \
             listen 127.0.0.1:{port};\n        location / {{\n            proxy_pass http://myna;\n            \
             proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n            \
             proxy_set_header Host $host;\n            \
             proxy_set_header X-Forwarded-For $remote_addr;\n            \
             proxy_next_upstream error timeout;\n            proxy_connect_timeout 1s;\n        }}\n    }}\n}}\n"
        );
        let path: PathBuf = dir.path().join("nginx.conf");
        std::fs::File::create(&path)
            .and_then(|mut f| f.write_all(config.as_bytes()))
            .expect("nginx.conf");
        // Worker processes may run as another user: let them write their temporary files.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let _ = std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777));
        }
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{NGINX} starts (Debian package nginx): {e}"));
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx did not listen: {}",
                std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            child,
            _dir: dir,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        // SIGTERM: nginx's fast shutdown, master and workers.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}
