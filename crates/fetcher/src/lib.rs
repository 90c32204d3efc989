//! The fetcher: brings documents into wirefold and publishes them as raw documents on
//! `wirefold.raw.<kind>`. It decides nothing about their content beyond "is this a
//! plausible document of a bounded size": interpretation is the normalizer's job.

pub mod files;

/// Stable hex id of some bytes (xxh3-128), used for deterministic document ids.
pub fn content_id(parts: &[&[u8]]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    format!("{:032x}", h.digest128())
}

/// Now as RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
