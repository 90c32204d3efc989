//! Snapshot decoders: the copy index (`Index::restore`), the story index
//! (`StoryIndex::restore`) and the deduplicator's whole snapshot (`Deduper::restore`: both
//! indexes and the cluster summaries). The checksums are computed here over the fuzzed
//! bytes, so the fuzzer reaches the decoders behind them instead of stopping at a
//! checksum mismatch. The first byte picks the decoder; for the whole snapshot the next
//! two split the rest into its three parts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wirefold_dedup::story::{Config as StoryConfig, StoryIndex};
use wirefold_dedup::{Config, Index};
use wirefold_deduplicator::{Deduper, FoldConfig};

/// Magic + body + xxh3 checksum of magic and body, as the encoders write it.
fn framed(magic: &[u8], body: &[u8]) -> Vec<u8> {
    let mut v = magic.to_vec();
    v.extend_from_slice(body);
    let sum = xxhash_rust::xxh3::xxh3_64(&v);
    v.extend_from_slice(&sum.to_le_bytes());
    v
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    match pick % 3 {
        0 => {
            if let Ok(ix) = Index::restore(Config::default(), &framed(b"WFDDSNAP", rest)) {
                // A restored index snapshots again without panicking.
                let _ = ix.snapshot();
            }
        }
        1 => {
            if let Ok(st) = StoryIndex::restore(StoryConfig::default(), &framed(b"WFSTSNAP", rest)) {
                let _ = st.snapshot();
            }
        }
        _ => {
            if rest.len() < 2 {
                return;
            }
            let (cut, rest) = rest.split_at(2);
            let a = (cut[0] as usize * rest.len() / 256).min(rest.len());
            let b = (a + cut[1] as usize * (rest.len() - a) / 256).min(rest.len());
            let parts = [
                framed(b"WFDDSNAP", &rest[..a]),
                framed(b"WFSTSNAP", &rest[a..b]),
                rest[b..].to_vec(),
            ];
            let mut bytes = b"WFDEDUP2".to_vec();
            for p in &parts {
                bytes.extend_from_slice(&(p.len() as u64).to_le_bytes());
                bytes.extend_from_slice(p);
            }
            if let Ok(d) = Deduper::restore(FoldConfig::default(), &bytes) {
                let _ = d.snapshot();
            }
        }
    }
});
