//! The push endpoint: partners `POST /v1/push` a document (ninjs JSON, NewsML-G2/NITF
//! XML, an RSS/RDF/Atom/JSON feed, HTML or plain text) with `Authorization: Bearer
//! <token>`. Answers `202 {"accepted": true, "id": ..., "duplicate": ...}` once the stream
//! has stored it (for a feed, `{"accepted": true, "items": [{"id", "uri", "duplicate"}]}`,
//! one per item), or a 4xx/5xx with `{"error": "..."}`. Bodies are bounded; the token is
//! compared in constant time. An optional `Wirefold-Source` header names the partner
//! (letters, digits, `-`, `_`).
//!
//! Identity: agency documents (ninjs, NewsML-G2, NITF, NewsML 1.2, ANPA) keep their own
//! `uri` and `version`, and one that cannot be read is a `400` with the reason; a feed's
//! items are read as a dropped feed file's ([`crate::files::feed_documents`]: guid, else
//! link); other documents get `urn:wirefold:push:<content hash>`.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use wirefold_bus::{Bus, BusError};
use wirefold_wire::{RawBody, RawDocument, SCHEMA_VERSION, SourceKind, subjects};

use crate::config::{PushConfig, validate_name};
use crate::files::{feed_documents, sniff_binary};
use crate::{FetchError, content_id, envelope, now_rfc3339, raw_document_id, version_key};

struct PushState {
    bus: Bus,
    token: String,
    max_body: usize,
}

/// The router (for embedding in another server).
pub fn router(bus: Bus, cfg: &PushConfig) -> Router {
    let state = Arc::new(PushState {
        bus,
        token: cfg.token.clone(),
        max_body: cfg.max_body_bytes,
    });
    Router::new().route("/v1/push", post(accept)).with_state(state)
}

/// Serves the endpoint on `listener` until `shutdown` is cancelled.
pub async fn serve(
    bus: Bus,
    cfg: PushConfig,
    listener: tokio::net::TcpListener,
    shutdown: CancellationToken,
) -> Result<(), FetchError> {
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    if cfg.token.len() < 16 {
        tracing::warn!("push token is shorter than 16 characters");
    }
    tracing::info!(%addr, "push endpoint listening");
    axum::serve(listener, router(bus, &cfg))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
        .map_err(|source| FetchError::Listen { addr, source })
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    ::metrics::counter!(crate::metrics::PUSH_REQUESTS, "outcome" => status.as_str().to_string()).increment(1);
    (status, axum::Json(json!({ "error": message.into() }))).into_response()
}

/// Constant-time comparison.
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn accept(State(st): State<Arc<PushState>>, headers: HeaderMap, body: Body) -> Response {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let token = auth.strip_prefix("Bearer ").unwrap_or("");
    if token.is_empty() || !same(token.as_bytes(), st.token.as_bytes()) {
        return error(StatusCode::UNAUTHORIZED, "missing or invalid bearer token");
    }
    let source = match headers.get("wirefold-source").map(|v| v.to_str().unwrap_or("")) {
        None => "push".to_string(),
        Some(s) if validate_name(s).is_ok() => s.to_string(),
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "wirefold-source must be 1 to 64 letters, digits, '-' or '_'",
            );
        }
    };
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|c| c.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default();
    let content_type = match ct.as_str() {
        // JSON lines of ninjs items (one per line) read as JSON.
        "application/json"
        | "application/ninjs+json"
        | "application/feed+json"
        | "application/x-ndjson"
        | "application/jsonl" => "application/json",
        "application/xml"
        | "text/xml"
        | "application/nitf+xml"
        | "application/newsml+xml"
        | "application/rss+xml"
        | "application/atom+xml"
        | "application/rdf+xml" => "application/xml",
        "text/html" | "application/xhtml+xml" => "text/html",
        "text/plain" => "text/plain",
        "" => return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "content-type is required"),
        other => {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("unsupported content-type {other}"),
            );
        }
    };
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        && len > st.max_body
    {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("body exceeds {} bytes", st.max_body),
        );
    }
    let bytes = match axum::body::to_bytes(body, st.max_body).await {
        Ok(b) => b,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body exceeds {} bytes", st.max_body),
            );
        }
    };
    // The envelope of a wire document is a whole XML parse: blocking work.
    let ct = content_type.to_string();
    let pushed = match tokio::task::spawn_blocking(move || documents(&bytes, &ct, source)).await {
        Ok(Ok(d)) => d,
        Ok(Err((status, message))) => return error(status, message),
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("envelope reader failed: {e}"),
            );
        }
    };
    let (docs, feed) = match pushed {
        Pushed::One(doc) => (vec![*doc], false),
        Pushed::Feed(docs) => (docs, true),
    };
    let mut items = Vec::with_capacity(docs.len());
    // In order; a failure part way answers an error, and the partner's retry stores only
    // what is missing (the ids are deterministic and the stream drops repeats).
    for doc in &docs {
        match st
            .bus
            .publish(&subjects::raw(SourceKind::Push), &doc.id, doc)
            .await
        {
            Ok(ack) => items.push(json!({ "id": doc.id, "uri": doc.uri, "duplicate": ack.duplicate })),
            Err(e @ BusError::TooLarge { .. }) => {
                return error(StatusCode::PAYLOAD_TOO_LARGE, e.to_string());
            }
            Err(e) => {
                tracing::warn!(error = %e, "push publish failed");
                return error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "could not store the document, retry later",
                );
            }
        }
    }
    ::metrics::counter!(crate::metrics::PUSH_REQUESTS, "outcome" => "202").increment(1);
    let body = if feed {
        json!({ "accepted": true, "items": items })
    } else {
        let one = &items[0];
        json!({ "accepted": true, "id": one["id"], "duplicate": one["duplicate"] })
    };
    (StatusCode::ACCEPTED, axum::Json(body)).into_response()
}

/// What a pushed body is published as.
#[derive(Debug)]
pub enum Pushed {
    /// One document (an agency document, a page, a text).
    One(Box<RawDocument>),
    /// A feed's items, one document each, in feed order.
    Feed(Vec<RawDocument>),
}

/// The documents for a pushed body of `content_type` (one of the four the endpoint
/// accepts) from partner `source`, or the status and message that refuse it: a feed
/// gives one document per item, read as a dropped feed file's; anything else is
/// [`document`]. Pure.
pub fn documents(bytes: &[u8], content_type: &str, source: String) -> Result<Pushed, (StatusCode, String)> {
    let doc = document(bytes, content_type, source)?;
    let source = doc.source.clone().unwrap_or_default();
    match feed_documents(&doc, bytes, &source, SourceKind::Push, None) {
        None => Ok(Pushed::One(Box::new(doc))),
        Some(Ok(docs)) => Ok(Pushed::Feed(docs)),
        Some(Err(e)) => Err((StatusCode::BAD_REQUEST, e)),
    }
}

/// The raw document for a pushed body of `content_type` (one of the four the endpoint
/// accepts) from partner `source`, or the status and message that refuse it. Pure: the
/// whole of what the endpoint does with a body before publishing it.
pub fn document(
    bytes: &[u8],
    content_type: &str,
    source: String,
) -> Result<RawDocument, (StatusCode, String)> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err((StatusCode::BAD_REQUEST, "empty document".into()));
    }
    if let Some(kind) = sniff_binary(bytes) {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("binary content ({kind})"),
        ));
    }
    let env = envelope::read(bytes, content_type).map_err(|e| (StatusCode::BAD_REQUEST, e))?;
    let hash = content_id(&[bytes]);
    let uri = env
        .uri
        .clone()
        .unwrap_or_else(|| format!("urn:wirefold:push:{hash}"));
    Ok(RawDocument {
        schema: SCHEMA_VERSION,
        id: raw_document_id(&source, &uri, &version_key(env.version, &hash)),
        uri,
        version: env.version,
        kind: SourceKind::Push,
        source: Some(source),
        url: None,
        content_type: Some(content_type.to_string()),
        received: now_rfc3339(),
        hints: env.hints,
        body: RawBody::from_bytes(bytes.to_vec()),
    })
}
