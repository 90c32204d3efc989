//! `wirefold cluster`: the deduplicator's code path over a JSONL file or stdin, no NATS.

use std::io::{BufReader, BufWriter, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use wirefold_deduplicator::cluster::Mode;

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
    #[command(flatten)]
    limit: super::DocumentLimit,
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
    let mode = if args.final_ids {
        Mode::Final
    } else {
        Mode::Arrival
    };
    let stats =
        wirefold_deduplicator::cluster::run(input, output, config, mode, args.limit.max_document_bytes)?;
    report(&stats);
    Ok(ExitCode::SUCCESS)
}

/// Flags of `explain`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExplainArgs {
    /// Articles, in arrival order: a `.jsonl` file gives its lines (as `cluster` reads them),
    /// any other file is one plain-text article named by its file name; `-` is JSONL on stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Hours after which clusters leave the index.
    #[arg(long, env = crate::env::HORIZON_HOURS, default_value_t = 7 * 24)]
    horizon_hours: u64,
    #[command(flatten)]
    limit: super::DocumentLimit,
}

/// Runs articles through the same fold as `cluster` and prints, per article, its ids and why:
/// the copy event and its reason, every earlier article its text was verified against with
/// the evidence and the copy rule's verdict, and the closest story for an article that
/// started a copy cluster.
pub fn explain(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let config = wirefold_deduplicator::FoldConfig::with_horizon_secs((args.horizon_hours * 3600) as i64);
    let limit = args.limit.max_document_bytes;
    // The inputs as one stream of lines, each file read as the fold reads it (JSONL files
    // and stdin line by line, bounded; a plain-text file whole, up to the limit).
    let mut input: Box<dyn Read> = Box::new(std::io::empty());
    for p in &args.paths {
        let part: Box<dyn Read> = if p.as_os_str() == "-" {
            Box::new(std::io::stdin())
        } else if p.extension().is_some_and(|e| e == "jsonl") {
            Box::new(std::fs::File::open(p).with_context(|| format!("cannot read {}", p.display()))?)
        } else {
            let mut bytes = Vec::new();
            std::fs::File::open(p)
                .with_context(|| format!("cannot read {}", p.display()))?
                .take(limit as u64 + 1)
                .read_to_end(&mut bytes)?;
            if bytes.len() > limit {
                anyhow::bail!("{} is larger than the {limit} byte limit", p.display());
            }
            let text = wirefold_normalizer::decode_text(&bytes, "text/plain");
            let id = p
                .file_name()
                .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned());
            Box::new(std::io::Cursor::new(serde_json::to_vec(
                &serde_json::json!({"id": id, "text": text}),
            )?))
        };
        // A file's last line may lack its end: the next file starts a line of its own.
        input = Box::new(input.chain(part).chain(&b"\n"[..]));
    }
    let output = BufWriter::new(std::io::stdout());
    let stats = wirefold_deduplicator::cluster::run(
        BufReader::with_capacity(1 << 16, input),
        output,
        config,
        Mode::Explain,
        limit,
    )?;
    report(&stats);
    Ok(ExitCode::SUCCESS)
}

fn report(stats: &wirefold_deduplicator::cluster::Stats) {
    for (line, why) in &stats.skipped {
        eprintln!("wirefold: skipped line {line}: {why}");
    }
    if stats.lossy_lines > 0 {
        eprintln!(
            "wirefold: {} lines held bytes that are not UTF-8 (replaced with U+FFFD)",
            stats.lossy_lines
        );
    }
    eprintln!(
        "wirefold: {} articles in {} copy clusters, {} lines skipped",
        stats.articles, stats.clusters, stats.skipped_total
    );
}
