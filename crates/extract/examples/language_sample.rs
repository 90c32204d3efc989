//! Agreement of [`detect_language`] (the first paragraphs, see
//! [`language_sample`]) with the first 2 KiB it read before, and with fixed prefixes of other
//! lengths, on every text found: `language_sample PATH...` where a PATH is a `*.txt` file,
//! a `*.jsonl` file (its `text` and `body` fields) or a directory of them (searched
//! recursively; `*.html` and `*.html.gz` files are extracted first). Prints one line per sample rule:
//! texts, languages that differ from the 2 KiB reference, and the detector's time (the
//! fastest of five rounds).

use std::path::Path;
use std::time::Instant;

use wirefold_extract::{Input, detect_language, extract, language_of, language_sample};

fn prefix(s: &str, n: usize) -> &str {
    let mut end = s.len().min(n);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn collect(p: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    if p.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(p)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.path());
        for e in entries {
            collect(&e.path(), out)?;
        }
        return Ok(());
    }
    let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "txt" => out.push(std::fs::read_to_string(p)?),
        "html" | "htm" | "gz" => {
            let mut bytes = std::fs::read(p)?;
            if ext == "gz" {
                if !p.to_string_lossy().ends_with(".html.gz") {
                    return Ok(());
                }
                let mut raw = Vec::new();
                std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut raw)?;
                bytes = raw;
            }
            if let Ok(e) = extract(&Input {
                bytes: &bytes,
                content_type: Some("text/html"),
                url: None,
            }) {
                out.push(e.body);
            }
        }
        "jsonl" => {
            for line in std::fs::read_to_string(p)?.lines() {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                for k in ["text", "body"] {
                    if let Some(t) = v.get(k).and_then(|t| t.as_str()) {
                        out.push(t.to_string());
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let mut texts = Vec::new();
    for a in std::env::args().skip(1) {
        collect(Path::new(&a), &mut texts)?;
    }
    texts.retain(|t| !t.trim().is_empty());
    let started = Instant::now();
    let reference: Vec<Option<String>> = texts.iter().map(|t| language_of(prefix(t, 2048))).collect();
    let ref_secs = started.elapsed().as_secs_f64();
    let mut langs: std::collections::BTreeMap<String, usize> = Default::default();
    for l in &reference {
        *langs
            .entry(l.clone().unwrap_or_else(|| "none".into()))
            .or_default() += 1;
    }
    println!(
        "{} texts; 2 KiB reference: {:.1} us/text; languages {langs:?}",
        texts.len(),
        ref_secs * 1e6 / texts.len().max(1) as f64
    );
    let report = |name: &str, f: &dyn Fn(&str) -> Option<String>, show: bool| {
        // The fastest of five rounds: the machine is shared.
        let mut secs = f64::MAX;
        let mut got = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            got = texts.iter().map(|t| f(t)).collect::<Vec<Option<String>>>();
            secs = secs.min(started.elapsed().as_secs_f64());
        }
        let differ: Vec<usize> = (0..texts.len()).filter(|&i| got[i] != reference[i]).collect();
        println!(
            "{name}: {} of {} differ from 2 KiB; {:.1} us/text",
            differ.len(),
            texts.len(),
            secs * 1e6 / texts.len().max(1) as f64
        );
        if show {
            for &i in differ.iter().take(20) {
                let t = prefix(&texts[i], 120).replace('\n', " / ");
                println!("  {:?} -> {:?}: {t}", reference[i], got[i]);
            }
        }
    };
    report(
        "detect_language (first paragraphs, 2 KiB unless sure of them)",
        &|t| detect_language(t),
        true,
    );
    let sampled: usize = texts.iter().map(|t| language_sample(t).len()).sum();
    println!("  mean first sample {} bytes", sampled / texts.len().max(1));
    report(
        "first paragraphs only",
        &|t| language_of(language_sample(t)),
        false,
    );
    for n in [256, 384, 512, 768, 1024] {
        report(&format!("first {n} bytes"), &|t| language_of(prefix(t, n)), false);
    }
    Ok(())
}
