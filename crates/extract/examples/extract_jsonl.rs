//! Stand-in for `wirefold extract`, for benchmarks before the CLI exists.
//!
//! `extract_jsonl --jsonl` reads `{"id","url","html"}` lines on stdin and writes
//! `{"id","title","byline","published","lang","body"}` or `{"id","error"}` per line, flushed;
//! `extract_jsonl FILE` prints one record for a file. Serialisation lives here, not in the crate.

use std::io::{BufRead, Write};
use wirefold_extract::{Extracted, Input, PageKind, extract};

fn record(id: &serde_json::Value, r: Result<Extracted, wirefold_extract::ExtractError>) -> serde_json::Value {
    match r {
        Ok(e) => serde_json::json!({
            "id": id, "title": e.title, "byline": e.byline, "published": e.published,
            "modified": e.modified, "dateline": e.dateline, "canonical_url": e.canonical_url,
            "lang": e.language, "site_name": e.site_name, "body": e.body,
            "page_kind": if e.page_kind == PageKind::Article { "article" } else { "not_article" },
        }),
        Err(err) => serde_json::json!({"id": id, "error": err.to_string()}),
    }
}

fn main() -> std::io::Result<()> {
    // Accept `extract` as a first word so scripts written for `wirefold extract` work as-is.
    let args: Vec<String> = std::env::args().skip(1).skip_while(|a| a == "extract").collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.first().map(String::as_str) == Some("--jsonl") {
        for line in std::io::stdin().lock().lines() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = match serde_json::from_str(&line) {
                Ok(v) => v,
                Err(e) => {
                    writeln!(
                        out,
                        "{}",
                        serde_json::json!({"id": null, "error": format!("bad request: {e}")})
                    )?;
                    out.flush()?;
                    continue;
                }
            };
            let html = v["html"].as_str().unwrap_or("");
            let url = v["url"].as_str().filter(|u| !u.is_empty());
            let r = extract(&Input {
                bytes: html.as_bytes(),
                content_type: None,
                url,
            });
            writeln!(out, "{}", record(&v["id"], r))?;
            out.flush()?;
        }
        return Ok(());
    }
    for path in args {
        let bytes = std::fs::read(&path)?;
        let r = extract(&Input {
            bytes: &bytes,
            content_type: None,
            url: None,
        });
        writeln!(out, "{}", record(&serde_json::Value::String(path), r))?;
    }
    Ok(())
}
