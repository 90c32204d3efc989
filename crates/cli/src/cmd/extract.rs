//! `wirefold extract`: one article record from a file or stdin (`--all`: every item of an
//! agency document that holds several, a JSON line each), or `--jsonl` for tools: lines
//! `{"id","url","html"}` in, `{"id","title","byline","published","lang","body",...}` or
//! `{"id","error"}` out, in order, flushed per line.

use std::io::{BufRead, Read as _, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use serde::Deserialize;
use wirefold_extract::{Input, PageKind};
use wirefold_wire::jsonl::Line;
use wirefold_wire::{ItemHints, RawBody, RawDocument, SCHEMA_VERSION, SourceKind};

use super::DocumentLimit;

/// Flags of `extract`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// URL the page was read from (resolves links, hints the source).
    #[arg(long)]
    url: Option<String>,
    /// Streaming form: JSONL pages on stdin, JSONL records on stdout.
    #[arg(long)]
    jsonl: bool,
    /// Every item of an agency document that holds several (a package, a news message, a
    /// ninjs list), one compact JSON line each, instead of the first item alone; the
    /// items that could not be used are reported on stderr.
    #[arg(long, conflicts_with = "jsonl")]
    all: bool,
    #[command(flatten)]
    limit: DocumentLimit,
    /// HTML or text file; `-` or nothing reads stdin.
    file: Option<PathBuf>,
}

/// Runs the extraction.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.jsonl {
        let stdin = std::io::stdin().lock();
        let stdout = std::io::stdout().lock();
        jsonl(stdin, stdout, args.limit.max_document_bytes)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (bytes, name) = match args.file.as_ref().filter(|p| p.as_os_str() != "-") {
        Some(p) => {
            let mut buf = Vec::new();
            std::fs::File::open(p)
                .with_context(|| format!("cannot open {}", p.display()))?
                .take(args.limit.max_document_bytes as u64 + 1)
                .read_to_end(&mut buf)?;
            (buf, p.clone())
        }
        None => {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(args.limit.max_document_bytes as u64 + 1)
                .read_to_end(&mut buf)?;
            (buf, PathBuf::from("stdin"))
        }
    };
    if bytes.len() > args.limit.max_document_bytes {
        anyhow::bail!(
            "{} is larger than the {} byte limit",
            name.display(),
            args.limit.max_document_bytes
        );
    }
    let content_type = wirefold_fetcher::files::content_type_for(&name, &bytes);
    let url = args.url.clone().unwrap_or_else(|| {
        std::fs::canonicalize(&name)
            .map(|p| format!("file://{}", p.display()))
            .unwrap_or_default()
    });
    let raw = RawDocument {
        schema: SCHEMA_VERSION,
        id: wirefold_fetcher::raw_document_id("", &url, &wirefold_fetcher::content_id(&[&bytes])),
        uri: url.clone(),
        version: None,
        kind: SourceKind::File,
        source: None,
        url: Some(url).filter(|u| !u.is_empty()),
        content_type: Some(content_type.to_string()),
        received: wirefold_fetcher::now_rfc3339(),
        hints: ItemHints::default(),
        body: RawBody::from_bytes(bytes),
    };
    let normalized = guarded(|| wirefold_normalizer::normalize_all(&raw, args.limit.max_document_bytes))
        .map_err(anyhow::Error::msg)
        .and_then(|r| r.map_err(anyhow::Error::from))
        .with_context(|| format!("cannot extract an article from {}", name.display()))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.all {
        for article in &normalized.articles {
            serde_json::to_writer(&mut out, &record(article)?)?;
            out.write_all(b"\n")?;
        }
        for problem in &normalized.problems {
            eprintln!("skipped: {problem}");
        }
    } else {
        let first = normalized.articles.first().context("no article")?;
        serde_json::to_writer_pretty(&mut out, &record(first)?)?;
        out.write_all(b"\n")?;
        let more = normalized.articles.len() - 1;
        if more > 0 {
            eprintln!(
                "{} holds {} more item{}; --all prints every one",
                name.display(),
                more,
                if more == 1 { "" } else { "s" }
            );
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// An article record with the short aliases tools that do not speak ninjs read.
fn record(article: &wirefold_wire::Article) -> anyhow::Result<serde_json::Value> {
    let mut v = serde_json::to_value(article)?;
    v["title"] = v["headline"].clone();
    v["body"] = v["body_text"].clone();
    v["published"] = v["firstcreated"].clone();
    Ok(v)
}

#[derive(Deserialize)]
struct Page {
    id: serde_json::Value,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    html: String,
}

/// The streaming protocol; one output line per input line, whatever happens. A line may
/// be up to [`wirefold_wire::jsonl::LINE_PER_DOCUMENT`] times `max_bytes` long (JSON
/// escapes), and its page is then held to `max_bytes`; bytes that are not UTF-8 are
/// replaced in their line only.
pub fn jsonl(input: impl BufRead, mut output: impl Write, max_bytes: usize) -> anyhow::Result<()> {
    let mut lines = wirefold_wire::jsonl::Reader::for_documents(input, max_bytes);
    let max_line = lines.max_line_bytes();
    while let Some(line) = lines.next_line()? {
        let line = match line {
            Line::Text(t) => t,
            Line::TooLong(n) => {
                let out = serde_json::json!({"id": null, "error": format!("line of {n} bytes exceeds the {max_line} byte line limit")});
                serde_json::to_writer(&mut output, &out)?;
                output.write_all(b"\n")?;
                output.flush()?;
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let out = match serde_json::from_str::<Page>(line) {
            Err(e) => serde_json::json!({"id": null, "error": format!("bad input line: {e}")}),
            Ok(p) if p.html.len() > max_bytes => {
                serde_json::json!({"id": p.id, "error": format!("page of {} bytes exceeds the {max_bytes} byte limit", p.html.len())})
            }
            Ok(p) => {
                let input = Input {
                    bytes: p.html.as_bytes(),
                    content_type: Some("text/html"),
                    url: p.url.as_deref(),
                };
                match guarded(|| wirefold_extract::extract(&input)) {
                    Ok(Ok(e)) => serde_json::json!({
                        "id": p.id,
                        "title": e.title,
                        "byline": e.byline,
                        "published": e.published,
                        "modified": e.modified,
                        "lang": e.language,
                        "dateline": e.dateline,
                        "canonical_url": e.canonical_url,
                        "source": e.site_name,
                        "article": e.page_kind == PageKind::Article,
                        "body": e.body,
                    }),
                    Ok(Err(e)) => serde_json::json!({"id": p.id, "error": e.to_string()}),
                    Err(crash) => serde_json::json!({"id": p.id, "error": crash}),
                }
            }
        };
        serde_json::to_writer(&mut output, &out)?;
        output.write_all(b"\n")?;
        output.flush()?;
    }
    Ok(())
}

/// Runs one document's extraction so that a panic (a bug) becomes that document's error
/// instead of the end of the process or of the stream: extraction keeps no state between
/// documents, so the next one is unaffected. The panic message still goes to stderr.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        format!("extraction crashed: {msg}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `extract --jsonl` over `input`, its output lines parsed.
    fn run_jsonl(input: &[u8], max_bytes: usize) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        jsonl(input, &mut out, max_bytes).unwrap();
        out.split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect()
    }

    #[test]
    fn a_panic_is_the_documents_error_and_the_stream_goes_on() {
        assert_eq!(guarded(|| 7), Ok(7));
        let boom: Result<(), String> = guarded(|| panic!("boom {}", 1));
        assert_eq!(boom, Err("extraction crashed: boom 1".to_string()));
        let input = "{\"id\": 1, \"html\": \"<p>x</p>\"}\nnot json\n{\"id\": 2, \"html\": \"<html><body><article><h1>T</h1><p>One paragraph of text here.</p></article></body></html>\"}\n";
        let lines = run_jsonl(input.as_bytes(), 1 << 20);
        assert_eq!(lines.len(), 3, "one output line per input line");
        assert_eq!(lines[2]["id"], 2);
        assert!(lines[1]["error"].as_str().unwrap().starts_with("bad input line"));
    }

    #[test]
    fn bad_bytes_and_oversized_lines_cost_only_their_line() {
        let mut input = b"{\"id\": 1, \"html\": \"<html><body><article><h1>Caf".to_vec();
        input.push(0xe9); // Latin-1, not UTF-8
        input.extend_from_slice(b"</h1><p>One paragraph of text here.</p></article></body></html>\"}\n");
        let long = format!("{{\"id\": 2, \"html\": \"{}\"}}", "x".repeat(700));
        input.extend_from_slice(format!("{long}\n").as_bytes());
        input.extend_from_slice(format!("{{\"id\": 3, \"html\": \"{}\"}}\n", "y".repeat(150)).as_bytes());
        let lines = run_jsonl(&input, 100);
        assert_eq!(lines.len(), 3, "one output line per input line: {lines:?}");
        assert_eq!(lines[0]["title"], "Caf\u{fffd}");
        let too_long = format!("line of {} bytes exceeds the 600 byte line limit", long.len());
        assert_eq!(lines[1]["error"], too_long.as_str());
        assert_eq!(lines[2]["error"], "page of 150 bytes exceeds the 100 byte limit");
    }
}
