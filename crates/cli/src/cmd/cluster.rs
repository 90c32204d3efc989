//! `wirefold cluster`: the deduplicator's code path over a JSONL file or stdin, no NATS.

use std::io::{BufReader, BufWriter};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

/// Flags of `cluster`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Input JSONL (`{"id","title","text"}` plus optional `published`, `source`, `url`); `-` is stdin.
    #[arg(long, default_value = "-")]
    input: PathBuf,
    /// Output JSONL of `{"id","copy","story"}`; `-` is stdout.
    #[arg(long, default_value = "-")]
    output: PathBuf,
    /// Write nothing until the input ends, then one line per article with the ids of the
    /// end state (merged clusters and stories resolved).
    #[arg(long = "final")]
    final_ids: bool,
    /// Hours after which clusters leave the index.
    #[arg(long, env = crate::env::HORIZON_HOURS, default_value_t = 7 * 24)]
    horizon_hours: u64,
}

/// Runs the clustering.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = wirefold_deduplicator::FoldConfig::with_horizon_secs((args.horizon_hours * 3600) as i64);
    let dash = |p: &PathBuf| p.as_os_str() == "-";
    let input: Box<dyn std::io::BufRead> = if dash(&args.input) {
        Box::new(BufReader::with_capacity(1 << 16, std::io::stdin()))
    } else {
        let f = std::fs::File::open(&args.input)
            .with_context(|| format!("cannot open {}", args.input.display()))?;
        Box::new(BufReader::with_capacity(1 << 20, f))
    };
    let output: Box<dyn std::io::Write> = if dash(&args.output) {
        Box::new(BufWriter::new(std::io::stdout()))
    } else {
        let f = std::fs::File::create(&args.output)
            .with_context(|| format!("cannot create {}", args.output.display()))?;
        Box::new(BufWriter::with_capacity(1 << 16, f))
    };
    let stats = wirefold_deduplicator::cluster::run(input, output, config, args.final_ids)?;
    for (line, why) in &stats.skipped {
        eprintln!("wirefold cluster: skipped line {line}: {why}");
    }
    eprintln!(
        "wirefold cluster: {} articles in {} copy clusters, {} lines skipped",
        stats.articles, stats.clusters, stats.skipped_total
    );
    Ok(ExitCode::SUCCESS)
}
