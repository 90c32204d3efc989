//! Test support for the fetcher: a programmable local HTTP server (routes, ETag and
//! Last-Modified handling, delays, huge and gzip-bomb bodies, hit log) and helpers that read
//! back what was published on the raw stream.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::Response;
use futures::StreamExt as _;
use wirefold_bus::Bus;
use wirefold_fetcher::{FetcherConfig, Limits};
use wirefold_wire::{DeadLetter, RawDocument, subjects};

/// What a route answers.
#[derive(Clone, Debug, Default)]
pub struct Route {
    /// Status (200 when 0).
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
    /// Answer 304 when If-None-Match equals this.
    pub etag: Option<String>,
    /// Answer 304 when If-Modified-Since equals this.
    pub last_modified: Option<String>,
    /// Sleep before answering.
    pub delay: Duration,
    /// Stream this many bytes of 'a' instead of `body`, without Content-Length.
    pub endless: Option<usize>,
}

impl Route {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Route {
        Route {
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            ..Default::default()
        }
    }
    pub fn status(status: u16) -> Route {
        Route {
            status,
            ..Default::default()
        }
    }
    pub fn redirect(to: &str) -> Route {
        Route {
            status: 302,
            headers: vec![("location".into(), to.into())],
            ..Default::default()
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Route {
        self.headers.push((k.into(), v.into()));
        self
    }
}

#[derive(Default)]
pub struct SiteState {
    routes: Mutex<HashMap<String, Route>>,
    hits: Mutex<Vec<(String, HeaderMap)>>,
}

/// A local HTTP server on 127.0.0.1.
#[derive(Clone)]
pub struct Site {
    pub addr: SocketAddr,
    state: Arc<SiteState>,
}

impl Site {
    pub async fn start() -> Site {
        let state = Arc::new(SiteState::default());
        let st = state.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let st = st.clone();
            async move { answer(st, req).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Site { addr, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set(&self, path: &str, route: Route) {
        self.state.routes.lock().unwrap().insert(path.to_string(), route);
    }

    /// Requests seen for `path`.
    pub fn hits(&self, path: &str) -> Vec<HeaderMap> {
        self.state
            .hits
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, h)| h.clone())
            .collect()
    }

    pub fn all_hits(&self) -> Vec<String> {
        self.state
            .hits
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }
}

async fn answer(st: Arc<SiteState>, req: Request<Body>) -> Response {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    st.hits
        .lock()
        .unwrap()
        .push((path.clone(), req.headers().clone()));
    let route = st.routes.lock().unwrap().get(&path).cloned();
    let Some(route) = route else {
        return Response::builder()
            .status(404)
            .body(Body::from("not found"))
            .unwrap();
    };
    if !route.delay.is_zero() {
        tokio::time::sleep(route.delay).await;
    }
    let h = req.headers();
    let inm = h.get("if-none-match").and_then(|v| v.to_str().ok());
    let ims = h.get("if-modified-since").and_then(|v| v.to_str().ok());
    let not_modified = (route.etag.is_some() && inm == route.etag.as_deref())
        || (route.last_modified.is_some() && ims == route.last_modified.as_deref());
    let mut b = Response::builder().status(if not_modified {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::from_u16(if route.status == 0 { 200 } else { route.status }).unwrap()
    });
    for (k, v) in &route.headers {
        b = b.header(k, v);
    }
    if let Some(e) = &route.etag {
        b = b.header("etag", e);
    }
    if let Some(lm) = &route.last_modified {
        b = b.header("last-modified", lm);
    }
    if not_modified {
        return b.body(Body::empty()).unwrap();
    }
    if let Some(n) = route.endless {
        let chunk = bytes::Bytes::from(vec![b'a'; 64 * 1024]);
        let count = n.div_ceil(chunk.len());
        let s = futures::stream::iter((0..count).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
        return b.body(Body::from_stream(s)).unwrap();
    }
    b.body(Body::from(route.body)).unwrap()
}

/// Gzip of `n` zero bytes.
pub fn gzip_zeros(n: usize) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let block = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(block.len());
        e.write_all(&block[..k]).unwrap();
        left -= k;
    }
    e.finish().unwrap()
}

/// A fetcher configuration for tests: loopback allowed, fast intervals and timeouts.
pub fn config() -> FetcherConfig {
    FetcherConfig {
        allow: vec!["127.0.0.1".into()],
        limits: Limits {
            min_interval: Duration::from_millis(1),
            max_interval: Duration::from_millis(5),
            host_delay: Duration::from_millis(5),
            total_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
            ..Default::default()
        },
        tick: Duration::from_millis(50),
        registry_refresh: Duration::from_millis(200),
        drop_scan: Duration::from_millis(20),
        drop_settle: Duration::from_millis(300),
        grace: Duration::from_secs(3),
        ..Default::default()
    }
}

/// Every raw document in the stream, in order.
pub async fn raw_docs(bus: &Bus) -> Vec<RawDocument> {
    read_all(bus, subjects::RAW_STREAM, subjects::RAW_ALL)
        .await
        .iter()
        .map(|p| wirefold_wire::decode(p).unwrap())
        .collect()
}

/// Every dead letter in the stream.
pub async fn dead_letters(bus: &Bus) -> Vec<DeadLetter> {
    read_all(bus, subjects::DLQ_STREAM, subjects::DLQ_ALL)
        .await
        .iter()
        .map(|p| wirefold_wire::decode(p).unwrap())
        .collect()
}

async fn read_all(bus: &Bus, stream: &str, filter: &str) -> Vec<bytes::Bytes> {
    let state = bus.stream_state(stream).await.unwrap();
    if state.messages == 0 {
        return Vec::new();
    }
    let mut msgs = bus.ordered_from(stream, filter, state.first_seq).await.unwrap();
    let mut out = Vec::new();
    while (out.len() as u64) < state.messages {
        let m = tokio::time::timeout(Duration::from_secs(5), msgs.next())
            .await
            .expect("stream read timed out");
        let m = m.expect("stream ended").expect("message");
        out.push(m.payload.clone());
    }
    out
}

/// An RSS feed of `(guid, title, content)` items; content `None` gives a summary-only item
/// linking to `/article/<guid>`.
pub fn rss(items: &[(&str, &str, Option<&str>)]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>"#,
    );
    for (guid, title, content) in items {
        s.push_str(&format!(
            "<item><title>{title}</title><guid>{guid}</guid><link>/article/{guid}</link>\
             <author>desk@n.test (Jane Doe)</author><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate><description>teaser of {title}</description>"
        ));
        if let Some(c) = content {
            s.push_str(&format!("<content:encoded><![CDATA[{c}]]></content:encoded>"));
        }
        s.push_str("</item>");
    }
    s.push_str("</channel></rss>");
    s
}
