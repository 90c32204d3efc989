//! The inverted index from anchor key to the indexed documents (slots) holding it.
//!
//! An open-addressing table (linear probing, at most 7/8 full like hashbrown's, so no more
//! buckets than a `HashMap` would take; backward-shift deletion) of
//! `(key, value)` pairs, so a lookup costs one cache miss at 100k articles: the value is
//! either the key's only slot (inline, the common case: most shingles are in one indexed
//! doc) or the head of a singly linked list in an arena of `(slot, next)` pairs with a free
//! list: no allocation per key or per posting once warm, about 11 bytes per distinct key
//! plus 8 per posting of shared keys. New postings go to the head, so a list walks newest
//! first; removing keeps the order of the rest. [`Postings::heads`] looks up a doc's keys
//! in one pass whose loads do not depend on each other (the misses overlap), and
//! [`Postings::touch`] does the same before a run of inserts. It knows nothing about
//! clusters or thresholds.

use std::hash::{BuildHasherDefault, Hasher};

const NIL: u32 = u32::MAX;

/// Table value of a free bucket.
const EMPTY: u32 = u32::MAX;

/// Hasher for keys that are already hash bits: one multiply spreads them over all 64 bits.
#[derive(Default, Clone, Copy)]
pub(crate) struct MulHasher(u64);

impl Hasher for MulHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.0 = (u64::from(i) ^ self.0).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (i ^ self.0).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Hash-map builder for pre-hashed integer keys.
pub(crate) type BuildMul = BuildHasherDefault<MulHasher>;

#[derive(Debug, Clone, Copy)]
struct Entry {
    slot: u32,
    next: u32,
}

/// Key to slots.
#[derive(Debug, Default)]
pub(crate) struct Postings {
    /// `(key, value)` buckets, a power of two of them (or none); value `EMPTY` is free.
    table: Vec<(u32, u32)>,
    /// `32 - log2(table.len())`: a key's home bucket is the top bits of key times a constant
    /// (sampled keys are small numbers, so their low bits alone would crowd).
    shift: u32,
    /// Occupied buckets (distinct keys).
    used: usize,
    arena: Vec<Entry>,
    free: Option<u32>,
    live: usize,
}

/// Values with this bit hold a key's only slot inline (no arena entry).
const INLINE: u32 = 1 << 31;

/// Slots of one key, newest first.
pub(crate) struct Iter<'a> {
    arena: &'a [Entry],
    at: u32,
    single: Option<u32>,
}

impl Iterator for Iter<'_> {
    type Item = u32;
    #[inline]
    fn next(&mut self) -> Option<u32> {
        if let Some(s) = self.single.take() {
            return Some(s);
        }
        let e = self.arena.get(self.at as usize)?;
        self.at = e.next;
        Some(e.slot)
    }
}

impl Postings {
    #[inline]
    fn home(&self, key: u32) -> usize {
        (key.wrapping_mul(0x9e37_79b1) >> self.shift) as usize
    }

    /// The bucket holding `key`, or the free bucket where it would go.
    #[inline]
    fn find(&self, key: u32) -> Result<usize, usize> {
        let mask = self.table.len() - 1;
        let mut i = self.home(key);
        loop {
            let (k, v) = self.table[i];
            if v == EMPTY {
                return Err(i);
            }
            if k == key {
                return Ok(i);
            }
            i = (i + 1) & mask;
        }
    }

    /// The value under `key`, `EMPTY` when absent.
    #[inline]
    fn value(&self, key: u32) -> u32 {
        if self.table.is_empty() {
            return EMPTY;
        }
        match self.find(key) {
            Ok(i) => self.table[i].1,
            Err(_) => EMPTY,
        }
    }

    fn grow(&mut self) {
        let n = (self.table.len() * 2).max(64);
        let old = std::mem::replace(&mut self.table, vec![(0, EMPTY); n]);
        self.shift = 32 - n.trailing_zeros();
        for (k, v) in old {
            if v != EMPTY {
                let (Ok(i) | Err(i)) = self.find(k);
                self.table[i] = (k, v);
            }
        }
    }

    /// Frees bucket `i`, moving later buckets of its probe run back so lookups still find
    /// them (no tombstones).
    fn delete(&mut self, mut i: usize) {
        let mask = self.table.len() - 1;
        self.used -= 1;
        let mut j = i;
        loop {
            self.table[i].1 = EMPTY;
            loop {
                j = (j + 1) & mask;
                let (k, v) = self.table[j];
                if v == EMPTY {
                    return;
                }
                // The entry at `j` may move to `i` unless its home lies cyclically in (i, j].
                let h = self.home(k);
                let stays = if i <= j { i < h && h <= j } else { i < h || h <= j };
                if !stays {
                    self.table[i] = (k, v);
                    i = j;
                    break;
                }
            }
        }
    }

    fn alloc(&mut self, e: Entry) -> u32 {
        match self.free {
            Some(f) => {
                let f_us = f as usize;
                let nxt = self.arena[f_us].next;
                self.free = (nxt != NIL).then_some(nxt);
                self.arena[f_us] = e;
                f
            }
            None => {
                self.arena.push(e);
                (self.arena.len() - 1) as u32
            }
        }
    }

    fn release(&mut self, at: u32) {
        self.arena[at as usize] = Entry {
            slot: NIL,
            next: self.free.unwrap_or(NIL),
        };
        self.free = Some(at);
    }

    /// Loads the buckets of `keys` ahead of inserting or removing them: the loads are
    /// independent, so their cache misses overlap instead of coming one by one.
    pub fn touch(&self, keys: &[u32]) {
        if self.table.is_empty() {
            return;
        }
        let mut acc = 0u32;
        for &k in keys {
            acc ^= self.table[self.home(k)].1;
        }
        std::hint::black_box(acc);
    }

    /// Adds `slot` (below 2^31 - 1) under `key`.
    pub fn insert(&mut self, key: u32, slot: u32) {
        debug_assert!(slot < INLINE - 1);
        if (self.used + 1) * 8 > self.table.len() * 7 {
            self.grow();
        }
        self.live += 1;
        let i = match self.find(key) {
            Err(i) => {
                self.table[i] = (key, slot | INLINE);
                self.used += 1;
                return;
            }
            Ok(i) => i,
        };
        let v = self.table[i].1;
        let head = if v & INLINE != 0 {
            self.alloc(Entry {
                slot: v & !INLINE,
                next: NIL,
            })
        } else {
            v
        };
        let at = self.alloc(Entry { slot, next: head });
        self.table[i].1 = at;
    }

    /// Removes `slot` from `key` (no-op when absent).
    pub fn remove(&mut self, key: u32, slot: u32) {
        if self.table.is_empty() {
            return;
        }
        let Ok(b) = self.find(key) else { return };
        let head = self.table[b].1;
        if head & INLINE != 0 {
            if head & !INLINE == slot {
                self.delete(b);
                self.live -= 1;
            }
            return;
        }
        let mut prev = NIL;
        let mut at = head;
        while at != NIL {
            let e = self.arena[at as usize];
            if e.slot == slot {
                if prev == NIL {
                    self.table[b].1 = e.next;
                } else {
                    self.arena[prev as usize].next = e.next;
                }
                self.release(at);
                self.live -= 1;
                // One left: back to inline.
                let h = self.table[b].1;
                let only = self.arena[h as usize];
                if only.next == NIL {
                    self.release(h);
                    self.table[b].1 = only.slot | INLINE;
                }
                return;
            }
            prev = at;
            at = e.next;
        }
    }

    /// The values under `keys` (an opaque head for [`Postings::slots`] each), in order, into
    /// `out`: one pass of independent lookups, so their cache misses overlap.
    pub fn heads(&self, keys: &[u32], out: &mut Vec<u32>) {
        // Start every key's miss first (loads without branches), then probe.
        self.touch(keys);
        out.clear();
        out.extend(keys.iter().map(|&k| self.value(k)));
    }

    /// Slots under a head from [`Postings::heads`], newest first.
    #[inline]
    pub fn slots(&self, head: u32) -> Iter<'_> {
        match head {
            EMPTY => Iter {
                arena: &self.arena,
                at: NIL,
                single: None,
            },
            v if v & INLINE != 0 => Iter {
                arena: &self.arena,
                at: NIL,
                single: Some(v & !INLINE),
            },
            v => Iter {
                arena: &self.arena,
                at: v,
                single: None,
            },
        }
    }

    /// Slots under `key`, newest first.
    #[inline]
    pub fn get(&self, key: u32) -> Iter<'_> {
        self.slots(self.value(key))
    }

    /// Postings held.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Approximate heap bytes.
    pub fn heap_bytes(&self) -> usize {
        self.table.capacity() * std::mem::size_of::<(u32, u32)>()
            + self.arena.capacity() * std::mem::size_of::<Entry>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_remove_order() {
        let mut p = Postings::default();
        for s in 0..5 {
            p.insert(7, s);
        }
        p.insert(9, 1);
        assert_eq!(p.get(7).collect::<Vec<_>>(), vec![4, 3, 2, 1, 0]);
        p.remove(7, 2);
        p.remove(7, 4);
        p.remove(7, 42);
        assert_eq!(p.get(7).collect::<Vec<_>>(), vec![3, 1, 0]);
        p.insert(7, 8);
        assert_eq!(p.get(7).collect::<Vec<_>>(), vec![8, 3, 1, 0]);
        assert_eq!(p.len(), 5);
        for s in [8, 3, 1, 0] {
            p.remove(7, s);
        }
        assert_eq!(p.get(7).count(), 0);
        assert_eq!((p.used, p.len()), (1, 1));
        assert_eq!(p.get(9).collect::<Vec<_>>(), vec![1]);
        assert!(p.arena.len() <= 6);
        p.insert(9, 2);
        p.remove(9, 1);
        assert_eq!(p.get(9).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn matches_a_map_under_churn() {
        // Few keys in a small table (probe runs wrap around its end), then many.
        churn(45, u64::from(u32::MAX));
        churn(3000, 1 << 22);
    }

    /// Random inserts and removals of `nkeys` keys below `below` against a map of lists.
    fn churn(nkeys: usize, below: u64) {
        use std::collections::HashMap;
        let mut p = Postings::default();
        let mut m: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut rng = wirefold_corpus::Rng::new(3);
        let mut rnd = |n: u64| rng.below(n as usize) as u64;
        let pool: Vec<u32> = (0..nkeys).map(|_| rnd(below) as u32).collect();
        for step in 0..200_000u32 {
            let key = pool[rnd(nkeys as u64) as usize];
            // Few slots per key, so keys often leave the table.
            let slot = rnd(3) as u32;
            let list = m.entry(key).or_default();
            if rnd(2) > 0 && !list.contains(&slot) {
                p.insert(key, slot);
                list.insert(0, slot);
            } else {
                p.remove(key, slot);
                list.retain(|&s| s != slot);
            }
            if step % 97 == 0 {
                m.retain(|_, v| !v.is_empty());
                for (k, v) in &m {
                    assert_eq!(&p.get(*k).collect::<Vec<_>>(), v, "key {k}");
                }
                assert_eq!(p.used, m.len());
                assert_eq!(p.len(), m.values().map(Vec::len).sum::<usize>());
            }
        }
        let keys: Vec<u32> = m.keys().copied().chain([5, 1 << 30]).collect();
        let mut heads = Vec::new();
        p.heads(&keys, &mut heads);
        for (k, &h) in keys.iter().zip(&heads) {
            assert_eq!(p.slots(h).collect::<Vec<_>>(), p.get(*k).collect::<Vec<_>>());
        }
    }
}
