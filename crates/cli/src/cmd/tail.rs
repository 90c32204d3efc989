//! `wirefold tail [SUBJECT]`: prints cluster events as JSON lines, live or from the start of
//! the cluster stream, until interrupted.

use std::io::Write as _;
use std::process::ExitCode;

use futures::StreamExt as _;
use wirefold_wire::subjects;

use super::{NatsArgs, connect, shutdown_on_signals};

/// Flags of `tail`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    nats: NatsArgs,
    /// Replay every stored event first, then follow.
    #[arg(long)]
    from_start: bool,
    /// Subject filter, e.g. `wirefold.clusters.created.>` or `wirefold.clusters.*.<cluster-id>`.
    #[arg(default_value = subjects::CLUSTERS_ALL)]
    subject: String,
}

/// Runs until interrupted.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bus = connect(&args.nats.nats_url, "wirefold-tail").await?;
    let shutdown = shutdown_on_signals();
    let mut out = std::io::stdout().lock();
    if args.from_start {
        let mut msgs = bus
            .ordered_from(subjects::CLUSTERS_STREAM, &args.subject, 1)
            .await?;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                m = msgs.next() => match m {
                    Some(Ok(m)) => { out.write_all(&m.payload)?; out.write_all(b"\n")?; out.flush()?; }
                    Some(Err(e)) => anyhow::bail!("reading cluster stream: {e}"),
                    None => break,
                }
            }
        }
    } else {
        let mut sub = bus.subscribe(&args.subject).await?;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                m = sub.next() => match m {
                    Some(m) => { out.write_all(&m.payload)?; out.write_all(b"\n")?; out.flush()?; }
                    None => break,
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
