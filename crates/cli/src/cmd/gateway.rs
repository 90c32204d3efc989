//! `wirefold gateway`: the newsroom gateway (HTTP API, live event stream, desk page) as a
//! process of its own; `up` runs one too. Any number of replicas can run.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use tracing::info;
use wirefold_gateway::GatewayConfig;

use super::{NatsArgs, serve_metrics, shutdown_on_signals};

/// Flags of `gateway`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    nats: NatsArgs,
    #[command(flatten)]
    settings: GatewaySettings,
}

/// Gateway settings (also used by `up`).
#[derive(Clone, clap::Args)]
pub struct GatewaySettings {
    /// Address the gateway listens on (port 0: a free one, printed at start).
    #[arg(long = "gateway-listen", alias = "listen", env = crate::env::GATEWAY_LISTEN, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Bearer token required for the API and the page (the page and event streams also
    /// take it as `?access_token=`). Default: open.
    #[arg(long, env = crate::env::API_TOKEN, hide_env_values = true)]
    pub api_token: Option<String>,
    /// Origins allowed by CORS, comma-separated (`*` for any). Default: no CORS.
    #[arg(long, env = crate::env::CORS_ORIGINS, value_delimiter = ',')]
    pub cors_origin: Vec<String>,
    /// Live event streams served at once, at most.
    #[arg(long, default_value_t = 1000)]
    pub max_streams: usize,
    /// Events kept in memory for clients resuming their stream.
    #[arg(long, default_value_t = wirefold_gateway::model::DEFAULT_LOG_CAPACITY)]
    pub event_log: usize,
}

impl std::fmt::Debug for GatewaySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewaySettings")
            .field("listen", &self.listen)
            .field("api_token", &self.api_token.as_ref().map(|_| "<redacted>"))
            .field("cors_origin", &self.cors_origin)
            .field("max_streams", &self.max_streams)
            .field("event_log", &self.event_log)
            .finish()
    }
}

impl GatewaySettings {
    /// The gateway configuration.
    pub fn config(&self) -> GatewayConfig {
        GatewayConfig {
            listen: self.listen,
            api_token: self.api_token.clone().filter(|t| !t.is_empty()),
            cors_origins: self
                .cors_origin
                .iter()
                .filter(|o| !o.is_empty())
                .cloned()
                .collect(),
            max_streams: self.max_streams.max(1),
            keep_alive: Duration::from_secs(15),
            log_capacity: self.event_log.max(1000),
            metrics: None,
        }
    }
}

/// Runs the gateway until a signal.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let render = serve_metrics(None)?;
    let mut config = args.settings.config();
    config.metrics = Some(render);
    info!(?config, "gateway starting");
    let bus = args.nats.connect("wirefold-gateway").await?;
    let bound = wirefold_gateway::bind(config).await?;
    println!("wirefold gateway: http://{}", bound.local_addr());
    let shutdown = shutdown_on_signals();
    wirefold_gateway::run(bus.clone(), bound, shutdown)
        .await
        .context("gateway failed")?;
    bus.drain().await;
    Ok(ExitCode::SUCCESS)
}
