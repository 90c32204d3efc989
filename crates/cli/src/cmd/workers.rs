//! `wirefold normalizer`, `wirefold dedup` and `wirefold fetcher`: one worker each, for
//! compose and for scaling out.

use std::process::ExitCode;
use std::time::Duration;

use tracing::info;
use wirefold_deduplicator::worker::DedupConfig;
use wirefold_normalizer::worker::NormalizerConfig;

use super::{DocumentLimit, NatsArgs, serve_metrics, shutdown_on_signals};

/// Flags of the normalizer.
#[derive(Debug, Clone, clap::Args)]
pub struct NormalizerArgs {
    #[command(flatten)]
    nats: NatsArgs,
    /// Address of the Prometheus metrics exporter (e.g. 127.0.0.1:9464).
    #[arg(long, env = crate::env::METRICS_LISTEN)]
    metrics_listen: Option<std::net::SocketAddr>,
    #[command(flatten)]
    settings: NormalizerSettings,
}

/// Normalizer settings (also used by `up`).
#[derive(Debug, Clone, clap::Args)]
pub struct NormalizerSettings {
    #[command(flatten)]
    pub limit: DocumentLimit,
    /// Longest one extraction may take, in seconds.
    #[arg(long, default_value_t = 10)]
    pub extract_timeout_secs: u64,
    /// Raw documents in hand at once (being normalized, or published and waiting for the
    /// stream's acknowledgement).
    #[arg(long, env = crate::env::NORMALIZER_IN_FLIGHT, default_value_t = wirefold_normalizer::worker::DEFAULT_IN_FLIGHT)]
    pub normalizer_in_flight: usize,
    /// Extractions running at once (default: one per core).
    #[arg(long, env = crate::env::NORMALIZER_WORKERS)]
    pub normalizer_workers: Option<usize>,
}

impl NormalizerSettings {
    /// The worker configuration.
    pub fn config(&self) -> NormalizerConfig {
        NormalizerConfig {
            max_bytes: self.limit.max_document_bytes,
            extract_timeout: Duration::from_secs(self.extract_timeout_secs.max(1)),
            in_flight: self.normalizer_in_flight.max(1),
            workers: self
                .normalizer_workers
                .unwrap_or_else(wirefold_normalizer::worker::default_workers)
                .max(1),
        }
    }
}

/// Flags of the deduplicator.
#[derive(Debug, Clone, clap::Args)]
pub struct DedupArgs {
    #[command(flatten)]
    nats: NatsArgs,
    /// Address of the Prometheus metrics exporter (e.g. 127.0.0.1:9464).
    #[arg(long, env = crate::env::METRICS_LISTEN)]
    metrics_listen: Option<std::net::SocketAddr>,
    #[command(flatten)]
    settings: DedupSettings,
}

/// Deduplicator settings (also used by `up`).
#[derive(Debug, Clone, clap::Args)]
pub struct DedupSettings {
    /// Hours after which clusters leave the index.
    #[arg(long, env = crate::env::HORIZON_HOURS, default_value_t = 7 * 24)]
    pub horizon_hours: u64,
    /// Snapshot the index after this many articles.
    #[arg(long, default_value_t = 1000)]
    pub snapshot_every: u64,
    /// Snapshot at least this often when there is new work, in seconds.
    #[arg(long, default_value_t = 30)]
    pub snapshot_interval_secs: u64,
    /// Leader lease time-to-live in seconds: a standby takes over this long after the
    /// active deduplicator stops.
    #[arg(long, default_value_t = 4)]
    pub lease_ttl_secs: u64,
    /// Name of this process in the lease (default: `dedup-<hostname>-<pid>`).
    #[arg(long)]
    pub holder: Option<String>,
}

impl DedupSettings {
    /// The worker configuration.
    pub fn config(&self) -> DedupConfig {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_default();
        let holder = self
            .holder
            .clone()
            .unwrap_or_else(|| format!("dedup-{host}-{}", std::process::id()));
        DedupConfig {
            fold: wirefold_deduplicator::FoldConfig::with_horizon_secs((self.horizon_hours * 3600) as i64),
            snapshot_every: self.snapshot_every.max(1),
            snapshot_interval: Duration::from_secs(self.snapshot_interval_secs.max(1)),
            lease_ttl: Duration::from_secs(self.lease_ttl_secs.max(1)),
            holder,
        }
    }
}

/// `wirefold normalizer`.
pub async fn normalizer(args: NormalizerArgs) -> anyhow::Result<ExitCode> {
    serve_metrics(args.metrics_listen)?;
    let bus = args.nats.connect("wirefold-normalizer").await?;
    let config = args.settings.config();
    info!(?config, "normalizer configuration");
    wirefold_normalizer::worker::run(bus.clone(), config, shutdown_on_signals()).await?;
    bus.drain().await;
    Ok(ExitCode::SUCCESS)
}

/// `wirefold dedup`.
pub async fn dedup(args: DedupArgs) -> anyhow::Result<ExitCode> {
    serve_metrics(args.metrics_listen)?;
    let bus = args.nats.connect("wirefold-dedup").await?;
    let config = args.settings.config();
    info!(?config, "deduplicator configuration");
    wirefold_deduplicator::worker::run(bus.clone(), config, shutdown_on_signals()).await?;
    bus.drain().await;
    Ok(ExitCode::SUCCESS)
}
