//! Behaviour of the copy-cluster index on fixtures built here: republishing edits that must
//! join (brief, honorifics, spellings, reordering, local paragraphs, other scripts), look-alikes
//! that must not (follow-ups reusing paragraphs, shared boilerplate, chains), the item
//! lifecycle (updates, withdrawals, horizon), determinism with snapshots, and bad input.
//!
//! Fixture articles are pseudo-text from a seeded generator: each story has its own words,
//! so any overlap between two docs is exactly what a test put there.

use wirefold_corpus::Words;
use wirefold_dedup::{ClusterId, Config, Doc, Event, EventKind, Index, Outcome};

// ---- fixtures -----------------------------------------------------------------------

const SYL: &[&str] = &[
    "ka", "lo", "mi", "ran", "tu", "vek", "sor", "pla", "din", "gre", "hu", "jon", "bel", "cas", "fen",
    "wir", "xo", "nu", "pet", "qua",
];
const GLUE: &[&str] = &["the", "of", "and", "to", "in", "a", "for", "with", "on", "was"];

fn word(r: &mut Words) -> String {
    (0..2 + r.below(2)).map(|_| SYL[r.below(SYL.len())]).collect()
}

/// A story of `n` paragraphs of about 40 words; `seed` picks its words.
fn story(seed: u64, n: usize) -> Vec<String> {
    let mut r = Words::new(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5555);
    (0..n)
        .map(|_| {
            let mut p = Vec::new();
            for _ in 0..40 {
                if r.below(3) == 0 {
                    p.push(GLUE[r.below(GLUE.len())].to_string());
                }
                p.push(word(&mut r));
            }
            let mut s = p.join(" ");
            s.push('.');
            s
        })
        .collect()
}

fn body(paras: &[String]) -> String {
    paras.join("\n\n")
}

const TRAILER: &str = "Copyright 2025 The Wire Agency. All rights reserved. This material may not be \
    published, broadcast, rewritten or redistributed without permission of the agency or its partners.";

/// Feeds (id, body) docs in order; returns each doc's cluster.
fn run(ix: &mut Index, docs: &[(&str, String)]) -> Vec<Option<ClusterId>> {
    docs.iter()
        .map(|(id, b)| {
            ix.apply(&Doc {
                id,
                uri: id,
                body: b,
                ..Doc::default()
            })
            .cluster
        })
        .collect()
}

fn clusters(docs: &[(&str, String)]) -> Vec<Option<ClusterId>> {
    run(&mut Index::new(Config::default()), docs)
}

/// Expects docs with the same group letter in one cluster and different letters apart.
fn check(groups: &str, docs: &[(&str, String)]) {
    let got = clusters(docs);
    let g: Vec<char> = groups.chars().collect();
    assert_eq!(g.len(), docs.len());
    for i in 0..docs.len() {
        for j in i + 1..docs.len() {
            let same = got[i] == got[j];
            assert_eq!(
                same,
                g[i] == g[j],
                "{} and {} (groups {groups}, got {got:?})",
                docs[i].0,
                docs[j].0
            );
        }
    }
}

// ---- copies that must join ----------------------------------------------------------

#[test]
fn lead_only_brief_joins_its_story() {
    let s = story(1, 18);
    check(
        "aab",
        &[
            ("full", body(&s)),
            ("brief", body(&s[..6])),
            ("other", body(&story(2, 18))),
        ],
    );
    // Brief first, full story later.
    check("aa", &[("brief", body(&s[..6])), ("full", body(&s))]);
}

#[test]
fn honorifics_spellings_and_formatting_join() {
    let mut s = story(3, 12);
    s[1] = "Viktor Zelenskiy said the colour of the centre of the organisation had changed by 5 per cent \
            to 1,000 people on June 17."
        .into();
    let mut c = s.clone();
    c[1] = "Mr Zelensky told \u{201c}the color\u{201d} of the center of the organization had changed by 5% \
            to 1000 people on June 17."
        .into();
    c.swap(4, 7);
    c.insert(3, story(4, 1).remove(0));
    c.push(TRAILER.into());
    let shouty = c.iter().map(|p| p.to_uppercase()).collect::<Vec<_>>();
    check(
        "aaa",
        &[("orig", body(&s)), ("copy", body(&c)), ("caps", body(&shouty))],
    );
}

#[test]
fn other_scripts_join_their_copies_only() {
    let ru = "Президент Украины Владимир Зеленский заявил в понедельник, что переговоры в Женеве \
              прошли конструктивно и стороны согласовали обновлённую рамку мирного плана.\n\n\
              По его словам, делегация вернётся в Киев, чтобы доложить о результатах встречи.";
    let zh = "乌克兰总统泽连斯基星期一表示日内瓦会谈富有建设性双方同意修改和平计划框架。\n\n\
              他说代表团将返回基辅汇报会谈结果并与欧洲盟友协调立场。";
    let ar = "قال الرئيس الأوكراني فولوديمير زيلينسكي يوم الاثنين إن المحادثات في جنيف كانت بناءة \
              وإن الجانبين اتفقا على إطار معدل لخطة السلام.\n\nوأضاف أن الوفد سيعود إلى كييف.";
    let ru2 = format!("{ru}\n\nИсточник: агентство.");
    let zh2 = format!("{zh}\n\n来源：通讯社。");
    let ar2 = format!("{ar}\n\nالمصدر: وكالة.");
    check(
        "abcabc",
        &[
            ("ru", ru.into()),
            ("zh", zh.into()),
            ("ar", ar.into()),
            ("ru2", ru2),
            ("zh2", zh2),
            ("ar2", ar2),
        ],
    );
}

// ---- look-alikes that must stay apart -----------------------------------------------

#[test]
fn follow_up_reusing_paragraphs_stays_apart() {
    let s = story(5, 20);
    for reused in [1usize, 2, 4, 6] {
        let mut f = story(6 + reused as u64, 20);
        for k in 0..reused {
            f.insert(12, s[2 + 3 * k].clone());
        }
        check("ab", &[("story", body(&s)), ("follow-up", body(&f))]);
    }
}

#[test]
fn shared_boilerplate_does_not_join_unrelated_stories() {
    // News-length stories with the same trailer and site chrome.
    let docs: Vec<(&str, String)> = ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut s = story(100 + i as u64, 8);
            s.insert(
                0,
                "Skip to main content. Sign up for our newsletter. Accept cookies.".into(),
            );
            s.push(TRAILER.into());
            (*id, body(&s))
        })
        .collect();
    check("abcdefgh", &docs);
    // Once the boilerplate is known, even short stories carrying it stay apart.
    let mut ix = Index::new(Config::default());
    run(&mut ix, &docs);
    let short: Vec<(&str, String)> = ["s1", "s2", "s3"]
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, body(&[story(200 + i as u64, 1).remove(0), TRAILER.into()])))
        .collect();
    let got = run(&mut ix, &short);
    assert!(
        got[0] != got[1] && got[1] != got[2] && got[0] != got[2],
        "{got:?}"
    );
}

#[test]
fn copies_of_copies_do_not_chain() {
    // Each doc keeps 10 of the previous doc's 16 paragraphs and adds 6 new ones.
    let mut prev = story(300, 16);
    let mut docs = vec![("d0".to_string(), body(&prev))];
    for i in 1..6u64 {
        let mut next: Vec<String> = prev[6..].to_vec();
        next.extend(story(300 + i, 6));
        docs.push((format!("d{i}"), body(&next)));
        prev = next;
    }
    let refs: Vec<(&str, String)> = docs.iter().map(|(i, b)| (i.as_str(), b.clone())).collect();
    let got = clusters(&refs);
    assert_eq!(got[0], got[1], "direct copy joins");
    assert_ne!(got[0], got[4], "d4 shares nothing with d0: {got:?}");
    assert_ne!(got[0], got[5], "{got:?}");
}

#[test]
fn bridging_doc_merges_two_parts_of_one_story() {
    let s = story(400, 18);
    let out: Vec<Outcome> = {
        let mut ix = Index::new(Config::default());
        [
            // Two overlapping parts: the second does not join the first (it holds only
            // 6 of its 10 paragraphs, a minority block of its own 14); the full story
            // opens with the first and holds all of the second, and holds both whole.
            ("lead", body(&s[..10])),
            ("tail", body(&s[4..])),
            ("full", body(&s)),
        ]
        .iter()
        .map(|(id, b)| {
            ix.apply(&Doc {
                id,
                body: b,
                ..Doc::default()
            })
        })
        .collect()
    };
    assert_ne!(out[0].cluster, out[1].cluster);
    let merged: Vec<&Event> = out[2]
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Merged)
        .collect();
    assert_eq!(merged.len(), 1, "{:?}", out[2].events);
    assert!(merged[0].reason.is_some());
    assert_eq!(out[2].cluster, out[0].cluster, "the older cluster survives");
    assert_eq!(
        merged[0].merged_from,
        vec![out[1].cluster.unwrap_or(ClusterId(0))]
    );
    assert_eq!(merged[0].members.len(), 3);
}

// ---- lifecycle ------------------------------------------------------------------------

fn doc<'a>(id: &'a str, uri: &'a str, b: &'a str, t: i64) -> Doc<'a> {
    Doc {
        id,
        uri,
        body: b,
        published_ms: Some(t),
        received_ms: t,
        ..Doc::default()
    }
}

#[test]
fn update_replaces_the_member() {
    let s = story(500, 12);
    let mut v2 = s.clone();
    v2.push(story(501, 1).remove(0));
    v2[3] = "Corrected paragraph with entirely fresh wording here.".into();
    let (a, b, c) = (body(&s), body(&s[..8]), body(&v2));
    let mut ix = Index::new(Config::default());
    let o1 = ix.apply(&doc("a1", "urn:a", &a, 1000));
    let o2 = ix.apply(&doc("b1", "urn:b", &b, 2000));
    let o3 = ix.apply(&doc("a2", "urn:a", &c, 3000));
    assert_eq!(o1.cluster, o2.cluster);
    assert_eq!(o3.cluster, o1.cluster);
    let e = &o3.events[0];
    assert_eq!(
        (e.kind, e.version, e.members.len()),
        (EventKind::MemberUpdated, 3, 2)
    );
    assert!(e.members.iter().any(|m| m.id == "a2") && !e.members.iter().any(|m| m.id == "a1"));
    assert_eq!(e.canonical, "a2", "the updated original stays canonical");
}

#[test]
fn update_that_no_longer_matches_leaves_its_cluster() {
    let s = story(510, 12);
    let (a, b, other) = (body(&s), body(&s), body(&story(511, 12)));
    let mut ix = Index::new(Config::default());
    let o1 = ix.apply(&doc("a", "urn:a", &a, 1000));
    ix.apply(&doc("b1", "urn:b", &b, 2000));
    let o3 = ix.apply(&doc("b2", "urn:b", &other, 3000));
    let kinds: Vec<EventKind> = o3.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![EventKind::MemberRemoved, EventKind::Created]);
    assert_eq!(o3.events[0].cluster, o1.cluster.unwrap_or(ClusterId(0)));
    assert_eq!(
        o3.events[0].reason.as_deref(),
        Some("updated version no longer matches")
    );
    assert_ne!(o3.cluster, o1.cluster);
    // A lone member stays whatever it becomes.
    let o4 = ix.apply(&doc("b3", "urn:b", &a, 4000));
    assert_eq!(o4.cluster, o3.cluster);
    assert_eq!(o4.events[0].kind, EventKind::MemberUpdated);
}

#[test]
fn withdrawals_remove_members_and_leave_tombstones() {
    let s = body(&story(520, 10));
    let mut ix = Index::new(Config::default());
    let o1 = ix.apply(&doc("a", "urn:a", &s, 1000));
    let o2 = ix.apply(&doc("b", "urn:b", &s, 2000));
    let w = ix.apply(&Doc {
        canceled: true,
        ..doc("a-kill", "urn:a", "", 3000)
    });
    assert_eq!(w.cluster, o1.cluster);
    let e = &w.events[0];
    assert_eq!(
        (e.kind, e.reason.as_deref()),
        (EventKind::MemberRemoved, Some("withdrawn"))
    );
    assert_eq!((e.canonical.as_str(), e.members.len(), e.version), ("b", 1, 3));
    // The withdrawn item does not come back; its copy still gathers new copies.
    assert_eq!(
        ix.apply(&doc("a-again", "urn:a", &s, 4000)),
        Outcome {
            cluster: None,
            events: vec![]
        }
    );
    assert_eq!(ix.apply(&doc("c", "urn:c", &s, 5000)).cluster, o2.cluster);
    // Withdrawal before the item: remembered, the item is dropped.
    let early = ix.apply(&Doc {
        canceled: true,
        ..doc("x-kill", "urn:x", "", 6000)
    });
    assert_eq!(
        early,
        Outcome {
            cluster: None,
            events: vec![]
        }
    );
    assert_eq!(ix.apply(&doc("x", "urn:x", &s, 7000)).cluster, None);
    assert_eq!(ix.stats().dropped, 2);
    // Last member withdrawn: the cluster goes.
    let solo = body(&story(521, 10));
    let o = ix.apply(&doc("s", "urn:s", &solo, 8000));
    let w = ix.apply(&Doc {
        canceled: true,
        ..doc("s-kill", "urn:s", "", 9000)
    });
    assert_eq!(w.cluster, o.cluster);
    assert!(w.events[0].members.is_empty() && w.events[0].canonical.is_empty());
}

#[test]
fn clusters_leave_after_the_horizon_in_event_time() {
    let s = body(&story(530, 10));
    let day = 86_400_000i64;
    let mut ix = Index::new(Config::default());
    let o1 = ix.apply(&doc("a", "urn:a", &s, 0));
    let o2 = ix.apply(&doc("b", "urn:b", &s, 6 * day));
    assert_eq!(o1.cluster, o2.cluster);
    // Unrelated news moves event time on: 6 + 7 days later the cluster is gone.
    ix.apply(&doc("z", "urn:z", &body(&story(531, 10)), 13 * day + 1));
    assert_eq!(ix.stats().expired_clusters, 1);
    let o3 = ix.apply(&doc("c", "urn:c", &s, 13 * day + 2));
    assert_ne!(o3.cluster, o1.cluster);
    assert_eq!(o3.events[0].kind, EventKind::Created);
    // Memory is bounded by the horizon.
    let mut ix = Index::new(Config {
        horizon_secs: 3600,
        ..Config::default()
    });
    for i in 0..400i64 {
        let id = format!("d{i}");
        ix.apply(&doc(&id, &id, &body(&story(1000 + i as u64, 6)), i * 600_000));
    }
    assert!(ix.stats().members <= 8, "{:?}", ix.stats());
}

#[test]
fn canonical_is_earliest_published_then_longest() {
    let s = story(540, 12);
    let (full, brief) = (body(&s), body(&s[..5]));
    let mut ix = Index::new(Config::default());
    ix.apply(&doc("late-full", "u1", &full, 5000));
    let o = ix.apply(&doc("early-brief", "u2", &brief, 1000));
    assert_eq!(o.events[0].canonical, "early-brief");
    assert_eq!(o.events[0].members[0].id, "early-brief");
    let o = ix.apply(&doc("same-time-full", "u3", &full, 1000));
    assert_eq!(o.events[0].canonical, "same-time-full");
    assert!(
        o.events[0]
            .members
            .iter()
            .all(|m| (0.0..=1.0).contains(&m.similarity))
    );
    assert!(o.events[0].members.iter().skip(1).all(|m| m.similarity >= 0.5));
}

#[test]
fn archive_copies_keep_the_order_they_were_published_in() {
    // Both copies are years older than their arrival, so their event times are held at the
    // receive window's edge, the later-published one received first: the canonical is the
    // one published first, whatever the milliseconds between the arrivals.
    let s = story(560, 12);
    let full = body(&s);
    const DAY: i64 = 86_400_000;
    let now = 20_000 * DAY;
    let archived = |id: &'static str, published: i64, received: i64| Doc {
        id,
        uri: id,
        body: &full,
        published_ms: Some(published),
        received_ms: received,
        ..Doc::default()
    };
    let mut ix = Index::new(Config::default());
    ix.apply(&archived("republished", 15_000 * DAY + 9 * 3_600_000, now));
    let o = ix.apply(&archived("original", 15_000 * DAY, now + 5));
    assert_eq!(o.events[0].canonical, "original");
    // Live copies are unaffected: the earliest event time.
    let mut ix = Index::new(Config::default());
    ix.apply(&doc("second", "u1", &full, now + 60_000));
    let o = ix.apply(&doc("first", "u2", &full, now));
    assert_eq!(o.events[0].canonical, "first");
}

// ---- determinism and snapshots --------------------------------------------------------

/// A mixed stream: stories, copies, briefs, follow-ups, updates, withdrawals, empties.
fn stream() -> Vec<(String, String, String, i64, bool)> {
    let mut r = Words::new(77);
    let mut out = Vec::new();
    let mut stories: Vec<Vec<String>> = Vec::new();
    for i in 0..260u64 {
        let t = i as i64 * 3_600_000;
        let roll = r.below(10);
        let (uri, text, cancel) = if stories.is_empty() || roll < 3 {
            stories.push(story(2000 + i, 6 + r.below(10)));
            (
                format!("u{i}"),
                body(stories.last().map_or(&[][..], |s| &s[..])),
                false,
            )
        } else if roll < 6 {
            let s = &stories[r.below(stories.len())];
            let cut = 2 + r.below(s.len() - 1);
            (format!("u{i}"), body(&s[..cut]), false)
        } else if roll < 7 {
            let mut f = story(3000 + i, 8);
            let s = &stories[r.below(stories.len())];
            f.insert(4, s[0].clone());
            (format!("u{i}"), body(&f), false)
        } else if roll < 8 {
            let j = r.below(i as usize);
            let s = &stories[r.below(stories.len())];
            (format!("u{j}"), body(s), false)
        } else if roll < 9 {
            (format!("u{}", r.below(i as usize + 5)), String::new(), true)
        } else {
            (
                format!("u{i}"),
                ["", "word", "two words"][r.below(3)].to_string(),
                false,
            )
        };
        out.push((format!("d{i}"), uri, text, t, cancel));
    }
    out
}

fn apply_all(ix: &mut Index, s: &[(String, String, String, i64, bool)]) -> Vec<Outcome> {
    s.iter()
        .map(|(id, uri, text, t, cancel)| {
            ix.apply(&Doc {
                id,
                uri,
                title: id,
                body: text,
                published_ms: Some(*t),
                received_ms: *t,
                source: Some("wire"),
                url: None,
                canceled: *cancel,
            })
        })
        .collect()
}

fn cfg() -> Config {
    // A short horizon so expiry happens inside the stream.
    Config {
        horizon_secs: 48 * 3600,
        ..Config::default()
    }
}

#[test]
fn same_stream_same_events() {
    let s = stream();
    let a = apply_all(&mut Index::new(cfg()), &s);
    let b = apply_all(&mut Index::new(cfg()), &s);
    assert_eq!(a, b);
    let kinds: std::collections::HashSet<String> = a
        .iter()
        .flat_map(|o| o.events.iter().map(|e| format!("{:?}", e.kind)))
        .collect();
    for k in ["Created", "MemberAdded", "MemberUpdated", "MemberRemoved"] {
        assert!(kinds.contains(k), "stream exercises {k}: {kinds:?}");
    }
}

#[test]
fn snapshot_restore_replay_matches_uninterrupted_run() {
    let s = stream();
    let full = apply_all(&mut Index::new(cfg()), &s);
    for split in [0usize, 1, 37, 100, 181, 259, s.len()] {
        let mut ix = Index::new(cfg());
        let mut got = apply_all(&mut ix, &s[..split]);
        let snap = ix.snapshot();
        let mut back = Index::restore(cfg(), &snap).unwrap_or_else(|e| panic!("restore at {split}: {e}"));
        assert_eq!(back.snapshot(), snap, "snapshot round trip at {split}");
        got.extend(apply_all(&mut back, &s[split..]));
        assert_eq!(got.len(), full.len());
        for (i, (g, f)) in got.iter().zip(&full).enumerate() {
            assert_eq!(g, f, "split {split}, doc {i}");
        }
    }
}

#[test]
fn snapshot_copy_encodes_the_state_when_it_was_taken() {
    let s = stream();
    let mut ix = Index::new(cfg());
    apply_all(&mut ix, &s[..150]);
    let snap = ix.snapshot();
    let copy = ix.snapshot_copy();
    // The index goes on folding; the copy still encodes the state it was taken at.
    apply_all(&mut ix, &s[150..]);
    assert_ne!(ix.snapshot(), snap, "the rest of the stream changes the index");
    assert_eq!(copy.encode(), snap);
    assert_eq!(ix.snapshot_copy().encode(), ix.snapshot());
}

#[test]
fn restore_rejects_bad_bytes() {
    let mut ix = Index::new(cfg());
    apply_all(&mut ix, &stream()[..80]);
    let snap = ix.snapshot();
    assert!(Index::restore(cfg(), &[]).is_err());
    assert!(Index::restore(cfg(), b"not a snapshot at all").is_err());
    for cut in [1, 9, snap.len() / 2, snap.len() - 1] {
        assert!(Index::restore(cfg(), &snap[..cut]).is_err(), "truncated at {cut}");
    }
    let mut r = Words::new(9);
    for _ in 0..200 {
        let mut bad = snap.clone();
        let at = r.below(bad.len());
        bad[at] ^= 1 << r.below(8);
        assert!(Index::restore(cfg(), &bad).is_err(), "flipped byte {at}");
    }
    // A snapshot of the format before segments and the script-aware tokenizer (2) is
    // refused, whatever its checksum: the deduplicator then rebuilds from its input.
    let mut old = snap.clone();
    old[8] = 2;
    let body = old.len() - 8;
    let sum = xxhash_rust::xxh3::xxh3_64(&old[..body]).to_le_bytes();
    old[body..].copy_from_slice(&sum);
    let err = Index::restore(cfg(), &old).expect_err("format 2 is refused");
    assert!(err.to_string().contains("format version 2"), "{err}");
    let other = Config {
        shingle_len: 5,
        ..cfg()
    };
    assert!(matches!(
        Index::restore(other, &snap),
        Err(wirefold_dedup::SnapshotError::ConfigMismatch(_))
    ));
    let other = Config {
        arabic_shingle_len: 3,
        ..cfg()
    };
    assert!(matches!(
        Index::restore(other, &snap),
        Err(wirefold_dedup::SnapshotError::ConfigMismatch(_))
    ));
    // Horizon and thresholds may change across a restore.
    assert!(
        Index::restore(
            Config {
                horizon_secs: 10,
                ..cfg()
            },
            &snap
        )
        .is_ok()
    );
}

/// Found by the `snapshot` fuzz target (fuzz/, FUZZING.md): an anchor-key delta near
/// `u64::MAX` overflowed the running key (a panic with overflow checks, a wrapped key
/// accepted without them). The body is the fuzzer's input; magic and checksum are added
/// here as the encoder writes them, so the decoder itself is reached.
#[test]
fn restore_refuses_an_anchor_key_delta_that_would_wrap() {
    let body: String = [
        "020430a001a09c010800cdb810fe000200ae17f40001912e8f20dc24e9af000880a4cbf1660805040001020500026130",
        "0a75726e3a6465653a7330214300000000000000617070726f76657320686172626f7572206275646765742030000001",
        "80e4ff8fef6680e4ff8fef66140000030cb1a5298caeae8e018ecedd05b6acffffffffffffff3bc1c4edf1029290c477",
        "fe9db2a601aea39d46b0e7b235eeb8f9d902adbfc2b202abaa6a3f01010261310a75726e3a736565643a3121436f756e",
        "63696c20617070726f76656172626f7572206275646765742030000001ff8fef6614000003c4edf1029290c477fe9db2",
        "a601626f7572fe20627564676574203000",
    ]
    .concat();
    let mut bytes = b"WFDDSNAP".to_vec();
    bytes.extend(
        (0..body.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&body[i..i + 2], 16).unwrap()),
    );
    let sum = xxhash_rust::xxh3::xxh3_64(&bytes);
    bytes.extend_from_slice(&sum.to_le_bytes());
    assert!(Index::restore(cfg(), &bytes).is_err());
    assert!(Index::restore(Config::default(), &bytes).is_err());
}

// ---- bad input ------------------------------------------------------------------------

#[test]
fn empty_and_tiny_docs_are_singletons() {
    let mut ix = Index::new(Config::default());
    let docs = ["", "", "word", "word", "   \n\n  ", "two words"];
    let got: Vec<_> = docs
        .iter()
        .enumerate()
        .map(|(i, b)| {
            ix.apply(&Doc {
                id: &format!("e{i}"),
                body: b,
                ..Doc::default()
            })
        })
        .collect();
    for (i, o) in got.iter().enumerate() {
        assert_eq!(o.events[0].kind, EventKind::Created, "doc {i}");
    }
    let ids: std::collections::HashSet<_> = got.iter().map(|o| o.cluster).collect();
    assert_eq!(ids.len(), docs.len());
    assert_eq!(ix.stats().postings, 0);
}

#[test]
fn huge_article_is_bounded() {
    let big: String = story(600, 30).join("\n\n").repeat(600);
    assert!(big.len() > 5_000_000);
    let mut ix = Index::new(Config::default());
    let o = ix.apply(&Doc {
        id: "big",
        body: &big,
        title: &big,
        ..Doc::default()
    });
    assert_eq!(o.events[0].kind, EventKind::Created);
    assert!(o.events[0].cause.title.len() <= Config::default().max_field_bytes);
    assert!(ix.stats().postings < 200, "{:?}", ix.stats());
    assert!(ix.stats().heap_bytes < 100_000);
    // A normal copy of its start still finds it.
    let start = story(600, 30).join("\n\n");
    assert_eq!(
        ix.apply(&Doc {
            id: "start",
            body: &start,
            ..Doc::default()
        })
        .cluster,
        o.cluster
    );
}

#[test]
fn one_article_ten_thousand_times_is_one_cluster_at_bounded_cost() {
    let s = body(&story(700, 12));
    let cfgd = Config::default();
    let mut ix = Index::new(cfgd.clone());
    let mut first = None;
    for i in 0..10_000 {
        let id = format!("r{i}");
        let o = ix.apply(&Doc {
            id: &id,
            body: &s,
            ..Doc::default()
        });
        first.get_or_insert(o.cluster);
        assert_eq!(Some(o.cluster), first);
        assert!(o.events.iter().all(|e| e.members.len() <= cfgd.max_event_members));
    }
    let st = ix.stats();
    assert_eq!((st.clusters, st.members), (1, 10_000));
    assert!(st.indexed <= cfgd.max_indexed_per_cluster);
    assert!(st.heap_bytes / 10_000 < 1_000, "{st:?}");
}
