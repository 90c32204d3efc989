//! `wirefold topology`: creates the streams, buckets and object store, and changes the
//! replica count of any that differ from `--stream-replicas`. Run it as the admin user
//! before the workers when they run with least-privilege users (which may only check the
//! topology); with one all-powerful user the workers create what is missing themselves.

use std::process::ExitCode;
use std::time::Duration;

use wirefold_bus::Bus;

use super::NatsArgs;

/// Flags of `topology`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    nats: NatsArgs,
}

/// Applies the topology, prints what it did, and exits.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let conn = args.nats.auth.connection(&args.nats.nats_url);
    let topo = args.nats.auth.topology();
    let bus = Bus::connect_with(&conn, "wirefold-topology", Duration::from_secs(30)).await?;
    let report = bus.apply_topology(&topo).await?;
    for name in &report.created {
        println!("created {name} ({} replicas)", topo.replicas);
    }
    for (name, was) in &report.replica_mismatch {
        println!("changed {name} from {was} to {} replicas", topo.replicas);
    }
    println!(
        "topology ready: {} replicas, {} created, {} changed",
        topo.replicas,
        report.created.len(),
        report.replica_mismatch.len()
    );
    bus.drain().await;
    Ok(ExitCode::SUCCESS)
}
