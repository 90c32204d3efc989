//! What `deploy/` ships, run for real, and a stream that went backwards:
//!
//! - every worker runs with its own NATS user against a server configured from
//!   `deploy/nats.conf` (only port and store given as flags): the pipeline works end to
//!   end, and a role publishing outside its permissions is refused;
//! - every service of `deploy/docker-compose.yml` runs as a local process with the
//!   command and environment compose would give it (host names and ports mapped to
//!   loopback, volumes to temporary folders): the pipeline produces cluster events and the
//!   gateway is ready;
//! - a deduplicator whose input stream was restored from an older disk image says so and
//!   rebuilds instead of skipping what is new, and a normalizer whose raw stream was
//!   restored skips nothing either;
//! - a topology with other replica counts is reported and kept; the cluster profile covers
//!   every service;
//! - mutual TLS works through the bus and the CLI flags (certificates made with the
//!   `openssl` command, which the test needs).

use std::collections::{BTreeMap, HashSet};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use wirefold_bus::{Bus, BusError, Connection};
use wirefold_corpus::Words;
use wirefold_testkit::{TestNats, eventually};
use wirefold_wire::{ClusterEvent, subjects};

const WIREFOLD: &str = env!("CARGO_BIN_EXE_wirefold");

/// The roles of deploy/nats.conf.
const ROLES: [&str; 6] = ["admin", "fetcher", "normalizer", "dedup", "gateway", "reader"];

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

/// The server-side variable holding `role`'s password.
fn password_var(role: &str) -> String {
    format!("WIREFOLD_NATS_{}_PASSWORD", role.to_uppercase())
}

/// A password per role, different on every run.
fn passwords() -> BTreeMap<String, String> {
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    ROLES
        .iter()
        .map(|r| (password_var(r), format!("{r}-{}-{nonce:x}", std::process::id())))
        .collect()
}

fn server_from_deploy_conf(pw: &BTreeMap<String, String>) -> TestNats {
    let env: Vec<(&str, &str)> = pw.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    TestNats::start_with_config(&deploy_dir().join("nats.conf"), &env)
}

fn conn(url: &str, role: &str, pw: &BTreeMap<String, String>) -> Connection {
    Connection {
        user: Some(role.to_string()),
        password: Some(pw[&password_var(role)].clone()),
        ..Connection::url(url)
    }
}

/// A child process killed when dropped, with its output in files.
struct Proc {
    name: String,
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Proc {
    fn spawn(name: &str, mut cmd: Command, logs: &Path) -> Proc {
        let stdout = logs.join(format!("{name}.out"));
        let stderr = logs.join(format!("{name}.err"));
        let child = cmd
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Proc {
            name: name.to_string(),
            child,
            stdout,
            stderr,
        }
    }

    fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Panics with its log when it has exited.
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("{} exited with {status}:\n{}", self.name, self.stderr());
        }
    }

    /// Sends SIGTERM and waits for the exit (a clean stop: the deduplicator snapshots).
    fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..200 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `wirefold ARGS` as `role`.
fn wirefold_as(url: &str, role: &str, pw: &BTreeMap<String, String>, args: &[&str]) -> Command {
    let mut c = Command::new(WIREFOLD);
    c.args(args)
        .env("NATS_URL", url)
        .env("NATS_USER", role)
        .env("NATS_PASSWORD", &pw[&password_var(role)])
        .env("RUST_LOG", "info,async_nats=warn")
        .env_remove("WIREFOLD_STREAM_REPLICAS");
    c
}

/// `wirefold ARGS` with no NATS user (a server without authorization).
fn wirefold_plain(url: &str, args: &[&str]) -> Command {
    let mut c = Command::new(WIREFOLD);
    c.args(args)
        .env("NATS_URL", url)
        .env("RUST_LOG", "info,async_nats=warn")
        .env_remove("NATS_USER")
        .env_remove("NATS_PASSWORD")
        .env_remove("WIREFOLD_STREAM_REPLICAS");
    c
}

/// `wirefold ingest DIR` with no NATS user; it must succeed.
fn ingest_dir(url: &str, dir: &Path) {
    let out = wirefold_plain(url, &["ingest", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ingest: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A plain-text article, distinct for each `n`.
fn article_text(n: u64) -> String {
    let mut w = Words::new(n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let title: Vec<&str> = (0..6).map(|_| w.word()).collect();
    let paras: Vec<String> = (0..4)
        .map(|_| (0..40).map(|_| w.word()).collect::<Vec<_>>().join(" ") + ".")
        .collect();
    format!("{}\n\n{}", title.join(" "), paras.join("\n\n"))
}

fn write_docs(dir: &Path, first: u64, n: u64) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    (first..first + n)
        .map(|i| {
            let p = dir.join(format!("doc-{i}.txt"));
            std::fs::write(&p, article_text(i)).unwrap();
            p
        })
        .collect()
}

/// All cluster events stored so far.
async fn cluster_events(bus: &Bus) -> Vec<ClusterEvent> {
    let state = bus
        .stream_state(subjects::CLUSTERS_STREAM)
        .await
        .expect("stream state");
    let mut out = Vec::new();
    for seq in state.first_seq.max(1)..=state.last_seq {
        if let Some(m) = bus
            .get_message(subjects::CLUSTERS_STREAM, seq)
            .await
            .expect("get")
        {
            out.push(wirefold_wire::decode(&m.payload).expect("decode cluster event"));
        }
    }
    out
}

/// Article ids named as members by the stored cluster events.
async fn clustered_ids(bus: &Bus) -> HashSet<String> {
    cluster_events(bus)
        .await
        .iter()
        .flat_map(|e| e.members.iter().map(|m| m.article.id.clone()))
        .collect()
}

/// Waits until `n` distinct articles are members of stored clusters.
async fn wait_clustered(bus: &Bus, n: usize, procs: &mut [&mut Proc]) -> HashSet<String> {
    let got = eventually(Duration::from_secs(60), || async {
        let ids = clustered_ids(bus).await;
        (ids.len() >= n).then_some(ids)
    })
    .await;
    match got {
        Some(ids) => ids,
        None => {
            let logs: Vec<String> = procs
                .iter_mut()
                .map(|p| format!("--- {}:\n{}", p.name, p.stderr()))
                .collect();
            panic!(
                "fewer than {n} articles clustered after 60 s\n{}",
                logs.join("\n")
            );
        }
    }
}

/// `GET path` on `addr`; the status code.
fn http_status(addr: &str, path: &str) -> Option<u16> {
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = String::new();
    let _ = s.read_to_string(&mut head);
    head.split_whitespace().nth(1)?.parse().ok()
}

/// The address `wirefold gateway` printed (`wirefold gateway: http://ADDR`).
fn gateway_addr(p: &Proc) -> Option<String> {
    p.stdout()
        .lines()
        .find_map(|l| l.strip_prefix("wirefold gateway: http://").map(str::to_string))
}

async fn wait_ready(gateway: &mut Proc) -> String {
    let addr = eventually(Duration::from_secs(30), || async { gateway_addr(gateway) })
        .await
        .unwrap_or_else(|| panic!("gateway printed no address:\n{}", gateway.stderr()));
    let ok = eventually(Duration::from_secs(30), || async {
        (http_status(&addr, "/readyz") == Some(200)).then_some(())
    })
    .await;
    assert!(
        ok.is_some(),
        "gateway /readyz never answered 200:\n{}",
        gateway.stderr()
    );
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_works_with_its_own_user_and_no_more() {
    let pw = passwords();
    let nats = server_from_deploy_conf(&pw);
    let url = nats.url();
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path();

    // A worker user may not create the topology: it says who must.
    let out = wirefold_as(&url, "normalizer", &pw, &["normalizer"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "normalizer ran without a topology");
    assert!(
        err.contains("permission denied") && err.contains("wirefold topology"),
        "no clear refusal: {err}"
    );

    // The admin creates it.
    let out = wirefold_as(&url, "admin", &pw, &["topology"]).output().unwrap();
    assert!(
        out.status.success(),
        "topology as admin failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("topology ready: 1 replicas, 9 created"));
    let refusals_before = nats.log().matches("Violation").count();

    // Every worker with its own user.
    let drop_dir = tmp.path().join("drop");
    std::fs::create_dir_all(&drop_dir).unwrap();
    let mut fetcher = Proc::spawn(
        "fetcher",
        wirefold_as(
            &url,
            "fetcher",
            &pw,
            &["fetcher", "--drop-dir", drop_dir.to_str().unwrap()],
        ),
        logs,
    );
    let mut normalizer = Proc::spawn(
        "normalizer",
        wirefold_as(&url, "normalizer", &pw, &["normalizer"]),
        logs,
    );
    let mut dedup = Proc::spawn("dedup", wirefold_as(&url, "dedup", &pw, &["dedup"]), logs);
    let mut gateway = Proc::spawn(
        "gateway",
        wirefold_as(
            &url,
            "gateway",
            &pw,
            &["gateway", "--gateway-listen", "127.0.0.1:0"],
        ),
        logs,
    );
    let mut tail = Proc::spawn("tail", wirefold_as(&url, "reader", &pw, &["tail"]), logs);
    let addr = wait_ready(&mut gateway).await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Input through both doors: `ingest` (as the fetcher) and the drop folder.
    let docs = tmp.path().join("docs");
    write_docs(&docs, 0, 2);
    let out = wirefold_as(&url, "fetcher", &pw, &["ingest", docs.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ingest as fetcher: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let staged = tmp.path().join("staged");
    for p in write_docs(&staged, 2, 1) {
        std::fs::rename(&p, drop_dir.join(p.file_name().unwrap())).unwrap();
    }

    let admin = Bus::connect_with(&conn(&url, "admin", &pw), "test-admin", Duration::from_secs(10))
        .await
        .expect("admin connects");
    wait_clustered(&admin, 3, &mut [&mut fetcher, &mut normalizer, &mut dedup]).await;
    let tailed = eventually(Duration::from_secs(10), || async {
        (tail
            .stdout()
            .lines()
            .filter(|l| l.contains("\"cluster_id\""))
            .count()
            >= 3)
            .then_some(())
    })
    .await;
    assert!(
        tailed.is_some(),
        "tail as reader saw no events:\n{}",
        tail.stderr()
    );
    assert_eq!(http_status(&addr, "/v1/stories"), Some(200));
    for p in [&mut fetcher, &mut normalizer, &mut dedup, &mut gateway, &mut tail] {
        p.assert_running();
        let err = p.stderr();
        assert!(
            !err.contains("Permissions Violation"),
            "{} was refused something:\n{err}",
            p.name
        );
    }
    let log = nats.log();
    assert_eq!(
        log.matches("Violation").count(),
        refusals_before,
        "the pipeline needed more than its permissions:\n{log}"
    );

    // Outside its role: the fetcher may not write cluster events, a reader may not feed
    // raw documents, the normalizer may not take the deduplicator's lease.
    let fetcher_bus = Bus::connect_with(
        &conn(&url, "fetcher", &pw),
        "test-fetcher",
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    let forged = cluster_events(&admin).await.remove(0);
    match fetcher_bus
        .publish("wirefold.clusters.created.cforged", "forged:1", &forged)
        .await
    {
        Err(BusError::Denied { message, .. }) => {
            assert!(message.contains("wirefold.clusters.created.cforged"))
        }
        other => panic!("the fetcher published a cluster event: {other:?}"),
    }
    let reader_bus = Bus::connect_with(&conn(&url, "reader", &pw), "test-reader", Duration::from_secs(10))
        .await
        .unwrap();
    assert!(matches!(
        reader_bus.publish("wirefold.raw.file", "forged:2", &forged).await,
        Err(BusError::Denied { .. })
    ));
    let normalizer_bus = Bus::connect_with(
        &conn(&url, "normalizer", &pw),
        "test-normalizer",
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    let leases = normalizer_bus.kv_bucket(subjects::LEASES_BUCKET).await.unwrap();
    assert!(leases.put("dedup", "intruder".into()).await.is_err());
    let log = nats.log();
    assert!(
        log.contains("Violation") && log.contains("wirefold.clusters.created.cforged"),
        "the server did not record the refusal:\n{log}"
    );
    // A wrong password is refused at once.
    let mut bad = conn(&url, "dedup", &pw);
    bad.password = Some("not-the-password".into());
    assert!(
        Bus::connect_with(&bad, "test-bad", Duration::from_secs(10))
            .await
            .is_err()
    );
}

/// Compose's variable interpolation: `${NAME}`, `${NAME:-default}`, `${NAME:?error}`
/// (an error when unset or empty), `$$`.
fn interpolate(s: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(r) = rest.strip_prefix("$$") {
            out.push('$');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("${") {
            let end = r.find('}').expect("unterminated ${ in compose file");
            let expr = &r[..end];
            rest = &r[end + 1..];
            let (name, op) = match expr.find([':', '-', '?']) {
                Some(j) => (&expr[..j], &expr[j..]),
                None => (expr, ""),
            };
            let value = env.get(name).filter(|v| !v.is_empty());
            match (value, op) {
                (Some(v), _) => out.push_str(v),
                (None, op) if op.starts_with(":?") || op.starts_with('?') => {
                    panic!("compose would refuse to start: {name} is unset ({op})")
                }
                (None, op) if op.starts_with(":-") => out.push_str(&op[2..]),
                (None, op) if op.starts_with('-') => out.push_str(&op[1..]),
                (None, _) => {}
            }
        } else {
            panic!("unsupported variable syntax in compose file: {rest}");
        }
    }
    out.push_str(rest);
    out
}

/// One service of a compose file, as compose would run it.
#[derive(Debug)]
struct Service {
    name: String,
    image: String,
    command: Vec<String>,
    env: BTreeMap<String, String>,
    /// (container path, host source as written: `./file` or a named volume).
    volumes: Vec<(String, String)>,
    /// (service, condition).
    depends_on: Vec<(String, String)>,
}

fn compose_services(file: &Path, env: &BTreeMap<String, String>) -> Vec<Service> {
    use serde_norway::Value;
    let text = std::fs::read_to_string(file).unwrap();
    let mut doc: Value = serde_norway::from_str(&text).expect("compose file is YAML");
    doc.apply_merge().expect("merge keys");
    let s = |v: &Value| interpolate(v.as_str().expect("a string"), env);
    let mut out = Vec::new();
    for (name, svc) in doc["services"].as_mapping().expect("services") {
        let mut merged = svc.clone();
        merged.apply_merge().unwrap();
        let command = merged
            .get("command")
            .and_then(Value::as_sequence)
            .map(|c| c.iter().map(s).collect())
            .unwrap_or_default();
        let env_map = merged
            .get("environment")
            .and_then(Value::as_mapping)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Value::String(_) => s(v),
                            Value::Number(n) => n.to_string(),
                            Value::Bool(b) => b.to_string(),
                            other => panic!("unexpected environment value {other:?}"),
                        };
                        (k.as_str().unwrap().to_string(), v)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let volumes = merged
            .get("volumes")
            .and_then(Value::as_sequence)
            .map(|vs| {
                vs.iter()
                    .map(|v| {
                        let v = s(v);
                        let mut parts = v.split(':');
                        let (src, dst) = (parts.next().unwrap(), parts.next().expect("volume target"));
                        (dst.to_string(), src.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        let depends_on = match merged.get("depends_on") {
            Some(Value::Mapping(m)) => m
                .iter()
                .map(|(k, v)| {
                    let cond = v
                        .get("condition")
                        .and_then(Value::as_str)
                        .unwrap_or("service_started");
                    (k.as_str().unwrap().to_string(), cond.to_string())
                })
                .collect(),
            Some(Value::Sequence(seq)) => seq
                .iter()
                .map(|k| (k.as_str().unwrap().to_string(), "service_started".to_string()))
                .collect(),
            _ => Vec::new(),
        };
        out.push(Service {
            name: name.as_str().unwrap().to_string(),
            image: merged
                .get("image")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            command,
            env: env_map,
            volumes,
            depends_on,
        });
    }
    out
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Maps container paths to host paths: bind mounts to `deploy/`, named volumes to
/// folders under `volumes`.
fn map_paths(value: &str, svc: &Service, volumes: &Path) -> String {
    for (dst, src) in &svc.volumes {
        let host = if src.starts_with('.') || src.starts_with('/') {
            deploy_dir().join(src)
        } else {
            let d = volumes.join(src);
            std::fs::create_dir_all(&d).unwrap();
            d
        };
        if value == dst {
            return host.display().to_string();
        }
        if let Some(rest) = value.strip_prefix(&format!("{dst}/")) {
            return host.join(rest).display().to_string();
        }
    }
    value.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compose_services_run_as_written() {
    let pw = passwords();
    let services = compose_services(&deploy_dir().join("docker-compose.yml"), &pw);
    let tmp = tempfile::tempdir().unwrap();
    let (logs, volumes) = (tmp.path().join("logs"), tmp.path().join("volumes"));
    let workdir = tmp.path().join("workdir");
    for d in [&logs, &volumes, &workdir] {
        std::fs::create_dir_all(d).unwrap();
    }
    let by_name: BTreeMap<&str, &Service> = services.iter().map(|s| (s.name.as_str(), s)).collect();
    assert!(by_name.contains_key("nats") && by_name.contains_key("topology"));
    for w in ["fetcher", "normalizer", "dedup", "gateway"] {
        let s = by_name.get(w).unwrap_or_else(|| panic!("no {w} service"));
        assert!(
            s.env.contains_key("NATS_USER") && s.env.contains_key("NATS_PASSWORD"),
            "{w} has no user"
        );
    }

    // The NATS servers, from the image's command with their volumes and environment.
    let nats_bin = wirefold_bus::server::find_binary().expect("nats-server");
    let mut hosts: Vec<(String, String)> = Vec::new();
    let mut procs: BTreeMap<String, Proc> = BTreeMap::new();
    for svc in services.iter().filter(|s| s.image.starts_with("nats:")) {
        let port = free_port();
        let mut args: Vec<String> = svc.command.iter().map(|a| map_paths(a, svc, &volumes)).collect();
        if let Some(i) = args.iter().position(|a| a == "-m") {
            args[i + 1] = free_port().to_string();
        }
        args.extend(["-a".into(), "127.0.0.1".into(), "-p".into(), port.to_string()]);
        let mut cmd = Command::new(&nats_bin);
        cmd.args(&args).env_clear().envs(&svc.env).current_dir(&workdir);
        procs.insert(svc.name.clone(), Proc::spawn(&svc.name, cmd, &logs));
        hosts.push((format!("//{}:4222", svc.name), format!("//127.0.0.1:{port}")));
    }
    assert!(!hosts.is_empty(), "no nats service");
    let map_env = |v: &str, svc: &Service| {
        let mut v = map_paths(v, svc, &volumes);
        for (from, to) in &hosts {
            v = v.replace(from.as_str(), to);
        }
        if v.starts_with("0.0.0.0:") {
            v = "127.0.0.1:0".into();
        }
        v
    };
    let admin_url = map_env(&by_name["topology"].env["NATS_URL"], by_name["topology"]);
    let admin = Bus::connect_with(
        &Connection {
            user: Some(by_name["topology"].env["NATS_USER"].clone()),
            password: Some(by_name["topology"].env["NATS_PASSWORD"].clone()),
            ..Connection::url(&admin_url)
        },
        "test-admin",
        Duration::from_secs(30),
    )
    .await
    .unwrap_or_else(|e| {
        let log: String = procs.values().map(|p| p.stderr()).collect();
        panic!("nats from the compose file did not come up: {e}\n{log}")
    });

    // The wirefold services, in dependency order.
    let mut started: HashSet<String> = procs.keys().cloned().collect();
    let wirefold_services: Vec<&Service> = services
        .iter()
        .filter(|s| !s.image.starts_with("nats:"))
        .collect();
    while started.len() < services.len() {
        let ready = wirefold_services
            .iter()
            .find(|s| !started.contains(&s.name) && s.depends_on.iter().all(|(d, _)| started.contains(d)))
            .expect("a dependency cycle or an unknown service");
        for (dep, cond) in &ready.depends_on {
            if cond == "service_completed_successfully" {
                let p = procs.get_mut(dep).unwrap();
                let status = p.child.wait().unwrap();
                assert!(status.success(), "{dep} failed: {}", p.stderr());
            }
        }
        assert_eq!(ready.image, "wirefold:local", "{} runs another image", ready.name);
        let mut cmd = Command::new(WIREFOLD);
        cmd.args(ready.command.iter().map(|a| map_env(a, ready)))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(ready.env.iter().map(|(k, v)| (k.clone(), map_env(v, ready))))
            .current_dir(&workdir);
        procs.insert(ready.name.clone(), Proc::spawn(&ready.name, cmd, &logs));
        started.insert(ready.name.clone());
    }
    let topology = procs.get_mut("topology").unwrap();
    assert!(
        topology.child.wait().unwrap().success(),
        "topology: {}",
        topology.stderr()
    );

    // A file in the drop volume goes through the whole pipeline.
    let fetcher = by_name["fetcher"];
    let drop_dir = PathBuf::from(map_env(&fetcher.env["WIREFOLD_DROP_DIRS"], fetcher));
    let staged = tmp.path().join("staged");
    for p in write_docs(&staged, 100, 2) {
        std::fs::rename(&p, drop_dir.join(p.file_name().unwrap())).unwrap();
    }
    {
        let mut watched: Vec<&mut Proc> = procs.values_mut().collect();
        wait_clustered(&admin, 2, &mut watched).await;
    }
    let gateway = procs.get_mut("gateway").unwrap();
    wait_ready(gateway).await;
    for name in ["nats", "fetcher", "normalizer", "dedup", "gateway"] {
        procs.get_mut(name).unwrap().assert_running();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedup_rebuilds_when_its_input_stream_went_backwards() {
    let mut nats = TestNats::start();
    let url = nats.url();
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path();
    let plain = |args: &[&str]| wirefold_plain(&url, args);
    let ingest = |dir: &Path| ingest_dir(&url, dir);
    let image = tmp.path().join("image");
    let articles_dir =
        |store: &Path| find_dir(store, subjects::ARTICLES_STREAM).expect("articles stream on disk");

    let mut normalizer = Proc::spawn("normalizer", plain(&["normalizer"]), logs);
    // Two articles, folded; the deduplicator stops cleanly (snapshot through sequence 2).
    let dir = tmp.path().join("a");
    write_docs(&dir, 0, 2);
    ingest(&dir);
    let mut dedup = Proc::spawn("dedup-1", plain(&["dedup", "--holder", "d1"]), logs);
    {
        let bus = nats.bus().await;
        wait_clustered(&bus, 2, &mut [&mut normalizer, &mut dedup]).await;
    }
    dedup.stop();
    // The disk image: the articles stream as it is now.
    nats.with_stopped(|store| copy_dir(&articles_dir(store), &image));
    // Three more, folded; snapshot and cluster events now go through sequence 5.
    let dir = tmp.path().join("b");
    write_docs(&dir, 2, 3);
    ingest(&dir);
    let mut dedup = Proc::spawn("dedup-2", plain(&["dedup", "--holder", "d2"]), logs);
    {
        let bus = nats.bus().await;
        wait_clustered(&bus, 5, &mut [&mut normalizer, &mut dedup]).await;
    }
    dedup.stop();
    // The articles stream is restored from the older image: it ends at sequence 2.
    nats.with_stopped(|store| {
        let dir = articles_dir(store);
        std::fs::remove_dir_all(&dir).unwrap();
        copy_dir(&image, &dir);
    });
    let bus = nats.bus().await;
    assert_eq!(
        bus.stream_state(subjects::ARTICLES_STREAM)
            .await
            .unwrap()
            .last_seq,
        2
    );
    // New articles arrive after the restore, at sequences 3 and 4.
    let dir = tmp.path().join("c");
    write_docs(&dir, 5, 2);
    ingest(&dir);
    let fresh = eventually(Duration::from_secs(30), || async {
        let st = bus.stream_state(subjects::ARTICLES_STREAM).await.ok()?;
        if st.last_seq < 4 {
            return None;
        }
        let mut ids = Vec::new();
        for seq in 3..=4 {
            let m = bus.get_message(subjects::ARTICLES_STREAM, seq).await.ok()??;
            let a: wirefold_wire::Article = wirefold_wire::decode(&m.payload).ok()?;
            ids.push(a.id);
        }
        Some(ids)
    })
    .await
    .unwrap_or_else(|| panic!("the new articles were not normalized:\n{}", normalizer.stderr()));
    // The deduplicator's snapshot (5) and the cluster events (through 5) are ahead of the
    // stream: it must say so and fold the new articles, not skip them.
    let mut dedup = Proc::spawn("dedup-3", plain(&["dedup", "--holder", "d3"]), logs);
    let folded = eventually(Duration::from_secs(60), || async {
        let ids = clustered_ids(&bus).await;
        fresh.iter().all(|id| ids.contains(id)).then_some(())
    })
    .await;
    dedup.assert_running();
    let err = dedup.stderr();
    assert!(
        folded.is_some(),
        "articles after the restore were skipped:\n{err}"
    );
    assert!(
        err.contains("ERROR") && err.contains("input stream is behind the snapshot"),
        "the rebuild was not reported:\n{err}"
    );
    assert!(
        err.contains("output stream names inputs the input stream does not hold"),
        "{err}"
    );
}

/// The first directory named `name` under `root`.
fn find_dir(root: &Path, name: &str) -> Option<PathBuf> {
    for e in std::fs::read_dir(root).ok()?.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == name) {
                return Some(p);
            }
            if let Some(found) = find_dir(&p, name) {
                return Some(found);
            }
        }
    }
    None
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_replica_counts_are_reported_and_kept() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let three = wirefold_bus::Topology {
        replicas: 3,
        ..Default::default()
    };
    let report = bus.ensure_topology(&three).await.expect("a check does not fail");
    assert!(report.created.is_empty());
    assert_eq!(report.replica_mismatch.len(), 9, "{report:?}");
    assert!(report.replica_mismatch.iter().all(|(_, have)| *have == 1));
    // Nothing was changed: one replica still matches.
    let again = bus
        .ensure_topology(&wirefold_bus::Topology::default())
        .await
        .unwrap();
    assert!(again.replica_mismatch.is_empty(), "{again:?}");
}

/// The cluster profile gives every wirefold service of the base file all three servers
/// and three replicas, and every NATS node the cluster configuration.
#[test]
fn cluster_profile_covers_every_service() {
    use serde_norway::Value;
    let pw = passwords();
    let base = compose_services(&deploy_dir().join("docker-compose.yml"), &pw);
    let text = std::fs::read_to_string(deploy_dir().join("docker-compose.cluster.yml")).unwrap();
    let mut over: Value = serde_norway::from_str(&text).unwrap();
    over.apply_merge().unwrap();
    let services = over["services"].as_mapping().unwrap();
    let mut nodes = 0;
    for svc in &base {
        let o = services
            .get(svc.name.as_str())
            .unwrap_or_else(|| panic!("{} is not in the cluster profile", svc.name));
        if svc.image.starts_with("nats:") {
            continue;
        }
        let env = o["environment"].as_mapping().expect("environment");
        let url = env.get("NATS_URL").and_then(Value::as_str).expect("NATS_URL");
        assert_eq!(url.split(',').count(), 3, "{}: {url}", svc.name);
        assert_eq!(
            env.get("WIREFOLD_STREAM_REPLICAS").and_then(Value::as_str),
            Some("3")
        );
    }
    for (name, o) in services {
        let Some(cmd) = o.get("command").and_then(Value::as_sequence) else {
            continue;
        };
        let args: Vec<&str> = cmd.iter().filter_map(Value::as_str).collect();
        if args.first() == Some(&"-c") {
            nodes += 1;
            assert_eq!(args[1], "/etc/nats/nats-cluster.conf", "{name:?}");
            assert!(args.contains(&"--server_name"), "{name:?}");
        }
    }
    assert_eq!(nodes, 3);
    let conf = std::fs::read_to_string(deploy_dir().join("nats-cluster.conf")).unwrap();
    assert!(conf.contains("include \"nats.conf\""));
    for host in ["nats:6222", "nats-2:6222", "nats-3:6222"] {
        assert!(conf.contains(host), "no route to {host}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn normalizer_skips_nothing_when_raw_went_backwards() {
    let mut nats = TestNats::start();
    let url = nats.url();
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path();
    let plain = |args: &[&str]| wirefold_plain(&url, args);
    let ingest = |first: u64, n: u64| {
        let dir = tmp.path().join(format!("docs-{first}"));
        write_docs(&dir, first, n);
        ingest_dir(&url, &dir);
    };
    let raw_dir = |store: &Path| find_dir(store, subjects::RAW_STREAM).expect("raw stream on disk");
    let image = tmp.path().join("image");
    let bus = nats.bus().await;
    let articles_at_least = |n: u64| {
        let bus = bus.clone();
        async move {
            eventually(Duration::from_secs(30), || async {
                let last = bus.stream_state(subjects::ARTICLES_STREAM).await.ok()?.last_seq;
                (last >= n).then_some(())
            })
            .await
        }
    };

    let mut normalizer = Proc::spawn("normalizer-1", plain(&["normalizer"]), logs);
    ingest(0, 2);
    assert!(articles_at_least(2).await.is_some(), "{}", normalizer.stderr());
    // The disk image: the raw stream's messages as they are now.
    nats.with_stopped(|store| copy_dir(&raw_dir(store), &image));
    ingest(2, 3);
    assert!(articles_at_least(5).await.is_some(), "{}", normalizer.stderr());
    normalizer.stop();
    // The raw stream's messages come back from the image; its consumer's state (`obs/`,
    // delivered through 5) does not.
    nats.with_stopped(|store| {
        let dir = raw_dir(store);
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            if e.file_name() != "obs" {
                let p = e.path();
                if p.is_dir() {
                    std::fs::remove_dir_all(&p).unwrap();
                } else {
                    std::fs::remove_file(&p).unwrap();
                }
            }
        }
        for e in std::fs::read_dir(&image).unwrap().flatten() {
            if e.file_name() != "obs" {
                let (src, dst) = (e.path(), dir.join(e.file_name()));
                if src.is_dir() {
                    copy_dir(&src, &dst);
                } else {
                    std::fs::copy(&src, &dst).unwrap();
                }
            }
        }
    });
    let bus = nats.bus().await;
    assert_eq!(bus.stream_state(subjects::RAW_STREAM).await.unwrap().last_seq, 2);
    let mut normalizer = Proc::spawn("normalizer-2", plain(&["normalizer"]), logs);
    // New documents after the restore, at raw sequences 3 and 4.
    ingest(10, 2);
    let mut fresh = Vec::new();
    for seq in 3..=4 {
        let m = bus
            .get_message(subjects::RAW_STREAM, seq)
            .await
            .unwrap()
            .expect("raw document");
        let doc: wirefold_wire::RawDocument = wirefold_wire::decode(&m.payload).unwrap();
        fresh.push(doc.id);
    }
    let normalized = eventually(Duration::from_secs(30), || async {
        let st = bus.stream_state(subjects::ARTICLES_STREAM).await.ok()?;
        let mut ids = HashSet::new();
        for seq in st.first_seq.max(1)..=st.last_seq {
            let m = bus.get_message(subjects::ARTICLES_STREAM, seq).await.ok()??;
            let a: wirefold_wire::Article = wirefold_wire::decode(&m.payload).ok()?;
            ids.insert(a.id);
        }
        fresh.iter().all(|id| ids.contains(id)).then_some(())
    })
    .await;
    normalizer.assert_running();
    let err = normalizer.stderr();
    assert!(
        normalized.is_some(),
        "raw documents after the restore were skipped:\n{err}"
    );
}

/// Runs `openssl ARGS` in `dir`; the test needs the openssl command line tool.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the TLS test makes its certificates with the `openssl` command: install it");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, signed by the CA.
fn make_certs(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=wirefold test CA",
    ]);
    openssl(dir, &ca);
    for (name, ext) in [
        (
            "server",
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        ),
        ("client", "extendedKeyUsage=clientAuth\n"),
    ] {
        std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
        let (key, csr, pem, extf) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.ext"),
        );
        let mut req = vec!["req"];
        req.extend(ec);
        req.extend(["-keyout", &key, "-out", &csr, "-subj", "/CN=127.0.0.1"]);
        openssl(dir, &req);
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "2",
                "-extfile",
                &extf,
            ],
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_client_certificates() {
    let tmp = tempfile::tempdir().unwrap();
    let certs = tmp.path();
    make_certs(certs);
    let conf = certs.join("tls.conf");
    std::fs::write(
        &conf,
        format!(
            "tls {{\n  cert_file: \"{0}/server.pem\"\n  key_file: \"{0}/server.key\"\n  ca_file: \"{0}/ca.pem\"\n  verify: true\n}}\n",
            certs.display()
        ),
    )
    .unwrap();
    let nats = TestNats::start_with_config(&conf, &[]);
    let url = nats.url();
    let file = |n: &str| Some(certs.join(n));
    let mutual = Connection {
        tls_ca: file("ca.pem"),
        tls_cert: file("client.pem"),
        tls_key: file("client.key"),
        ..Connection::url(&url)
    };
    let bus = Bus::connect_with(&mutual, "test-tls", Duration::from_secs(10))
        .await
        .expect("mutual TLS connects");
    bus.ensure_topology(&Default::default()).await.unwrap();
    // The CLI flags reach the same options.
    let docs = tmp.path().join("docs");
    write_docs(&docs, 0, 1);
    let cert_arg = |n: &str| certs.join(n).display().to_string();
    let out = Command::new(WIREFOLD)
        .args(["ingest", "--nats-url", &url, "--nats-tls-ca", &cert_arg("ca.pem")])
        .args([
            "--nats-tls-cert",
            &cert_arg("client.pem"),
            "--nats-tls-key",
            &cert_arg("client.key"),
        ])
        .arg(&docs)
        .env_remove("NATS_USER")
        .env_remove("NATS_PASSWORD")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ingest over TLS: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(bus.stream_state(subjects::RAW_STREAM).await.unwrap().messages, 1);
    // Without a client certificate, or without trusting the CA, there is no connection.
    let no_client = Connection {
        tls_ca: file("ca.pem"),
        ..Connection::url(&url)
    };
    assert!(
        Bus::connect_with(&no_client, "test-tls", Duration::from_millis(500))
            .await
            .is_err()
    );
    let no_ca = Connection {
        tls_cert: file("client.pem"),
        tls_key: file("client.key"),
        ..Connection::url(&url)
    };
    assert!(
        Bus::connect_with(&no_ca, "test-tls", Duration::from_millis(500))
            .await
            .is_err()
    );
}
