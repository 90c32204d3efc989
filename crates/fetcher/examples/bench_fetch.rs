//! Fetch benchmark: feeds served on loopback -> raw documents stored in JetStream, against
//! publishing the same number of prepared documents directly (the bus alone) in the same run.
//! Starts its own nats-server (NATS_SERVER_BIN or PATH) in a temporary directory.
//!
//! `cargo run --release -p wirefold-fetcher --example bench_fetch -- [feeds] [items_per_feed] [concurrency]`

use std::time::Duration;

use wirefold_bus::server::{NatsServer, ServerOptions};
use wirefold_bus::{Bus, Topology};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let feeds = args.first().copied().unwrap_or(50);
    let items = args.get(1).copied().unwrap_or(100);
    let concurrency = args.get(2).copied().unwrap_or(8);
    let dir = tempfile::tempdir()?;
    let server = NatsServer::start(ServerOptions {
        store_dir: dir.path().to_path_buf(),
        port: None,
        max_payload: 8 * 1024 * 1024,
    })?;
    let bus = Bus::connect(server.url(), "bench-fetch", Duration::from_secs(10)).await?;
    bus.ensure_topology(&Topology::default()).await?;
    for round in 1..=3 {
        let report = wirefold_fetcher::bench(&bus, feeds, items, concurrency).await?;
        println!("round={round} {report}");
    }
    Ok(())
}
