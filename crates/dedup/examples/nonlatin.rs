//! Writes a benchmark corpus of non-Latin text from a JSONL corpus (`{"id","text"}` lines,
//! such as `counter-dev.jsonl`, Urdu): each source text becomes a story, repeated as
//! copies with republishers' edits (a dropped or swapped sentence, a tag in front, a word
//! changed, Arabic-keyboard letter variants), interleaved in a deterministic order. For
//! `wirefold bench dedup --input OUT.jsonl` (see BENCHMARKS.md).
//!
//! usage: cargo run --release -p wirefold-dedup --example nonlatin -- SOURCE.jsonl OUT.jsonl [N]
//! (N articles, default 100000).

use std::io::Write;

use wirefold_corpus::Words;

/// One edited copy of `text` (sentences split at the Urdu/Arabic full stop or ". ").
fn edit(text: &str, r: &mut Words, variant: u64) -> String {
    let mut sents: Vec<String> = text
        .split(['\u{6d4}', '.'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if sents.len() > 2 && r.below(2) == 0 {
        let k = r.below(sents.len());
        sents.remove(k);
    }
    if sents.len() > 2 && r.below(3) == 0 {
        let (a, b) = (r.below(sents.len()), r.below(sents.len()));
        sents.swap(a, b);
    }
    let mut out = sents.join("\u{6d4} ");
    if r.below(2) == 0 {
        // Arabic-keyboard letters for the Urdu ones.
        out = out.replace('\u{6cc}', "\u{64a}").replace('\u{6a9}', "\u{643}");
    }
    let words: Vec<&str> = out.split(' ').collect();
    let k = r.below(words.len());
    let tag = [
        "(\u{627}\u{6d2} \u{67e}\u{6cc} \u{67e}\u{6cc})",
        "\u{644}\u{627}\u{6c1}\u{648}\u{631}",
        "",
    ];
    format!(
        "{} {} \u{646}\u{645}\u{628}\u{631}{variant} {}",
        tag[r.below(tag.len())],
        words[..k].join(" "),
        words[k..].join(" ")
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (src, out) = match (args.first(), args.get(1)) {
        (Some(s), Some(o)) => (s, o),
        _ => return Err("usage: nonlatin SOURCE.jsonl OUT.jsonl [N]".into()),
    };
    let n: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(100_000);
    let mut texts = Vec::new();
    for line in std::fs::read_to_string(src)?
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if let Some(t) = v.get("text").and_then(|x| x.as_str()) {
            texts.push(t.to_string());
        }
    }
    if texts.is_empty() {
        return Err("no texts in the source".into());
    }
    let mut r = Words::new(7);
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    // Each text is a story published a few times in a row window: stories start in turn,
    // and each article is a copy of one of the last 50 stories started.
    for i in 0..n {
        let story = if i < 50 { i } else { i - 1 - r.below(50) };
        let base = &texts[story % texts.len()];
        let body = edit(base, &mut r, story as u64);
        let title: String = body.chars().take(60).collect();
        let line =
            serde_json::json!({"id": format!("nl-{i}"), "title": title, "text": body, "cluster": story});
        writeln!(w, "{line}")?;
    }
    Ok(())
}
