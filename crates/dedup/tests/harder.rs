//! The copy rule on harder fixtures than `index.rs`: heavily edited lead-only briefs must
//! join their story, follow-ups that reuse two paragraphs must not, whatever the order of
//! arrival (a brief arriving first is joined by the full story when the story opens with
//! nearly all of it). The edits are the ones republishers make: a rewritten lead, "Mr" honorifics,
//! UK/US spelling and transliteration variants, reformatted numbers, curly quotes and HTML
//! entities, an agency trailer, a sidebar line with another story's headline.
//!
//! Fixture articles are pseudo-text from a seeded generator (each story its own words) with
//! English sentences carrying the variants, so any overlap is what a test put there. Cases
//! near the copy bar by construction take 24 draws and bound the share that goes the wrong
//! way, at the rate measured: one draw would say only whether that seed was lucky.

use wirefold_corpus::Words;
use wirefold_dedup::{ClusterId, Config, Doc, EventKind, Index, text_similarity};

const SYL: &[&str] = &[
    "ka", "lo", "mi", "ran", "tu", "vek", "sor", "pla", "din", "gre", "hu", "jon", "bel", "cas", "fen",
    "wir", "xo", "nu", "pet", "qua", "dro", "mel", "sta", "vin",
];
const GLUE: &[&str] = &[
    "the", "of", "and", "to", "in", "a", "for", "with", "on", "was", "said",
];

/// Sentences in US spelling with a person; `uk` turns them into the UK/agency variant.
const VARIANT: &[&str] = &[
    "Viktor Zelenskiy said the colour of the new centre was decided by 1,000 people.",
    "The organisation said its defence programme had grown by 5 per cent to $102m.",
    "\"We travelled to the theatre,\" Zelenskiy said of the labour talks.",
];

fn us(s: &str) -> String {
    s.replace("Zelenskiy said", "Mr Zelensky told")
        .replace("colour", "color")
        .replace("centre", "center")
        .replace("1,000", "1000")
        .replace("organisation", "organization")
        .replace("defence programme", "defense program")
        .replace("5 per cent", "5%")
        .replace("$102m", "$102 million")
        .replace("\"We", "\u{201c}We")
        .replace("theatre,\"", "theater,\u{201d}")
        .replace("travelled", "traveled")
        .replace("labour", "labor")
        .replace(" and ", " &amp; ")
}

fn word(r: &mut Words) -> String {
    (0..2 + r.below(2)).map(|_| SYL[r.below(SYL.len())]).collect()
}

/// A story of `n` paragraphs of about 30 words; every third carries a variant sentence.
fn story(seed: u64, n: usize) -> Vec<String> {
    let mut r = Words::new(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x7777);
    (0..n)
        .map(|i| {
            let mut p = Vec::new();
            for _ in 0..30 {
                if r.below(3) == 0 {
                    p.push(GLUE[r.below(GLUE.len())].to_string());
                }
                p.push(word(&mut r));
            }
            let mut s = p.join(" ");
            s.push('.');
            if i % 3 == 1 {
                s.push(' ');
                s.push_str(VARIANT[r.below(VARIANT.len())]);
            }
            s
        })
        .collect()
}

/// Changes about one word in `every` (a light rewrite).
fn rewrite(p: &str, seed: u64, every: usize) -> String {
    let mut r = Words::new(seed);
    p.split(' ')
        .map(|w| {
            if r.below(every) == 0 {
                word(&mut r)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Draws of a randomized case.
const DRAWS: u64 = 24;

const TRAILER: &str = "(Reporting by Jane Smith; Editing by Tom Brown)";

fn body(paras: &[String]) -> String {
    paras.join("\n\n")
}

/// Expects docs with the same group letter in one cluster and different letters apart,
/// once all have arrived (clusters merged later resolved to the one that survived).
fn check(groups: &str, docs: &[(&str, String)]) {
    if let Err(e) = outcome(groups, docs) {
        panic!("{e}");
    }
}

/// Where the copy rule's outcome on a kind of case depends on the draw (how many of a
/// paragraph's words an edit hit, how long the quoted paragraphs came out), a test takes
/// many draws and bounds the share that go the wrong way: `failed` of `draws`.
fn at_most(bound: usize, draws: usize, failed: &[String]) {
    eprintln!("{} of {draws} draws wrong: {failed:#?}", failed.len());
    assert!(
        failed.len() <= bound,
        "{} of {draws} draws wrong (at most {bound}): {failed:#?}",
        failed.len()
    );
}

/// [`check`] as a result: the first pair that is together or apart against `groups`.
fn outcome(groups: &str, docs: &[(&str, String)]) -> Result<(), String> {
    let mut ix = Index::new(Config::default());
    let mut survivor: std::collections::HashMap<ClusterId, ClusterId> = Default::default();
    let arrived: Vec<Option<ClusterId>> = docs
        .iter()
        .map(|(id, b)| {
            let out = ix.apply(&Doc {
                id,
                body: b,
                ..Doc::default()
            });
            for ev in out.events.iter().filter(|e| e.kind == EventKind::Merged) {
                for gone in &ev.merged_from {
                    survivor.insert(*gone, ev.cluster);
                }
            }
            out.cluster
        })
        .collect();
    let resolve = |mut c: ClusterId| {
        while let Some(&s) = survivor.get(&c) {
            c = s;
        }
        c
    };
    let got: Vec<Option<ClusterId>> = arrived.into_iter().map(|c| c.map(resolve)).collect();
    let g: Vec<char> = groups.chars().collect();
    assert_eq!(g.len(), docs.len());
    for i in 0..docs.len() {
        for j in i + 1..docs.len() {
            if (got[i] == got[j]) != (g[i] == g[j]) {
                let sim = text_similarity(&Config::default(), &docs[i].1, &docs[j].1);
                return Err(format!(
                    "{} and {} (groups {groups}) {}: {sim:?}",
                    docs[i].0,
                    docs[j].0,
                    if g[i] == g[j] { "apart" } else { "together" }
                ));
            }
        }
    }
    Ok(())
}

/// The first third of `s`, republished: lead rewritten, a word in twenty changed in the
/// rest, US spelling, a trailer and a sidebar headline of another story. (With a word in
/// twelve changed, under half of the brief survives in 4-token shingles: below the bar.)
fn brief(s: &[String], seed: u64) -> Vec<String> {
    let n = s.len() / 3;
    let mut b: Vec<String> = s[..n].iter().map(|p| us(p)).collect();
    b[0] = rewrite(&b[0], seed, 3);
    for (k, p) in b.iter_mut().enumerate().skip(1) {
        *p = rewrite(p, seed + k as u64, 20);
    }
    b.insert(2, "Read more: Dro mel sta vin in Kalopla talks".into());
    b.push(TRAILER.into());
    b
}

#[test]
fn lead_only_briefs_join_in_either_order() {
    let mut failed = Vec::new();
    for seed in 1..=DRAWS {
        let s = story(seed, 18);
        let other = story(seed + 1000, 18);
        if let Err(e) = outcome(
            "aab",
            &[
                ("full", body(&s)),
                ("brief", body(&brief(&s, seed))),
                ("other", body(&other)),
            ],
        ) {
            failed.push(format!("draw {seed}: {e}"));
        }
        // Brief first: the full story is a longer version of it (it opens with the brief's
        // text and holds nearly all of it), so it joins when the brief kept the story's
        // words; a brief reworded as heavily as `brief` is not "nearly all" of the story's
        // opening, and the longer story stays apart from it (the rule that keeps a
        // follow-up quoting a story's opening paragraphs apart).
        let light: Vec<String> = s[..s.len() / 3].iter().map(|p| us(p)).collect();
        check("aa", &[("brief", body(&light)), ("full", body(&s))]);
    }
    // A brief whose edits hit more of its words than usual keeps under half of its text
    // (2 of the 24 draws, at 0.48 and 0.49): at most one in eight.
    at_most(3, DRAWS as usize, &failed);
}

#[test]
fn reordered_quotes_and_local_paragraphs_join() {
    let s = story(20, 15);
    let mut c: Vec<String> = s.iter().map(|p| us(p)).collect();
    c.swap(3, 9);
    c.swap(5, 6);
    c.insert(4, story(21, 1).remove(0));
    c.insert(10, story(22, 1).remove(0));
    c.truncate(12);
    c.push(TRAILER.into());
    check("aa", &[("orig", body(&s)), ("copy", body(&c))]);
}

#[test]
fn follow_ups_reusing_two_paragraphs_stay_apart() {
    for seed in 1..=6u64 {
        let s = story(40 + seed, 18);
        // A full-length follow-up and a short one, each quoting two paragraphs.
        for len in [16usize, 5] {
            let mut f = story(60 + seed * 7 + len as u64, len);
            f.insert(len / 2, s[3].clone());
            f.insert(len / 2 + 1, s[7].clone());
            check("ab", &[("story", body(&s)), ("follow-up", body(&f))]);
            check("ab", &[("follow-up", body(&f)), ("story", body(&s))]);
        }
    }
}

#[test]
fn an_article_quoting_a_long_block_of_another_stays_apart_in_either_order() {
    // A story of five long paragraphs among fifteen short ones, and an article of its own
    // that quotes the five long ones in one block: over half of the story's text is in the
    // article, but in a quarter of its paragraphs. Whichever arrives first, they stay
    // apart (the story arriving second used to join the article).
    let mut failed = Vec::new();
    for seed in 1..=DRAWS {
        let p = story(3000 + seed, 25);
        let long: Vec<String> = (0..5).map(|i| format!("{} {}", p[2 * i], p[2 * i + 1])).collect();
        let short = p[10..25]
            .iter()
            .map(|x| x.split_whitespace().take(16).collect::<Vec<_>>().join(" ") + ".");
        let mut s: Vec<String> = Vec::new();
        for (k, x) in short.enumerate() {
            if k % 3 == 0 {
                s.push(long[k / 3].clone());
            }
            s.push(x);
        }
        let mut f = story(4000 + seed, 20);
        for (k, l) in long.iter().enumerate() {
            f.insert(10 + k, l.clone());
        }
        for order in [[("quoting", &f), ("story", &s)], [("story", &s), ("quoting", &f)]] {
            let docs = order.map(|(id, x)| (id, body(x)));
            if let Err(e) = outcome("ab", &docs) {
                failed.push(format!("draw {seed}: {e}"));
            }
        }
    }
    // Where the quoted paragraphs come out long against the story's own, the block is most
    // of the story (1 of the 48 draws and orders): at most one in sixteen.
    at_most(3, 2 * DRAWS as usize, &failed);
}

#[test]
fn brief_and_follow_up_of_one_story() {
    // The brief joins; a follow-up quoting the same lead paragraphs does not.
    let mut failed = Vec::new();
    for seed in 1..=DRAWS {
        let s = story(5000 + seed, 18);
        let mut f = story(6000 + seed, 16);
        f.insert(8, s[0].clone());
        f.insert(9, s[1].clone());
        if let Err(e) = outcome(
            "aab",
            &[
                ("full", body(&s)),
                ("brief", body(&brief(&s, seed))),
                ("follow-up", body(&f)),
            ],
        ) {
            failed.push(format!("draw {seed}: {e}"));
        }
    }
    // None of the 24 draws goes wrong; a brief edited harder than usual may (see above).
    at_most(1, DRAWS as usize, &failed);
}

#[test]
fn follow_up_holding_a_whole_short_brief_stays_apart() {
    // A two-paragraph brief of the lead joins its story (and represents it in the index);
    // a follow-up that quotes those same two paragraphs holds the whole brief, but is not a
    // copy of the story.
    for seed in 1..=4u64 {
        let s = story(120 + seed, 12);
        let short: Vec<String> = s[..2].to_vec();
        let mut f = story(140 + seed, 16);
        f.insert(6, s[0].clone());
        f.insert(7, s[1].clone());
        check(
            "aab",
            &[
                ("full", body(&s)),
                ("brief", body(&short)),
                ("follow-up", body(&f)),
            ],
        );
    }
}

#[test]
fn a_heavily_edited_copy_joins_its_story_whatever_the_order() {
    // A far version of a story (a third of its paragraphs new, the rest edited a word in
    // twelve: under half of the story survives, not a copy of it by itself) and a version
    // between the two (the story's paragraphs and the far version's, alternately: a copy of
    // each). After the in-between version, the three are one cluster, whether the far
    // version arrived before it (two clusters merged) or after (a plain join). The edits
    // are random, and in some draws more than half of the story survives them: that far
    // version is a copy by itself (5 of the first 24 draws), and the draw is passed over.
    let mut chains = 0;
    for seed in 1..=DRAWS {
        let s = story(500 + seed, 18);
        let fresh = story(700 + seed, 18);
        let far: Vec<String> = s
            .iter()
            .enumerate()
            .map(|(k, p)| {
                if k % 3 == 2 {
                    fresh[k].clone()
                } else {
                    rewrite(p, seed * 100 + k as u64, 12)
                }
            })
            .collect();
        if outcome("ab", &[("story", body(&s)), ("far", body(&far))]).is_err() {
            continue;
        }
        chains += 1;
        let mid = wirefold_corpus::alternate(&s, &far);
        check(
            "aaa",
            &[("story", body(&s)), ("far", body(&far)), ("mid", body(&mid))],
        );
        check(
            "aaa",
            &[("story", body(&s)), ("mid", body(&mid)), ("far", body(&far))],
        );
    }
    assert!(
        chains >= DRAWS / 2,
        "only {chains} draws of a far version that is no copy"
    );
}
