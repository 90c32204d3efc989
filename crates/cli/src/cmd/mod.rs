//! One module per subcommand.

pub mod bench;
pub mod cluster;
pub mod extract;
pub mod fetcher;
pub mod gateway;
pub mod ingest;
pub mod sources;
pub mod tail;
pub mod up;
pub mod workers;

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use wirefold_bus::{Bus, Topology};

/// NATS connection flags shared by every networked subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct NatsArgs {
    /// NATS server URL.
    #[arg(long, env = crate::env::NATS_URL, default_value = "nats://127.0.0.1:4222")]
    pub nats_url: String,
}

/// The document size limit, shared by every command that accepts documents.
#[derive(Debug, Clone, clap::Args)]
pub struct DocumentLimit {
    /// Largest document accepted, in bytes.
    #[arg(long, env = crate::env::MAX_DOCUMENT_BYTES, default_value_t = wirefold_bus::DEFAULT_MAX_DOCUMENT_BYTES)]
    pub max_document_bytes: usize,
}

/// Connects, waiting up to 30 s for the server, and makes sure the topology exists.
pub async fn connect(url: &str, name: &str) -> anyhow::Result<Bus> {
    let bus = Bus::connect(url, name, Duration::from_secs(30)).await?;
    bus.ensure_topology(&Topology::default()).await?;
    info!(url, "connected");
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
