//! Complete flows per second (session → challenge → login → health-insurance application →
//! status) against a `myna-server` process on loopback, with load from this process.
//!
//! `cargo bench -p server --bench flows -- [SECONDS] [CONCURRENCY] [RUNS]` (defaults 10, 32, 3).
//! With `MYNA_BENCH_DATABASE_URL` (an administrator URL of a PostgreSQL server; `cargo xtask
//! bench` starts one) the same runs go against PostgreSQL too. Prints, per engine, the median
//! run's flows/s, p50/p99 flow latency, errors, and the server's CPU time per flow (from
//! `/proc`), which says what the server would do alone, without the load generator's signing.
//!
//! Then the same load through a real load balancer (nginx on loopback) in front of one and of
//! two instances on one database (PostgreSQL when given, else SQLite): what a second instance
//! buys, and what the balancer costs.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use anyhow::Context as _;
use aws_lc_rs::{
    rand::SystemRandom,
    signature::{RsaKeyPair, RSA_PKCS1_SHA256},
};
use base64::Engine as _;
use serde_json::{json, Value};
use virtual_card::fixtures::Templates;

#[path = "../tests/common/balancer.rs"]
mod balancer;

const ORIGIN: &str = "https://myna.example";
const PEOPLE: usize = 256;

struct Load {
    client: reqwest::Client,
    base: String,
    /// The cards' key (aws-lc-rs: the load generator shares the machine with the server, so its
    /// RSA signing must cost as little as possible).
    key: Arc<RsaKeyPair>,
    /// Each person's certificate, base64 DER.
    people: Vec<String>,
}

/// One HTTP client session: cookie and CSRF token.
struct Visit<'a> {
    load: &'a Load,
    cookie: String,
    csrf: String,
}

impl Visit<'_> {
    async fn call(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut request = self
            .load
            .client
            .request(method, format!("{}{path}", self.load.base))
            .header("x-csrf-token", &self.csrf);
        if !self.cookie.is_empty() {
            request = request.header("cookie", format!("myna_session={}", self.cookie));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = response.status();
        if let Some(set) = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
        {
            set.trim_start_matches("myna_session=")
                .split(';')
                .next()
                .unwrap_or("")
                .clone_into(&mut self.cookie);
        }
        let bytes = response.bytes().await.map_err(|e| format!("{path}: {e}"))?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(format!("{path}: {status} {value}"));
        }
        Ok(value)
    }
}

/// One complete flow; `Err` names what failed.
async fn flow(load: &Load, certificate_b64: &str) -> Result<(), String> {
    let mut visit = Visit {
        load,
        cookie: String::new(),
        csrf: String::new(),
    };
    let session = visit
        .call(reqwest::Method::GET, "/api/v1/session", None)
        .await?;
    visit.csrf = session["csrfToken"].as_str().unwrap_or_default().to_owned();
    // The card step signs the application (server::writes): the challenge carries it.
    let application = json!({"registerPortalUser": true, "termsVersion": "2021-03"});
    let challenge = visit
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/challenge?purpose=insurance-application",
            Some(application.clone()),
        )
        .await?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let nonce = b64
        .decode(challenge["nonce"].as_str().unwrap_or_default())
        .map_err(|e| e.to_string())?;
    // What the card does: RS256 over SHA-256(origin) ‖ SHA-256(nonce).
    let mut signature = vec![0; load.key.public_modulus_len()];
    load.key
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            &protocol::signing::to_be_signed(ORIGIN, &nonce),
            &mut signature,
        )
        .map_err(|e| e.to_string())?;
    let token = json!({
        "certificate": certificate_b64,
        "signature": b64.encode(signature),
        "algorithm": "RS256",
        "format": "myna-auth:1",
    });
    visit
        .call(reqwest::Method::POST, "/api/v1/auth/login", Some(token))
        .await?;
    visit
        .call(
            reqwest::Method::POST,
            "/api/v1/insurance/application",
            Some(application),
        )
        .await?;
    let status = visit
        .call(reqwest::Method::GET, "/api/v1/insurance/status", None)
        .await?;
    if status["application"] != "received" {
        return Err(format!("status: {status}"));
    }
    Ok(())
}

struct Run {
    flows: usize,
    errors: usize,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    server_cpu_ms_per_flow: f64,
}

impl Run {
    fn rate(&self) -> f64 {
        self.flows as f64 / self.seconds
    }

    fn line(&self) -> String {
        format!(
            "{:.0} flows/s, p50 {:.1} ms, p99 {:.1} ms, {} errors, server CPU {:.2} ms/flow",
            self.rate(),
            self.p50_ms,
            self.p99_ms,
            self.errors,
            self.server_cpu_ms_per_flow
        )
    }
}

/// The processes' user+system CPU time in seconds.
fn cpu_seconds_of(pids: &[u32]) -> f64 {
    pids.iter().map(|&pid| cpu_seconds(pid)).sum()
}

/// The process's user+system CPU time in seconds (stat(5) fields 14 and 15, in 1/100 s).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

async fn run(load: Arc<Load>, pids: &[u32], seconds: u64, concurrency: usize) -> Run {
    let stop = Arc::new(AtomicBool::new(false));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(Vec::new()));
    let cpu_before = cpu_seconds_of(pids);
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|w| {
            let (load, stop) = (Arc::clone(&load), Arc::clone(&stop));
            let (latencies, errors) = (Arc::clone(&latencies), Arc::clone(&errors));
            tokio::spawn(async move {
                let mut i = w;
                while !stop.load(Ordering::Relaxed) {
                    let person = load.people[i % load.people.len()].clone();
                    i += concurrency;
                    let t = Instant::now();
                    match flow(&load, &person).await {
                        Ok(()) => latencies.lock().expect("lock").push(t.elapsed()),
                        Err(e) => errors.lock().expect("lock").push(e),
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        let _ = worker.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds_of(pids) - cpu_before;
    let mut latencies = latencies.lock().expect("lock").clone();
    latencies.sort();
    let errors = errors.lock().expect("lock").clone();
    if let Some(first) = errors.first() {
        eprintln!("  first error of {}: {first}", errors.len());
    }
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1));
        latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Run {
        flows: latencies.len(),
        errors: errors.len(),
        seconds: elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        server_cpu_ms_per_flow: cpu * 1000.0 / latencies.len().max(1) as f64,
    }
}

fn server_command(args: &[String]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_myna-server"));
    command.args(args).env("MYNA_LOG", "warn");
    command
}

/// Starts the server and reads its address.
fn start_server(args: &[String]) -> anyhow::Result<(std::process::Child, String)> {
    use std::io::BufRead as _;
    let mut child = server_command(args)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().context("stdout")?;
    let mut lines = std::io::BufReader::new(stdout).lines();
    loop {
        let line = lines.next().context("the server exited")??;
        if let Some(base) = line.strip_prefix("listening on ") {
            return Ok((child, base.to_owned()));
        }
    }
}

fn main() -> anyhow::Result<()> {
    let numbers: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let seconds = numbers.first().copied().unwrap_or(10);
    let concurrency = usize::try_from(numbers.get(1).copied().unwrap_or(32))?;
    let runs = usize::try_from(numbers.get(2).copied().unwrap_or(3))?.max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let templates = Templates::new("1234").map_err(|e| anyhow::anyhow!("{e}"))?;
    let work = tempfile::tempdir()?;
    let mut csv = String::from("issuer,serial,person_id\n");
    let mut people = Vec::new();
    for i in 0..PEOPLE {
        let dir = work.path().join(format!("card-{i}"));
        let card = templates
            .another_person(&dir)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let der = card.auth_cert().map_err(|e| anyhow::anyhow!("{e}"))?;
        let key = server::domain::certificate::certificate_key(&der).context("certificate")?;
        let (issuer, serial) = key.rsplit_once('|').context("key")?;
        csv.push_str(&format!("\"{issuer}\",{serial},p-{i}\n"));
        people.push(base64::engine::general_purpose::STANDARD.encode(der));
    }
    // Every person's card is a copy of one template: one key, many certificates.
    let key_pem = std::fs::read_to_string(work.path().join("card-0/auth.TEST-ONLY.key.pem"))?;
    let (_, key_der) =
        der::pem::decode_vec(key_pem.as_bytes()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let key = Arc::new(RsaKeyPair::from_pkcs8(&key_der).map_err(|e| anyhow::anyhow!("{e}"))?);
    let links = work.path().join("links.csv");
    std::fs::write(&links, csv)?;

    let mut engines = vec![("SQLite", None)];
    if let Ok(url) = std::env::var("MYNA_BENCH_DATABASE_URL") {
        engines.push(("PostgreSQL", Some(url)));
    }
    let ca = templates
        .ca_dir()
        .join("auth-ca.cert.pem")
        .display()
        .to_string();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let measure = |label: &str, base: String, pids: &[u32]| -> anyhow::Result<()> {
        let load = Arc::new(Load {
            client: client.clone(),
            base,
            key: Arc::clone(&key),
            people: people.clone(),
        });
        // Warm-up: connections, statement caches, every person applied once.
        runtime.block_on(run(Arc::clone(&load), pids, 2, concurrency));
        let mut results = Vec::new();
        for i in 0..runs {
            let result = runtime.block_on(run(Arc::clone(&load), pids, seconds, concurrency));
            println!("{label} run {}: {}", i + 1, result.line());
            results.push(result);
        }
        results.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
        println!(
            "{label} median of {runs} runs ({seconds} s, {concurrency} concurrent flows): {}",
            results[results.len() / 2].line()
        );
        Ok(())
    };
    let last = engines.len() - 1;
    for (n, (engine, url)) in engines.into_iter().enumerate() {
        let data = work.path().join(format!("data-{engine}"));
        let mut args: Vec<String> = vec![
            "--data-dir".into(),
            data.display().to_string(),
            "--origin".into(),
            ORIGIN.into(),
            "--trust-ca".into(),
            ca.clone(),
            // The counters stay on (their cost is measured) with limits no run reaches.
            "--rate-limit-ip".into(),
            "1000000000".into(),
            "--rate-limit-certificate".into(),
            "1000000000".into(),
        ];
        if let Some(url) = &url {
            args.extend(["--database-url".into(), url.clone()]);
        }
        let status = server_command(&args)
            .arg("import")
            .arg("certificate-links")
            .arg(&links)
            .stdout(std::process::Stdio::null())
            .status()?;
        anyhow::ensure!(status.success(), "import failed");
        let (mut child, base) = start_server(&args)?;
        measure(engine, base, &[child.id()])?;
        let _ = child.kill();
        let _ = child.wait();
        // Through the balancer, on the last engine (PostgreSQL when there is one).
        if n == last {
            args.push("--trust-forwarded-for".into());
            for instances in [1, 2] {
                let mut children = Vec::new();
                let mut bases = Vec::new();
                for _ in 0..instances {
                    let (child, base) = start_server(&args)?;
                    children.push(child);
                    bases.push(base);
                }
                let balancer = balancer::Balancer::start(&bases);
                let pids: Vec<u32> = children.iter().map(std::process::Child::id).collect();
                measure(
                    &format!("{engine} behind nginx, {instances} instance(s)"),
                    balancer.base.clone(),
                    &pids,
                )?;
                drop(balancer);
                for mut child in children {
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
        }
    }
    Ok(())
}
