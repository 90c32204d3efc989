//! The newsroom gateway: an HTTP API over the stories, copy clusters and articles, a live
//! event stream (Server-Sent Events) that clients resume without gaps, and the desk page.
//!
//! It is read-only: it reads the streams (`WIREFOLD_STORIES`, `WIREFOLD_CLUSTERS`,
//! `WIREFOLD_ARTICLES`, `WIREFOLD_DLQ`) and never publishes, so nothing in it can change the
//! pipeline. Its state is a read model ([`model::Model`]) rebuilt from the streams at start
//! ([`feed`]); article records are read back from the article stream on request. Any number
//! of replicas can run. It depends on the wire and bus crates only, not on the dedup or
//! extraction code.
//!
//! Every parameter is bounded; errors are JSON (`{"error": "..."}`) with 400 for bad
//! input, 401 without the token when one is set, 404 for unknown ids and 503 when the
//! stream limit is reached. Live streams have keep-alives, end cleanly on shutdown, and a
//! client that does not read falls behind a bounded buffer and gets `event: reset` instead
//! of holding memory.

// Handlers refuse a request by returning its finished error response; that is the cold
// path, once per request, so the size of `Response` in `Err` does not matter.
#![allow(clippy::result_large_err)]

pub mod bench;
pub mod feed;
pub mod model;
mod openapi;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::Stream;
use serde::Deserialize;
use tokio::sync::{RwLock, Semaphore, broadcast, watch};
use tokio_util::sync::CancellationToken;
use tracing::info;
use wirefold_bus::{Bus, BusError};
use wirefold_wire::{DeadLetter, subjects};

use crate::model::{Filter, Logged, Model, Pos, SourceFilter};

/// Most stories one list request returns.
pub const MAX_LIMIT: usize = 200;
/// Longest parameter value (query or path) accepted, in characters (as the OpenAPI
/// document's `maxLength` counts).
pub(crate) const MAX_PARAM_CHARS: usize = 512;
/// Events a live stream may fall behind before it is reset.
const LIVE_BUFFER: usize = 4096;

/// Settings of the gateway.
#[derive(Clone)]
pub struct GatewayConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Bearer token required for the API and the page (`None`: open).
    pub api_token: Option<String>,
    /// Origins allowed by CORS (`*` for any); empty: no CORS headers.
    pub cors_origins: Vec<String>,
    /// Live event streams served at once, at most.
    pub max_streams: usize,
    /// Keep-alive interval of live streams.
    pub keep_alive: Duration,
    /// Events kept for resuming streams.
    pub log_capacity: usize,
    /// Renders the process's Prometheus metrics for `GET /metrics` (404 without it).
    pub metrics: Option<MetricsRender>,
}

/// Renders Prometheus metrics as text.
pub type MetricsRender = Arc<dyn Fn() -> String + Send + Sync>;

impl std::fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayConfig")
            .field("listen", &self.listen)
            .field("api_token", &self.api_token.as_ref().map(|_| "<redacted>"))
            .field("cors_origins", &self.cors_origins)
            .field("max_streams", &self.max_streams)
            .field("keep_alive", &self.keep_alive)
            .field("log_capacity", &self.log_capacity)
            .finish()
    }
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            api_token: None,
            cors_origins: Vec::new(),
            max_streams: 1000,
            keep_alive: Duration::from_secs(15),
            log_capacity: model::DEFAULT_LOG_CAPACITY,
            metrics: None,
        }
    }
}

/// Errors of the gateway.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// NATS failed.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The listener could not be opened or failed.
    #[error("gateway listener on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Prometheus metric names of the gateway.
pub mod metric {
    /// Counter: stream messages that could not be decoded, by `stream`.
    pub const UNDECODABLE: &str = "wirefold_gateway_undecodable_total";
    /// Counter: HTTP requests, by `route` and `status`.
    pub const REQUESTS: &str = "wirefold_gateway_requests_total";
    /// Gauge: live event streams open.
    pub const STREAMS: &str = "wirefold_gateway_streams";
}

struct AppState {
    bus: Bus,
    model: Arc<RwLock<Model>>,
    live: broadcast::Sender<Logged>,
    ready: watch::Receiver<bool>,
    streams: Arc<Semaphore>,
    config: GatewayConfig,
    shutdown: CancellationToken,
}

/// A listener bound and ready to serve (so callers can print the real address first).
pub struct Bound {
    listener: tokio::net::TcpListener,
    config: GatewayConfig,
}

impl Bound {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.config.listen)
    }
}

/// Opens the listener.
pub async fn bind(config: GatewayConfig) -> Result<Bound, GatewayError> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| GatewayError::Listen {
            addr: config.listen,
            source,
        })?;
    Ok(Bound { listener, config })
}

/// Serves until `shutdown` is cancelled: builds the read model from the streams, then
/// keeps it current while answering requests.
pub async fn run(bus: Bus, bound: Bound, shutdown: CancellationToken) -> Result<(), GatewayError> {
    let Bound { listener, config } = bound;
    let addr = listener.local_addr().unwrap_or(config.listen);
    let model = Arc::new(RwLock::new(Model::new(config.log_capacity)));
    let (live, _) = broadcast::channel(LIVE_BUFFER);
    let (ready_tx, ready) = watch::channel(false);
    feed::start(&bus, model.clone(), live.clone(), ready_tx, shutdown.clone()).await?;
    let state = Arc::new(AppState {
        bus,
        model,
        live,
        ready,
        streams: Arc::new(Semaphore::new(config.max_streams.max(1))),
        config: config.clone(),
        shutdown: shutdown.clone(),
    });
    let app = router(state);
    info!(%addr, "gateway listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
        .map_err(|source| GatewayError::Listen { addr, source })
}

fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/", get(page))
        .route("/v1/stories", get(list_stories))
        .route("/v1/stories/{id}", get(get_story))
        .route("/v1/clusters/{id}", get(get_cluster))
        .route("/v1/articles/{id}", get(get_article))
        .route("/v1/events", get(events))
        .route("/v1/dead-letters", get(dead_letters))
        .route("/v1/openapi.json", get(openapi_doc))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), authorize));
    let mut app = Router::new()
        .route(
            "/healthz",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .route("/readyz", get(readyz))
        .route("/metrics", get(prometheus))
        .merge(api)
        .with_state(state.clone());
    if !state.config.cors_origins.is_empty() {
        use tower_http::cors::{AllowOrigin, CorsLayer};
        let origins = &state.config.cors_origins;
        let allow = if origins.iter().any(|o| o == "*") {
            AllowOrigin::any()
        } else {
            AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
        };
        app = app.layer(
            CorsLayer::new()
                .allow_origin(allow)
                .allow_methods([axum::http::Method::GET])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::HeaderName::from_static("last-event-id"),
                ]),
        );
    }
    app
}

/// A JSON error response.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({"error": message.into()}))).into_response()
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such resource")
}

/// Checks the bearer token (header, or `access_token` for EventSource and the page).
async fn authorize(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let Some(token) = &st.config.api_token {
        let header_ok = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|t| constant_time_eq(t.as_bytes(), token.as_bytes()));
        let query_ok = req.uri().query().is_some_and(|q| {
            q.split('&').any(|kv| {
                kv.strip_prefix("access_token=")
                    .is_some_and(|t| constant_time_eq(t.as_bytes(), token.as_bytes()))
            })
        });
        if !header_ok && !query_ok {
            return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
        }
    }
    next.run(req).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn prometheus(State(st): State<Arc<AppState>>) -> Response {
    match &st.config.metrics {
        Some(render) => {
            let body = render();
            ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
        }
        None => error(StatusCode::NOT_FOUND, "no metrics recorder in this process"),
    }
}

async fn readyz(State(st): State<Arc<AppState>>) -> Response {
    if *st.ready.borrow() {
        Json(serde_json::json!({"status": "ready"})).into_response()
    } else {
        error(
            StatusCode::SERVICE_UNAVAILABLE,
            "read model still catching up with the streams",
        )
    }
}

async fn page(State(st): State<Arc<AppState>>) -> Response {
    // The first page of stories goes into the HTML, so the page shows them at once; the
    // script takes over from the position it was rendered at.
    let (stories, next, pos) = {
        let m = st.model.read().await;
        let (stories, next) = m.list(&Filter::default(), None, 50);
        (stories, next.map(encode_cursor), m.pos())
    };
    let boot =
        serde_json::json!({"stories": stories, "next_cursor": next, "position": pos.to_string()}).to_string();
    // Inside <script>: no `<` can close the element.
    let boot = boot.replace('<', "\\u003c");
    let html = include_str!("page.html").replace("__BOOT__", &boot);
    let mut resp = Html(html).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Query of `GET /v1/stories`.
#[derive(Debug, Deserialize)]
struct ListQuery {
    q: Option<String>,
    lang: Option<String>,
    source: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

fn too_long(s: &str) -> bool {
    // Bytes bound characters from above: only a long value needs counting.
    s.len() > MAX_PARAM_CHARS && s.chars().count() > MAX_PARAM_CHARS
}

fn bounded(name: &str, v: &Option<String>) -> Result<(), Response> {
    match v {
        Some(s) if too_long(s) => Err(error(
            StatusCode::BAD_REQUEST,
            format!("{name} is longer than {MAX_PARAM_CHARS} characters"),
        )),
        _ => Ok(()),
    }
}

/// A decimal number of 1 to `max_digits` ASCII digits, nothing else (no sign, no
/// spaces): exactly what the OpenAPI document's patterns and integer types allow.
pub(crate) fn parse_digits(s: &str, max_digits: usize) -> Option<u64> {
    if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Cursors are the story-event sequence the next page starts below, in decimal (opaque
/// to clients; the OpenAPI document gives their pattern, `^[0-9]{0,19}$`).
fn encode_cursor(seq: u64) -> String {
    seq.to_string()
}

fn decode_cursor(s: &str) -> Option<u64> {
    parse_digits(s, 19)
}

async fn list_stories(
    State(st): State<Arc<AppState>>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return error(StatusCode::BAD_REQUEST, "malformed query string");
    };
    for (name, v) in [
        ("q", &q.q),
        ("lang", &q.lang),
        ("source", &q.source),
        ("since", &q.since),
        ("until", &q.until),
        ("limit", &q.limit),
        ("cursor", &q.cursor),
    ] {
        if let Err(r) = bounded(name, v) {
            return r;
        }
    }
    let limit = match parse_limit(q.limit.as_deref()) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let cursor = match q.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => match decode_cursor(c) {
            Some(seq) => Some(seq),
            None => return error(StatusCode::BAD_REQUEST, "malformed cursor"),
        },
    };
    let time = |name: &str, v: &Option<String>| -> Result<Option<i64>, Response> {
        match v.as_deref() {
            None | Some("") => Ok(None),
            Some(s) => wirefold_wire::time::parse_strict_ms(s).map(Some).ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    format!("{name} is not an RFC 3339 time or date"),
                )
            }),
        }
    };
    let (since_ms, until_ms) = match (time("since", &q.since), time("until", &q.until)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let words: Vec<String> =
        q.q.as_deref()
            .map(|s| model::words(s).take(16).collect())
            .unwrap_or_default();
    let filter = Filter {
        words,
        lang: q.lang.filter(|s| !s.is_empty()),
        source: q.source.as_deref().and_then(SourceFilter::new),
        since_ms,
        until_ms,
    };
    let (stories, next) = st.model.read().await.list(&filter, cursor, limit);
    /// Serialized straight from the summaries (no intermediate `serde_json::Value`).
    #[derive(serde::Serialize)]
    struct Page {
        stories: Vec<model::StorySummary>,
        next_cursor: Option<String>,
    }
    Json(Page {
        stories,
        next_cursor: next.map(encode_cursor),
    })
    .into_response()
}

/// `limit`: 1 to [`MAX_LIMIT`], default 50.
fn parse_limit(v: Option<&str>) -> Result<usize, Response> {
    match v.map(|s| parse_digits(s, 3)) {
        None => Ok(50),
        Some(Some(n)) if (1..=MAX_LIMIT as u64).contains(&n) => Ok(n as usize),
        Some(_) => Err(error(
            StatusCode::BAD_REQUEST,
            format!("limit must be an integer from 1 to {MAX_LIMIT}"),
        )),
    }
}

type IdPath = Result<Path<String>, axum::extract::rejection::PathRejection>;

/// The `{id}` of a path: a JSON 400 when it is not UTF-8 once decoded, empty or too long.
fn check_id(id: IdPath) -> Result<String, Response> {
    let Ok(Path(id)) = id else {
        return Err(error(StatusCode::BAD_REQUEST, "id is not UTF-8 text"));
    };
    if id.is_empty() || too_long(&id) {
        return Err(error(StatusCode::BAD_REQUEST, "id is empty or too long"));
    }
    Ok(id)
}

async fn get_story(State(st): State<Arc<AppState>>, id: IdPath, query: RawQuery) -> Response {
    let id = match check_id(id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let m = st.model.read().await;
    match m.story(&id) {
        Some(s) => Json(s).into_response(),
        None => match m.story_merged_into(&id) {
            Some(to) => moved(&id, to, query),
            None => error(StatusCode::NOT_FOUND, format!("no story {id}")),
        },
    }
}

async fn get_cluster(State(st): State<Arc<AppState>>, id: IdPath, query: RawQuery) -> Response {
    let id = match check_id(id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let m = st.model.read().await;
    match m.cluster(&id) {
        Some(c) => Json(c).into_response(),
        None => match m.cluster_merged_into(&id) {
            Some(to) => moved(&id, to, query),
            None => error(StatusCode::NOT_FOUND, format!("no cluster {id}")),
        },
    }
}

/// A story or cluster merged into another: a permanent redirect to the one it was folded
/// into (relative, so it holds behind a proxy's path prefix; with the query, so a token
/// given as `access_token` goes along), and a JSON body saying so.
fn moved(id: &str, to: &str, RawQuery(query): RawQuery) -> Response {
    let location = match query {
        Some(q) => format!("{to}?{q}"),
        None => to.to_string(),
    };
    let mut resp = (
        StatusCode::MOVED_PERMANENTLY,
        Json(serde_json::json!({"error": format!("{id} was merged into {to}"), "merged_into": to})),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

async fn get_article(State(st): State<Arc<AppState>>, id: IdPath) -> Response {
    let id = match check_id(id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let seq = st.model.read().await.article(&id).map(|a| a.seq);
    let Some(seq) = seq else {
        return error(StatusCode::NOT_FOUND, format!("no article {id}"));
    };
    match st.bus.get_message(subjects::ARTICLES_STREAM, seq).await {
        Ok(Some(m)) => match serde_json::from_slice::<serde_json::Value>(&m.payload) {
            Ok(v) => Json(v).into_response(),
            Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "stored article is not JSON"),
        },
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            format!("article {id} is no longer retained"),
        ),
        Err(e) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("article stream unavailable: {e}"),
        ),
    }
}

/// Query of `GET /v1/events`.
#[derive(Debug, Deserialize)]
struct EventsQuery {
    after: Option<String>,
    kinds: Option<String>,
    story: Option<String>,
    linger: Option<String>,
}

/// Which events a stream sends.
#[derive(Debug, Clone, Default)]
struct EventFilter {
    /// `cluster`, `story`, or full names like `story.created`; empty: all.
    kinds: Vec<String>,
    story: Option<String>,
}

impl EventFilter {
    fn wants(&self, e: &Logged) -> bool {
        let kind_ok = self.kinds.is_empty()
            || self
                .kinds
                .iter()
                .any(|k| e.name == *k || e.name.split('.').next() == Some(k.as_str()));
        let story_ok = self.story.as_ref().is_none_or(|s| e.story.as_deref() == Some(s));
        kind_ok && story_ok
    }
}

fn sse_event(e: &Logged) -> SseEvent {
    SseEvent::default()
        .id(e.pos.to_string())
        .event(e.name.clone())
        .data(e.data.as_ref())
}

fn reset_event(pos: Pos) -> SseEvent {
    SseEvent::default()
        .id(pos.to_string())
        .event("reset")
        .data(r#"{"reason":"position no longer retained or stream fell behind; refetch"}"#)
}

async fn events(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    query: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return error(StatusCode::BAD_REQUEST, "malformed query string");
    };
    for (name, v) in [
        ("after", &q.after),
        ("kinds", &q.kinds),
        ("story", &q.story),
        ("linger", &q.linger),
    ] {
        if let Err(r) = bounded(name, v) {
            return r;
        }
    }
    // `linger=S`: end the stream after S seconds without an event (the client reconnects
    // with Last-Event-ID and loses nothing). Pages use it so that no request stays open
    // for ever, which some renderers wait on; API clients leave it out.
    let linger = match q.linger.as_deref().map(|s| parse_digits(s, 4)) {
        None => None,
        Some(Some(s)) if (1..=3600).contains(&s) => Some(Duration::from_secs(s)),
        Some(_) => return error(StatusCode::BAD_REQUEST, "linger must be 1 to 3600 seconds"),
    };
    let last_id = headers
        .get("last-event-id")
        .map(|v| v.to_str().map(str::to_string));
    let from = match (last_id, q.after) {
        (Some(Err(_)), _) => return error(StatusCode::BAD_REQUEST, "Last-Event-ID is not text"),
        (Some(Ok(s)), _) | (None, Some(s)) => match s.parse::<Pos>() {
            Ok(p) => Some(p),
            Err(e) => return error(StatusCode::BAD_REQUEST, e),
        },
        (None, None) => None,
    };
    let filter = EventFilter {
        kinds: q
            .kinds
            .as_deref()
            .map(|k| {
                k.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        story: q.story.filter(|s| !s.is_empty()),
    };
    let Ok(permit) = st.streams.clone().try_acquire_owned() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "too many live streams");
    };
    // Subscribe before reading the log, so nothing falls between the two.
    let mut rx = st.live.subscribe();
    let (backlog, start) = {
        let m = st.model.read().await;
        let now = m.pos();
        match from {
            None => (Ok(Vec::new()), now),
            Some(p) => (m.events_after(p), p),
        }
    };
    let shutdown = st.shutdown.clone();
    let keep = st.config.keep_alive;
    let stream = async_stream(move |tx| async move {
        let _permit = permit;
        metrics::gauge!(metric::STREAMS).increment(1.0);
        if linger.is_some() {
            // How soon the client comes back after a lingering stream ends.
            let _ = tx
                .send(SseEvent::default().retry(Duration::from_millis(1000)))
                .await;
        }
        let mut sent = start;
        match backlog {
            Ok(evs) => {
                for e in evs {
                    if filter.wants(&e) && tx.send(sse_event(&e)).await.is_err() {
                        metrics::gauge!(metric::STREAMS).decrement(1.0);
                        return;
                    }
                    sent = max_pos(sent, &e);
                }
            }
            Err(model::NotRetained) => {
                let now = st.model.read().await.pos();
                let _ = tx.send(reset_event(now)).await;
                sent = now;
            }
        }
        loop {
            let idle = async {
                match linger {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending().await,
                }
            };
            let e = tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = idle => break,
                e = rx.recv() => e,
            };
            match e {
                Ok(e) => {
                    if !sent.before(e.source, e.seq) {
                        continue;
                    }
                    sent = max_pos(sent, &e);
                    if filter.wants(&e) && tx.send(sse_event(&e)).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // The client did not keep up: tell it to refetch and stop buffering.
                    let now = st.model.read().await.pos();
                    let _ = tx.send(reset_event(now)).await;
                    break;
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
        metrics::gauge!(metric::STREAMS).decrement(1.0);
    });
    let mut resp = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(keep))
        .into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn max_pos(p: Pos, e: &Logged) -> Pos {
    match e.source {
        model::Source::Cluster => Pos {
            clusters: p.clusters.max(e.seq),
            ..p
        },
        model::Source::Story => Pos {
            stories: p.stories.max(e.seq),
            ..p
        },
    }
}

/// A stream fed by a task through a small channel: a slow client applies back-pressure to
/// its own task only.
fn async_stream<F, Fut>(f: F) -> impl Stream<Item = Result<SseEvent, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<SseEvent>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(f(tx));
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (Ok(e), rx)) })
}

/// Query of `GET /v1/dead-letters`.
#[derive(Debug, Deserialize)]
struct DeadQuery {
    stage: Option<String>,
    limit: Option<String>,
}

async fn dead_letters(
    State(st): State<Arc<AppState>>,
    query: Result<Query<DeadQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return error(StatusCode::BAD_REQUEST, "malformed query string");
    };
    if let Err(r) = bounded("stage", &q.stage) {
        return r;
    }
    let limit = match parse_limit(q.limit.as_deref()) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let state = match st.bus.stream_state(subjects::DLQ_STREAM).await {
        Ok(s) => s,
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    };
    // Newest first; look at no more than 20 times the limit.
    let mut out: Vec<DeadLetter> = Vec::new();
    let mut seq = state.last_seq;
    let floor = state.first_seq.max(1);
    let mut looked = 0usize;
    while seq >= floor && out.len() < limit && looked < limit * 20 {
        looked += 1;
        if let Ok(Some(m)) = st.bus.get_message(subjects::DLQ_STREAM, seq).await
            && let Ok(dl) = wirefold_wire::decode::<DeadLetter>(&m.payload)
            && q.stage.as_deref().is_none_or(|s| s.is_empty() || s == dl.stage)
        {
            out.push(dl);
        }
        seq -= 1;
    }
    Json(serde_json::json!({"dead_letters": out})).into_response()
}

async fn openapi_doc() -> Response {
    Json(openapi::document()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        for bad in [
            "",
            "%%%",
            "djE6",
            "abc",
            "djE6eA",
            "+1",
            " 1",
            "1 ",
            "12345678901234567890",
        ] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secre"));
    }
}
