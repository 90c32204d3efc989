//! The snapshot format: a compact, versioned binary encoding of an [`Index`]'s state.
//!
//! Layout (integers are LEB128 varints, signed ones zigzag, unless noted):
//! `"WFDDSNAP"`, format version byte (3), the fingerprint settings (shingle lengths,
//! target anchors, verification keys, max tokens, min tokens), event time, sequence counters, counters, then
//! every cluster in creation order with its members in join order (strings, times, anchor
//! keys delta-coded), then tombstones sorted by key, then an 8-byte little-endian xxh3
//! checksum of everything before it. Only state that decides future events is written; the
//! inverted index, uri map and expiry queue are rebuilt on restore (no decision depends on
//! their internal order). Restore checks the checksum and every count, index and range,
//! and returns an error on anything off: it never panics on bad bytes.

use std::cmp::Reverse;

use crate::sketch::{MAX_LEVEL, class_limit};
use crate::{Cluster, ClusterId, Config, Fields, Index, Member, NIL, SnapshotError, uri_hash};

const MAGIC: &[u8; 8] = b"WFDDSNAP";
/// 3: segments instead of paragraphs, the script-aware tokenizer and the Arabic-script
/// shingle length (older snapshots are refused, and the deduplicator rebuilds).
const VERSION: u8 = 3;

pub(crate) struct W(pub(crate) Vec<u8>);

impl W {
    pub(crate) fn u(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    pub(crate) fn i(&mut self, v: i64) {
        self.u(((v << 1) ^ (v >> 63)) as u64);
    }
    pub(crate) fn s(&mut self, s: &str) {
        self.u(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    pub(crate) fn os(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.0.push(1);
                self.s(s);
            }
            None => self.0.push(0),
        }
    }
}

pub(crate) struct R<'a> {
    pub(crate) b: &'a [u8],
    pub(crate) at: usize,
}

fn bad(what: &str) -> SnapshotError {
    SnapshotError::Corrupt(what.to_string())
}

impl<'a> R<'a> {
    pub(crate) fn byte(&mut self) -> Result<u8, SnapshotError> {
        let v = *self.b.get(self.at).ok_or_else(|| bad("truncated"))?;
        self.at += 1;
        Ok(v)
    }
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| bad("truncated"))?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    pub(crate) fn u(&mut self) -> Result<u64, SnapshotError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(bad("varint too long"))
    }
    pub(crate) fn i(&mut self) -> Result<i64, SnapshotError> {
        let v = self.u()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }
    /// A count of items each taking at least one byte: bounded by the bytes left.
    pub(crate) fn count(&mut self) -> Result<usize, SnapshotError> {
        let n = self.u()?;
        if n > (self.b.len() - self.at) as u64 {
            return Err(bad("count exceeds data"));
        }
        Ok(n as usize)
    }
    pub(crate) fn u32(&mut self) -> Result<u32, SnapshotError> {
        u32::try_from(self.u()?).map_err(|_| bad("value out of range"))
    }
    pub(crate) fn s(&mut self) -> Result<Box<str>, SnapshotError> {
        let n = self.count()?;
        let b = self.take(n)?;
        std::str::from_utf8(b)
            .map(Into::into)
            .map_err(|_| bad("string is not utf-8"))
    }
    pub(crate) fn os(&mut self) -> Result<Option<Box<str>>, SnapshotError> {
        match self.byte()? {
            0 => Ok(None),
            1 => Ok(Some(self.s()?)),
            _ => Err(bad("bad option tag")),
        }
    }
    pub(crate) fn fixed8(&mut self) -> Result<u64, SnapshotError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

fn settings(cfg: &Config) -> [u64; 6] {
    [
        cfg.shingle_len as u64,
        cfg.arabic_shingle_len as u64,
        cfg.target_anchors as u64,
        cfg.verify_keys as u64,
        cfg.max_tokens as u64,
        cfg.min_tokens as u64,
    ]
}

pub(crate) fn encode(ix: &Index) -> Vec<u8> {
    let mut w = W(Vec::with_capacity(64 + ix.members.len() * 160));
    w.0.extend_from_slice(MAGIC);
    w.0.push(VERSION);
    for v in settings(&ix.cfg) {
        w.u(v);
    }
    match ix.now_ms {
        Some(t) => {
            w.0.push(1);
            w.i(t);
        }
        None => w.0.push(0),
    }
    w.u(ix.next_cluster_seq);
    w.u(ix.next_member_seq);
    w.u(ix.stats.applied);
    w.u(ix.stats.merges);
    w.u(ix.stats.expired_clusters);
    w.u(ix.stats.dropped);
    let mut clusters: Vec<&Cluster> = ix.clusters.iter().flatten().collect();
    clusters.sort_by_key(|c| c.seq);
    w.u(clusters.len() as u64);
    for c in clusters {
        w.0.extend_from_slice(&c.id.0.to_le_bytes());
        w.u(c.seq);
        w.u(c.version);
        w.i(c.last_ms);
        w.u(c.members.len() as u64);
        let pos = |m: u32| c.members.iter().position(|&x| x == m).unwrap_or(0) as u64;
        w.u(pos(c.canonical));
        w.u(c.indexed.len() as u64);
        for &m in &c.indexed {
            w.u(pos(m));
        }
        for &m in &c.members {
            let Some(Some(x)) = ix.members.get(m as usize) else {
                continue;
            };
            w.u(x.seq);
            w.s(x.f.id());
            w.s(x.f.uri());
            w.s(x.f.title());
            w.os(x.f.source());
            w.os(x.f.url());
            match x.published_ms {
                Some(p) => {
                    w.0.push(1);
                    w.i(p);
                }
                None => w.0.push(0),
            }
            w.i(x.time_ms);
            w.u(u64::from(x.ntok));
            w.0.push(x.level);
            w.0.push(x.alevel);
            w.u(u64::from(x.nseg));
            w.u(x.keys.len() as u64);
            let mut prev = 0u32;
            for &k in x.keys.iter() {
                w.u(u64::from(k - prev));
                prev = k;
            }
            w.0.extend_from_slice(&x.similarity.to_bits().to_le_bytes());
            w.0.push(u8::from(x.direct));
        }
    }
    let mut tomb: Vec<(u64, i64)> = ix.tombstones.iter().map(|(&k, &t)| (k, t)).collect();
    tomb.sort_unstable();
    w.u(tomb.len() as u64);
    for (k, t) in tomb {
        w.0.extend_from_slice(&k.to_le_bytes());
        w.i(t);
    }
    let sum = xxhash_rust::xxh3::xxh3_64(&w.0);
    w.0.extend_from_slice(&sum.to_le_bytes());
    w.0
}

pub(crate) fn decode(cfg: Config, bytes: &[u8]) -> Result<Index, SnapshotError> {
    if bytes.len() < MAGIC.len() + 1 + 8 {
        return Err(bad("too short"));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 8);
    let mut s8 = [0u8; 8];
    s8.copy_from_slice(sum);
    if &body[..MAGIC.len()] != MAGIC {
        return Err(bad("not a dedup snapshot"));
    }
    if xxhash_rust::xxh3::xxh3_64(body) != u64::from_le_bytes(s8) {
        return Err(bad("checksum mismatch"));
    }
    let mut r = R {
        b: body,
        at: MAGIC.len(),
    };
    let ver = r.byte()?;
    if ver != VERSION {
        return Err(bad(&format!("unsupported format version {ver}")));
    }
    let want = settings(&cfg);
    for (i, w) in want.iter().enumerate() {
        let got = r.u()?;
        if got != *w {
            return Err(SnapshotError::ConfigMismatch(format!(
                "setting {i} is {got}, config says {w}"
            )));
        }
    }
    let mut ix = Index::new(cfg);
    ix.now_ms = match r.byte()? {
        0 => None,
        1 => Some(r.i()?),
        _ => return Err(bad("bad option tag")),
    };
    ix.next_cluster_seq = r.u()?;
    ix.next_member_seq = r.u()?;
    ix.stats.applied = r.u()?;
    ix.stats.merges = r.u()?;
    ix.stats.expired_clusters = r.u()?;
    ix.stats.dropped = r.u()?;
    let nclusters = r.count()?;
    let mut last_seq = None;
    let mut to_index: Vec<(u64, u32)> = Vec::new();
    for ci in 0..nclusters {
        let id = ClusterId(r.fixed8()?);
        let seq = r.u()?;
        if last_seq.is_some_and(|l| seq <= l) || seq >= ix.next_cluster_seq {
            return Err(bad("cluster sequence out of order"));
        }
        last_seq = Some(seq);
        let version = r.u()?;
        let last_ms = r.i()?;
        let n = r.count()?;
        if n == 0 {
            return Err(bad("empty cluster"));
        }
        let canon_pos = r.count()?;
        let nidx = r.count()?;
        let mut idx_pos = Vec::with_capacity(nidx);
        for _ in 0..nidx {
            idx_pos.push(r.count()?);
        }
        if canon_pos >= n || idx_pos.iter().any(|&p| p >= n) {
            return Err(bad("member position out of range"));
        }
        let mut members = Vec::with_capacity(n);
        let mut prev_seq = None;
        for _ in 0..n {
            let seq = r.u()?;
            if prev_seq.is_some_and(|p| seq <= p) || seq >= ix.next_member_seq {
                return Err(bad("member sequence out of order"));
            }
            prev_seq = Some(seq);
            let id = r.s()?;
            let uri = r.s()?;
            let title = r.s()?;
            let source = r.os()?;
            let url = r.os()?;
            let published_ms = match r.byte()? {
                0 => None,
                1 => Some(r.i()?),
                _ => return Err(bad("bad option tag")),
            };
            let time_ms = r.i()?;
            let ntok = r.u32()?;
            let level = r.byte()?;
            let alevel = r.byte()?;
            let nseg = u16::try_from(r.u()?).map_err(|_| bad("paragraph count out of range"))?;
            if level > MAX_LEVEL || alevel > MAX_LEVEL || alevel < level {
                return Err(bad("sampling level out of range"));
            }
            let nk = r.count()?;
            let mut keys = Vec::with_capacity(nk);
            let mut prev = 0u64;
            for i in 0..nk {
                let d = r.u()?;
                if i > 0 && d == 0 {
                    return Err(bad("anchor keys not ascending"));
                }
                // A delta near u64::MAX must not wrap round into range (found by fuzzing).
                prev = prev
                    .checked_add(d)
                    .ok_or_else(|| bad("anchor key out of range"))?;
                if prev >= class_limit(level) {
                    return Err(bad("anchor key out of range"));
                }
                keys.push(prev as u32);
            }
            let sb = r.take(4)?;
            let similarity = f32::from_bits(u32::from_le_bytes([sb[0], sb[1], sb[2], sb[3]]));
            if !(0.0..=1.0).contains(&similarity) {
                return Err(bad("similarity out of range"));
            }
            let direct = match r.byte()? {
                0 => false,
                1 => true,
                _ => return Err(bad("bad flag")),
            };
            members.push(Member {
                seq,
                f: Fields::new(&id, &uri, &title, source.as_deref(), url.as_deref(), usize::MAX),
                published_ms,
                time_ms,
                ntok,
                level,
                alevel,
                nseg,
                keys: keys.into_boxed_slice(),
                similarity,
                direct,
                cluster: ci as u32,
                slot: NIL,
            });
        }
        let base = ix.members.len() as u32;
        for m in members {
            let uh = uri_hash(m.f.uri());
            if ix.by_uri.insert(uh, ix.members.len() as u32).is_some() {
                return Err(bad("duplicate item uri"));
            }
            ix.members.push(Some(m));
        }
        for p in idx_pos {
            let m = base + p as u32;
            if to_index.iter().any(|&(_, x)| x == m) {
                return Err(bad("member indexed twice"));
            }
            to_index.push((seq, m));
        }
        ix.clusters.push(Some(Cluster {
            id,
            seq,
            version,
            members: (base..base + n as u32).collect(),
            canonical: base + canon_pos as u32,
            indexed: Vec::new(),
            last_ms,
        }));
        ix.expiry.push(Reverse((last_ms, seq, ci as u32)));
    }
    let nt = r.count()?;
    for _ in 0..nt {
        let k = r.fixed8()?;
        let t = r.i()?;
        ix.tombstones.insert(k, t);
    }
    if r.at != body.len() {
        return Err(bad("trailing bytes"));
    }
    // Rebuild the inverted index; `indexed` lists keep their snapshot order.
    for (_, m) in to_index {
        ix.index_member(m);
    }
    Ok(ix)
}
