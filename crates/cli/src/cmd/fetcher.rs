//! `wirefold fetcher`: the fetcher worker against `NATS_URL` (sources file, run-time source
//! registry, drop folders, push endpoint), and the fetcher flags `wirefold up` shares.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use wirefold_fetcher::{FetcherConfig, PushConfig};

use super::{DocumentLimit, NatsArgs, shutdown_on_signals};

/// Flags of `wirefold fetcher`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    nats: NatsArgs,
    #[command(flatten)]
    limit: DocumentLimit,
    #[command(flatten)]
    settings: FetcherSettings,
}

/// Fetcher settings (also used by `up`).
#[derive(Clone, clap::Args)]
pub struct FetcherSettings {
    /// Sources file (TOML, see crates/fetcher/SOURCES.md), merged into the run-time registry
    /// at start.
    #[arg(long = "sources", env = crate::env::SOURCES)]
    pub sources: Option<PathBuf>,
    /// Wire drop folder to watch (repeatable; comma-separated in the environment).
    #[arg(long = "drop-dir", env = crate::env::DROP_DIRS, value_delimiter = ',')]
    pub drop_dirs: Vec<PathBuf>,
    /// Address of the partner push endpoint (e.g. 0.0.0.0:8088); needs --push-token.
    #[arg(long, env = crate::env::PUSH_LISTEN)]
    pub push_listen: Option<SocketAddr>,
    /// Bearer token partners must send to the push endpoint.
    #[arg(long, env = crate::env::PUSH_TOKEN, hide_env_values = true)]
    pub push_token: Option<String>,
    /// Host, IP address or CIDR network that may be fetched although it is private,
    /// loopback or link-local (repeatable; comma-separated in the environment).
    #[arg(long = "allow", env = crate::env::FETCH_ALLOW, value_delimiter = ',')]
    pub allow: Vec<String>,
    /// User-Agent sent with every request and matched against robots.txt.
    #[arg(long, env = crate::env::USER_AGENT)]
    pub user_agent: Option<String>,
    /// Address of the Prometheus metrics exporter (e.g. 127.0.0.1:9464).
    #[arg(long, env = crate::env::METRICS_LISTEN)]
    pub metrics_listen: Option<SocketAddr>,
    /// Do not honour robots.txt (only for sources you own).
    #[arg(long)]
    pub ignore_robots: bool,
    /// Polls in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
}

impl std::fmt::Debug for FetcherSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetcherSettings")
            .field("sources", &self.sources)
            .field("drop_dirs", &self.drop_dirs)
            .field("push_listen", &self.push_listen)
            .field("push_token", &self.push_token.as_ref().map(|_| "<redacted>"))
            .field("allow", &self.allow)
            .field("user_agent", &self.user_agent)
            .field("metrics_listen", &self.metrics_listen)
            .field("ignore_robots", &self.ignore_robots)
            .field("concurrency", &self.concurrency)
            .finish()
    }
}

impl FetcherSettings {
    /// The worker configuration; a push address without a token is an error.
    pub fn config(&self, max_document_bytes: usize) -> anyhow::Result<FetcherConfig> {
        let mut config = FetcherConfig {
            sources_file: self.sources.clone(),
            drop_dirs: self.drop_dirs.clone(),
            allow: self.allow.clone(),
            metrics_listen: self.metrics_listen,
            respect_robots: !self.ignore_robots,
            concurrency: self.concurrency.max(1),
            ..FetcherConfig::default()
        };
        if let Some(ua) = &self.user_agent {
            config.user_agent = ua.clone();
        }
        config.limits.max_document_bytes = max_document_bytes as u64;
        config.push = match (self.push_listen, &self.push_token) {
            (Some(listen), Some(token)) if !token.trim().is_empty() => Some(PushConfig {
                listen,
                token: token.clone(),
                max_body_bytes: max_document_bytes,
            }),
            (Some(_), _) => bail!("--push-listen needs a non-empty --push-token (or WIREFOLD_PUSH_TOKEN)"),
            (None, _) => None,
        };
        for dir in &config.drop_dirs {
            if !dir.is_dir() {
                bail!(
                    "drop folder {} does not exist or is not a directory",
                    dir.display()
                );
            }
        }
        Ok(config)
    }
}

/// `wirefold fetcher`.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = args.settings.config(args.limit.max_document_bytes)?;
    let bus = args.nats.connect("wirefold-fetcher").await?;
    let shutdown = shutdown_on_signals();
    wirefold_fetcher::run(bus.clone(), config, shutdown).await?;
    bus.drain().await;
    Ok(ExitCode::SUCCESS)
}
