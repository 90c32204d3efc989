//! The inverted index from anchor key to the indexed documents (slots) holding it.
//!
//! One hash map from key to either the key's only slot (inline, the common case: most
//! shingles are in one indexed doc) or the head of a singly linked list in an arena of
//! `(slot, next)` pairs with a free list: no allocation per key or per posting once warm,
//! about 10-18 bytes per distinct key plus 8 per posting of shared keys. New postings go to the head, so a
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

/// Map values with this bit hold a key's only slot inline (no arena entry).
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

    /// Adds `slot` (below 2^31) under `key`.
    pub fn insert(&mut self, key: u32, slot: u32) {
        self.live += 1;
        let head = match self.heads.get(&key) {
            None => {
                self.heads.insert(key, slot | INLINE);
                return;
            }
            Some(&v) if v & INLINE != 0 => self.alloc(Entry {
                slot: v & !INLINE,
                next: NIL,
            }),
            Some(&v) => v,
        };
        let at = self.alloc(Entry { slot, next: head });
        self.heads.insert(key, at);
    }

    /// Removes `slot` from `key` (no-op when absent).
    pub fn remove(&mut self, key: u32, slot: u32) {
        let Some(&head) = self.heads.get(&key) else { return };
        if head & INLINE != 0 {
            if head & !INLINE == slot {
                self.heads.remove(&key);
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
                    self.heads.insert(key, e.next);
                } else {
                    self.arena[prev as usize].next = e.next;
                }
                self.release(at);
                self.live -= 1;
                // One left: back to inline.
                if let Some(&h) = self.heads.get(&key) {
                    let only = self.arena[h as usize];
                    if only.next == NIL {
                        self.release(h);
                        self.heads.insert(key, only.slot | INLINE);
                    }
                }
                return;
            }
            prev = at;
            at = e.next;
        }
    }

    /// Slots under `key`, newest first.
    #[inline]
    pub fn get(&self, key: u32) -> Iter<'_> {
        match self.heads.get(&key) {
            None => Iter {
                arena: &self.arena,
                at: NIL,
                single: None,
            },
            Some(&v) if v & INLINE != 0 => Iter {
                arena: &self.arena,
                at: NIL,
                single: Some(v & !INLINE),
            },
            Some(&v) => Iter {
                arena: &self.arena,
                at: v,
                single: None,
            },
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
        assert_eq!(p.get(9).collect::<Vec<_>>(), vec![1]);
        assert!(p.arena.len() <= 6);
        p.insert(9, 2);
        p.remove(9, 1);
        assert_eq!(p.get(9).collect::<Vec<_>>(), vec![2]);
    }
}
