//! Every environment variable wirefold reads, in one place.

/// NATS server URL, or a comma-separated list of a cluster's servers; without it
/// `wirefold up` runs its own server.
pub const NATS_URL: &str = "NATS_URL";
/// NATS credentials file.
pub const NATS_CREDS: &str = "NATS_CREDS";
/// NATS user name.
pub const NATS_USER: &str = "NATS_USER";
/// NATS password of `NATS_USER`.
pub const NATS_PASSWORD: &str = "NATS_PASSWORD";
/// NATS authentication token.
pub const NATS_TOKEN: &str = "NATS_TOKEN";
/// CA certificate to verify the NATS server with.
pub const NATS_TLS_CA: &str = "NATS_TLS_CA";
/// Client certificate for mutual TLS with NATS.
pub const NATS_TLS_CERT: &str = "NATS_TLS_CERT";
/// Client key for mutual TLS with NATS.
pub const NATS_TLS_KEY: &str = "NATS_TLS_KEY";
/// Replicas of every stream, bucket and the object store.
pub const STREAM_REPLICAS: &str = "WIREFOLD_STREAM_REPLICAS";
/// nats-server binary for the embedded server (else `PATH`); read in `wirefold-bus`.
pub const NATS_SERVER_BIN: &str = "NATS_SERVER_BIN";
/// Port of the embedded server of `wirefold up`.
pub const NATS_PORT: &str = "WIREFOLD_NATS_PORT";
/// Data directory of `wirefold up`.
pub const DATA_DIR: &str = "WIREFOLD_DATA_DIR";
/// Largest document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: &str = "WIREFOLD_MAX_DOCUMENT_BYTES";
/// Raw documents the normalizer holds at once.
pub const NORMALIZER_IN_FLIGHT: &str = "WIREFOLD_NORMALIZER_IN_FLIGHT";
/// Extractions the normalizer runs at once.
pub const NORMALIZER_WORKERS: &str = "WIREFOLD_NORMALIZER_WORKERS";
/// Dedup horizon in hours.
pub const HORIZON_HOURS: &str = "WIREFOLD_HORIZON_HOURS";
/// Sources file of the fetcher.
pub const SOURCES: &str = "WIREFOLD_SOURCES";
/// Wire drop folders of the fetcher, comma-separated.
pub const DROP_DIRS: &str = "WIREFOLD_DROP_DIRS";
/// Listen address of the push endpoint.
pub const PUSH_LISTEN: &str = "WIREFOLD_PUSH_LISTEN";
/// Bearer token of the push endpoint.
pub const PUSH_TOKEN: &str = "WIREFOLD_PUSH_TOKEN";
/// Private hosts, addresses or networks the fetcher may fetch, comma-separated.
pub const FETCH_ALLOW: &str = "WIREFOLD_FETCH_ALLOW";
/// User-Agent of the fetcher.
pub const USER_AGENT: &str = "WIREFOLD_USER_AGENT";
/// Listen address of the Prometheus exporter.
pub const METRICS_LISTEN: &str = "WIREFOLD_METRICS_LISTEN";
/// Log filter (tracing-subscriber syntax); read by the subscriber.
pub const RUST_LOG: &str = "RUST_LOG";
/// Log format: `text` (default) or `json`.
pub const LOG_FORMAT: &str = "WIREFOLD_LOG_FORMAT";
/// Listen address of the gateway (`wirefold gateway`, `wirefold up`).
pub const GATEWAY_LISTEN: &str = "WIREFOLD_GATEWAY_LISTEN";
/// Bearer token of the gateway's API and page.
pub const API_TOKEN: &str = "WIREFOLD_API_TOKEN";
/// Origins the gateway allows by CORS, comma-separated.
pub const CORS_ORIGINS: &str = "WIREFOLD_CORS_ORIGINS";
/// The outlet `wirefold ingest`'s files come from, for files that name none.
pub const INGEST_SOURCE: &str = "WIREFOLD_INGEST_SOURCE";
