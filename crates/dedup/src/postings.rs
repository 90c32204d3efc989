//! The inverted index from anchor key to the indexed documents (slots) holding it.
//!
//! One hash map from key to the head of a singly linked list in an arena of
//! `(slot, next)` pairs, with a free list: no allocation per key or per posting once warm,
//! 8 bytes per posting plus about 10-16 per distinct key. New postings go to the head, so a
//! list walks newest first; removing keeps the order of the rest. It knows nothing about
//! clusters or thresholds.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const NIL: u32 = u32::MAX;

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
    heads: HashMap<u32, u32, BuildMul>,
    arena: Vec<Entry>,
    free: Option<u32>,
    live: usize,
}

/// Slots of one key, newest first.
pub(crate) struct Iter<'a> {
    arena: &'a [Entry],
    at: u32,
}

impl Iterator for Iter<'_> {
    type Item = u32;
    #[inline]
    fn next(&mut self) -> Option<u32> {
        let e = self.arena.get(self.at as usize)?;
        self.at = e.next;
        Some(e.slot)
    }
}

impl Postings {
    /// Adds `slot` under `key`.
    pub fn insert(&mut self, key: u32, slot: u32) {
        let head = self.heads.get(&key).copied().unwrap_or(NIL);
        let e = Entry { slot, next: head };
        let at = match self.free {
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
        };
        self.heads.insert(key, at);
        self.live += 1;
    }

    /// Removes `slot` from `key` (no-op when absent).
    pub fn remove(&mut self, key: u32, slot: u32) {
        let Some(&head) = self.heads.get(&key) else { return };
        let mut prev = NIL;
        let mut at = head;
        while at != NIL {
            let e = self.arena[at as usize];
            if e.slot == slot {
                if prev == NIL {
                    if e.next == NIL {
                        self.heads.remove(&key);
                    } else {
                        self.heads.insert(key, e.next);
                    }
                } else {
                    self.arena[prev as usize].next = e.next;
                }
                self.arena[at as usize] = Entry {
                    slot: NIL,
                    next: self.free.unwrap_or(NIL),
                };
                self.free = Some(at);
                self.live -= 1;
                return;
            }
            prev = at;
            at = e.next;
        }
    }

    /// Slots under `key`, newest first.
    #[inline]
    pub fn get(&self, key: u32) -> Iter<'_> {
        Iter {
            arena: &self.arena,
            at: self.heads.get(&key).copied().unwrap_or(NIL),
        }
    }

    /// Postings held.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Approximate heap bytes.
    pub fn heap_bytes(&self) -> usize {
        // hashbrown: one control byte plus the pair per bucket; buckets are a power of two.
        let buckets = if self.heads.capacity() == 0 {
            0
        } else {
            (self.heads.capacity() * 8 / 7).next_power_of_two()
        };
        buckets * (std::mem::size_of::<(u32, u32)>() + 1)
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
        assert_eq!((p.heads.len(), p.len()), (1, 1));
        assert_eq!(p.arena.len(), 6);
    }
}
