//! Deterministic synthetic news text for the tests and benchmarks of wirefold.
//!
//! One seeded generator ([`Rng`], xorshift64*) and one vocabulary serve every made-up text:
//! [`Words`] for test articles (random sentences, so that two articles share nothing by
//! chance), [`News`] for benchmark streams (English-like copy where a third of the articles
//! are copies or trimmed copies of recent ones). A seed replays the same text on every
//! machine, so a failing test or a benchmark run can be reproduced from it.
//!
//! No dependencies: the workers' binary links it for `wirefold bench`.

use std::collections::VecDeque;

/// A seeded pseudo-random stream (xorshift64*). Not for anything that must be unguessable.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A stream of its own for every seed (0 included).
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "Rng::below(0)");
        (self.next_u64() % n as u64) as usize
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Random word sentences for test articles: [`NOUNS`] and [`VERBS`], twelve to a sentence,
/// so that two articles of different seeds share no run of words by chance.
#[derive(Debug, Clone)]
pub struct Words(Rng);

impl Words {
    /// The stream of `seed`.
    pub fn new(seed: u64) -> Self {
        Words(Rng::new(seed))
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0.below(n)
    }

    /// One word of the vocabulary.
    pub fn word(&mut self) -> &'static str {
        let k = self.below(NOUNS.len() + VERBS.len());
        NOUNS.get(k).copied().unwrap_or_else(|| VERBS[k - NOUNS.len()])
    }

    /// `n` words and "today.".
    pub fn sentence(&mut self, n: usize) -> String {
        let mut s: Vec<&str> = (0..n).map(|_| self.word()).collect();
        s.push("today");
        let mut t = s.join(" ");
        t.push('.');
        t
    }

    /// An article of `paras` paragraphs of three sentences.
    pub fn article(&mut self, paras: usize) -> Vec<String> {
        (0..paras)
            .map(|_| (0..3).map(|_| self.sentence(12)).collect::<Vec<_>>().join(" "))
            .collect()
    }
}

/// A version between two versions of one story, paragraph by paragraph: `a`'s even
/// paragraphs and `b`'s odd ones (as long as the shorter). The copy rule sees it as a copy of
/// each when the two are not copies of each other: the link of a chain of edits.
pub fn alternate(a: &[String], b: &[String]) -> Vec<String> {
    a.iter()
        .zip(b)
        .enumerate()
        .map(|(k, (x, y))| if k % 2 == 0 { x.clone() } else { y.clone() })
        .collect()
}

/// A stream of English-like news copy for benchmarks: originals of 8 to 14 paragraphs, and
/// (one article in three, once a few originals exist) copies of one of the last 200
/// originals, either with one paragraph rewritten and a copyright line added or cut to two
/// thirds.
#[derive(Debug, Clone)]
pub struct News {
    rng: Rng,
    /// Recent originals (paragraphs, headline) that copies are taken from.
    recent: VecDeque<(Vec<String>, String)>,
}

impl News {
    /// The stream of `seed`.
    pub fn new(seed: u64) -> Self {
        News {
            rng: Rng::new(seed),
            recent: VecDeque::new(),
        }
    }

    /// A sentence of 10 to 21 words, capitalised, with a full stop.
    pub fn sentence(&mut self) -> String {
        let len = 10 + self.rng.below(12);
        let mut s = String::new();
        for i in 0..len {
            // Every other word a function word, as in English news text (a third of its
            // words are "the", "of", "to"... : newscopy-dev's first paragraphs, median 0.33).
            let w = match i {
                3 => *self.rng.pick(VERBS),
                _ if i % 2 == 1 => *self.rng.pick(SMALL),
                _ => *self.rng.pick(NOUNS),
            };
            if i > 0 {
                s.push(' ');
            }
            if i == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    s.extend(f.to_uppercase());
                    s.push_str(c.as_str());
                }
            } else {
                s.push_str(w);
            }
        }
        s.push('.');
        s
    }

    /// A paragraph of two to four sentences.
    pub fn paragraph(&mut self) -> String {
        let n = 2 + self.rng.below(3);
        (0..n).map(|_| self.sentence()).collect::<Vec<_>>().join(" ")
    }

    /// The next article: a headline and paragraphs, an original or a copy of a recent one.
    pub fn article(&mut self) -> (String, Vec<String>) {
        if self.recent.len() > 3 && self.rng.below(3) == 0 {
            let k = self.rng.below(self.recent.len());
            let (paras, headline) = self.recent[k].clone();
            let mut copy = paras;
            if self.rng.below(2) == 0 {
                let i = self.rng.below(copy.len());
                copy[i] = self.paragraph();
                copy.push("Copyright Example Wire. All rights reserved.".into());
            } else {
                let keep = (copy.len() * 2 / 3).max(3);
                copy.truncate(keep);
            }
            return (headline, copy);
        }
        let headline = self.sentence().trim_end_matches('.').to_string();
        let paras: Vec<String> = (0..8 + self.rng.below(7)).map(|_| self.paragraph()).collect();
        self.recent.push_back((paras.clone(), headline.clone()));
        if self.recent.len() > 200 {
            self.recent.pop_front();
        }
        (headline, paras)
    }
}

/// Nouns of news copy.
pub const NOUNS: &[&str] = &[
    "minister",
    "council",
    "harbour",
    "election",
    "river",
    "budget",
    "strike",
    "court",
    "police",
    "storm",
    "market",
    "tariff",
    "school",
    "bridge",
    "hospital",
    "airport",
    "vote",
    "treaty",
    "border",
    "factory",
    "farmers",
    "rail",
    "energy",
    "prices",
    "mayor",
    "union",
    "soldiers",
    "talks",
    "ceasefire",
    "reform",
    "company",
    "shares",
    "profit",
    "workers",
    "judge",
    "trial",
    "report",
    "government",
    "opposition",
    "parliament",
    "coalition",
    "leader",
    "president",
    "spokesman",
    "officials",
    "residents",
    "city",
    "region",
    "province",
    "capital",
    "village",
    "coast",
    "flood",
    "fire",
    "drought",
    "harvest",
    "exports",
    "imports",
    "inflation",
    "growth",
    "bank",
    "rates",
    "investors",
    "lawmakers",
    "protest",
    "crowd",
    "rally",
    "campaign",
    "candidate",
    "ballot",
    "result",
    "agreement",
    "deal",
    "plan",
    "project",
    "contract",
    "tender",
    "network",
    "service",
    "delays",
    "passengers",
    "tickets",
    "fares",
    "road",
    "tunnel",
    "port",
    "ships",
    "cargo",
    "fuel",
    "gas",
    "power",
    "grid",
    "water",
    "supply",
    "shortage",
    "demand",
    "forecast",
    "weather",
    "season",
    "team",
    "match",
    "coach",
    "players",
    "league",
    "title",
    "final",
    "record",
    "season",
    "museum",
    "festival",
    "film",
    "artist",
    "book",
    "award",
    "university",
    "students",
    "teachers",
    "study",
    "scientists",
    "research",
    "vaccine",
    "patients",
    "doctors",
    "nurses",
    "clinic",
    "virus",
    "outbreak",
    "health",
    "safety",
    "inquiry",
    "investigation",
    "evidence",
    "witness",
    "lawyer",
    "verdict",
    "sentence",
    "appeal",
    "ruling",
    "law",
    "bill",
    "tax",
    "spending",
    "debt",
    "deficit",
    "pension",
    "housing",
    "rent",
    "homes",
    "land",
    "developers",
    "council",
    "district",
    "estate",
];
/// Verbs of news copy.
pub const VERBS: &[&str] = &[
    "said",
    "announced",
    "warned",
    "agreed",
    "rejected",
    "opened",
    "closed",
    "raised",
    "cut",
    "signed",
    "approved",
    "blocked",
    "delayed",
    "confirmed",
    "denied",
    "expected",
    "reported",
    "promised",
    "criticised",
    "welcomed",
    "launched",
    "suspended",
    "extended",
    "reviewed",
];
/// Function words (a third of the words of English news text).
pub const SMALL: &[&str] = &[
    "the", "a", "on", "in", "of", "for", "to", "and", "after", "before", "with", "over", "at", "by", "its",
    "their", "new", "last", "next", "early", "late",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_replays_and_seeds_differ() {
        let take = |seed| {
            let mut r = Rng::new(seed);
            (0..8).map(|_| r.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(take(7), take(7));
        assert_ne!(take(7), take(8));
        // Seed 0 is no fixed point.
        assert!(take(0).iter().all(|&x| x != 0));
        assert_eq!(Words::new(3).article(2), Words::new(3).article(2));
        assert_ne!(Words::new(3).article(2), Words::new(4).article(2));
    }

    #[test]
    fn below_stays_below_and_reaches_every_value() {
        let mut r = Rng::new(1);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let k = r.below(7);
            seen[k] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn news_has_copies_of_recent_originals() {
        let mut n = News::new(7);
        let arts: Vec<_> = (0..300).map(|_| n.article()).collect();
        let mut heads: Vec<&str> = arts.iter().map(|a| a.0.as_str()).collect();
        heads.sort_unstable();
        heads.dedup();
        // About a third are copies, whose headline repeats an original's.
        assert!(
            heads.len() < 260 && heads.len() > 150,
            "{} distinct of 300",
            heads.len()
        );
        for (h, paras) in &arts {
            assert!(h.chars().next().is_some_and(char::is_uppercase));
            assert!(paras.len() >= 3);
        }
    }
}
