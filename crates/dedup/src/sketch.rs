//! Fingerprints: token shingles sampled by hash into a small sorted set of anchor keys.
//!
//! A shingle is `k` consecutive content tokens inside one paragraph (a paragraph shorter
//! than `k` but with at least two tokens is one shingle). Each shingle hash gives a 32-bit
//! key. A document keeps the keys below `2^32 * 2^(-level/4)`, where `level` is the largest
//! that still leaves about `target_anchors` keys: sampling is by value, so the keys two
//! documents keep at a common level are exactly their shared shingles' keys at that level
//! ("consistent sampling"), and comparing a long and a short document compares them on the
//! coarser of their two levels. Containment and Jaccard estimated this way are unbiased.
//! No IO, no allocation except the returned key vector.

use crate::text::Tokens;

/// Shingles per segment at most. A segment is a paragraph, or a piece of a long one: the
/// unit in which the copy rule sees where shared text lies in a doc (spread, lead,
/// boilerplate), so that a text written as one long paragraph is seen in pieces too.
pub(crate) const SEG_TOKENS: usize = 32;

/// Highest segment tag: later segments share it.
pub(crate) const MAX_SEG: u64 = 1023;

/// Highest sampling level. Level `l` keeps a share `2^(-l/4)` of all keys, so a doc
/// keeps between `target_anchors` and about 1.19 times that many.
pub(crate) const MAX_LEVEL: u8 = 96;

/// `2^32 * 2^(-f/4)` for f in 0..4.
const FRAC: [u64; 4] = [1 << 32, 3_611_622_603, 3_037_000_500, 2_553_802_834];

/// The sampled shingle keys of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    /// Distinct verification keys, ascending; all below `class_limit(level)`. The anchors
    /// (candidate-search keys) are the prefix below `class_limit(alevel)`.
    pub keys: Vec<u32>,
    /// Segment (0-based, saturating at [`MAX_SEG`]) of the first shingle giving each key.
    pub segs: Vec<u16>,
    /// Sampling level of `keys`.
    pub level: u8,
    /// Sampling level of the anchors (`>= level`).
    pub alevel: u8,
    /// Content tokens seen (after the token budget).
    pub ntok: u32,
    /// Segments (saturating).
    pub nseg: u16,
}

impl Fingerprint {
    /// The anchors: keys kept at the anchor level.
    pub fn anchors(&self) -> &[u32] {
        &self.keys[..class_count(&self.keys, self.alevel)]
    }
}

/// Reused buffers for fingerprinting.
#[derive(Debug, Default)]
pub(crate) struct Sketcher {
    tokens: Tokens,
    /// Shingle key << 16 | paragraph.
    raw: Vec<u64>,
    /// Scratch for [`sort_keys`].
    tmp: Vec<u64>,
}

/// Exclusive upper bound of the keys kept at `level`.
#[inline]
pub(crate) fn class_limit(level: u8) -> u64 {
    let l = level.min(MAX_LEVEL);
    ((u128::from((1u64 << 32) >> (l / 4)) * u128::from(FRAC[usize::from(l % 4)])) >> 32) as u64
}

/// How many of `keys` (ascending) are kept at `level`.
#[inline]
pub(crate) fn class_count(keys: &[u32], level: u8) -> usize {
    let lim = class_limit(level);
    keys.partition_point(|&k| u64::from(k) < lim)
}

/// Shared keys of two fingerprints compared at the coarser of their levels:
/// (shared, |a| at that level, |b| at that level).
pub(crate) fn overlap(a: &[u32], la: u8, b: &[u32], lb: u8) -> (usize, usize, usize) {
    let level = la.max(lb);
    let a = &a[..class_count(a, level)];
    let b = &b[..class_count(b, level)];
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (n, a.len(), b.len())
}

#[inline]
pub(crate) fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[inline]
fn shingle_key(toks: &[u64]) -> u32 {
    let mut h = 0x9e37_79b9_7f4a_7c15u64 ^ toks.len() as u64;
    for &t in toks {
        h = (h.rotate_left(23) ^ t).wrapping_mul(0x0000_0100_0000_01b3 | 0x9e37_0000_0000_0000);
    }
    (fmix64(h) >> 32) as u32
}

/// [`shingle_key`] of four tokens, unrolled.
#[inline]
fn shingle_key4(toks: [u64; 4]) -> u32 {
    const M: u64 = 0x0000_0100_0000_01b3 | 0x9e37_0000_0000_0000;
    let mut h = 0x9e37_79b9_7f4a_7c15u64 ^ 4;
    for t in toks {
        h = (h.rotate_left(23) ^ t).wrapping_mul(M);
    }
    (fmix64(h) >> 32) as u32
}

/// Sorts `v` ascending, where each entry is a key below `lim` shifted left by 16 with a
/// paragraph below. The keys are hashes, spread evenly below `lim`: a counting pass on
/// their top 8 bits puts each in one of up to 256 buckets in order, then an insertion sort
/// fixes the order inside the buckets (about one entry each for the ~200 keys of a doc), so
/// few branches go either way at random, unlike a comparison sort. Same result as
/// `sort_unstable` (entries are plain integers).
fn sort_keys(v: &mut Vec<u64>, tmp: &mut Vec<u64>, lim: u64) {
    let n = v.len();
    if !(32..=4096).contains(&n) {
        v.sort_unstable();
        return;
    }
    let bits = 64 - lim.saturating_sub(1).leading_zeros();
    let shift = 16 + bits.saturating_sub(8);
    let bucket = |x: u64| ((x >> shift) & 0xff) as usize;
    let mut start = [0u32; 257];
    for &x in v.iter() {
        start[bucket(x) + 1] += 1;
    }
    for b in 1..257 {
        start[b] += start[b - 1];
    }
    tmp.clear();
    tmp.resize(n, 0);
    for &x in v.iter() {
        let b = bucket(x);
        tmp[start[b] as usize] = x;
        start[b] += 1;
    }
    for i in 1..n {
        let x = tmp[i];
        let mut j = i;
        while j > 0 && tmp[j - 1] > x {
            tmp[j] = tmp[j - 1];
            j -= 1;
        }
        tmp[j] = x;
    }
    std::mem::swap(v, tmp);
}

/// The largest level that still keeps about `target` of `n` keys.
fn level_for(n: usize, target: usize) -> u8 {
    let (n, target) = (n as u64, target.max(1));
    let mut level = 0u8;
    while level < MAX_LEVEL && ((n * class_limit(level + 1)) >> 32) as usize >= target {
        level += 1;
    }
    level
}

impl Sketcher {
    /// Fingerprints `text` with shingles of `k` tokens (`k_arabic` when most tokens are in
    /// Arabic script), keeping about `target` anchors and about `fine` verification keys
    /// (at least `target`), reading at most `max_tokens` content tokens.
    pub fn sketch(
        &mut self,
        text: &str,
        k: usize,
        k_arabic: usize,
        target: usize,
        fine: usize,
        max_tokens: usize,
    ) -> Fingerprint {
        self.tokens.fill(text, max_tokens);
        let k = if 2 * self.tokens.arabic > self.tokens.hashes.len() {
            k_arabic
        } else {
            k
        }
        .max(1);
        let h = &self.tokens.hashes;
        let p = &self.tokens.paras;
        let bounds = |pi: usize| {
            let start = p[pi] as usize;
            (start, p.get(pi + 1).map_or(h.len(), |&e| e as usize))
        };
        // Shingles per paragraph: a window per position, one for a short paragraph.
        let count = |len: usize| {
            if len >= k {
                len - k + 1
            } else {
                usize::from(len >= 2)
            }
        };
        let n: usize = (0..p.len()).map(&bounds).map(|(s, e)| count(e - s)).sum();
        let alevel = level_for(n, target);
        let level = level_for(n, fine.max(target)).min(alevel);
        let lim = class_limit(level);
        // Keys kept at `level` only, written without a branch on whether each is kept.
        self.raw.clear();
        self.raw.resize(n + 1, 0);
        let mut kept = 0;
        let mut seg = 0u64;
        for pi in 0..p.len() {
            let (start, end) = bounds(pi);
            let para = &h[start..end];
            let mut put = |w: usize, key: u32| {
                let tag = (seg + (w / SEG_TOKENS) as u64).min(MAX_SEG);
                self.raw[kept] = (u64::from(key) << 16) | tag;
                kept += usize::from(u64::from(key) < lim);
            };
            if para.len() >= k {
                // The default length unrolled (same keys as the general loop).
                match k {
                    4 => para
                        .windows(4)
                        .enumerate()
                        .for_each(|(i, w)| put(i, shingle_key4([w[0], w[1], w[2], w[3]]))),
                    _ => para
                        .windows(k)
                        .enumerate()
                        .for_each(|(i, w)| put(i, shingle_key(w))),
                }
            } else if para.len() >= 2 {
                put(0, shingle_key(para));
            }
            seg += count(para.len()).div_ceil(SEG_TOKENS) as u64;
        }
        self.raw.truncate(kept);
        sort_keys(&mut self.raw, &mut self.tmp, lim);
        self.raw.dedup_by_key(|x| *x >> 16);
        let kept = &self.raw;
        Fingerprint {
            keys: kept.iter().map(|&x| (x >> 16) as u32).collect(),
            segs: kept.iter().map(|&x| x as u16).collect(),
            level,
            alevel,
            ntok: h.len() as u32,
            nseg: seg.min(MAX_SEG + 1) as u16,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(text: &str) -> Fingerprint {
        let f = Sketcher::default().sketch(text, 4, 2, 48, 48, 100_000);
        assert_eq!(f.anchors().len(), f.keys.len());
        f
    }

    #[test]
    fn sort_keys_sorts_like_sort_unstable() {
        let mut x = 0x1234_5678_9abc_def0u64;
        let mut tmp = Vec::new();
        for case in 0..400u64 {
            let level = (case % 97) as u8;
            let lim = class_limit(level);
            let n = (case * 37 % 700) as usize;
            let mut v: Vec<u64> = (0..n)
                .map(|i| {
                    x = fmix64(x.wrapping_add(0x9e37_79b9_7f4a_7c15));
                    // Some repeated keys, some out of range (still sorted right).
                    let key = if case % 5 == 0 { x >> 32 } else { (x >> 32) % lim };
                    let key = if i % 7 == 3 { key / 2 * 2 } else { key };
                    (key << 16) | (x & 0xff)
                })
                .collect();
            let mut want = v.clone();
            want.sort_unstable();
            sort_keys(&mut v, &mut tmp, lim);
            assert_eq!(v, want, "case {case}");
        }
    }

    #[test]
    fn shingle_key4_matches_general() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..1000 {
            let t: [u64; 4] = std::array::from_fn(|_| {
                x = fmix64(x.wrapping_add(0x9e37_79b9_7f4a_7c15));
                x
            });
            assert_eq!(shingle_key4(t), shingle_key(&t));
        }
    }

    #[test]
    fn levels_keep_about_target_anchors() {
        let long: String = (0..2000).map(|i| format!("w{i}x ")).collect();
        let f = fp(&long);
        assert!(f.level > 0);
        assert!((36..=70).contains(&f.keys.len()), "{}", f.keys.len());
        assert!((1..=MAX_LEVEL).all(|l| class_limit(l) < class_limit(l - 1)));
        assert!(f.keys.windows(2).all(|w| w[0] < w[1]));
        let short = fp("alpha beta gamma delta epsilon zeta");
        assert_eq!((short.level, short.keys.len()), (0, 3));
    }

    #[test]
    fn overlap_compares_on_coarser_level() {
        let long: String = (0..3000).map(|i| format!("w{i}x ")).collect();
        let half: String = (0..1500).map(|i| format!("w{i}x ")).collect();
        let (a, b) = (fp(&long), fp(&half));
        let (n, na, nb) = overlap(&a.keys, a.level, &b.keys, b.level);
        assert!(nb > 10 && na > nb);
        let c = n as f64 / nb as f64;
        assert!(c > 0.9, "containment {c}");
        let (n2, _, _) = overlap(&a.keys, a.level, &fp("unrelated words entirely here").keys, 0);
        assert_eq!(n2, 0);
    }

    #[test]
    fn paragraph_bounds_shingles() {
        let joined = fp("one two three four five six");
        let split = fp("one two three\n\nfour five six");
        assert_eq!(joined.keys.len(), 3);
        assert_eq!(split.keys.len(), 2);
        assert!(joined.keys.iter().all(|k| !split.keys.contains(k)));
    }
}
