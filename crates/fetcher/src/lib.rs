//! The fetcher: brings documents into wirefold and publishes them as raw documents on
//! `wirefold.raw.<kind>`. It decides nothing about their content beyond "is this a
//! plausible document of a bounded size": interpretation is the normalizer's job.
//!
//! Inputs: files handed to `wirefold ingest` ([`files`]), RSS/Atom/JSON feeds, article
//! pages and news sitemaps polled over HTTP ([`poll`]), wire drop folders watched on disk
//! ([`dropdir`]) and partner pushes over HTTP ([`push`]). The worker ([`run`]) schedules
//! polls politely ([`net`], [`polite`], [`schedule`]), keeps per-source state in JetStream KV
//! ([`state`]) so that a restarted or added fetcher republishes nothing, and shares the
//! sources between processes with per-source leases. It does not parse article bodies.

pub mod config;
pub mod dropdir;
pub mod envelope;
pub mod feeds;
pub mod files;
pub mod metrics;
pub mod net;
pub mod polite;
pub mod poll;
pub mod push;
pub mod registry;
pub mod schedule;
pub mod sitemap;
pub mod state;
mod worker;
mod xml;

pub use config::{FetcherConfig, Limits, PushConfig, SourceSpec, SourceType, SourcesFile};
pub use registry::{SourceStatus, sources_add, sources_list, sources_pause, sources_remove, sources_sync};
pub use worker::{BenchReport, Fetcher, bench, run};

use wirefold_bus::BusError;

/// Errors of the fetcher.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The configuration or a source declaration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A sources file could not be read.
    #[error("cannot read sources file {path}: {source}")]
    SourcesFile {
        /// The file.
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A sources file is not valid TOML for the expected shape.
    #[error("invalid sources file {path}: {message}")]
    SourcesSyntax {
        /// The file.
        path: String,
        /// What the TOML parser said.
        message: String,
    },
    /// A named source does not exist.
    #[error("no source named {0:?}")]
    UnknownSource(String),
    /// A source with that name exists already.
    #[error("a source named {0:?} exists already")]
    SourceExists(String),
    /// Talking to NATS failed.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// An HTTP fetch failed.
    #[error(transparent)]
    Http(#[from] net::HttpError),
    /// A feed or sitemap could not be parsed.
    #[error("malformed {what}: {message}")]
    Malformed {
        /// `feed`, `sitemap`, ...
        what: &'static str,
        /// The parser's message.
        message: String,
    },
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        #[source]
        source: std::io::Error,
    },
    /// Stored state could not be decoded.
    #[error("corrupt stored {what}: {message}")]
    Corrupt {
        /// Which record.
        what: String,
        /// The decoder's message.
        message: String,
    },
}

/// Stable hex id of some bytes (xxh3-128), used for deterministic document ids.
pub fn content_id(parts: &[&[u8]]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    format!("{:032x}", h.digest128())
}

/// The one raw-document id recipe, for every way a document arrives (feed, page and
/// sitemap polls, drop folders, pushes, `wirefold ingest` and `extract`): the hash of the
/// source's name (`""` when there is none), the item's `uri` and its [`version_key`]. It
/// is the `Nats-Msg-Id` the document is published with, so the same version of an item
/// from one source is stored once however often it arrives, and a new version (or new
/// content where none is stated) is a new document.
pub fn raw_document_id(source: &str, uri: &str, version_key: &str) -> String {
    content_id(&[source.as_bytes(), uri.as_bytes(), version_key.as_bytes()])
}

/// What tells versions of one item apart in [`raw_document_id`]: the version the source
/// states (`v3`), else the hash of the content (`content_hash`, a [`content_id`]).
pub fn version_key(version: Option<u64>, content_hash: &str) -> String {
    version.map_or_else(|| content_hash.to_string(), |v| format!("v{v}"))
}

pub use wirefold_wire::time::{now_ms, now_rfc3339};

/// Unix milliseconds as RFC 3339 UTC (`-` for zero).
pub fn ms_rfc3339(ms: i64) -> String {
    if ms <= 0 {
        return "-".into();
    }
    wirefold_wire::time::format_ms(ms).unwrap_or_else(|| "-".into())
}
