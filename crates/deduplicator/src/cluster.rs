//! `wirefold cluster`: the normalizer's text path and the deduplicator over a JSONL stream,
//! without NATS. Reads `{"id","title","text"}` (+ optional `published`, `source`, `url`,
//! `lang`) lines and writes `{"id","copy","story"}` lines in input order, flushing whenever
//! the input has no more data ready, so it works as a filter in a pipe. Those are the ids
//! when the article arrived; with `final_ids`, nothing is written until the input ends, and
//! then one line per article with the ids of the end state (copy clusters and stories that
//! were merged later resolved to the one they were merged into). With [`Mode::Explain`],
//! each article's line also says why: its copy event and reason, every earlier article its
//! text was verified against (shared keys, containment, cover, where in the text the shared
//! keys lie, the copy rule's verdict) and, for an article that started a copy cluster, the
//! story it was compared with most closely and how close (what `wirefold explain` prints).
//!
//! A line that is not such an object is reported on stderr-facing stats and skipped (it
//! names no article to answer for). So is an article over the document size limit (the
//! pipeline's fetcher and normalizer refuse those too): a line may be up to six times the
//! limit (JSON escapes: `\u00e9` is six bytes for two), is read through without being kept
//! when longer, and the title and text in it are then held to the limit. Bytes that are
//! not UTF-8 are replaced in their line only ([`wirefold_wire::jsonl`]). An article whose
//! text yields nothing after cleanup is still answered: it goes to the index with its raw
//! text, which gives it a cluster of its own as the core defines for empty and tiny
//! documents.

use std::borrow::Cow;
use std::io::{BufRead, Write};

use std::collections::HashMap;

use serde::Deserialize;
use wirefold_wire::jsonl::{Line, Reader};
use wirefold_wire::{Article, SCHEMA_VERSION};

use crate::{Deduper, EventDetail, FoldConfig};

/// Input line shape.
#[derive(Deserialize)]
struct Record<'a> {
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
    #[serde(borrow, default)]
    lang: Option<Cow<'a, str>>,
}

#[derive(serde::Serialize)]
struct Out<'a> {
    id: &'a str,
    copy: &'a str,
    story: &'a str,
}

/// Merges seen so far: what each merged id was folded into.
#[derive(Debug, Default)]
struct Merges(HashMap<String, String>);

impl Merges {
    fn add(&mut self, from: &str, into: &str) {
        if from != into {
            self.0.insert(from.to_string(), into.to_string());
        }
    }

    /// The id `id` ended in (merge chains are short; a cycle cannot arise because merged
    /// ids never come back, but the walk is bounded anyway).
    fn resolve<'a>(&'a self, mut id: &'a str) -> &'a str {
        for _ in 0..self.0.len() {
            match self.0.get(id) {
                Some(next) => id = next,
                None => break,
            }
        }
        id
    }
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
    /// Lines whose bytes were not all UTF-8 (replaced with U+FFFD, the article kept).
    pub lossy_lines: u64,
}

/// What [`run`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A line per article as it arrives, with the ids it got then.
    Arrival,
    /// Nothing until the input ends, then a line per article with the end state's ids.
    Final,
    /// A line per article as it arrives, with the ids and the reasons (see the module docs).
    Explain,
}

/// Runs the stream, writing what `mode` asks for; articles of more than
/// `max_document_bytes` bytes of title and text are skipped.
pub fn run(
    input: impl BufRead,
    mut output: impl Write,
    config: FoldConfig,
    mode: Mode,
    max_document_bytes: usize,
) -> std::io::Result<Stats> {
    let final_ids = mode == Mode::Final;
    // Only ids are written: story events need no cluster lists.
    let mut dedup = Deduper::new(config).with_event_detail(EventDetail::Ids);
    let mut stats = Stats::default();
    let mut clusters = std::collections::HashSet::new();
    let mut lines = Reader::for_documents(input, max_document_bytes);
    let max_line_bytes = lines.max_line_bytes();
    let mut out = Vec::with_capacity(128);
    // For `final_ids`: every article with the ids it got, merges, and each cluster's story.
    let mut answers: Vec<(String, String, String)> = Vec::new();
    let (mut copy_merges, mut story_merges) = (Merges::default(), Merges::default());
    let mut cluster_story: HashMap<String, String> = HashMap::new();
    let mut lineno = 0u64;
    while let Some(line) = lines.next_line()? {
        lineno += 1;
        let parsed = match line {
            Line::Text(t) if t.trim().is_empty() => continue,
            Line::Text(t) => serde_json::from_str::<Record<'_>>(t.trim())
                .map_err(|e| e.to_string())
                .and_then(|r| {
                    let bytes = r.text.as_deref().map_or(0, str::len) + r.title.as_deref().map_or(0, str::len);
                    if bytes > max_document_bytes {
                        Err(format!(
                            "article {} of {bytes} bytes is over the {max_document_bytes}-byte document limit",
                            r.id
                        ))
                    } else {
                        Ok(r)
                    }
                }),
            Line::TooLong(n) => Err(format!("line of {n} bytes is over the {max_line_bytes}-byte line limit")),
        };
        let rec = match parsed {
            Ok(r) => r,
            Err(why) => {
                stats.skipped_total += 1;
                if stats.skipped.len() < 100 {
                    stats.skipped.push((lineno, why));
                }
                continue;
            }
        };
        let article = to_article(&rec);
        let folded = dedup.apply(&article);
        let single = || format!("single-{}", rec.id);
        let copy = folded.cluster.map(|c| c.to_string()).unwrap_or_else(single);
        let story = folded.story.map(|s| s.to_string()).unwrap_or_else(single);
        clusters.insert(copy.clone());
        stats.articles += 1;
        if final_ids {
            for ev in &folded.clusters {
                for from in &ev.merged_from {
                    copy_merges.add(from, &ev.cluster_id);
                }
                if let Some(s) = &ev.story_id {
                    cluster_story.insert(ev.cluster_id.clone(), s.clone());
                }
            }
            for ev in &folded.stories {
                for from in &ev.merged_from {
                    story_merges.add(from, &ev.story_id);
                }
            }
            answers.push((rec.id.to_string(), copy, story));
            continue;
        }
        if mode == Mode::Explain {
            let line = explanation(&dedup, &folded, &rec.id, &copy, &story);
            write_line(&mut output, &mut out, &line)?;
        } else {
            write_line(
                &mut output,
                &mut out,
                &Out {
                    id: &rec.id,
                    copy: &copy,
                    story: &story,
                },
            )?;
        }
        // Flush when the reader has nothing buffered: a pipe producer sees answers promptly,
        // a file is written in large blocks.
        if lines.drained() {
            output.flush()?;
        }
    }
    for (id, copy, story) in &answers {
        let copy = copy_merges.resolve(copy);
        let story = cluster_story.get(copy).map_or(story.as_str(), String::as_str);
        let story = story_merges.resolve(story);
        write_line(&mut output, &mut out, &Out { id, copy, story })?;
    }
    output.flush()?;
    stats.clusters = clusters.len() as u64;
    stats.lossy_lines = lines.lossy_lines();
    Ok(stats)
}

/// The explanation line of an article just folded.
fn explanation(
    dedup: &Deduper,
    folded: &crate::Folded,
    id: &str,
    copy: &str,
    story: &str,
) -> serde_json::Value {
    let event = folded.clusters.first();
    let compared: Vec<serde_json::Value> = dedup
        .verdicts()
        .iter()
        .map(|v| {
            serde_json::json!({
                "with": v.other,
                "copy": v.rule.is_copy(),
                "rule": v.rule.describe(),
                "shared_keys": v.shared,
                "keys": [v.keys.0, v.keys.1],
                "containment": round3(v.containment),
                "cover": round3(v.cover),
                "segments_shared": v.spread,
                "segments": v.segments,
                "opens_with_shared_text": v.lead,
                "pattern": v.pattern,
            })
        })
        .collect();
    // A story candidate only for an article that started a copy cluster (copies join their
    // cluster's story without a comparison).
    let placed = event.is_some_and(|e| e.kind == wirefold_wire::ClusterEventKind::Created);
    let candidate = dedup
        .story_candidate()
        .filter(|_| placed)
        .map(|(s, sim)| serde_json::json!({"story": s.to_string(), "similarity": round3(sim), "joined": s.to_string() == story}));
    // Clusters the article folded together, and why ("canonical members match", "new member
    // is a copy of both, ...").
    let merged: Vec<serde_json::Value> = folded
        .clusters
        .iter()
        .filter(|e| e.kind == wirefold_wire::ClusterEventKind::Merged)
        .map(|e| serde_json::json!({"into": e.cluster_id, "from": e.merged_from, "reason": e.reason}))
        .collect();
    serde_json::json!({
        "id": id,
        "copy": copy,
        "story": story,
        "event": event.map(|e| e.kind),
        "reason": event.and_then(|e| e.reason.as_deref()),
        "compared": compared,
        "merged": merged,
        "story_candidate": candidate,
    })
}

fn round3(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

/// Writes `line` as one JSON line through the reused buffer `buf`.
fn write_line(
    output: &mut impl Write,
    buf: &mut Vec<u8>,
    line: &impl serde::Serialize,
) -> std::io::Result<()> {
    buf.clear();
    serde_json::to_writer(&mut *buf, line)?;
    buf.push(b'\n');
    output.write_all(buf)
}

fn to_article(rec: &Record<'_>) -> Article {
    let text = rec.text.as_deref().unwrap_or("");
    let title = rec.title.as_deref();
    let (published, source, url) = (
        rec.published.as_deref(),
        rec.source.as_deref(),
        rec.url.as_deref(),
    );
    let mut article = wirefold_normalizer::from_plain(&rec.id, title, text, published, source, url)
        .unwrap_or_else(|_| Article {
            schema: SCHEMA_VERSION,
            id: rec.id.to_string(),
            uri: url.unwrap_or(&rec.id).to_string(),
            headline: title.map(str::to_string),
            firstcreated: published.map(str::to_string),
            source: source.map(str::to_string),
            url: url.map(str::to_string),
            body_text: text.trim().to_string(),
            ..Default::default()
        });
    if let Some(lang) = rec.lang.as_deref().filter(|l| !l.is_empty()) {
        article.language = Some(lang.to_string());
    }
    article
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `input` in `mode` and parses the lines written.
    fn run_lines(input: &str, mode: Mode) -> (Stats, Vec<serde_json::Value>) {
        run_bytes(input.as_bytes(), mode, 1 << 20)
    }

    fn run_bytes(input: &[u8], mode: Mode, max_document_bytes: usize) -> (Stats, Vec<serde_json::Value>) {
        let mut out = Vec::new();
        let stats = run(input, &mut out, FoldConfig::default(), mode, max_document_bytes).unwrap();
        let lines = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (stats, lines)
    }

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
        let (stats, lines) = run_lines(&input, Mode::Arrival);
        let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert_eq!(lines[0]["copy"], lines[1]["copy"]);
        assert_eq!(lines[0]["story"], lines[1]["story"]);
        assert!(lines.iter().all(|l| l["story"].is_string()));
        assert_ne!(lines[0]["copy"], lines[3]["copy"]);
        assert_ne!(lines[2]["copy"], lines[3]["copy"]);
        assert_eq!(stats.articles, 4);
        assert_eq!(stats.skipped_total, 1);
        assert_eq!(stats.skipped[0].0, 2);

        // `--final` answers the same articles, once each, after the input.
        let (_, fin) = run_lines(&input, Mode::Final);
        let ids: Vec<&str> = fin.iter().map(|l| l["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert_eq!(fin[0]["copy"], lines[0]["copy"]);
        assert_eq!(fin[0]["story"], fin[1]["story"]);
    }

    #[test]
    fn bad_bytes_and_oversized_lines_cost_only_themselves() {
        let body = "Officials said the bridge would reopen next week after repairs to the main span. ";
        let mut input = Vec::new();
        input.extend_from_slice(br#"{"id": "a", "title": "Bridge", "text": "caf"#);
        input.push(0xe9); // Latin-1, not UTF-8
        input.extend_from_slice(format!(" {body}\"}}\n").as_bytes());
        // Six times the limit of 100 bytes is the line limit: this line is over it.
        let long = serde_json::json!({"id": "b", "text": "x".repeat(700)}).to_string();
        input.extend_from_slice(format!("{long}\n").as_bytes());
        // Within the line limit, but its text is over the document limit.
        let big = serde_json::json!({"id": "c", "text": "y".repeat(150)}).to_string();
        input.extend_from_slice(format!("{big}\n").as_bytes());
        input.extend_from_slice(serde_json::json!({"id": "d", "text": "z"}).to_string().as_bytes());
        let (stats, lines) = run_bytes(&input, Mode::Arrival, 100);
        let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["a", "d"]);
        assert_eq!(stats.skipped_total, 2);
        assert_eq!(stats.skipped[0].0, 2);
        let too_long = format!("line of {} bytes is over the 600-byte line limit", long.len());
        assert!(stats.skipped[0].1.contains(&too_long), "{:?}", stats.skipped);
        assert_eq!(stats.skipped[1].0, 3);
        assert!(
            stats.skipped[1]
                .1
                .contains("article c of 150 bytes is over the 100-byte document limit"),
            "{:?}",
            stats.skipped
        );
    }

    #[test]
    fn explain_gives_the_evidence_and_the_rule() {
        let body = "Officials said the bridge over the river would reopen next week after repairs to \
                    the main span finished ahead of schedule and under budget. "
            .repeat(6);
        let other = "The league final ended in a draw after extra time, and the trophy will be \
                     decided in a replay at the national stadium next month. "
            .repeat(6);
        let input = format!(
            "{}\n{}\n{}\n",
            serde_json::json!({"id": "a", "title": "Bridge", "text": body}),
            serde_json::json!({"id": "b", "title": "Bridge reopens", "text": format!("{body}Copyright Example Wire.")}),
            serde_json::json!({"id": "c", "title": "Final", "text": other}),
        );
        let (_, lines) = run_lines(&input, Mode::Explain);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["event"], "created");
        assert_eq!(lines[0]["compared"], serde_json::json!([]));
        // The copy: compared with the first article, the rule says copy, and its reason is on
        // the event.
        assert_eq!(lines[1]["event"], "member_added");
        assert_eq!(lines[1]["copy"], lines[0]["copy"]);
        let seen = &lines[1]["compared"][0];
        assert_eq!(seen["with"], "a");
        assert_eq!(seen["copy"], true);
        assert!(seen["containment"].as_f64().unwrap() > 0.9, "{seen}");
        assert!(lines[1]["reason"].as_str().unwrap().starts_with("copy:"));
        // Another event: its own cluster, compared with a story it did not join.
        assert_eq!(lines[2]["event"], "created");
        assert_ne!(lines[2]["copy"], lines[0]["copy"]);
        assert!(
            lines[2]["compared"]
                .as_array()
                .unwrap()
                .iter()
                .all(|v| v["copy"] == false)
        );
        let cand = &lines[2]["story_candidate"];
        assert!(cand.is_null() || cand["joined"] == false, "{cand}");
        assert_ne!(lines[2]["story"], lines[0]["story"]);
    }

    #[test]
    fn explain_names_the_clusters_an_article_folded_together() {
        // A story, a far version of it (a third of its paragraphs new, a word in twelve of
        // the rest changed: not a copy of it by itself) and a version in between (their
        // paragraphs alternately: a copy of each). The far version starts a cluster of its
        // own; the version in between folds it into the story's.
        let mut r = wirefold_corpus::Words::new(42);
        let syl = [
            "ka", "lo", "mi", "ran", "tu", "vek", "sor", "pla", "din", "gre", "hu", "jon",
        ];
        let mut word = move || (0..3).map(|_| syl[r.below(syl.len())]).collect::<String>();
        let mut para = || (0..30).map(|_| word()).collect::<Vec<_>>().join(" ") + ".";
        let story: Vec<String> = (0..18).map(|_| para()).collect();
        let far: Vec<String> = story
            .iter()
            .enumerate()
            .map(|(k, p)| {
                if k % 3 == 2 {
                    para()
                } else {
                    let mut w: Vec<String> = p.split(' ').map(str::to_string).collect();
                    for i in (k % 12..w.len()).step_by(12) {
                        w[i] = para().split(' ').next().unwrap_or("x").to_string();
                    }
                    w.join(" ")
                }
            })
            .collect();
        let mid = wirefold_corpus::alternate(&story, &far);
        let input = format!(
            "{}\n{}\n{}\n",
            serde_json::json!({"id": "story", "text": story.join("\n\n")}),
            serde_json::json!({"id": "far", "text": far.join("\n\n")}),
            serde_json::json!({"id": "mid", "text": mid.join("\n\n")}),
        );
        let (_, lines) = run_lines(&input, Mode::Explain);
        assert_ne!(lines[0]["copy"], lines[1]["copy"], "{}", lines[1]);
        assert_eq!(lines[1]["merged"], serde_json::json!([]));
        let merged = lines[2]["merged"].as_array().unwrap();
        assert_eq!(merged.len(), 1, "{}", lines[2]);
        assert_eq!(merged[0]["into"], lines[0]["copy"]);
        assert_eq!(merged[0]["from"], serde_json::json!([lines[1]["copy"]]));
        assert!(
            merged[0]["reason"]
                .as_str()
                .unwrap()
                .starts_with("new member is a copy of both"),
            "{}",
            lines[2]
        );
    }

    /// `s` as a misconfigured CMS shows it: its UTF-8 bytes read as Windows-1252.
    fn mangle(s: &str) -> String {
        const HIGH: [char; 32] = [
            '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
            '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
        ];
        s.bytes()
            .map(|b| match b {
                0x80..=0x9f => HIGH[usize::from(b - 0x80)],
                _ => char::from(b),
            })
            .collect()
    }

    #[test]
    fn a_copy_with_broken_encoding_reads_as_the_original() {
        let body = [
            "The city’s mayor said on Tuesday that the harbour bridge — closed since March — would reopen to traffic next week.",
            "“We’re confident the repairs are finished,” she told reporters at the café opposite the town hall.",
            "Engineers replaced 40 cables and resurfaced the deck, at a cost the council put at €12 million.",
            "Residents said the closure had doubled their commute; shop owners near the bridge said takings fell by a third.",
        ]
        .join("\n\n");
        let broken = mangle(&body);
        assert!(broken.contains("â€™") && broken.contains("Ã©"), "{broken}");
        let other = "A football club announced its new coach on Tuesday after a long search. \
            The coach, who led two clubs abroad, signed a three-year contract and will start next month.";
        let input = format!(
            "{}\n{}\n{}\n",
            serde_json::json!({"id": "original", "title": "Harbour bridge to reopen", "text": body}),
            serde_json::json!({"id": "other", "title": "New coach", "text": other}),
            serde_json::json!({"id": "republished", "title": mangle("Harbour bridge to reopen — mayor"), "text": broken}),
        );
        let (_, lines) = run_lines(&input, Mode::Explain);
        assert_eq!(lines[2]["copy"], lines[0]["copy"], "{lines:?}");
        assert_ne!(lines[1]["copy"], lines[0]["copy"]);
        // Repaired, the broken copy reads as the original to the last word: every key shared
        // (without the repair, "city’s" and "café" would be other words).
        let seen = lines[2]["compared"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["with"] == "original")
            .expect("compared with the original");
        assert_eq!(seen["containment"].as_f64(), Some(1.0), "{seen}");
    }

    #[test]
    fn merges_resolve_along_chains() {
        let mut m = Merges::default();
        m.add("c1", "c2");
        m.add("c2", "c3");
        m.add("c4", "c4");
        assert_eq!(m.resolve("c1"), "c3");
        assert_eq!(m.resolve("c3"), "c3");
        assert_eq!(m.resolve("c4"), "c4");
    }
}
