//! Text to token hashes: Unicode word splitting, case and diacritic folding, light English
//! spelling folding, stop words and honorifics dropped, paragraph boundaries kept.
//!
//! The aim is that two republications of one story give the same token stream even when
//! one says "Mr Zelenskiy said the centre" and the other "Zelensky told the center". It
//! does not allocate per token (one reused byte buffer) and stops after a token budget,
//! so a 5 MB article costs no more than its first `max_tokens` content tokens. Han, kana
//! and Thai characters (scripts written without spaces) become one token each, so their
//! shingles are character n-grams.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Longest token kept, in bytes; longer ones are cut (their tail does not count).
const MAX_TOKEN: usize = 48;

/// Token hashes of one text and where its paragraphs start.
#[derive(Debug)]
pub(crate) struct Tokens {
    /// One hash per kept token, in text order.
    pub hashes: Vec<u64>,
    /// Index into `hashes` where each paragraph starts (first is 0).
    pub paras: Vec<u32>,
    /// The current token.
    buf: [u8; MAX_TOKEN],
    len: usize,
    /// The current token has non-ASCII bytes (no English folding, no stop words).
    wide: bool,
}

impl Default for Tokens {
    fn default() -> Self {
        Tokens {
            hashes: Vec::new(),
            paras: Vec::new(),
            buf: [0; MAX_TOKEN],
            len: 0,
            wide: false,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    None,
    Alpha,
    Digit,
}

#[inline]
const fn mix16(w0: u64, w1: u64, n: usize) -> u64 {
    let mut h =
        w0.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ w1.rotate_left(29).wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    h ^= (n as u64).wrapping_mul(0x1656_67b1_9e37_79f9);
    h ^= h >> 32;
    h = h.wrapping_mul(0xd6e8_feb8_6659_fd93);
    h ^ (h >> 32)
}

/// Hash of one token's bytes: two zero-padded words for tokens up to 16 bytes, xxh3 above.
#[inline]
fn tok_hash(w: &[u8]) -> u64 {
    if w.len() <= 16 {
        let mut a = [0u8; 16];
        a[..w.len()].copy_from_slice(w);
        let (x, y) = a.split_at(8);
        mix16(word(x), word(y), w.len())
    } else {
        xxhash_rust::xxh3::xxh3_64(w)
    }
}

#[inline]
fn word(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

/// Byte classes of ASCII for the scanner.
const LETTER: u8 = 1;
const DIGIT: u8 = 2;
const SPECIAL: u8 = 3;
const HIGH: u8 = 4;
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_alphabetic() {
            LETTER
        } else if b.is_ascii_digit() {
            DIGIT
        } else if b >= 0x80 {
            HIGH
        } else if matches!(b, b'\n' | b',' | b'.' | b'%' | b'&') {
            SPECIAL
        } else {
            0
        };
        c += 1;
    }
    t
};

impl Tokens {
    #[inline]
    fn put(&mut self, c: u8) {
        if self.len < MAX_TOKEN {
            self.buf[self.len] = c;
            self.len += 1;
        }
    }

    fn put_char(&mut self, c: char) {
        let mut tmp = [0u8; 4];
        for &b in c.encode_utf8(&mut tmp).as_bytes() {
            self.put(b);
        }
        self.wide = true;
    }

    /// Tokenizes `text`, replacing what was there; keeps at most `max_tokens` tokens.
    pub fn fill(&mut self, text: &str, max_tokens: usize) {
        self.hashes.clear();
        self.paras.clear();
        self.paras.push(0);
        self.buf = [0; MAX_TOKEN];
        self.len = 0;
        self.wide = false;
        let b = text.as_bytes();
        let mut kind = Kind::None;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            match CLASS[usize::from(c)] {
                LETTER => {
                    if kind == Kind::Digit {
                        self.flush();
                    }
                    // A run of ASCII letters: lower case, `z` folds to `s`
                    // (organize/organise, analyze/analyse).
                    let start = i;
                    while i < b.len() && CLASS[usize::from(b[i])] == LETTER {
                        i += 1;
                    }
                    let run = &b[start..i];
                    let at = self.len;
                    let take = run.len().min(MAX_TOKEN - at);
                    for (d, &x) in self.buf[at..at + take].iter_mut().zip(run) {
                        let l = x | 0x20;
                        *d = if l == b'z' { b's' } else { l };
                    }
                    self.len = at + take;
                    kind = Kind::Alpha;
                    continue;
                }
                DIGIT => {
                    if kind == Kind::Alpha {
                        self.flush();
                    }
                    self.put(c);
                    kind = Kind::Digit;
                    i += 1;
                    continue;
                }
                HIGH => {}
                SPECIAL => {
                    i += 1;
                    match c {
                        // "1,000" and "1.5" stay one number.
                        b',' | b'.' if kind == Kind::Digit && b.get(i).is_some_and(u8::is_ascii_digit) => {}
                        b'\n' => {
                            self.flush();
                            kind = Kind::None;
                            if self.hashes.len() as u32 > *self.paras.last().unwrap_or(&0) {
                                self.paras.push(self.hashes.len() as u32);
                            }
                            if self.hashes.len() >= max_tokens {
                                break;
                            }
                        }
                        b'%' => {
                            self.flush();
                            kind = Kind::None;
                            self.hashes.push(tok_hash(b"percent"));
                        }
                        b'&' => {
                            // An HTML entity left in the text is a separator, not words.
                            self.flush();
                            kind = Kind::None;
                            i += entity_len(&b[i..]);
                        }
                        _ => {
                            self.flush();
                            kind = Kind::None;
                        }
                    }
                    continue;
                }
                _ => {
                    i += 1;
                    if kind != Kind::None {
                        self.flush();
                        kind = Kind::None;
                        if self.hashes.len() >= max_tokens {
                            break;
                        }
                    }
                    continue;
                }
            }
            let Some(ch) = text.get(i..).and_then(|s| s.chars().next()) else {
                break;
            };
            i += ch.len_utf8();
            if is_combining_mark(ch) {
                continue;
            }
            if is_unspaced_script(ch) {
                self.flush();
                kind = Kind::None;
                self.put_char(ch);
                self.flush();
                continue;
            }
            if ch.is_alphanumeric() {
                if kind == Kind::Digit {
                    self.flush();
                }
                kind = Kind::Alpha;
                for lc in ch.to_lowercase() {
                    decompose_canonical(lc, |d| {
                        if !is_combining_mark(d) {
                            if d.is_ascii() {
                                self.put(d as u8);
                            } else {
                                self.put_char(d);
                            }
                        }
                    });
                }
            } else {
                self.flush();
                kind = Kind::None;
                if self.hashes.len() >= max_tokens {
                    break;
                }
            }
        }
        self.flush();
        self.hashes.truncate(max_tokens);
        while self.paras.len() > 1 && *self.paras.last().unwrap_or(&0) as usize >= self.hashes.len() {
            self.paras.pop();
        }
    }

    /// Ends the current token: drops it if it is a stop word, else folds and hashes it.
    /// Keeps the invariant that `buf` is zero past `len`.
    #[inline]
    fn flush(&mut self) {
        let n = self.len;
        if n == 0 {
            return;
        }
        self.len = 0;
        let h = self.buf_hash(n);
        let mut used = n;
        if std::mem::take(&mut self.wide) {
            self.hashes.push(h);
        } else if (n == 1 && self.buf[0].is_ascii_alphabetic()) || is_stop_hash(h) {
        } else if FOLD_LAST[usize::from(self.buf[n - 1])] {
            let m = fold(&mut self.buf, n);
            if m < n {
                self.buf[m..n].fill(0);
            }
            used = used.max(m);
            self.hashes.push(self.buf_hash(m));
        } else {
            self.hashes.push(h);
        }
        if used <= 16 {
            self.buf[..16].copy_from_slice(&[0; 16]);
        } else {
            self.buf[..used].fill(0);
        }
    }

    /// Hash of `buf[..n]` (zero past `n`), equal to `tok_hash(&buf[..n])`.
    #[inline]
    fn buf_hash(&self, n: usize) -> u64 {
        if n <= 16 {
            mix16(word(&self.buf[..8]), word(&self.buf[8..16]), n)
        } else {
            tok_hash(&self.buf[..n])
        }
    }
}

/// English function words, reporting verbs (republishers swap "said" for "told", "added"),
/// honorifics, number scale words ("$5m" / "$5 million"), ordinal suffixes, entity names.
const STOP: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "that",
    "is",
    "for",
    "on",
    "it",
    "with",
    "as",
    "was",
    "he",
    "be",
    "at",
    "by",
    "this",
    "had",
    "not",
    "are",
    "but",
    "from",
    "or",
    "have",
    "an",
    "they",
    "which",
    "you",
    "were",
    "her",
    "all",
    "she",
    "there",
    "would",
    "their",
    "we",
    "him",
    "been",
    "has",
    "when",
    "who",
    "will",
    "no",
    "if",
    "so",
    "what",
    "its",
    "into",
    "than",
    "them",
    "can",
    "could",
    "these",
    "may",
    "then",
    "do",
    "any",
    "such",
    "our",
    "even",
    "did",
    "must",
    "where",
    "should",
    "because",
    "just",
    "those",
    "how",
    "too",
    "very",
    "being",
    "while",
    "might",
    "also",
    "however",
    "his",
    "hers",
    "my",
    "me",
    "your",
    "us",
    "does",
    "said",
    "says",
    "say",
    "told",
    "stated",
    "added",
    "noted",
    "according",
    "additionally",
    "roughly",
    "around",
    "about",
    "over",
    "mr",
    "mrs",
    "ms",
    "mx",
    "dr",
    "million",
    "billion",
    "thousand",
    "bn",
    "mn",
    "th",
    "st",
    "nd",
    "rd",
    "amp",
    "quot",
    "nbsp",
    "apos",
    "per",
    "some",
    "only",
];

const STOP_SLOTS: usize = 1024;

/// Same as [`tok_hash`] for up to 16 bytes, usable in constants.
const fn const_hash(w: &[u8]) -> u64 {
    let mut a = [0u8; 16];
    let mut i = 0;
    while i < w.len() {
        a[i] = w[i];
        i += 1;
    }
    let mut w0 = 0u64;
    let mut w1 = 0u64;
    let mut k = 0;
    while k < 8 {
        w0 |= (a[k] as u64) << (8 * k);
        w1 |= (a[k + 8] as u64) << (8 * k);
        k += 1;
    }
    mix16(w0, w1, w.len())
}

static STOP_TABLE: [u64; STOP_SLOTS] = {
    let mut t = [0u64; STOP_SLOTS];
    let mut k = 0;
    while k < STOP.len() {
        let h = const_hash(STOP[k].as_bytes());
        let mut i = (h >> 54) as usize & (STOP_SLOTS - 1);
        while t[i] != 0 && t[i] != h {
            i = (i + 1) & (STOP_SLOTS - 1);
        }
        t[i] = h;
        k += 1;
    }
    t
};

#[inline]
fn is_stop_hash(h: u64) -> bool {
    let t = &STOP_TABLE;
    let mut i = (h >> 54) as usize & (STOP_SLOTS - 1);
    loop {
        let x = t[i];
        if x == h {
            return true;
        }
        if x == 0 {
            return false;
        }
        i = (i + 1) & (STOP_SLOTS - 1);
    }
}

/// Last bytes after which [`fold`] may change a token.
const FOLD_LAST: [bool; 256] = {
    let mut t = [false; 256];
    let mut k = 0;
    let ends = b"sredgiyt";
    while k < ends.len() {
        t[ends[k] as usize] = true;
        k += 1;
    }
    t
};

/// Length of an HTML entity such as `&amp;` or `&#8217;` at the start of `b` after the `&`
/// (0 when it is not one).
fn entity_len(b: &[u8]) -> usize {
    for (k, &c) in b.iter().enumerate().take(10) {
        if c == b';' {
            return if k > 0 { k + 1 } else { 0 };
        }
        if !(c.is_ascii_alphanumeric() || c == b'#') {
            return 0;
        }
    }
    0
}

/// Scripts written without spaces between words.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF        // hiragana, katakana
        | 0x3400..=0x4DBF      // CJK extension A
        | 0x4E00..=0x9FFF      // CJK unified ideographs
        | 0xF900..=0xFAFF      // CJK compatibility ideographs
        | 0x0E00..=0x0E7F      // Thai
        | 0x0E80..=0x0EFF      // Lao
        | 0x1000..=0x109F      // Myanmar
        | 0x1780..=0x17FF      // Khmer
        | 0x20000..=0x2FFFF)
}

/// Light folding of a lower-case ASCII token (already `z`-to-`s` folded) in place, so
/// common spelling variants meet: plural `s`, `our`/`or`, `tre`/`ter`, `lled`/`led`,
/// `ogue`/`og`, `gramme`/`gram`, `fence`/`fense`, "cent" (of "per cent") to "percent", and a
/// trailing run of `i`/`y` (Zelenskiy, Zelensky, Zelenskyy). Returns the new length.
/// Folding may merge unrelated words; that is harmless for copy detection.
fn fold(w: &mut [u8; MAX_TOKEN], mut n: usize) -> usize {
    if &w[..n] == b"cent" || &w[..n] == b"pct" {
        w[..7].copy_from_slice(b"percent");
        return 7;
    }
    if n > 3 && w[n - 1] == b's' && w[n - 2] != b's' {
        n -= 1;
    }
    let t = &w[..n];
    if n >= 6 && t.ends_with(b"our") {
        w[n - 2] = b'r';
        n -= 1;
    } else if n >= 5 && t.ends_with(b"tre") {
        w[n - 2] = b'e';
        w[n - 1] = b'r';
    } else if n >= 6 && t.ends_with(b"lled") {
        w[n - 3] = b'e';
        w[n - 2] = b'd';
        n -= 1;
    } else if n >= 7 && t.ends_with(b"lling") {
        w.copy_within(n - 3..n, n - 4);
        n -= 1;
    } else if n >= 6 && (t.ends_with(b"ogue") || t.ends_with(b"gramme")) {
        n -= 2;
    } else if n >= 5 && t.ends_with(b"fence") {
        w[n - 2] = b's';
    }
    while n > 4 && matches!(w[n - 1], b'i' | b'y') {
        n -= 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<u64> {
        let mut t = Tokens::default();
        t.fill(s, usize::MAX);
        t.hashes
    }

    fn check_same(a: &str, b: &str) {
        assert_eq!(toks(a), toks(b), "{a:?} vs {b:?}");
    }

    fn check_differs(a: &str, b: &str) {
        assert_ne!(toks(a), toks(b), "{a:?} vs {b:?}");
    }

    #[test]
    fn variants_fold_together() {
        check_same("Mr Zelenskiy said", "Zelensky told");
        check_same("Zelenskyy", "ZELENSKY");
        check_same("the colour of the Centre", "color center");
        check_same("organisation defence programme", "organization defense program");
        check_same("5 per cent", "5%");
        check_same("5 percent", "5 %");
        check_same("1,000 people", "1000 people");
        check_same("$102m", "$102 million");
        check_same("Ukraine\u{2019}s leader", "Ukraine's leader");
        check_same("caf\u{e9} S\u{e3}o Paulo", "Cafe SAO PAULO");
        check_same("cafe\u{301}", "cafe");
        check_same(
            "\u{201c}quoted\u{201d} words &amp; more",
            "\"quoted\" words and more",
        );
        check_same("travelled cancelled", "traveled canceled");
    }

    #[test]
    fn distinct_words_stay_distinct() {
        check_differs("peace plan", "peace talks");
        check_differs("Kyiv", "Moscow");
        check_differs("12 people", "13 people");
    }

    #[test]
    fn other_scripts_tokenize() {
        assert_eq!(toks("Президент Зеленский заявил").len(), 3);
        assert_eq!(toks("東京都の知事").len(), 6);
        assert_eq!(toks("قال الرئيس الأوكراني").len(), 3);
        check_same("Зеленский", "ЗЕЛЕНСКИЙ");
    }

    #[test]
    fn paragraphs_and_budget() {
        let mut t = Tokens::default();
        t.fill("alpha beta\n\n\ngamma delta\nepsilon\n\n", usize::MAX);
        assert_eq!(t.hashes.len(), 5);
        assert_eq!(t.paras, vec![0, 2, 4]);
        t.fill("alpha beta gamma delta", 2);
        assert_eq!(t.hashes.len(), 2);
        t.fill("", 10);
        assert!(t.hashes.is_empty());
        assert_eq!(t.paras, vec![0]);
    }
}
