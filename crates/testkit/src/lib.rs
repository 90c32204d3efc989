//! Test support for wirefold: an isolated `nats-server` per test (random loopback port,
//! temporary JetStream directory, killed on drop), lookup of the shared test material
//! through environment variables, and polling helpers.
//!
//! A missing server binary fails the test with the install hint; it never skips.

use std::path::PathBuf;
use std::time::Duration;

use wirefold_bus::server::{ConfigFile, NatsServer, ServerOptions};
use wirefold_bus::{Bus, Topology};

/// A `nats-server` with JetStream owned by one test.
#[derive(Debug)]
pub struct TestNats {
    server: NatsServer,
    dir: tempfile::TempDir,
}

impl TestNats {
    /// Starts a server; panics with the install hint when no usable binary exists.
    pub fn start() -> TestNats {
        let dir = tempfile::tempdir().expect("temp dir for nats-server");
        let opts = ServerOptions {
            store_dir: dir.path().to_path_buf(),
            port: None,
            max_payload: 16 * 1024 * 1024,
        };
        let server =
            NatsServer::start(opts).unwrap_or_else(|e| panic!("cannot start nats-server for the test: {e}"));
        TestNats { server, dir }
    }

    /// Starts a server from its own configuration file (e.g. `deploy/nats.conf`), used
    /// as it is except for port and store; `env` goes to the server (the passwords the
    /// file references).
    pub fn start_with_config(path: &std::path::Path, env: &[(&str, &str)]) -> TestNats {
        let dir = tempfile::tempdir().expect("temp dir for nats-server");
        let opts = ServerOptions {
            store_dir: dir.path().to_path_buf(),
            port: None,
            max_payload: 16 * 1024 * 1024,
        };
        let config = ConfigFile {
            path: path.to_path_buf(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        let server = NatsServer::start_from_file(opts, config)
            .unwrap_or_else(|e| panic!("cannot start nats-server with {}: {e}", path.display()));
        TestNats { server, dir }
    }

    /// What the server logged so far (permission violations, for instance).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.server.log_path()).unwrap_or_default()
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.server.url().to_string()
    }

    /// Kills the server and starts it again on the same port and store.
    pub fn restart(&mut self) {
        self.server
            .restart()
            .unwrap_or_else(|e| panic!("cannot restart nats-server: {e}"));
    }

    /// Stops the server (SIGKILL), runs `f` on its store directory, and starts it again on
    /// the same port: for tests that restore part of the store from an older image.
    pub fn with_stopped(&mut self, f: impl FnOnce(&std::path::Path)) {
        self.server.stop();
        f(self.dir.path());
        self.restart();
    }

    /// The store directory (for tests that want to look at it).
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// A connected bus with the wirefold topology in place.
    pub async fn bus(&self) -> Bus {
        let bus = Bus::connect(&self.url(), "wirefold-test", Duration::from_secs(10))
            .await
            .expect("connect to test nats");
        bus.ensure_topology(&Topology::default())
            .await
            .expect("create topology");
        bus
    }
}

/// The folder named by `var` (e.g. `WIREFOLD_SEEDS`), or `None` after printing
/// `skipped: <test>: <var> is not set` when it is unset; a folder that does not exist
/// fails the test.
pub fn shared_dir(var: &str, test: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            assert!(p.is_dir(), "{var}={} is not a directory", p.display());
            Some(p)
        }
        _ => {
            eprintln!("skipped: {test}: {var} is not set (.ci/run sets it)");
            None
        }
    }
}

/// Polls `check` every 50 ms until it returns `Some` or `timeout` passes.
pub async fn eventually<T, F, Fut>(timeout: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return Some(v);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
