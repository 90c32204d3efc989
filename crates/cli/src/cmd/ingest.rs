//! `wirefold ingest PATH...`: publishes files and directories as raw documents and exits,
//! printing what was accepted and what was rejected, with reasons. Exits non-zero when
//! nothing at all could be accepted.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{DocumentLimit, NatsArgs};

/// Flags of `ingest`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    nats: NatsArgs,
    #[command(flatten)]
    limit: DocumentLimit,
    /// The outlet the files come from ("RTÉ"), for files that name none: an agency item's
    /// own provider, or its dateline's credit, still names it. The same file ingested under
    /// two sources is two documents.
    #[arg(long, env = crate::env::INGEST_SOURCE)]
    source: Option<String>,
    /// Files or directories (walked recursively, hidden files skipped).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Runs the ingest.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bus = args.nats.connect("wirefold-ingest").await?;
    let report = wirefold_fetcher::files::ingest(
        &bus,
        &args.paths,
        args.limit.max_document_bytes as u64,
        args.source.as_deref(),
    )
    .await;
    bus.drain().await;
    for (path, id, dup) in &report.accepted {
        let note = if *dup { " (already ingested)" } else { "" };
        println!("accepted {} {id}{note}", path.display());
    }
    for r in &report.rejected {
        println!("rejected {}: {}", r.path.display(), r.reason);
    }
    println!(
        "{} accepted, {} rejected",
        report.accepted.len(),
        report.rejected.len()
    );
    Ok(if report.accepted.is_empty() && !report.rejected.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
