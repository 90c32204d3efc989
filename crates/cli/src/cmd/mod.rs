//! One module per subcommand.

pub mod bench;
pub mod cluster;
pub mod extract;
pub mod fetcher;
pub mod gateway;
pub mod ingest;
pub mod sources;
pub mod tail;
pub mod topology;
pub mod up;
pub mod workers;

use std::path::PathBuf;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use wirefold_bus::{Bus, Connection, Topology};

/// NATS connection flags shared by every networked subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct NatsArgs {
    /// NATS server URL, or a comma-separated list of the servers of a cluster
    /// (nats://n1:4222,nats://n2:4222,nats://n3:4222).
    #[arg(long, env = crate::env::NATS_URL, default_value = "nats://127.0.0.1:4222")]
    pub nats_url: String,
    #[command(flatten)]
    pub auth: NatsAuth,
}

impl NatsArgs {
    /// Connects, waiting up to 30 s for the server, and checks the topology (creating
    /// what is missing when this user may).
    pub async fn connect(&self, name: &str) -> anyhow::Result<Bus> {
        connect_as(&self.auth.connection(&self.nats_url), &self.auth.topology(), name).await
    }
}

/// Credentials, TLS and replicas: how a process authenticates to NATS and how many
/// replicas the topology has. Give at most one of creds file, user and password, token.
#[derive(Clone, clap::Args)]
pub struct NatsAuth {
    /// NATS credentials file (JWT and nkey seed).
    #[arg(long, env = crate::env::NATS_CREDS)]
    pub nats_creds: Option<PathBuf>,
    /// NATS user (with --nats-password / NATS_PASSWORD).
    #[arg(long, env = crate::env::NATS_USER)]
    pub nats_user: Option<String>,
    /// NATS password; prefer the environment variable to the flag (flags show in `ps`).
    #[arg(long, env = crate::env::NATS_PASSWORD, hide_env_values = true)]
    pub nats_password: Option<String>,
    /// NATS authentication token; prefer the environment variable to the flag.
    #[arg(long, env = crate::env::NATS_TOKEN, hide_env_values = true)]
    pub nats_token: Option<String>,
    /// CA certificate (PEM) to verify the NATS server with; any TLS file requires TLS.
    #[arg(long, env = crate::env::NATS_TLS_CA)]
    pub nats_tls_ca: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS, with --nats-tls-key.
    #[arg(long, env = crate::env::NATS_TLS_CERT, requires = "nats_tls_key")]
    pub nats_tls_cert: Option<PathBuf>,
    /// Client key (PEM) of --nats-tls-cert.
    #[arg(long, env = crate::env::NATS_TLS_KEY, requires = "nats_tls_cert")]
    pub nats_tls_key: Option<PathBuf>,
    /// Replicas of every stream, bucket and the object store (3 on a three-node cluster).
    /// Missing parts are created with it; parts with another count are reported, and
    /// changed only by `wirefold topology`.
    #[arg(long, env = crate::env::STREAM_REPLICAS, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub stream_replicas: u8,
}

impl std::fmt::Debug for NatsAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // One redacting Debug: the bus's.
        f.debug_struct("NatsAuth")
            .field("connection", &self.connection(""))
            .field("stream_replicas", &self.stream_replicas)
            .finish()
    }
}

impl NatsAuth {
    /// The connection to `url` with these credentials; empty values count as unset.
    pub fn connection(&self, url: &str) -> Connection {
        let text = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let path = |v: &Option<PathBuf>| v.clone().filter(|p| !p.as_os_str().is_empty());
        Connection {
            url: url.to_string(),
            creds_file: path(&self.nats_creds),
            user: text(&self.nats_user),
            password: text(&self.nats_password),
            token: text(&self.nats_token),
            tls_ca: path(&self.nats_tls_ca),
            tls_cert: path(&self.nats_tls_cert),
            tls_key: path(&self.nats_tls_key),
        }
    }

    /// The topology these flags ask for.
    pub fn topology(&self) -> Topology {
        Topology {
            replicas: usize::from(self.stream_replicas),
            ..Topology::default()
        }
    }
}

/// The document size limit, shared by every command that accepts documents.
#[derive(Debug, Clone, clap::Args)]
pub struct DocumentLimit {
    /// Largest document accepted, in bytes.
    #[arg(long, env = crate::env::MAX_DOCUMENT_BYTES, default_value_t = wirefold_bus::DEFAULT_MAX_DOCUMENT_BYTES)]
    pub max_document_bytes: usize,
}

/// Connects to `url` with no credentials (an embedded server) and checks the topology.
pub async fn connect(url: &str, name: &str) -> anyhow::Result<Bus> {
    connect_as(&Connection::url(url), &Topology::default(), name).await
}

/// Connects, waiting up to 30 s for the server, and makes sure the topology exists:
/// creates what is missing, reports parts with other replica counts.
pub async fn connect_as(conn: &Connection, topo: &Topology, name: &str) -> anyhow::Result<Bus> {
    let bus = Bus::connect_with(conn, name, Duration::from_secs(30)).await?;
    bus.ensure_topology(topo).await?;
    info!(url = %conn.url, user = ?conn.user, replicas = topo.replicas, "connected");
    Ok(bus)
}

/// Serves the process's Prometheus metrics on `addr`, when given.
pub fn serve_metrics(addr: Option<std::net::SocketAddr>) -> anyhow::Result<wirefold_gateway::MetricsRender> {
    let render = wirefold_fetcher::metrics::install(addr).map_err(anyhow::Error::msg)?;
    if let Some(addr) = addr {
        info!(%addr, "serving Prometheus metrics");
    }
    Ok(render)
}

/// A token cancelled on the first SIGINT or SIGTERM; a second signal exits at once.
pub fn shutdown_on_signals() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        let mut count = 0;
        loop {
            wait_signal().await;
            count += 1;
            if count == 1 {
                info!("shutting down: finishing in-flight work (signal again to exit at once)");
                t.cancel();
            } else {
                warn!("second signal, exiting now");
                std::process::exit(130);
            }
        }
    });
    token
}

async fn wait_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
