//! Accuracy floors on shared data, read through environment variables:
//! `WIREFOLD_DATA` (the directory holding `newscopy-dev.jsonl`) and `WIREFOLD_SEEDS` (the
//! five seed articles). When a variable is unset the test prints `skipped: ...` and
//! passes; when it names a folder that does not exist, the test fails.
//!
//! The dev set is fed as a stream in file order, each article placed when it arrives,
//! and scored against the gold `copy` labels with pairwise and B-cubed measures.

use std::path::PathBuf;

use wirefold_dedup::eval::score;
use wirefold_dedup::{Config, Doc, Index};

fn env_dir(var: &str, test: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(v) => {
            let dir = PathBuf::from(v);
            assert!(dir.is_dir(), "{var}={} is not a directory", dir.display());
            Some(dir)
        }
        None => {
            eprintln!("skipped: {test}: {var} is not set (.ci/run sets it)");
            None
        }
    }
}

#[test]
fn dev_set_copy_accuracy_floors() {
    let Some(dir) = env_dir("WIREFOLD_DATA", "dev_set_copy_accuracy_floors") else {
        return;
    };
    let path = dir.join("newscopy-dev.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut ix = Index::new(Config::default());
    let (mut gold, mut pred) = (Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("dev line is json");
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("");
        let published = wirefold_wire::time::parse_ms(s("published"));
        let out = ix.apply(&Doc {
            id: s("id"),
            uri: s("url"),
            title: s("title"),
            body: s("text"),
            published_ms: published,
            received_ms: published.unwrap_or(0),
            source: Some(s("source")),
            url: Some(s("url")),
            canceled: false,
        });
        gold.push(s("copy").to_string());
        pred.push(out.cluster.expect("every dev article gets a cluster"));
    }
    assert!(gold.len() > 800, "dev set has {} articles", gold.len());
    let sc = score(&gold, &pred);
    eprintln!("dev copy accuracy: {sc:?}");
    assert!(sc.pair_precision >= 0.995, "pairwise precision {sc:?}");
    assert!(sc.pair_f1 >= 0.99, "pairwise F1 {sc:?}");
    assert!(sc.b3_f1 >= 0.995, "B-cubed F1 {sc:?}");
}

#[test]
fn seeds_fold_the_republication_only() {
    let Some(dir) = env_dir("WIREFOLD_SEEDS", "seeds_fold_the_republication_only") else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "five seed articles");
    let mut ix = Index::new(Config::default());
    let mut got = Vec::new();
    for f in &files {
        let raw = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("read {}: {e}", f.display()));
        // Minimal paragraph split: trimmed non-empty lines, blank-line separated. Chrome
        // lines stay in.
        let body: Vec<&str> = raw.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let body = body.join("\n\n");
        let id = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        got.push(
            ix.apply(&Doc {
                id: &id,
                body: &body,
                ..Doc::default()
            })
            .cluster,
        );
    }
    assert_eq!(got[0], got[1], "000 and 001 are one story: {got:?}");
    for i in 1..5 {
        for j in i + 1..5 {
            assert_ne!(got[i], got[j], "seeds {i} and {j} are different stories: {got:?}");
        }
    }
}

#[test]
fn seeds_fold_the_republication_after_cleaning() {
    // What the pipeline does: the text cleaner first, then the index.
    let Some(dir) = env_dir("WIREFOLD_SEEDS", "seeds_fold_the_republication_after_cleaning") else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "five seed articles");
    let mut ix = Index::new(Config::default());
    let mut got = Vec::new();
    let mut bodies = Vec::new();
    for f in &files {
        let raw = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("read {}: {e}", f.display()));
        let body = wirefold_extract::extract_text(&raw, None)
            .unwrap_or_else(|e| panic!("extract {}: {e}", f.display()))
            .body;
        let id = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        got.push(
            ix.apply(&Doc {
                id: &id,
                body: &body,
                ..Doc::default()
            })
            .cluster,
        );
        bodies.push(body);
    }
    let sim = wirefold_dedup::text_similarity(&Config::default(), &bodies[0], &bodies[1]);
    eprintln!("seeds 000/001 after cleaning: {sim:?}");
    assert!(sim.copy, "{sim:?}");
    assert_eq!(got[0], got[1], "000 and 001 are one story: {got:?}");
    for i in 1..5 {
        for j in i + 1..5 {
            assert_ne!(got[i], got[j], "seeds {i} and {j} are different stories: {got:?}");
        }
    }
}

/// The dev set's originals (first article of each gold copy group), paragraphs split, by
/// gold story, in file order.
fn originals_by_story(dir: &std::path::Path) -> Vec<Vec<Vec<String>>> {
    let path = dir.join("newscopy-dev.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut seen = std::collections::HashSet::new();
    let mut stories: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("dev line is json");
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        if !seen.insert(s("copy")) {
            continue;
        }
        let paras: Vec<String> = s("text")
            .lines()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        if paras.len() < 5 {
            continue;
        }
        match stories.iter_mut().find(|(k, _)| *k == s("story")) {
            Some((_, v)) => v.push(paras),
            None => stories.push((s("story"), vec![paras])),
        }
    }
    stories.into_iter().map(|(_, v)| v).collect()
}

/// The largest containment the copy rule measures between two texts, the second placed
/// after the first in an index of their own.
fn most_shared(a: &[String], b: &[String]) -> f32 {
    let mut alone = Index::new(Config::default());
    for (id, ps) in [("a", a), ("b", b)] {
        alone.apply(&Doc {
            id,
            body: &ps.join("\n\n"),
            ..Doc::default()
        });
    }
    alone
        .verdicts()
        .iter()
        .map(|v| v.containment)
        .fold(0.0f32, f32::max)
}

fn words(ps: &[String]) -> usize {
    ps.iter().map(|p| p.split_whitespace().count()).sum()
}

/// Follow-ups built from the dev set: another article of the same story with a run of the
/// earlier article's paragraphs embedded (30-40% of the follow-up's words), after its own
/// lead; and two rewrites of one article (each keeps its own lead and ending, about half of
/// the article's paragraphs word for word, a quarter reworded). No follow-up may join the
/// article it quotes; a few rewrite pairs, which straddle the copy bar by construction, are
/// tolerated. Articles whose own texts already share more than a tenth (versions of one
/// agency story in ECB+) are left out: with an earlier text added they are longer versions.
#[test]
fn follow_ups_and_rewrites_of_one_release_stay_apart() {
    const SEEDS: u64 = 8;
    let Some(dir) = env_dir(
        "WIREFOLD_DATA",
        "follow_ups_and_rewrites_of_one_release_stay_apart",
    ) else {
        return;
    };
    let stories = originals_by_story(&dir);
    let (mut pairs, mut joined) = (0, Vec::new());
    let (mut follow_ups, mut related, mut joined_follow_ups) = (0, 0, Vec::<String>::new());
    // Eight draws of the probe: which paragraphs are quoted, where, and which are kept or
    // reworded are random, and one draw says little about a rate of one in a hundred.
    for seed in 1..=SEEDS {
        let mut rng = wirefold_corpus::Rng::new(seed);
        let mut rnd = |n: usize| rng.below(n.max(1));
        for (si, arts) in stories.iter().enumerate().filter(|(_, a)| a.len() >= 3) {
            let mut ix = Index::new(Config::default());
            let put = |ix: &mut Index, id: &str, ps: &[String]| {
                ix.apply(&Doc {
                    id,
                    body: &ps.join("\n\n"),
                    ..Doc::default()
                })
                .cluster
            };
            if si % 2 == 0 {
                let y = &arts[0];
                let cy = put(&mut ix, "earlier", y);
                for (j, x) in arts[1..].iter().take(4).enumerate() {
                    let x: Vec<String> = if j % 2 == 1 {
                        x[..(x.len() / 3).max(2)].to_vec()
                    } else {
                        x.clone()
                    };
                    let fw = words(&x);
                    let mut block = None;
                    for _ in 0..20 {
                        let (mut s, mut b) = (rnd(y.len()), Vec::new());
                        while s < y.len()
                            && (words(&b) + words(&y[s..=s])) * 10 <= 4 * (fw + words(&b) + words(&y[s..=s]))
                        {
                            b.push(y[s].clone());
                            s += 1;
                        }
                        if !b.is_empty() && words(&b) * 10 >= 3 * (fw + words(&b)) {
                            block = Some(b);
                            break;
                        }
                    }
                    let Some(b) = block else { continue };
                    let at = 1 + rnd(x.len());
                    let f: Vec<String> = x[..at].iter().chain(&b).chain(&x[at..]).cloned().collect();
                    // Only a follow-up whose own text is its own: ECB+ articles of one event
                    // are sometimes versions of one agency story, and such an article with an
                    // earlier one's paragraphs added is a longer version, which is a copy.
                    if most_shared(y, &x) > 0.1 {
                        related += 1;
                        continue;
                    }
                    follow_ups += 1;
                    if put(&mut ix, &format!("follow-up {j}"), &f) == cy {
                        joined_follow_ups.push(format!("draw {seed} story {si} follow-up {j}"));
                    }
                }
            } else {
                let p = &arts[0];
                let mut rewrite = |x: &[String]| {
                    let mut out = vec![x[0].clone()];
                    for para in &p[1..] {
                        match rnd(4) {
                            0 | 1 => out.push(para.clone()),
                            2 => out.push(
                                para.split(' ')
                                    .enumerate()
                                    .map(|(k, w)| if k % 3 == 1 { "reportedly" } else { w })
                                    .collect::<Vec<_>>()
                                    .join(" "),
                            ),
                            _ => {}
                        }
                    }
                    out.extend(x[x.len() - 2..].iter().cloned());
                    out
                };
                // As above: the two outlets' own leads and endings must be their own.
                if most_shared(&arts[1], &arts[2]) > 0.1 {
                    related += 1;
                    continue;
                }
                let (a, b) = (rewrite(&arts[1]), rewrite(&arts[2]));
                pairs += 1;
                let ca = put(&mut ix, "outlet a", &a);
                if put(&mut ix, "outlet b", &b) == ca {
                    joined.push(format!("draw {seed} story {si} rewrites"));
                }
            }
        }
    }
    eprintln!(
        "{follow_ups} follow-ups, joined: {joined_follow_ups:?}; {pairs} rewrite pairs, joined: \
         {joined:?}; {related} left out (own texts sharing more than a tenth)"
    );
    assert!(follow_ups >= 40 * SEEDS as usize, "{follow_ups}");
    // A follow-up cut to a third of its article, with the most quoted (40%) and its own
    // text sharing a little with the earlier one, can reach the copy bar: 3 of 612 in these
    // eight draws. One in a hundred is the bound.
    assert!(
        joined_follow_ups.len() * 100 <= follow_ups,
        "{} of {follow_ups} follow-ups folded into the story they quote: {joined_follow_ups:?}",
        joined_follow_ups.len()
    );
    assert!(pairs >= 15 * SEEDS as usize, "{pairs}");
    // Two rewrites share about a third of their text word for word (a quarter of the
    // article's paragraphs kept by both, a sixteenth reworded alike), and by chance some
    // pairs reach the copy bar of half the smaller text: a few are tolerated.
    assert!(
        joined.len() * 8 <= pairs,
        "{} of {pairs} rewrite pairs joined: {joined:?}",
        joined.len()
    );
}

/// COUNTER (Urdu agency texts and newspaper texts, one paragraph each, `counter-dev` with
/// labelled pairs): wholly derived pairs are mostly put together, independently written
/// ones almost never.
#[test]
fn urdu_text_reuse_pairs() {
    let Some(dir) = env_dir("WIREFOLD_DATA", "urdu_text_reuse_pairs") else {
        return;
    };
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    };
    let mut ix = Index::new(Config::default());
    let mut at = std::collections::HashMap::new();
    for line in read("counter-dev.jsonl").lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let out = ix.apply(&Doc {
            id: &s("id"),
            body: &s("text"),
            ..Doc::default()
        });
        at.insert(s("id"), out.cluster);
    }
    let mut tally: std::collections::HashMap<String, (usize, usize)> = Default::default();
    for line in read("counter-dev.pairs.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let e = tally.entry(s("label")).or_default();
        e.0 += 1;
        e.1 += usize::from(at.contains_key(&s("a")) && at.get(&s("a")) == at.get(&s("b")));
    }
    eprintln!("counter-dev pairs (total, together): {tally:?}");
    let share = |k: &str| tally.get(k).map_or(0.0, |&(n, t)| t as f64 / n.max(1) as f64);
    assert!(share("WD") >= 0.65, "{tally:?}");
    assert!(share("ND") <= 0.05, "{tally:?}");
}
