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

/// Token hashes of one text and where its paragraphs start.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    /// One hash per kept token, in text order.
    pub hashes: Vec<u64>,
    /// Index into `hashes` where each paragraph starts (first is 0).
    pub paras: Vec<u32>,
    /// Reused scratch for the current token.
    buf: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    None,
    Alpha,
    Digit,
}

impl Tokens {
    /// Tokenizes `text`, replacing what was there; keeps at most `max_tokens` tokens.
    pub fn fill(&mut self, text: &str, max_tokens: usize) {
        self.hashes.clear();
        self.paras.clear();
        self.paras.push(0);
        self.buf.clear();
        let b = text.as_bytes();
        let mut kind = Kind::None;
        let mut i = 0;
        while i < b.len() {
            if self.hashes.len() >= max_tokens {
                return;
            }
            let c = b[i];
            if c < 0x80 {
                i += 1;
                match c {
                    b'a'..=b'z' | b'A'..=b'Z' => {
                        if kind == Kind::Digit {
                            self.flush();
                        }
                        self.buf.push(c | 0x20);
                        kind = Kind::Alpha;
                    }
                    b'0'..=b'9' => {
                        if kind == Kind::Alpha {
                            self.flush();
                        }
                        self.buf.push(c);
                        kind = Kind::Digit;
                    }
                    // "1,000" and "1.5" stay one number.
                    b',' | b'.' if kind == Kind::Digit && b.get(i).is_some_and(u8::is_ascii_digit) => {}
                    b'\n' => {
                        self.flush();
                        kind = Kind::None;
                        if self.hashes.len() as u32 > *self.paras.last().unwrap_or(&0) {
                            self.paras.push(self.hashes.len() as u32);
                        }
                    }
                    b'%' => {
                        self.flush();
                        kind = Kind::None;
                        self.buf.extend_from_slice(b"percent");
                        self.flush();
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
                let mut tmp = [0u8; 4];
                self.buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                self.push_raw();
                continue;
            }
            if ch.is_alphanumeric() {
                if kind == Kind::Digit {
                    self.flush();
                }
                kind = Kind::Alpha;
                for lc in ch.to_lowercase() {
                    let buf = &mut self.buf;
                    decompose_canonical(lc, |d| {
                        if !is_combining_mark(d) {
                            let mut tmp = [0u8; 4];
                            buf.extend_from_slice(d.encode_utf8(&mut tmp).as_bytes());
                        }
                    });
                }
            } else {
                self.flush();
                kind = Kind::None;
            }
        }
        self.flush();
        if self.paras.len() > 1 && *self.paras.last().unwrap_or(&0) as usize >= self.hashes.len() {
            self.paras.pop();
        }
    }

    /// Ends the current token: drops it if it is a stop word, else folds and hashes it.
    fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let w = &self.buf[..];
        if w.is_ascii() {
            if (w.len() == 1 && w[0].is_ascii_alphabetic()) || is_stop(w) {
                self.buf.clear();
                return;
            }
            fold(&mut self.buf);
        }
        self.push_raw();
    }

    fn push_raw(&mut self) {
        self.hashes.push(xxhash_rust::xxh3::xxh3_64(&self.buf));
        self.buf.clear();
    }
}

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

/// English function words, reporting verbs (republishers swap "said" for "told", "added"),
/// honorifics, number scale words ("$5m" / "$5 million"), ordinal suffixes, entity names.
fn is_stop(w: &[u8]) -> bool {
    matches!(
        w,
        b"the"
            | b"of"
            | b"and"
            | b"to"
            | b"in"
            | b"that"
            | b"is"
            | b"for"
            | b"on"
            | b"it"
            | b"with"
            | b"as"
            | b"was"
            | b"he"
            | b"be"
            | b"at"
            | b"by"
            | b"this"
            | b"had"
            | b"not"
            | b"are"
            | b"but"
            | b"from"
            | b"or"
            | b"have"
            | b"an"
            | b"they"
            | b"which"
            | b"you"
            | b"were"
            | b"her"
            | b"all"
            | b"she"
            | b"there"
            | b"would"
            | b"their"
            | b"we"
            | b"him"
            | b"been"
            | b"has"
            | b"when"
            | b"who"
            | b"will"
            | b"no"
            | b"if"
            | b"so"
            | b"what"
            | b"its"
            | b"into"
            | b"than"
            | b"them"
            | b"can"
            | b"could"
            | b"these"
            | b"may"
            | b"then"
            | b"do"
            | b"any"
            | b"such"
            | b"our"
            | b"even"
            | b"did"
            | b"must"
            | b"where"
            | b"should"
            | b"because"
            | b"just"
            | b"those"
            | b"how"
            | b"too"
            | b"very"
            | b"being"
            | b"while"
            | b"might"
            | b"also"
            | b"however"
            | b"his"
            | b"hers"
            | b"my"
            | b"me"
            | b"your"
            | b"us"
            | b"i"
            | b"does"
            | b"said"
            | b"says"
            | b"say"
            | b"told"
            | b"stated"
            | b"added"
            | b"noted"
            | b"according"
            | b"additionally"
            | b"roughly"
            | b"around"
            | b"about"
            | b"over"
            | b"mr"
            | b"mrs"
            | b"ms"
            | b"mx"
            | b"dr"
            | b"million"
            | b"billion"
            | b"thousand"
            | b"bn"
            | b"mn"
            | b"th"
            | b"st"
            | b"nd"
            | b"rd"
            | b"amp"
            | b"quot"
            | b"nbsp"
            | b"apos"
            | b"per"
            | b"some"
            | b"only"
    )
}

/// Light folding of an ASCII token so common spelling variants meet: `z` to `s`
/// (organize/organise), plural `s`, `our`/`or`, `tre`/`ter`, `lled`/`led`, `ogue`/`og`,
/// `gramme`/`gram`, `fence`/`fense`, "cent" (of "per cent") to "percent", and a trailing
/// run of `i`/`y` (Zelenskiy, Zelensky, Zelenskyy). Folding may merge unrelated words;
/// that only matters if both sides would otherwise differ, which is harmless here.
fn fold(w: &mut Vec<u8>) {
    for c in w.iter_mut() {
        if *c == b'z' {
            *c = b's';
        }
    }
    if w.as_slice() == b"cent" || w.as_slice() == b"pct" {
        w.clear();
        w.extend_from_slice(b"percent");
        return;
    }
    if w.len() > 3 && w.ends_with(b"s") && !w.ends_with(b"ss") {
        w.pop();
    }
    let n = w.len();
    if n >= 6 && w.ends_with(b"our") {
        w.remove(n - 2);
    } else if n >= 5 && w.ends_with(b"tre") {
        w.truncate(n - 2);
        w.extend_from_slice(b"er");
    } else if n >= 6 && w.ends_with(b"lled") {
        w.remove(n - 3);
    } else if n >= 7 && w.ends_with(b"lling") {
        w.remove(n - 4);
    } else if n >= 6 && w.ends_with(b"ogue") {
        w.truncate(n - 2);
    } else if n >= 6 && w.ends_with(b"gramme") {
        w.truncate(n - 2);
    } else if n >= 5 && w.ends_with(b"fence") {
        w[n - 2] = b's';
    }
    while w.len() > 4 && matches!(w.last(), Some(b'i' | b'y')) {
        w.pop();
    }
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
