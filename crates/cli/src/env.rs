//! Every environment variable wirefold reads, in one place.

/// NATS server URL; without it `wirefold up` runs its own server.
pub const NATS_URL: &str = "NATS_URL";
/// nats-server binary for the embedded server (else `PATH`); read in `wirefold-bus`.
pub const NATS_SERVER_BIN: &str = "NATS_SERVER_BIN";
/// Data directory of `wirefold up`.
pub const DATA_DIR: &str = "WIREFOLD_DATA_DIR";
/// Largest document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: &str = "WIREFOLD_MAX_DOCUMENT_BYTES";
/// Dedup horizon in hours.
pub const HORIZON_HOURS: &str = "WIREFOLD_HORIZON_HOURS";
/// Sources file of the fetcher.
pub const SOURCES: &str = "WIREFOLD_SOURCES";
/// Log filter (tracing-subscriber syntax); read by the subscriber.
pub const RUST_LOG: &str = "RUST_LOG";
/// Log format: `text` (default) or `json`.
pub const LOG_FORMAT: &str = "WIREFOLD_LOG_FORMAT";
