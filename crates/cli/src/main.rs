//! The `wirefold` binary: glue that parses the command line and calls the library crates.
//! Each subcommand is one `run` in a library crate (or a few lines around one); nothing
//! about articles, clusters or NATS is decided here.

mod cmd;
mod env;

use clap::{Parser, Subcommand};

/// mimalloc: the workers allocate many small, short-lived strings and JSON values per
/// article; glibc's allocator spent about a tenth of `bench dedup`'s time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// wirefold: one entry per news story, with every copy and version under it, live.
#[derive(Debug, Parser)]
#[command(version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run fetcher, normalizer, deduplicator and gateway in one process (with an embedded
    /// nats-server unless --nats-url / NATS_URL is given).
    Up(Box<cmd::up::Args>),
    /// Run the fetcher worker against NATS_URL (sources, drop folders, push endpoint).
    Fetcher(cmd::fetcher::Args),
    /// Run the normalizer worker against NATS_URL.
    Normalizer(cmd::workers::NormalizerArgs),
    /// Run the deduplicator worker against NATS_URL.
    Dedup(cmd::workers::DedupArgs),
    /// Run the newsroom gateway (HTTP API, live event stream, desk page) against NATS_URL.
    Gateway(cmd::gateway::Args),
    /// List, add, pause, resume or remove polled sources at run time.
    Sources(cmd::sources::Args),
    /// Create the streams, buckets and object store (as the admin user), and change the
    /// replica count of those that differ from --stream-replicas; then exit.
    Topology(cmd::topology::Args),
    /// Publish files or directories as raw documents and exit.
    Ingest(cmd::ingest::Args),
    /// Print cluster or story events as JSON lines until interrupted.
    Tail(cmd::tail::Args),
    /// Cluster a JSONL of articles in-process (no NATS): one {"id","copy","story"} line per article.
    Cluster(cmd::cluster::Args),
    /// Explain the copy and story decisions for articles (files or JSONL) taken in order:
    /// per article its ids, every earlier article it was verified against with the evidence
    /// and the copy rule's verdict, and its closest story.
    Explain(cmd::cluster::ExplainArgs),
    /// Extract one article record from an HTML or text file, or a JSONL stream of pages.
    Extract(cmd::extract::Args),
    /// Benchmarks: the dedup core, the fetcher, the gateway and the whole pipeline.
    Bench(cmd::bench::Args),
}

/// The pipeline's long-running processes allocate and free per article all the time, and
/// mimalloc returns freed memory to the system soon after: with transparent huge pages
/// every reuse faulted in a 2 MiB page that the kernel zeroed first (`clear_page_erms`,
/// 11 to 14% of `bench pipeline`'s CPU; BENCHMARKS.md, "Pipeline end to end"). Those
/// processes run without them; `cluster` and `bench dedup`, one large index read at
/// random, keep them.
fn without_huge_pages() {
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        tracing::debug!(error = %e, "transparent huge pages stay on");
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_tracing();
    if matches!(
        &cli.command,
        Command::Up(_) | Command::Normalizer(_) | Command::Dedup(_)
    ) || matches!(&cli.command, Command::Bench(b) if b.is_pipeline())
    {
        without_huge_pages();
    }
    let result = match cli.command {
        Command::Cluster(a) => cmd::cluster::run(a),
        Command::Explain(a) => cmd::cluster::explain(a),
        Command::Extract(a) => cmd::extract::run(a),
        command => runtime().and_then(|rt| {
            rt.block_on(async move {
                match command {
                    Command::Up(a) => cmd::up::run(*a).await,
                    Command::Fetcher(a) => cmd::fetcher::run(a).await,
                    Command::Sources(a) => cmd::sources::run(a).await,
                    Command::Bench(a) => cmd::bench::run(a).await,
                    Command::Normalizer(a) => cmd::workers::normalizer(a).await,
                    Command::Dedup(a) => cmd::workers::dedup(a).await,
                    Command::Gateway(a) => cmd::gateway::run(a).await,
                    Command::Ingest(a) => cmd::ingest::run(a).await,
                    Command::Topology(a) => cmd::topology::run(a).await,
                    Command::Tail(a) => cmd::tail::run(a).await,
                    Command::Cluster(_) | Command::Explain(_) | Command::Extract(_) => {
                        unreachable!("handled without a runtime")
                    }
                }
            })
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("wirefold: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env(env::RUST_LOG).unwrap_or_else(|_| EnvFilter::new("info,async_nats=warn"));
    let json = std::env::var(env::LOG_FORMAT).is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
