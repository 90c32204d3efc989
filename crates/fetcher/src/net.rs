//! A guarded HTTP client: every address is checked after DNS resolution and on every
//! redirect hop, bodies are bounded (after decompression, so a gzip bomb stops at the
//! limit), redirects are followed by hand (at most `max_redirects`, loops refused), and
//! each fetch has a connect and a total timeout.
//!
//! Private, loopback, link-local and other non-public addresses are refused unless the
//! host or address is on the allow-list. The check happens twice: once before each hop
//! (a clear error) and again inside the connector's DNS resolver, so the connection only
//! ever goes to an address that passed the check. Proxies from the environment are ignored.
//!
//! This module knows nothing about robots.txt or per-host pacing: see [`crate::polite`].

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use crate::config::Limits;
use crate::schedule;

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The URL is not http(s) or has no host.
    #[error("unsupported url {0}")]
    BadUrl(String),
    /// The host resolves only to refused addresses.
    #[error("refused {url}: {reason}")]
    Refused {
        /// The URL.
        url: String,
        /// Which address and why.
        reason: String,
    },
    /// DNS resolution failed.
    #[error("cannot resolve {host}: {message}")]
    Dns {
        /// The host.
        host: String,
        /// The resolver's message.
        message: String,
    },
    /// More redirects than allowed.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// A redirect led back to a URL already visited.
    #[error("redirect loop at {0}")]
    RedirectLoop(String),
    /// A redirect without a usable Location.
    #[error("redirect without a valid location from {0}")]
    BadRedirect(String),
    /// The whole fetch took longer than allowed.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The body exceeded the limit (counted after decompression).
    #[error("body exceeds the {0} byte limit")]
    TooLarge(u64),
    /// The server answered with an error status.
    #[error("http status {status}")]
    Status {
        /// The status code.
        status: u16,
        /// The `Retry-After` delay, when sent with a 429 or 503.
        retry_after: Option<Duration>,
    },
    /// The content type is not something the fetcher reads.
    #[error("unexpected content type {0:?}")]
    ContentType(String),
    /// robots.txt forbids the URL.
    #[error("disallowed by robots.txt: {0}")]
    Robots(String),
    /// The host asked us (429/503 with Retry-After) to wait longer than a fetch may take.
    #[error("host asked to wait {0:?} (retry-after)")]
    HostBusy(Duration),
    /// Connection, TLS or protocol failure.
    #[error("transport error: {0}")]
    Transport(String),
}

impl HttpError {
    /// Errors that come from the source's content or configuration rather than a passing
    /// network condition: they are dead-lettered, transient ones are only retried.
    pub fn is_permanent(&self) -> bool {
        match self {
            HttpError::Status { status, .. } => {
                (400..500).contains(status) && *status != 429 && *status != 408
            }
            HttpError::Timeout(_)
            | HttpError::Transport(_)
            | HttpError::Dns { .. }
            | HttpError::HostBusy(_) => false,
            _ => true,
        }
    }
}

/// Which non-public destinations are allowed.
#[derive(Debug, Clone, Default)]
pub struct NetPolicy {
    hosts: Vec<String>,
    nets: Vec<(IpAddr, u8)>,
}

impl NetPolicy {
    /// Builds the policy from allow-list entries: host names, IP addresses or CIDR networks.
    pub fn new(allow: &[String]) -> Result<NetPolicy, String> {
        let mut p = NetPolicy::default();
        for entry in allow {
            let e = entry.trim().trim_start_matches('[').trim_end_matches(']');
            if let Some((addr, bits)) = e.split_once('/') {
                let ip: IpAddr = addr
                    .parse()
                    .map_err(|_| format!("invalid network {entry:?} in allow-list"))?;
                let bits: u8 = bits
                    .parse()
                    .map_err(|_| format!("invalid prefix length in {entry:?}"))?;
                if bits > if ip.is_ipv4() { 32 } else { 128 } {
                    return Err(format!("invalid prefix length in {entry:?}"));
                }
                p.nets.push((ip, bits));
            } else if let Ok(ip) = e.parse::<IpAddr>() {
                p.nets.push((ip, if ip.is_ipv4() { 32 } else { 128 }));
            } else if !e.is_empty() {
                p.hosts.push(e.to_ascii_lowercase());
            }
        }
        Ok(p)
    }

    /// Whether connecting to `ip` for `host` is allowed; `Err` says why not.
    pub fn check(&self, host: &str, ip: IpAddr) -> Result<(), String> {
        let Some(why) = non_public(ip) else { return Ok(()) };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        if self.hosts.contains(&host) || self.nets.iter().any(|&(net, bits)| in_net(ip, net, bits)) {
            return Ok(());
        }
        Err(format!(
            "{ip} is a {why} address (add it to the allow-list to fetch it)"
        ))
    }
}

/// Names the class of a non-public address, `None` for public ones.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return non_public_v4(v4);
            }
            let seg = v6.segments();
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if v6.is_multicast() {
                Some("multicast")
            } else if seg[0] & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if seg[0] & 0xfe00 == 0xfc00 {
                Some("private")
            } else if seg[0] == 0x64 && seg[1] == 0xff9b {
                // NAT64 can reach IPv4 private space.
                Some("nat64")
            } else if seg[0] == 0x2001 && seg[1] == 0x0db8 {
                Some("documentation")
            } else {
                None
            }
        }
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_unspecified() || o[0] == 0 {
        Some("unspecified")
    } else if ip.is_broadcast() || o[0] >= 240 {
        Some("reserved")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if o[0] == 100 && (o[1] & 0xc0) == 64 {
        Some("shared (carrier-grade nat)")
    } else if ip.is_documentation()
        || (o[0] == 198 && (o[1] & 0xfe) == 18)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0)
    {
        Some("reserved")
    } else {
        None
    }
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits))
            };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits))
            };
            u128::from(a) & mask == u128::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V4(_)) => a
            .to_ipv4_mapped()
            .is_some_and(|m| in_net(IpAddr::V4(m), net, bits)),
        _ => false,
    }
}

/// The connector's resolver: resolves and drops every address the policy refuses.
struct GuardedResolver {
    policy: Arc<NetPolicy>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let ok: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| policy.check(&host, a.ip()).is_ok())
                .collect();
            if ok.is_empty() {
                return Err(format!("{host} resolves only to refused addresses").into());
            }
            Ok(Box::new(ok.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Conditional-GET validators from an earlier response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
}

/// A complete response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The URL that answered (after redirects).
    pub url: Url,
    /// The status (2xx, or 304 when `not_modified`).
    pub status: u16,
    /// 304 Not Modified: `body` is empty.
    pub not_modified: bool,
    /// Media type without parameters, lowercase.
    pub content_type: Option<String>,
    /// The body, decompressed and bounded.
    pub body: Bytes,
    /// Validators to send next time.
    pub validators: Validators,
    /// `Cache-Control: max-age`.
    pub max_age: Option<Duration>,
}

/// One request hop's outcome, for the caller that follows redirects.
#[derive(Debug)]
pub enum Hop {
    /// A final answer.
    Done(Response),
    /// A redirect to this URL.
    Redirect(Url),
}

/// The guarded client.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    policy: Arc<NetPolicy>,
    limits: Limits,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("policy", &self.policy)
            .finish()
    }
}

impl HttpClient {
    /// Builds a client.
    pub fn new(user_agent: &str, allow: &[String], limits: Limits) -> Result<HttpClient, crate::FetchError> {
        let policy = Arc::new(NetPolicy::new(allow).map_err(crate::FetchError::Config)?);
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.total_timeout)
            .pool_max_idle_per_host(4)
            .dns_resolver(GuardedResolver {
                policy: policy.clone(),
            })
            .build()
            .map_err(|e| crate::FetchError::Config(format!("cannot build http client: {e}")))?;
        Ok(HttpClient {
            client,
            policy,
            limits,
        })
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Checks scheme and host of `url` and every address it resolves to; fine when at
    /// least one address is allowed (the connector uses only those).
    pub async fn check_url(&self, url: &Url) -> Result<(), HttpError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(HttpError::BadUrl(url.to_string()));
        }
        let refused = |reason: String| HttpError::Refused {
            url: url.to_string(),
            reason,
        };
        match url.host() {
            None => Err(HttpError::BadUrl(url.to_string())),
            Some(url::Host::Ipv4(ip)) => self
                .policy
                .check(&ip.to_string(), IpAddr::V4(ip))
                .map_err(refused),
            Some(url::Host::Ipv6(ip)) => self
                .policy
                .check(&ip.to_string(), IpAddr::V6(ip))
                .map_err(refused),
            Some(url::Host::Domain(host)) => {
                let port = url.port_or_known_default().unwrap_or(80);
                let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
                    .await
                    .map_err(|e| HttpError::Dns {
                        host: host.to_string(),
                        message: e.to_string(),
                    })?
                    .collect();
                let mut last = format!("{host} has no addresses");
                for a in &addrs {
                    match self.policy.check(host, a.ip()) {
                        Ok(()) => return Ok(()),
                        Err(e) => last = e,
                    }
                }
                Err(refused(last))
            }
        }
    }

    /// One request, no redirect following: checks the address, sends the validators,
    /// reads a bounded body. Not timed out as a whole: [`HttpClient::get`] does that.
    pub async fn hop(&self, url: &Url, validators: &Validators, max_body: u64) -> Result<Hop, HttpError> {
        self.check_url(url).await?;
        let mut req = self.client.get(url.clone());
        if let Some(etag) = &validators.etag {
            req = req.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            req = req.header(header::IF_MODIFIED_SINCE, lm);
        }
        let mut resp = req
            .send()
            .await
            .map_err(|e| transport(&e, self.limits.total_timeout))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        if (300..400).contains(&status) && status != 304 {
            let loc = headers.get(header::LOCATION).and_then(|v| v.to_str().ok());
            let next = loc
                .and_then(|l| url.join(l).ok())
                .ok_or_else(|| HttpError::BadRedirect(url.to_string()))?;
            return Ok(Hop::Redirect(next));
        }
        let validators = Validators {
            etag: header_str(&headers, header::ETAG),
            last_modified: header_str(&headers, header::LAST_MODIFIED),
        };
        let max_age =
            header_str(&headers, header::CACHE_CONTROL).and_then(|v| schedule::cache_control_max_age(&v));
        if status == 304 {
            return Ok(Hop::Done(Response {
                url: url.clone(),
                status,
                not_modified: true,
                content_type: None,
                body: Bytes::new(),
                validators,
                max_age,
            }));
        }
        if !(200..300).contains(&status) {
            let retry_after = header_str(&headers, header::RETRY_AFTER)
                .filter(|_| status == 429 || status == 503)
                .and_then(|v| schedule::retry_after(&v, crate::now_ms()));
            return Err(HttpError::Status { status, retry_after });
        }
        let content_type = header_str(&headers, header::CONTENT_TYPE)
            .map(|ct| ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            .filter(|ct| !ct.is_empty());
        // A declared length over the limit is refused before reading (it is the compressed
        // length when the body is encoded; the streamed count below covers that case).
        if let Some(len) = resp.content_length()
            && len > max_body
        {
            return Err(HttpError::TooLarge(max_body));
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| transport(&e, self.limits.total_timeout))?
        {
            if body.len() as u64 + chunk.len() as u64 > max_body {
                return Err(HttpError::TooLarge(max_body));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Hop::Done(Response {
            url: url.clone(),
            status,
            not_modified: false,
            content_type,
            body: body.freeze(),
            validators,
            max_age,
        }))
    }

    /// A GET that follows redirects by hand, each hop checked, all within the total
    /// timeout. `before_hop` runs before each request (robots and pacing live there).
    pub async fn get_with<F, Fut>(
        &self,
        url: &Url,
        validators: &Validators,
        max_body: u64,
        mut before_hop: F,
    ) -> Result<Response, HttpError>
    where
        F: FnMut(Url) -> Fut,
        Fut: Future<Output = Result<HopGuard, HttpError>>,
    {
        let total = self.limits.total_timeout;
        let work = async {
            let mut seen = HashSet::new();
            let mut current = url.clone();
            for _ in 0..=self.limits.max_redirects {
                if !seen.insert(current.to_string()) {
                    return Err(HttpError::RedirectLoop(current.to_string()));
                }
                let guard = before_hop(current.clone()).await?;
                let hop = self.hop(&current, validators, max_body).await;
                guard.finish(&hop);
                match hop? {
                    Hop::Done(r) => return Ok(r),
                    Hop::Redirect(next) => current = next,
                }
            }
            Err(HttpError::TooManyRedirects(self.limits.max_redirects))
        };
        tokio::time::timeout(total, work)
            .await
            .unwrap_or(Err(HttpError::Timeout(total)))
    }

    /// A plain guarded GET without robots or pacing (used for robots.txt itself).
    pub async fn get(
        &self,
        url: &Url,
        validators: &Validators,
        max_body: u64,
    ) -> Result<Response, HttpError> {
        self.get_with(url, validators, max_body, |_| async { Ok(HopGuard::none()) })
            .await
    }
}

/// Something held for the duration of one hop (a per-host slot), told how it went.
pub struct HopGuard {
    on_finish: Option<Box<dyn FnOnce(Option<Duration>) + Send>>,
}

impl HopGuard {
    /// A guard that does nothing.
    pub fn none() -> HopGuard {
        HopGuard { on_finish: None }
    }

    /// A guard that calls `f` with the hop's `Retry-After` when the hop ends.
    pub fn new(f: impl FnOnce(Option<Duration>) + Send + 'static) -> HopGuard {
        HopGuard {
            on_finish: Some(Box::new(f)),
        }
    }

    fn finish(self, hop: &Result<Hop, HttpError>) {
        let ra = match hop {
            Err(HttpError::Status { retry_after, .. }) => *retry_after,
            _ => None,
        };
        self.done(ra);
    }

    /// Ends the hop, passing the `Retry-After` it saw.
    pub fn done(mut self, retry_after: Option<Duration>) {
        if let Some(f) = self.on_finish.take() {
            f(retry_after);
        }
    }
}

fn header_str(h: &HeaderMap<HeaderValue>, name: header::HeaderName) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

fn transport(e: &reqwest::Error, total: Duration) -> HttpError {
    if e.is_timeout() {
        return HttpError::Timeout(total);
    }
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    HttpError::Transport(msg)
}

/// Whether a response content type is one the fetcher reads (text, HTML, XML, JSON);
/// an absent type is accepted and left to the parser.
pub fn readable_content_type(ct: Option<&str>) -> bool {
    match ct {
        None => true,
        Some(ct) => {
            ct.starts_with("text/")
                || ct.contains("xml")
                || ct.contains("json")
                || ct == "application/octet-stream"
                || ct == "application/x-www-form-urlencoded"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_classes() {
        let cases = [
            ("127.0.0.1", Some("loopback")),
            ("10.1.2.3", Some("private")),
            ("172.16.0.1", Some("private")),
            ("192.168.1.1", Some("private")),
            ("169.254.169.254", Some("link-local")),
            ("100.64.0.1", Some("shared (carrier-grade nat)")),
            ("0.0.0.0", Some("unspecified")),
            ("224.0.0.1", Some("multicast")),
            ("8.8.8.8", None),
            ("93.184.216.34", None),
            ("::1", Some("loopback")),
            ("fe80::1", Some("link-local")),
            ("fd00::1", Some("private")),
            ("::ffff:127.0.0.1", Some("loopback")),
            ("::ffff:8.8.8.8", None),
            ("2606:4700::1111", None),
        ];
        for (ip, want) in cases {
            assert_eq!(non_public(ip.parse().unwrap()), want, "{ip}");
        }
    }

    #[test]
    fn allow_list_by_host_ip_and_network() {
        let p = NetPolicy::new(&["127.0.0.1".into(), "10.0.0.0/8".into(), "Feeds.Internal".into()]).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(p.check("127.0.0.1", ip("127.0.0.1")).is_ok());
        assert!(p.check("x", ip("10.9.9.9")).is_ok());
        assert!(p.check("feeds.internal", ip("192.168.1.5")).is_ok());
        assert!(p.check("x", ip("127.0.0.2")).is_err());
        assert!(
            p.check("x", ip("169.254.169.254"))
                .unwrap_err()
                .contains("link-local")
        );
        assert!(p.check("x", ip("8.8.8.8")).is_ok());
        assert!(NetPolicy::new(&["10.0.0.0/99".into()]).is_err());
        assert!(NetPolicy::default().check("localhost", ip("127.0.0.1")).is_err());
    }

    #[test]
    fn content_types() {
        for (ct, ok) in [
            (None, true),
            (Some("text/html"), true),
            (Some("application/rss+xml"), true),
            (Some("application/feed+json"), true),
            (Some("image/png"), false),
            (Some("application/pdf"), false),
            (Some("video/mp4"), false),
        ] {
            assert_eq!(readable_content_type(ct), ok, "{ct:?}");
        }
    }
}
