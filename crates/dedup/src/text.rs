//! Text to token hashes: Unicode word splitting, case and diacritic folding, light English
//! spelling folding, stop words and honorifics dropped, paragraph boundaries kept.
//!
//! The aim is that two republications of one story give the same token stream even when
//! one says "Mr Zelenskiy said the centre" and the other "Zelensky told the center". It
//! does not allocate per token (one reused byte buffer) and stops after a token budget,
//! so a 5 MB article costs no more than its first `max_tokens` content tokens. Han, kana
//! and Thai characters (scripts written without spaces) become one token each, so their
//! shingles are character n-grams.
//!
//! Words of up to 15 ASCII letters (most of an English article) take a fast path: the text
//! is classified 64 bytes at a time into bit masks (SSE2 on x86-64, a table elsewhere), words
//! are found from the masks and folded without branching on their letters; everything else
//! goes through the general byte-at-a-time path. Both give the same hashes (a test checks
//! them against each other on random text).

use std::sync::LazyLock;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Longest token kept, in bytes; longer ones are cut (their tail does not count).
const MAX_TOKEN: usize = 48;

/// Token hashes of one text and where its paragraphs start.
#[derive(Debug)]
pub(crate) struct Tokens {
    /// One hash per kept token, in text order.
    pub hashes: Vec<u64>,
    /// Index into `hashes` where each paragraph starts (first is 0).
    pub paras: Vec<u32>,
    /// Kept tokens that start with an Arabic-script letter.
    pub arabic: usize,
    /// The current token.
    buf: [u8; MAX_TOKEN],
    len: usize,
    /// The current token has non-ASCII bytes (no English folding, no stop words).
    wide: bool,
    /// Recent ASCII words of the fast path: see [`WordCache`].
    cache: WordCache,
    /// The text through [`lower_ascii`] for the fast path (only the bytes of letters are
    /// used), then at least 16 more bytes so a word's 16 bytes can always be read.
    lower: Vec<u8>,
}

impl Default for Tokens {
    fn default() -> Self {
        Tokens {
            hashes: Vec::new(),
            paras: Vec::new(),
            arabic: 0,
            buf: [0; MAX_TOKEN],
            len: 0,
            wide: false,
            cache: WordCache::default(),
            lower: Vec::new(),
        }
    }
}

/// Slots of the [`WordCache`] (a power of two; 96 KB, fits in L2).
const CACHE_SLOTS: usize = 4096;

/// Cached outcome of a word that is dropped (stop word, single letter). A kept word whose
/// hash happens to equal it is not cached.
const DROP: u64 = 0;

/// Direct-mapped cache from a lower-cased ASCII word of the fast path (its two zero-padded
/// words; its length is the count of non-zero bytes) to its folded hash, or [`DROP`]. News
/// text repeats words heavily, so most words skip folding, the stop-word lookup and the
/// second hash. A slot holds the last word mapped to it; a memo of a pure function, so the
/// tokens are the same with or without it.
struct WordCache {
    slots: Box<[[u64; 3]]>,
}

impl Default for WordCache {
    fn default() -> Self {
        WordCache {
            slots: vec![[0u64; 3]; CACHE_SLOTS].into_boxed_slice(),
        }
    }
}

impl std::fmt::Debug for WordCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordCache")
            .field("slots", &self.slots.len())
            .finish()
    }
}

/// Slot of a word held in `w0`, `w1` in the [`WordCache`].
#[inline]
fn cache_slot(w0: u64, w1: u64) -> usize {
    let x = (w0 ^ w1.rotate_left(31)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (x >> (64 - CACHE_SLOTS.trailing_zeros())) as usize
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

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// Masks keeping the first `n` bytes of a token held in two words (`n` in 0..=16).
const MASKS: [(u64, u64); 17] = {
    let mut t = [(0u64, 0u64); 17];
    let mut n = 1;
    while n <= 16 {
        t[n] = if n < 8 {
            ((1u64 << (8 * n)) - 1, 0)
        } else if n < 16 {
            (u64::MAX, (1u64 << (8 * (n - 8))) - 1)
        } else {
            (u64::MAX, u64::MAX)
        };
        n += 1;
    }
    t
};

/// Little-endian word of up to 8 bytes, for comparing with token bytes.
const fn le(s: &[u8]) -> u64 {
    let mut a = 0u64;
    let mut k = s.len();
    while k > 0 {
        k -= 1;
        a = (a << 8) | s[k] as u64;
    }
    a
}

/// [`fold`] of a lower-case ASCII token of `n` bytes (2..=15) held in `w0`, `w1` (first byte
/// lowest, zero past `n`), as the new length: the common folds only shorten (a plural `s`, a
/// trailing run of `i`/`y`). `None` when a rarer fold (`our`, `tre`, `lled`, `lling`, `ogue`,
/// `gramme`, `fence`, `cent`, `pct`) or a long run of `i`/`y` may apply: the caller takes
/// the general path then. No branches on the letters.
#[inline]
fn fast_fold(w0: u64, w1: u64, n: usize) -> Option<usize> {
    // The last 8 bytes with the last one at the top (zero below the token's start).
    let top = (((u128::from(w1) << 64) | u128::from(w0)) << (8 * (16 - n)) >> 64) as u64;
    let last = top >> 56;
    let before = (top >> 48) & 0xff;
    let strip = (n > 3) & (last == u64::from(b's')) & (before != u64::from(b's'));
    let n = n - usize::from(strip);
    let t = top << (8 * u32::from(strip));
    let tail = |k: u32| t >> (64 - 8 * k);
    let (t3, t4, t5) = (tail(3), tail(4), tail(5));
    let rare = (w0 == le(b"cent"))
        | (w0 == le(b"pct"))
        | (t3 == le(b"our"))
        | (t3 == le(b"tre"))
        | (t4 == le(b"lled"))
        | (t4 == le(b"ogue"))
        | (t5 == le(b"lling"))
        | (t5 == le(b"fence"))
        | (tail(6) == le(b"gramme"));
    // Trailing `i`/`y` bytes, counted down from the top byte (7 of 8 are sure to be the
    // token's own after a strip).
    let iy = eq_bytes(t, b'i') | eq_bytes(t, b'y');
    let run = ((!iy & HIGH_BITS).leading_zeros() / 8) as usize;
    if rare | (run >= 7) {
        return None;
    }
    // `while n > 4 && last is i/y { n -= 1 }` without the loop.
    Some(n.saturating_sub(run).max(4).min(n))
}

/// The token of a whole lower-case ASCII word of `n` letters (1..=15) held in `w0`, `w1`
/// (first byte lowest, zero past `n`), as [`Tokens::flush`] makes it: its hash, and whether
/// it is kept (false for a stop word or single letter; the hash is then meaningless).
#[inline(always)]
fn ascii_token(w0: u64, w1: u64, n: usize) -> (u64, bool) {
    let keep = (n > 1) & !is_stop_hash(mix16(w0, w1, n));
    match fast_fold(w0, w1, n) {
        Some(m) => {
            let (m0, m1) = MASKS[m];
            (mix16(w0 & m0, w1 & m1, m), keep)
        }
        None => (slow_fold_hash(w0, w1, n), keep),
    }
}

/// [`fold`] and [`tok_hash`] of the word of [`ascii_token`], for the rarer folds.
#[cold]
fn slow_fold_hash(w0: u64, w1: u64, n: usize) -> u64 {
    let mut buf = [0u8; MAX_TOKEN];
    buf[..8].copy_from_slice(&w0.to_le_bytes());
    buf[8..16].copy_from_slice(&w1.to_le_bytes());
    let m = fold(&mut buf, n);
    tok_hash(&buf[..m])
}

/// 0x80 in each byte of `x` equal to `c`, else 0.
#[inline]
fn eq_bytes(x: u64, c: u8) -> u64 {
    let y = x ^ (u64::from(c) * ONES);
    !(((y & LOW7).wrapping_add(LOW7)) | y | LOW7)
}

/// Eight ASCII letters lower-cased with `z` folded to `s`, as the general path does
/// (other bytes come out changed: the caller masks them off).
#[inline]
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn lower_ascii(x: u64) -> u64 {
    let l = x | (0x20 * ONES);
    l ^ ((eq_bytes(l, b'z') >> 7) * u64::from(b'z' ^ b's'))
}

/// [`lower_ascii`] of 16 bytes: SSE2 on x86-64.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn lower16(src: &[u8; 16], dst: &mut [u8; 16]) {
    use safe_arch::{
        bitand_m128i, bitor_m128i, bitxor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i,
        set_splat_i8_m128i, store_unaligned_m128i,
    };
    let c = |b: u8| set_splat_i8_m128i(b as i8);
    let l = bitor_m128i(load_unaligned_m128i(src), c(0x20));
    let z = cmp_eq_mask_i8_m128i(l, c(b'z'));
    store_unaligned_m128i(dst, bitxor_m128i(l, bitand_m128i(z, c(b'z' ^ b's'))));
}

/// [`lower_ascii`] of 16 bytes.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn lower16(src: &[u8; 16], dst: &mut [u8; 16]) {
    let (x0, x1) = (word(&src[..8]), word(&src[8..]));
    dst[..8].copy_from_slice(&lower_ascii(x0).to_le_bytes());
    dst[8..].copy_from_slice(&lower_ascii(x1).to_le_bytes());
}

/// Whether a token of ASCII letters ends before `b[j]`: the end of the text, an ASCII byte
/// (the run stopped at a non-letter), or a no-break space or General Punctuation character
/// (U+2000..U+203F: spaces, dashes, quotes), none of which continue a word, except the
/// joiners, direction marks and embeddings (U+200C..U+200F, U+202A..U+202E), which are
/// skipped inside a word ([`is_ignorable`]).
#[inline]
fn ends_token(b: &[u8], j: usize) -> bool {
    match b.get(j) {
        None => true,
        Some(&c) if c < 0x80 => true,
        Some(0xc2) => b.get(j + 1) == Some(&0xa0),
        Some(0xe2) => b.get(j + 1) == Some(&0x80) && !matches!(b.get(j + 2), Some(0x8c..=0x8f | 0xaa..=0xae)),
        Some(_) => false,
    }
}

/// The 16 bytes of text from `b[i]` as two little-endian words, zero past the end of `b`.
#[inline(always)]
fn load16(b: &[u8], i: usize) -> (u64, u64) {
    match b.get(i..i + 16) {
        Some(s) => (word(&s[..8]), word(&s[8..])),
        None => {
            let mut a = [0u8; 16];
            let rest = b.get(i..).unwrap_or_default();
            a[..rest.len()].copy_from_slice(rest);
            (word(&a[..8]), word(&a[8..]))
        }
    }
}

/// Bit masks over 16 bytes of text (bit `k` for byte `k`), or 64 ([`Block::classify64`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Block {
    /// ASCII letters.
    letters: u64,
    /// Bytes the fast path stops at: everything but [`SKIP`] separators (letters, digits,
    /// `\n`, `%`, `&`, bytes of non-ASCII characters).
    stops: u64,
    /// Bytes of non-ASCII characters (>= 0x80).
    high: u64,
}

impl Block {
    /// Classifies the 16 bytes held in `x0`, `x1` (first byte lowest): SSE2, which every
    /// x86-64 CPU has, compares all 16 at once.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn classify(x0: u64, x1: u64) -> Block {
        use safe_arch::{
            bitor_m128i, cmp_eq_mask_i8_m128i, m128i, min_u8_m128i, move_mask_i8_m128i, set_splat_i8_m128i,
            sub_i8_m128i,
        };
        let c = |b: u8| set_splat_i8_m128i(b as i8);
        let v = m128i::from([x0, x1]);
        // Unsigned `lo <= x <= lo + span`, as `min(x - lo, span) == x - lo`.
        let within = |x, lo: u8, span: u8| {
            let d = sub_i8_m128i(x, c(lo));
            cmp_eq_mask_i8_m128i(min_u8_m128i(d, c(span)), d)
        };
        let letter = within(bitor_m128i(v, c(0x20)), b'a', 25);
        let digit = within(v, b'0', 9);
        let special = bitor_m128i(
            cmp_eq_mask_i8_m128i(v, c(b'\n')),
            bitor_m128i(cmp_eq_mask_i8_m128i(v, c(b'%')), cmp_eq_mask_i8_m128i(v, c(b'&'))),
        );
        let mask = |x| u64::from(move_mask_i8_m128i(x) as u16);
        let high = mask(v);
        Block {
            letters: mask(letter),
            stops: mask(bitor_m128i(letter, bitor_m128i(digit, special))) | high,
            high,
        }
    }

    /// [`Block::classify`] a byte at a time, from the scanner's tables.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    #[inline]
    fn classify_bytes(x0: u64, x1: u64) -> Block {
        let mut m = Block::default();
        for (k, c) in x0.to_le_bytes().into_iter().chain(x1.to_le_bytes()).enumerate() {
            m.letters |= u64::from(CLASS[usize::from(c)] == LETTER) << k;
            m.stops |= u64::from(!SKIP[usize::from(c)]) << k;
            m.high |= u64::from(c >= 0x80) << k;
        }
        m
    }

    /// The 64 bytes of text from `b[base]` (zero past the end of `b`).
    #[inline(always)]
    fn classify64(b: &[u8], base: usize) -> Block {
        let mut m = Block::default();
        for k in 0..4 {
            let (x0, x1) = load16(b, base + 16 * k);
            let q = Block::classify(x0, x1);
            m.letters |= q.letters << (16 * k);
            m.stops |= q.stops << (16 * k);
            m.high |= q.high << (16 * k);
        }
        m
    }

    /// [`Block::classify_bytes`] where there is no SIMD path.
    #[cfg(not(target_arch = "x86_64"))]
    #[inline(always)]
    fn classify(x0: u64, x1: u64) -> Block {
        Block::classify_bytes(x0, x1)
    }
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

/// ASCII bytes that only end a token: with none in progress they can be skipped.
const SKIP: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 128 {
        t[c] = CLASS[c] == 0 || c == b',' as usize || c == b'.' as usize;
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

    /// Appends a letter of the general path: lower case, compatibility decomposition
    /// (presentation forms, ligatures, full-width forms), marks and format characters
    /// dropped, script variants folded ([`fold_letter`]).
    fn put_letter(&mut self, ch: char) {
        if ('\u{ac00}'..='\u{d7a3}').contains(&ch) {
            // Hangul syllables: no case, no marks; decomposing would only triple them.
            self.put_char(ch);
            return;
        }
        for lc in ch.to_lowercase() {
            decompose_compatible(lc, |d| {
                if d.is_ascii() {
                    if d.is_ascii_alphanumeric() {
                        self.put(d.to_ascii_lowercase() as u8);
                    }
                } else if d == '\u{df}' {
                    self.put(b's');
                    self.put(b's');
                } else if d.is_alphanumeric() && !is_combining_mark(d) && !is_ignorable(d) {
                    self.put_char(fold_letter(d));
                }
            });
        }
    }

    /// Appends a character of a script written without spaces: kana as they are (voiced
    /// and plain kana differ), others in their compatibility form (half-width katakana,
    /// compatibility ideographs).
    fn put_unspaced(&mut self, ch: char) {
        if ('\u{3040}'..='\u{30ff}').contains(&ch) {
            self.put_char(ch);
            return;
        }
        decompose_compatible(ch, |d| {
            if !is_combining_mark(d) {
                self.put_char(d);
            }
        });
    }

    /// Fills `lower` from `b`, 16 bytes at a time.
    fn lower_text(&mut self, b: &[u8]) {
        self.lower.clear();
        self.lower.resize((b.len() / 16 + 2) * 16, 0);
        let (src, rest) = b.as_chunks::<16>();
        let (dst, _) = self.lower.as_chunks_mut::<16>();
        for (s, d) in src.iter().zip(dst.iter_mut()) {
            lower16(s, d);
        }
        let mut last = [0u8; 16];
        last[..rest.len()].copy_from_slice(rest);
        lower16(&last, &mut dst[src.len()]);
    }

    /// Tokenizes `text`, replacing what was there; keeps at most `max_tokens` tokens.
    pub fn fill(&mut self, text: &str, max_tokens: usize) {
        self.fill_with::<true, true>(text, max_tokens);
    }

    /// [`Tokens::fill`]; `TABLE` takes two-byte characters from [`TWO_BYTE`]; `FAST` takes whole ASCII words (the common case) eight bytes at a
    /// time ([`Tokens::ascii_word`]). Without it every byte goes through the general path:
    /// the tests check that both give the same tokens.
    fn fill_with<const FAST: bool, const TABLE: bool>(&mut self, text: &str, max_tokens: usize) {
        self.hashes.clear();
        self.paras.clear();
        self.paras.push(0);
        self.arabic = 0;
        self.buf = [0; MAX_TOKEN];
        self.len = 0;
        self.wide = false;
        let b = text.as_bytes();
        if FAST {
            self.lower_text(b);
        }
        let mut kind = Kind::None;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            match CLASS[usize::from(c)] {
                LETTER => {
                    if kind == Kind::Digit {
                        self.flush();
                    }
                    if FAST && self.len == 0 {
                        // Whole words and the separators between them (spaces, commas,
                        // full stops, quotes: nothing to do with no token in progress)
                        // without the dispatch.
                        let j = self.ascii_words(b, i, max_tokens);
                        if j > i {
                            i = j;
                            kind = Kind::None;
                            if self.hashes.len() >= max_tokens {
                                break;
                            }
                            continue;
                        }
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
            // Two-byte characters (Latin-1 and Latin Extended, Greek, Cyrillic, Hebrew,
            // Arabic script) from a table of what the general path below does with each.
            if let (true, 0xc2..=0xdf, Some(&c1)) = (TABLE, c, b.get(i + 1)) {
                let e = TWO_BYTE[(usize::from(c & 0x1f) << 6) | usize::from(c1 & 0x3f)];
                if e.kind != SLOW {
                    i += 2;
                    match e.kind {
                        SKIP_CHAR => {}
                        DIGIT_CHAR => {
                            if kind == Kind::Alpha {
                                self.flush();
                            }
                            self.put(e.bytes[0]);
                            kind = Kind::Digit;
                        }
                        LETTER_CHAR => {
                            if kind == Kind::Digit {
                                self.flush();
                            }
                            kind = Kind::Alpha;
                            for &x in &e.bytes[..usize::from(e.len)] {
                                self.put(x);
                            }
                            self.wide |= e.wide;
                        }
                        _ => {
                            self.flush();
                            kind = Kind::None;
                            if self.hashes.len() >= max_tokens {
                                break;
                            }
                        }
                    }
                    continue;
                }
            }
            let Some(ch) = text.get(i..).and_then(|s| s.chars().next()) else {
                break;
            };
            i += ch.len_utf8();
            match classify_wide(ch) {
                Wide::Skip => {}
                Wide::Digit(d) => {
                    if kind == Kind::Alpha {
                        self.flush();
                    }
                    self.put(d);
                    kind = Kind::Digit;
                }
                Wide::Unspaced => {
                    // Each character its own token (shingles are character n-grams), in
                    // its compatibility form (half-width kana, compatibility ideographs).
                    self.flush();
                    kind = Kind::None;
                    self.put_unspaced(ch);
                    self.flush();
                    if self.hashes.len() >= max_tokens {
                        break;
                    }
                }
                Wide::Letter => {
                    if kind == Kind::Digit {
                        self.flush();
                    }
                    kind = Kind::Alpha;
                    self.put_letter(ch);
                }
                Wide::Separator => {
                    self.flush();
                    kind = Kind::None;
                    if self.hashes.len() >= max_tokens {
                        break;
                    }
                }
            }
        }
        self.flush();
        self.hashes.truncate(max_tokens);
        while self.paras.len() > 1 && *self.paras.last().unwrap_or(&0) as usize >= self.hashes.len() {
            self.paras.pop();
        }
    }

    /// Takes whole tokens of at most 15 ASCII letters and the separators after them, from
    /// `b[i]` (a letter, with no token in progress), while the next token is such a word;
    /// folds and keeps each like [`Tokens::flush`] would ([`Tokens::keep_word`]). Returns
    /// where it stopped: at a byte the general path must see (a word it cannot take, a
    /// digit, a newline, non-ASCII), at the end of the text, or after the word that spent
    /// the `max_tokens` budget. Returns `i` (nothing done) when the first word cannot be
    /// taken: its letters run on past 15 bytes, or into a byte that may continue the token
    /// (non-ASCII other than common punctuation).
    ///
    /// The text is classified 64 bytes at a time ([`Block::classify64`]); the words' starts
    /// and lengths come from the bit masks, their bytes from the lower-cased copy of the
    /// text (`lower`). Where each word starts does not depend on the words before it, so the
    /// CPU works on several words at once.
    #[inline(always)]
    fn ascii_words(&mut self, b: &[u8], i: usize, max_tokens: usize) -> usize {
        let mut base = i;
        // Bit 0 set when the byte before `base` is a letter (of a word already taken).
        let mut carry = 0u64;
        loop {
            let m = Block::classify64(b, base);
            // Up to the first byte that is neither a letter nor a separator.
            let limit = (m.stops & !m.letters).trailing_zeros();
            let below = u64::MAX.checked_shr(64 - limit).unwrap_or(0);
            let mut starts = m.letters & !((m.letters << 1) | carry) & below;
            while starts != 0 {
                let off = starts.trailing_zeros();
                starts &= starts - 1;
                let s = base + off as usize;
                let run = (!(m.letters >> off)).trailing_zeros();
                let (n, high_after) = if off + run < 64 {
                    (run as usize, m.high >> (off + run) & 1 == 1)
                } else {
                    // The word runs to the end of the block: measure it on its own bytes.
                    let (x0, x1) = load16(b, s);
                    let q = Block::classify(x0, x1);
                    let n = (!q.letters).trailing_zeros().min(16);
                    (n as usize, q.high >> n & 1 == 1)
                };
                if n >= 16 || (high_after && !ends_token(b, s + n)) {
                    return s;
                }
                let (m0, m1) = MASKS[n];
                let (l0, l1) = match self.lower.get(s..s + 16) {
                    Some(l) => (word(&l[..8]), word(&l[8..])),
                    None => return s,
                };
                self.keep_word(l0 & m0, l1 & m1, n);
                if self.hashes.len() >= max_tokens {
                    return s + n;
                }
            }
            if limit < 64 {
                return base + limit as usize;
            }
            carry = m.letters >> 63;
            base += 64;
            if base >= b.len() {
                return b.len();
            }
        }
    }

    /// Folds, hashes and keeps (or drops, as a stop word or single letter) the lower-cased
    /// ASCII word of `n` letters (1..=15) held in `w0`, `w1` (zero past `n`), as
    /// [`Tokens::flush`] would, through the [`WordCache`].
    #[inline(always)]
    fn keep_word(&mut self, w0: u64, w1: u64, n: usize) {
        let slot = cache_slot(w0, w1);
        let e = self.cache.slots[slot];
        let (h, drop) = if e[0] == w0 && e[1] == w1 {
            (e[2], e[2] == DROP)
        } else {
            let (h, keep) = ascii_token(w0, w1, n);
            if !keep || h != DROP {
                self.cache.slots[slot] = [w0, w1, if keep { h } else { DROP }];
            }
            (h, !keep)
        };
        // Push, then take it back when dropped: no branch on the outcome.
        self.hashes.push(h);
        let len = self.hashes.len() - usize::from(drop);
        self.hashes.truncate(len);
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
            if !WIDE_STOP.contains(h) {
                self.hashes.push(h);
                // U+0600..U+06FF and U+0750..U+077F lead with these bytes in UTF-8.
                self.arabic += usize::from(matches!(self.buf[0], 0xd8..=0xdb | 0xdd));
            }
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
    // Spanish, French, German, Portuguese and Italian function words and reporting verbs,
    // as they read folded (accents dropped, "ß" as "ss"); words that are also English
    // content words ("die", "war", "son", "hat", "man", "era") are left out.
    "de",
    "la",
    "el",
    "los",
    "las",
    "del",
    "por",
    "para",
    "con",
    "una",
    "que",
    "se",
    "su",
    "sus",
    "al",
    "lo",
    "le",
    "como",
    "mas",
    "pero",
    "este",
    "esta",
    "entre",
    "cuando",
    "muy",
    "sin",
    "sobre",
    "tambien",
    "hasta",
    "desde",
    "durante",
    "fue",
    "ha",
    "han",
    "es",
    "dijo",
    "segun",
    "les",
    "des",
    "du",
    "une",
    "et",
    "en",
    "est",
    "qui",
    "dans",
    "sur",
    "au",
    "aux",
    "ce",
    "ces",
    "il",
    "elle",
    "ils",
    "ne",
    "pas",
    "sa",
    "ses",
    "avec",
    "mais",
    "ou",
    "leur",
    "cette",
    "ete",
    "sont",
    "ont",
    "aussi",
    "selon",
    "dit",
    "der",
    "das",
    "und",
    "von",
    "zu",
    "mit",
    "sich",
    "auf",
    "fur",
    "ist",
    "im",
    "dem",
    "nicht",
    "ein",
    "eine",
    "einer",
    "als",
    "auch",
    "er",
    "aus",
    "bei",
    "sie",
    "nach",
    "wird",
    "wie",
    "um",
    "oder",
    "noch",
    "zum",
    "zur",
    "uber",
    "vor",
    "dass",
    "wurde",
    "werden",
    "sind",
    "durch",
    "sagte",
    "laut",
    "da",
    "dos",
    "em",
    "com",
    "nao",
    "uma",
    "ao",
    "di",
    "che",
    "della",
    "nel",
    "sono",
];

/// Function words and reporting verbs of languages in other scripts (Urdu, Arabic,
/// Persian, Russian and other Cyrillic, Greek) and the commonest particles of Chinese and
/// Japanese (single characters, as those scripts are tokenized). Folded like any text when
/// first used ([`WIDE_STOP`]).
const WIDE_STOP_WORDS: &str = "
    کے کی کا کو میں سے نے پر اور ہے ہیں تھا تھی تھے ہو ہوا ہوئے ہوئی ہوں گیا گئی گئے کیا
    کر کرنے کرتے کرتی کہا کہ یہ وہ اس ان ایک بھی نہیں جو تو تک لیے لئے کیلئے ساتھ بعد جس
    جن رہا رہی رہے والے والی والا اپنے اپنی اپنا دیا دی دیے گا گی گے ہی یا و اب جب بہت
    کسی کچھ سب پھر مگر لیکن جبکہ ہوگا مطابق جا جائے جاتا جاتی جاتے
    في من على إلى عن أن إن ما لا هذا هذه ذلك التي الذي الذين كان كانت ثم أو قد لم لن مع
    بين كل بعد قبل عند حيث هو هي هم كما أيضا حتى منذ خلال وقال قال وفي
    از به در این آن با را برای است بود شد هم یک تا خود می شده کرد گفت
    и в во не что он на я с со как а то все она так его но да к у же за бы по только ее
    было от еще нет о из ему когда даже ли если уже или ни быть был него до там потом
    себя может они тут где есть для мы их чем была сам без будет кто этот того этого при
    об после над через эти про также который которая которые это заявил сообщил сказал
    της και το η ο του τα των στο με για να σε από ότι
    的 了 是 在 和 与 及 之 于 等 其 也 就 着 而 被 这 该
    の に は を が で と も へ や た て し な
";

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

/// One bit per 4,096 values of a hash's top 12 bits, set for the stop words': most hashes
/// are ruled out by one load and a well-predicted branch, before [`STOP_TABLE`]'s probe.
static STOP_FILTER: [u64; 64] = {
    let mut f = [0u64; 64];
    let mut k = 0;
    while k < STOP.len() {
        let h = const_hash(STOP[k].as_bytes());
        f[(h >> 58) as usize] |= 1 << ((h >> 52) & 63);
        k += 1;
    }
    f
};

#[inline]
fn is_stop_hash(h: u64) -> bool {
    if STOP_FILTER[(h >> 58) as usize] >> ((h >> 52) & 63) & 1 == 0 {
        return h == 0;
    }
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

/// Hashes of [`WIDE_STOP_WORDS`] as [`Tokens::flush`] sees them, built on first use.
static WIDE_STOP: LazyLock<StopSet> = LazyLock::new(|| {
    let mut t = Tokens::default();
    let mut hashes = Vec::new();
    for w in WIDE_STOP_WORDS.split_whitespace() {
        for ch in w.chars() {
            match classify_wide(ch) {
                Wide::Letter => t.put_letter(ch),
                Wide::Unspaced => t.put_unspaced(ch),
                _ => {}
            }
        }
        if t.wide && t.len > 0 {
            hashes.push(t.buf_hash(t.len));
        }
        t.buf = [0; MAX_TOKEN];
        t.len = 0;
        t.wide = false;
    }
    StopSet::new(&hashes)
});

/// A set of token hashes: a 4,096-bit filter on the top bits, then open addressing.
struct StopSet {
    filter: [u64; 64],
    table: Box<[u64]>,
}

impl StopSet {
    fn new(hashes: &[u64]) -> Self {
        let slots = (hashes.len() * 2).next_power_of_two().max(16);
        let mut table = vec![0u64; slots].into_boxed_slice();
        let mut filter = [0u64; 64];
        for &h in hashes.iter().filter(|&&h| h != 0) {
            filter[(h >> 58) as usize] |= 1 << ((h >> 52) & 63);
            let mut i = h as usize & (slots - 1);
            while table[i] != 0 && table[i] != h {
                i = (i + 1) & (slots - 1);
            }
            table[i] = h;
        }
        StopSet { filter, table }
    }

    #[inline]
    fn contains(&self, h: u64) -> bool {
        if self.filter[(h >> 58) as usize] >> ((h >> 52) & 63) & 1 == 0 || h == 0 {
            return false;
        }
        let mask = self.table.len() - 1;
        let mut i = h as usize & mask;
        loop {
            match self.table[i] {
                x if x == h => return true,
                0 => return false,
                _ => i = (i + 1) & mask,
            }
        }
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

/// What the general path does with a two-byte character ([`TWO_BYTE`]).
#[derive(Debug, Clone, Copy, Default)]
struct TwoByte {
    kind: u8,
    /// Bytes appended to the token (letters), or the ASCII digit.
    len: u8,
    bytes: [u8; 4],
    /// The bytes are not all ASCII.
    wide: bool,
}

const SLOW: u8 = 0;
const SKIP_CHAR: u8 = 1;
const DIGIT_CHAR: u8 = 2;
const LETTER_CHAR: u8 = 3;
const SEP_CHAR: u8 = 4;

/// [`TwoByte`] of every code point U+0000..U+07FF (indexed by it; those below U+0080 and
/// letters giving more than four bytes are [`SLOW`]), built on first use from
/// [`classify_wide`] and [`Tokens::put_letter`] themselves, so both paths agree.
static TWO_BYTE: LazyLock<Box<[TwoByte; 0x800]>> = LazyLock::new(|| {
    let mut t = Box::new([TwoByte::default(); 0x800]);
    let mut tok = Tokens::default();
    for cp in 0x80u32..0x800 {
        let Some(ch) = char::from_u32(cp) else { continue };
        let e = &mut t[cp as usize];
        match classify_wide(ch) {
            Wide::Skip => e.kind = SKIP_CHAR,
            Wide::Separator => e.kind = SEP_CHAR,
            Wide::Digit(d) => {
                e.kind = DIGIT_CHAR;
                e.bytes[0] = d;
            }
            Wide::Unspaced => {}
            Wide::Letter => {
                tok.buf = [0; MAX_TOKEN];
                tok.len = 0;
                tok.wide = false;
                tok.put_letter(ch);
                if tok.len <= 4 {
                    e.kind = LETTER_CHAR;
                    e.len = tok.len as u8;
                    e.bytes[..tok.len].copy_from_slice(&tok.buf[..tok.len]);
                    e.wide = tok.wide;
                }
            }
        }
    }
    t
});

/// How the general path treats a non-ASCII character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wide {
    /// Invisible inside a word: combining marks (accents, harakat), format characters
    /// (joiners, direction marks), tatweel.
    Skip,
    /// A decimal digit of another script, as its ASCII digit.
    Digit(u8),
    /// A character of a script written without spaces: a token of its own.
    Unspaced,
    /// Part of a word.
    Letter,
    /// Ends a token (spaces, punctuation, symbols, U+FFFD).
    Separator,
}

fn classify_wide(ch: char) -> Wide {
    if is_ignorable(ch) || is_combining_mark(ch) {
        Wide::Skip
    } else if let Some(d) = digit_value(ch) {
        Wide::Digit(b'0' + d)
    } else if is_unspaced_script(ch) {
        Wide::Unspaced
    } else if ch.is_alphanumeric() {
        Wide::Letter
    } else {
        Wide::Separator
    }
}

/// Characters that change nothing about the words they sit in: soft hyphen, Arabic letter
/// mark, tatweel (kashida, a stretch of the baseline), zero-width joiner and non-joiner,
/// direction marks, embeddings and isolates, word joiner and invisible operators, variation
/// selectors, byte order mark, interlinear annotation marks, tags. Skipped, so "كـتاب" and
/// "كتاب", or a word with a right-to-left mark inside, give the same token. (U+200B, the
/// zero-width space, separates words: it is not one of them.)
fn is_ignorable(ch: char) -> bool {
    matches!(ch as u32,
        0xAD | 0x61C | 0x640 | 0x7FA | 0x180B..=0x180F | 0x200C..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0xFE00..=0xFE0F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE0000..=0xE0FFF)
}

/// Value of a decimal digit of a script other than ASCII (Arabic-Indic, Persian/Urdu,
/// Devanagari, Bengali, Thai, full-width, ...), so "۲۰۲۴", "٢٠٢٤" and "2024" are one token.
fn digit_value(ch: char) -> Option<u8> {
    const ZEROS: [u32; 22] = [
        0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50,
        0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0xFF10,
    ];
    let c = ch as u32;
    ZEROS
        .iter()
        .find(|&&z| (z..z + 10).contains(&c))
        .map(|&z| (c - z) as u8)
}

/// Folds letters that writers of one language use interchangeably: the Arabic-script yeh,
/// kaf and heh variants (Arabic, Urdu and Persian keyboards give different code points
/// for one letter; teh marbuta is written as heh), alef wasla, and Greek final sigma.
/// Hamza and madda forms arrive here decomposed, their marks dropped.
pub(crate) fn fold_letter(c: char) -> char {
    match c {
        '\u{64a}' | '\u{649}' | '\u{6d0}' => '\u{6cc}', // yeh
        '\u{643}' | '\u{6aa}' => '\u{6a9}',             // kaf
        '\u{647}' | '\u{629}' | '\u{6c3}' | '\u{6be}' | '\u{6d5}' => '\u{6c1}', // heh
        '\u{671}' | '\u{672}' | '\u{673}' => '\u{627}', // alef
        '\u{3c2}' => '\u{3c3}',                         // sigma
        _ => c,
    }
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
        | 0xFF66..=0xFF9D      // half-width katakana
        | 0x20000..=0x2FFFF)
}

/// Light folding of a lower-case ASCII token (already `z`-to-`s` folded) in place, so
/// common spelling variants meet: plural `s`, `our`/`or`, `tre`/`ter`, `lled`/`led`,
/// `ogue`/`og`, `gramme`/`gram`, `fence`/`fense`, "cent" (of "per cent") to "percent", and a
/// trailing run of `i`/`y` (Zelenskiy, Zelensky, Zelenskyy). Returns the new length.
/// Folding may merge unrelated words; that is harmless for copy detection.
fn fold(w: &mut [u8], mut n: usize) -> usize {
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
        // "заявил" (said), "قال" (said) and "の" are stop words.
        assert_eq!(toks("Президент Зеленский заявил").len(), 2);
        assert_eq!(toks("東京都の知事").len(), 5);
        assert_eq!(toks("قال الرئيس الأوكراني").len(), 2);
        check_same("Зеленский", "ЗЕЛЕНСКИЙ");
    }

    #[test]
    fn fast_path_matches_general_path() {
        const PIECES: &[&str] = &[
            " ",
            " ",
            " ",
            "  ",
            "\n",
            "\n\n",
            ",",
            ".",
            ", ",
            ". ",
            "%",
            "&amp;",
            "&#8217;",
            "&",
            ";",
            "-",
            "'",
            "\"",
            "(",
            ")",
            "\u{2019}",
            "\u{201c}",
            "\u{2014}",
            "\u{a0}",
            "\u{200b}",
            "\u{200c}",
            "\u{200d}",
            "\u{200f}",
            "\u{202b}",
            "\u{ad}",
            "\u{640}",
            "\u{663}",
            "\u{fffd}",
            "\u{3000}",
            "\t",
            "                  ",
            " , . \" ' ( ) ; : - \t ! ? ",
            "a",
            "I",
            "Zelenskiy",
            "ZELENSKYY",
            "zelensky",
            "colour",
            "Centre",
            "travelled",
            "travelling",
            "catalogue",
            "programme",
            "defence",
            "cent",
            "pct",
            "Pct",
            "organize",
            "OrganiZation",
            "the",
            "The",
            "said",
            "Mr",
            "says",
            "bus",
            "buses",
            "glass",
            "abcdefghijklmno",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "internationalisation",
            "counterrevolutionaries",
            "xyzzy",
            "Kyiv",
            "1",
            "1,000",
            "1.5",
            "2025",
            "42nd",
            "5m",
            "covid19",
            "caf\u{e9}",
            "e\u{301}",
            "\u{e9}t\u{e9}",
            "S\u{e3}o",
            "\u{fc}ber",
            "\u{aa}",
            "\u{b2}",
            "\u{b5}",
            "\u{41f}\u{440}\u{438}",
            "\u{6771}\u{4eac}",
            "\u{e01}",
            "\u{627}\u{644}",
            "\u{391}\u{3b8}",
            "stra\u{df}e",
            "\u{130}stanbul",
            "\u{301}",
            "\u{1f600}",
            "cents",
            "colours",
            "Theatres",
            "histories",
            "xiyiyiyiyiyiy",
            "abcyyyyyyyyyyyy",
            "bass",
            "ss",
            "iyiy",
            "sky",
            "skis",
            "signalling",
            "dialogues",
            "Kennedys",
            "PCT",
            "hers",
            "outre",
            "labelled",
        ];
        let mut rng = wirefold_corpus::Rng::new(1);
        let mut rnd = |n: usize| rng.below(n);
        let (mut fast, mut slow) = (Tokens::default(), Tokens::default());
        for round in 0..20_000 {
            let mut text = String::new();
            for _ in 0..rnd(60) {
                text.push_str(PIECES[rnd(PIECES.len())]);
            }
            let max = if round % 3 == 0 { rnd(20) } else { usize::MAX };
            fast.fill_with::<true, true>(&text, max);
            slow.fill_with::<false, false>(&text, max);
            assert_eq!(fast.hashes, slow.hashes, "{text:?} max {max}");
            assert_eq!(fast.paras, slow.paras, "{text:?} max {max}");
        }
    }

    #[test]
    fn two_byte_table_matches_general_path() {
        let (mut a, mut b) = (Tokens::default(), Tokens::default());
        for cp in 0x80u32..0x800 {
            let Some(c) = char::from_u32(cp) else { continue };
            for text in [
                format!("{c}"),
                format!("ab{c}cd {c}{c} 12{c}34 x"),
                format!("\u{628}{c}\u{628} {c}1"),
            ] {
                a.fill_with::<true, true>(&text, usize::MAX);
                b.fill_with::<true, false>(&text, usize::MAX);
                assert_eq!(a.hashes, b.hashes, "{cp:#x} {text:?}");
                assert_eq!(a.arabic, b.arabic, "{cp:#x}");
            }
        }
    }

    #[test]
    fn block_masks_match_byte_tables() {
        let mut rng = wirefold_corpus::Rng::new(2);
        let mut rnd = || rng.next_u64();
        for c in 0..=255u64 {
            let (x0, x1) = (c * 0x0101_0101_0101_0101, rnd());
            assert_eq!(Block::classify(x0, x1), Block::classify_bytes(x0, x1), "{c:#x}");
        }
        for _ in 0..100_000 {
            let (x0, x1) = (rnd(), rnd() & 0x7f7f_7f7f_7f7f_7f7f);
            assert_eq!(Block::classify(x0, x1), Block::classify_bytes(x0, x1));
        }
    }

    #[test]
    fn general_punctuation_ends_words() {
        for c in ('\u{2000}'..='\u{203f}').chain(['\u{a0}']) {
            let mut b = [0u8; 4];
            let ends = ends_token(c.encode_utf8(&mut b).as_bytes(), 0);
            if is_ignorable(c) {
                assert!(!ends, "{c:?} is skipped inside a word");
            } else {
                assert!(
                    ends && !c.is_alphanumeric() && !is_combining_mark(c) && !is_unspaced_script(c),
                    "{c:?}"
                );
            }
        }
    }

    #[test]
    fn script_variants_fold_together() {
        // Harakat, tatweel, letter variants (Arabic yeh/kaf/heh against Urdu/Persian),
        // hamza forms, presentation forms, digits of other scripts.
        check_same("كِتَابٌ", "كتاب");
        check_same("كـــتاب", "كتاب");
        check_same("كتابي جديدة", "کتابی جدیدہ");
        check_same("أحمد إلى آخر", "احمد الی اخر");
        check_same("\u{fe8d}\u{fedf}\u{fed8}\u{fee4}\u{fea8}", "القمخ");
        check_same("۲۰۲۴ ٢٠٢٤", "2024 2024");
        check_same("فیصلے", "فيصلے");
        // Cyrillic and Greek case and marks, German sharp s, full-width Latin and digits,
        // half-width katakana.
        check_same("ЕЩЁ Ёлка", "еще елка");
        check_same("ΟΔΟΣ οδός", "οδοσ οδοσ");
        check_same("Straße", "STRASSE");
        check_same("ＷＩＲＥ　１２３", "wire 123");
        check_same("ﾃﾚﾋﾞ", "テレヒ");
        check_differs("قطر", "قطار");
        check_differs("Москва", "Минск");
    }

    #[test]
    fn invisible_characters_do_not_split_words() {
        // Zero-width (non-)joiners, direction marks and embeddings, soft hyphen and BOM are
        // skipped inside a word; the zero-width space separates words.
        check_same("wo\u{200d}rd con\u{ad}tent \u{feff}text", "word content text");
        check_same("\u{202b}مرحبا\u{202c} \u{200f}بالعالم\u{200f}", "مرحبا بالعالم");
        check_same("می\u{200c}خواهم", "میخواهم");
        check_same("alpha\u{200b}beta", "alpha beta");
        check_same("alpha\u{200e}beta gamma", "alphabeta gamma");
    }

    #[test]
    fn bad_input_has_defined_tokens() {
        // Mixed scripts: each run is tokenized by its script's rules.
        let mixed = "Putin встретился с Xi Jinping 习近平 in Moscow";
        let mut want = toks("Putin встретился Xi Jinping");
        want.extend(toks("习近平"));
        want.extend(toks("Moscow"));
        assert_eq!(toks(mixed), want);
        // No word characters at all.
        assert!(toks("!!! ... \u{2014} ??? \u{2605}\u{2605} \u{1f600}\u{1f600} \u{fffd}").is_empty());
        // Invalid surrogates decoded lossily become U+FFFD, which separates words.
        let lossy =
            String::from_utf16_lossy(&[0xd800, u16::from(b'k'), u16::from(b'y'), 0xdc00, 0x0069, 0x0076]);
        assert_eq!(toks(&lossy), toks("ky iv"));
        // A 5 MB line with no spaces: one cut token in a spaced script, at most the budget
        // in a script without spaces.
        for unit in ["a", "\u{628}", "\u{416}"] {
            let line = unit.repeat(5_000_000 / unit.len());
            assert_eq!(toks(&line).len(), 1, "{unit:?}");
        }
        let han = "\u{6c49}\u{5b57}".repeat(1_000_000);
        let mut t = Tokens::default();
        t.fill(&han, 20_000);
        assert_eq!(t.hashes.len(), 20_000);
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
