//! `wirefold up`: the whole pipeline and the gateway in one process, with its own
//! nats-server child unless a NATS URL is given. Shuts down in order on SIGINT/SIGTERM: workers stop pulling and
//! finish the message in hand, the connection drains, then the server child stops.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use tracing::{info, warn};
use wirefold_bus::server::{NatsServer, ServerOptions};

use super::fetcher::FetcherSettings;
use super::gateway::GatewaySettings;
use super::workers::{DedupSettings, NormalizerSettings};
use super::{NatsAuth, connect_as, serve_metrics, shutdown_on_signals};

/// Flags of `up`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Directory for the embedded server's JetStream store and other state.
    #[arg(long, env = crate::env::DATA_DIR, default_value = "./wirefold-data")]
    data_dir: PathBuf,
    /// Use this NATS server instead of starting one.
    #[arg(long, env = crate::env::NATS_URL)]
    nats_url: Option<String>,
    /// Port of the embedded server on 127.0.0.1 (default: a free one, printed at start).
    #[arg(long, env = crate::env::NATS_PORT, conflicts_with = "nats_url")]
    nats_port: Option<u16>,
    /// Credentials and TLS for --nats-url (the embedded server needs none).
    #[command(flatten)]
    nats: NatsAuth,
    #[command(flatten)]
    fetcher: FetcherSettings,
    #[command(flatten)]
    normalizer: NormalizerSettings,
    #[command(flatten)]
    dedup: DedupSettings,
    #[command(flatten)]
    gateway: GatewaySettings,
}

/// How long workers get to finish after a shutdown signal.
const GRACE: Duration = Duration::from_secs(7);

/// Runs the pipeline until a signal.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Bad fetcher flags fail before a server is started.
    let mut fetcher_config = args.fetcher.config(args.normalizer.limit.max_document_bytes)?;
    // One recorder for the process: the exporter (when asked for) and the gateway's /metrics.
    let render = serve_metrics(fetcher_config.metrics_listen.take())?;
    let mut gateway_config = args.gateway.config();
    gateway_config.metrics = Some(render);
    // The gateway's port is taken before anything starts, so a busy port fails fast.
    let gateway = wirefold_gateway::bind(gateway_config).await?;
    let mut server = None;
    let url = match &args.nats_url {
        Some(u) => u.clone(),
        None => {
            let opts = ServerOptions {
                store_dir: args.data_dir.join("nats"),
                port: args.nats_port,
                // Room for a maximal document plus JSON and base64 overhead.
                max_payload: (args.normalizer.limit.max_document_bytes * 2).max(8 << 20),
            };
            let s = tokio::task::spawn_blocking(move || NatsServer::start(opts))
                .await?
                .with_context(|| {
                    format!(
                        "cannot start the embedded nats-server (set {} or put nats-server on PATH, or pass --nats-url)",
                        crate::env::NATS_SERVER_BIN
                    )
                })?;
            let url = s.url().to_string();
            server = Some(s);
            url
        }
    };
    println!("wirefold up: NATS at {url}");
    println!("  desk:   http://{}/", gateway.local_addr());
    println!("  ingest: wirefold ingest --nats-url {url} PATH...");
    println!("  watch:  wirefold tail --nats-url {url}");
    let shutdown = shutdown_on_signals();
    let conn = match &args.nats_url {
        Some(_) => args.nats.connection(&url),
        None => wirefold_bus::Connection::url(&url),
    };
    let bus = connect_as(&conn, &args.nats.topology(), "wirefold-up").await?;
    let mut tasks = tokio::task::JoinSet::new();
    {
        let (bus, s) = (bus.clone(), shutdown.clone());
        tasks.spawn(async move {
            let r = wirefold_fetcher::run(bus, fetcher_config, s).await;
            ("fetcher", r.map_err(anyhow::Error::from))
        });
    }
    {
        let (bus, cfg, s) = (bus.clone(), args.normalizer.config(), shutdown.clone());
        tasks.spawn(async move {
            let r = wirefold_normalizer::worker::run(bus, cfg, s).await;
            ("normalizer", r.map_err(anyhow::Error::from))
        });
    }
    {
        let (bus, cfg, s) = (bus.clone(), args.dedup.config(), shutdown.clone());
        tasks.spawn(async move {
            let r = wirefold_deduplicator::worker::run(bus, cfg, s).await;
            ("dedup", r.map_err(anyhow::Error::from))
        });
    }
    {
        let (bus, s) = (bus.clone(), shutdown.clone());
        tasks.spawn(async move {
            let r = wirefold_gateway::run(bus, gateway, s).await;
            ("gateway", r.map_err(anyhow::Error::from))
        });
    }
    info!("pipeline running");
    let mut failed = false;
    tokio::select! {
        // Shutdown first: workers return as soon as it is signalled, and their ending then
        // is the shutdown, not a failure.
        biased;
        _ = shutdown.cancelled() => {}
        Some(done) = tasks.join_next() => {
            // A worker ended on its own: that is a failure; stop the rest.
            match done {
                Ok((_, Ok(()))) if shutdown.is_cancelled() => {}
                Ok((name, Ok(()))) => {
                    warn!(worker = name, "worker ended unexpectedly");
                    failed = true;
                }
                Ok((name, Err(e))) => {
                    warn!(worker = name, error = format!("{e:#}"), "worker failed");
                    failed = true;
                }
                Err(e) => {
                    warn!(error = %e, "worker panicked");
                    failed = true;
                }
            }
            shutdown.cancel();
        }
    }
    let finish = async {
        while let Some(done) = tasks.join_next().await {
            if let Ok((name, Err(e))) = done {
                warn!(
                    worker = name,
                    error = format!("{e:#}"),
                    "worker stopped with an error"
                );
            }
        }
    };
    if tokio::time::timeout(GRACE, finish).await.is_err() {
        warn!("workers did not stop within {GRACE:?}, aborting them");
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), bus.drain()).await;
    if let Some(mut s) = server {
        tokio::task::spawn_blocking(move || s.stop()).await?;
        info!("embedded nats-server stopped");
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
