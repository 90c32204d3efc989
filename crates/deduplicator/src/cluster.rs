//! `wirefold cluster`: the normalizer's text path and the deduplicator over a JSONL stream,
//! without NATS. Reads `{"id","title","text"}` (+ optional `published`, `source`, `url`)
//! lines and writes `{"id","copy"}` lines in input order, flushing whenever the input has
//! no more data ready, so it works as a filter in a pipe.
//!
//! A line that is not such an object is reported on stderr-facing stats and skipped (it
//! names no article to answer for). An article whose text yields nothing after cleanup is
//! still answered: it goes to the index with its raw text, which gives it a cluster of
//! its own as the core defines for empty and tiny documents.

use std::borrow::Cow;
use std::io::{BufRead, Write};

use serde::Deserialize;
use wirefold_dedup::Config;
use wirefold_wire::{Article, SCHEMA_VERSION};

use crate::Deduper;

/// Input line shape.
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    published: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    url: Option<Cow<'a, str>>,
}

#[derive(serde::Serialize)]
struct Out<'a> {
    id: &'a str,
    copy: &'a str,
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Articles answered.
    pub articles: u64,
    /// Lines skipped, with their 1-based numbers and reasons (the first 100).
    pub skipped: Vec<(u64, String)>,
    /// Total skipped lines.
    pub skipped_total: u64,
    /// Distinct copy clusters seen in the output.
    pub clusters: u64,
}

/// Runs the stream.
pub fn run(mut input: impl BufRead, mut output: impl Write, config: Config) -> std::io::Result<Stats> {
    let mut dedup = Deduper::new(config);
    let mut stats = Stats::default();
    let mut clusters = std::collections::HashSet::new();
    let mut line = String::new();
    let mut lineno = 0u64;
    let mut out = Vec::with_capacity(128);
    loop {
        if input.fill_buf()?.is_empty() {
            break;
        }
        line.clear();
        input.read_line(&mut line)?;
        lineno += 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let rec: Line<'_> = match serde_json::from_str(trimmed) {
            Ok(r) => r,
            Err(e) => {
                stats.skipped_total += 1;
                if stats.skipped.len() < 100 {
                    stats.skipped.push((lineno, e.to_string()));
                }
                continue;
            }
        };
        let article = to_article(&rec);
        let outcome = dedup.apply(&article);
        let copy = match outcome.cluster {
            Some(c) => c.to_string(),
            None => format!("single-{}", rec.id),
        };
        clusters.insert(copy.clone());
        out.clear();
        serde_json::to_writer(
            &mut out,
            &Out {
                id: &rec.id,
                copy: &copy,
            },
        )?;
        out.push(b'\n');
        output.write_all(&out)?;
        stats.articles += 1;
        // Flush when the reader has nothing buffered: a pipe producer sees answers promptly,
        // a file is written in large blocks.
        if input.fill_buf()?.is_empty() {
            output.flush()?;
        }
    }
    output.flush()?;
    stats.clusters = clusters.len() as u64;
    Ok(stats)
}

fn to_article(rec: &Line<'_>) -> Article {
    let text = rec.text.as_deref().unwrap_or("");
    let title = rec.title.as_deref();
    let (published, source, url) = (
        rec.published.as_deref(),
        rec.source.as_deref(),
        rec.url.as_deref(),
    );
    wirefold_normalizer::from_plain(&rec.id, title, text, published, source, url).unwrap_or_else(|_| {
        Article {
            schema: SCHEMA_VERSION,
            id: rec.id.to_string(),
            uri: url.unwrap_or(&rec.id).to_string(),
            headline: title.map(str::to_string),
            firstcreated: published.map(str::to_string),
            source: source.map(str::to_string),
            url: url.map(str::to_string),
            body_text: text.trim().to_string(),
            ..Default::default()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_every_article_in_order_and_skips_garbage() {
        let body =
            "Officials said the bridge would reopen next week after repairs to the main span finished. "
                .repeat(8);
        let input = format!(
            "{}\nnot json\n{}\n\n{}\n{}\n",
            serde_json::json!({"id": "a", "title": "Bridge", "text": body}),
            serde_json::json!({"id": "b", "title": "Bridge reopens", "text": body, "published": "2025-06-17T10:00:00Z"}),
            serde_json::json!({"id": "c", "title": "", "text": ""}),
            serde_json::json!({"id": "d", "text": "Completely different words about a football match and its result in the league final."}),
        );
        let mut out = Vec::new();
        let stats = run(input.as_bytes(), &mut out, Config::default()).unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert_eq!(lines[0]["copy"], lines[1]["copy"]);
        assert_ne!(lines[0]["copy"], lines[3]["copy"]);
        assert_ne!(lines[2]["copy"], lines[3]["copy"]);
        assert_eq!(stats.articles, 4);
        assert_eq!(stats.skipped_total, 1);
        assert_eq!(stats.skipped[0].0, 2);
    }
}
