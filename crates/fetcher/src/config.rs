//! Configuration of the fetcher worker ([`FetcherConfig`]) and the declaration of polled
//! sources ([`SourceSpec`], read from a TOML file with [`SourcesFile::load`]).
//!
//! The file format is documented in `crates/fetcher/SOURCES.md`; unknown keys are errors
//! so a typo never silently disables a setting. This module does no network IO.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::FetchError;

/// What a polled source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceType {
    /// An RSS 0.9x/1.0/2.0, Atom or JSON Feed.
    Feed,
    /// One article page, republished when its content changes.
    Page,
    /// A sitemap, sitemap index or news sitemap whose pages are fetched.
    Sitemap,
}

impl SourceType {
    /// Lowercase name, as in the TOML file.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceType::Feed => "feed",
            SourceType::Page => "page",
            SourceType::Sitemap => "sitemap",
        }
    }
}

/// A polled source, as declared in the sources file or added at run time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Unique name: letters, digits, `-` and `_`, at most 64 characters. Becomes
    /// `RawDocument.source` and the metrics label.
    pub name: String,
    /// Feed, page or sitemap.
    pub kind: SourceType,
    /// The http(s) URL to poll.
    pub url: String,
    /// Shortest time between polls, seconds; the worker's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_interval_secs: Option<u64>,
    /// Longest time between polls, seconds; the worker's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_interval_secs: Option<u64>,
    /// Feeds only: fetch the linked page of items that carry only a summary (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub fetch_pages: bool,
    /// Declared paused: not polled until resumed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub paused: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl SourceSpec {
    /// A feed source with default intervals.
    pub fn feed(name: &str, url: &str) -> SourceSpec {
        SourceSpec {
            name: name.into(),
            kind: SourceType::Feed,
            url: url.into(),
            min_interval_secs: None,
            max_interval_secs: None,
            fetch_pages: true,
            paused: false,
        }
    }

    /// Checks the name, URL and intervals.
    pub fn validate(&self) -> Result<(), FetchError> {
        validate_name(&self.name)?;
        let url = url::Url::parse(&self.url).map_err(|e| {
            FetchError::Config(format!("source {}: invalid url {:?}: {e}", self.name, self.url))
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(FetchError::Config(format!(
                "source {}: url must be http(s) with a host",
                self.name
            )));
        }
        if let (Some(a), Some(b)) = (self.min_interval_secs, self.max_interval_secs)
            && a > b
        {
            return Err(FetchError::Config(format!(
                "source {}: min_interval_secs {a} is above max_interval_secs {b}",
                self.name
            )));
        }
        if self.min_interval_secs == Some(0) {
            return Err(FetchError::Config(format!(
                "source {}: min_interval_secs must be at least 1",
                self.name
            )));
        }
        Ok(())
    }
}

/// Checks a source name: 1 to 64 of `[A-Za-z0-9_-]`, so it is a KV key and a subject token.
pub fn validate_name(name: &str) -> Result<(), FetchError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(FetchError::Config(format!(
            "source name {name:?} must be 1 to 64 letters, digits, '-' or '_'"
        )))
    }
}

/// The sources file: a list of `[[source]]` tables.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesFile {
    /// The declared sources.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceSpec>,
}

impl SourcesFile {
    /// Parses and validates TOML text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<SourcesFile, FetchError> {
        let file: SourcesFile = toml::from_str(text).map_err(|e| FetchError::SourcesSyntax {
            path: origin.into(),
            message: e.to_string(),
        })?;
        let mut names = std::collections::HashSet::new();
        for s in &file.sources {
            s.validate()?;
            if !names.insert(s.name.as_str()) {
                return Err(FetchError::Config(format!(
                    "{origin}: source {} is declared twice",
                    s.name
                )));
            }
        }
        Ok(file)
    }

    /// Reads and validates a file.
    pub fn load(path: &Path) -> Result<SourcesFile, FetchError> {
        let text = std::fs::read_to_string(path).map_err(|source| FetchError::SourcesFile {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }
}

/// Bounds on what one fetch may cost.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest response body, counted after decompression.
    pub max_body_bytes: u64,
    /// Largest body published as one raw document.
    pub max_document_bytes: u64,
    /// Redirects followed per fetch.
    pub max_redirects: usize,
    /// TCP/TLS connect timeout.
    pub connect_timeout: Duration,
    /// Whole-fetch timeout (connect, headers and body).
    pub total_timeout: Duration,
    /// Default shortest interval between polls of a source.
    pub min_interval: Duration,
    /// Default longest interval between polls of a source.
    pub max_interval: Duration,
    /// Minimum delay between two requests to the same host from this process.
    pub host_delay: Duration,
    /// Pages fetched per poll of a feed or sitemap; the rest wait for the next poll.
    pub max_items_per_poll: usize,
    /// Item fingerprints remembered per source.
    pub max_seen_items: usize,
    /// How long a fetcher owns a source it is polling before another may take over.
    pub lease_ttl: Duration,
    /// How long a robots.txt answer is cached.
    pub robots_ttl: Duration,
    /// Longest Retry-After honoured.
    pub max_retry_after: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 * 1024 * 1024,
            max_document_bytes: wirefold_bus::DEFAULT_MAX_DOCUMENT_BYTES as u64,
            max_redirects: 5,
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            min_interval: Duration::from_secs(60),
            max_interval: Duration::from_secs(6 * 3600),
            host_delay: Duration::from_secs(1),
            max_items_per_poll: 100,
            max_seen_items: 3000,
            lease_ttl: Duration::from_secs(120),
            robots_ttl: Duration::from_secs(3600),
            max_retry_after: Duration::from_secs(24 * 3600),
        }
    }
}

/// The push endpoint.
#[derive(Clone)]
pub struct PushConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Bearer token partners must send.
    pub token: String,
    /// Largest accepted body.
    pub max_body_bytes: usize,
}

impl std::fmt::Debug for PushConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushConfig")
            .field("listen", &self.listen)
            .field("token", &"<redacted>")
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// Configuration of [`crate::run`].
#[derive(Debug, Clone)]
pub struct FetcherConfig {
    /// Sources file synced into the run-time registry at start.
    pub sources_file: Option<PathBuf>,
    /// User-Agent sent with every request and matched against robots.txt groups.
    pub user_agent: String,
    /// Hosts, IP addresses or CIDR networks that may be fetched although they are
    /// private, loopback or link-local (`127.0.0.1`, `10.0.0.0/8`, `feeds.internal`).
    pub allow: Vec<String>,
    /// Honour robots.txt (default true).
    pub respect_robots: bool,
    /// Bounds.
    pub limits: Limits,
    /// Push endpoint, when wanted.
    pub push: Option<PushConfig>,
    /// Drop folders to watch.
    pub drop_dirs: Vec<PathBuf>,
    /// How often drop folders are scanned.
    pub drop_scan: Duration,
    /// How long a dropped file's size and mtime must stay unchanged before it is read.
    pub drop_settle: Duration,
    /// Prometheus exporter address, when wanted.
    pub metrics_listen: Option<SocketAddr>,
    /// Identity of this process in leases; unique per process.
    pub fetcher_id: String,
    /// Scheduler tick: how often due sources are looked for.
    pub tick: Duration,
    /// How often the source registry is re-read from KV.
    pub registry_refresh: Duration,
    /// Polls in flight at once.
    pub concurrency: usize,
    /// How long shutdown waits for in-flight polls.
    pub grace: Duration,
}

impl Default for FetcherConfig {
    fn default() -> Self {
        FetcherConfig {
            sources_file: None,
            user_agent: format!("wirefold-fetcher/{}", env!("CARGO_PKG_VERSION")),
            allow: Vec::new(),
            respect_robots: true,
            limits: Limits::default(),
            push: None,
            drop_dirs: Vec::new(),
            drop_scan: Duration::from_secs(1),
            drop_settle: Duration::from_secs(2),
            metrics_listen: None,
            fetcher_id: default_fetcher_id(),
            tick: Duration::from_millis(500),
            registry_refresh: Duration::from_secs(5),
            concurrency: 16,
            grace: Duration::from_secs(10),
        }
    }
}

/// `<host>-<pid>-<random>`.
pub fn default_fetcher_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "fetcher".into());
    format!(
        "{}-{}-{:08x}",
        wirefold_wire::subjects::token(&host),
        std::process::id(),
        crate::schedule::random_u64() as u32
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_file_accepts_good_and_names_the_problem() {
        let cases: &[(&str, Result<usize, &str>)] = &[
            ("", Ok(0)),
            (
                "[[source]]\nname = \"a\"\nkind = \"feed\"\nurl = \"https://x.test/rss\"\n\
                 [[source]]\nname = \"b-2\"\nkind = \"sitemap\"\nurl = \"http://x.test/s.xml\"\nmin_interval_secs = 30\n",
                Ok(2),
            ),
            (
                "[[source]]\nname = \"a\"\nkind = \"feed\"\nurl = \"https://x.test/\"\nintervl = 3\n",
                Err("unknown field"),
            ),
            (
                "[[source]]\nname = \"a b\"\nkind = \"feed\"\nurl = \"https://x.test/\"\n",
                Err("source name"),
            ),
            (
                "[[source]]\nname = \"a\"\nkind = \"video\"\nurl = \"https://x.test/\"\n",
                Err("unknown variant"),
            ),
            (
                "[[source]]\nname = \"a\"\nkind = \"page\"\nurl = \"ftp://x.test/\"\n",
                Err("http(s)"),
            ),
            (
                "[[source]]\nname = \"a\"\nkind = \"page\"\nurl = \"https://x.test/\"\nmin_interval_secs = 9\nmax_interval_secs = 3\n",
                Err("above max_interval_secs"),
            ),
            (
                "[[source]]\nname = \"a\"\nkind = \"page\"\nurl = \"https://x.test/\"\n\
                 [[source]]\nname = \"a\"\nkind = \"page\"\nurl = \"https://y.test/\"\n",
                Err("declared twice"),
            ),
            ("[feeds]\nx = 1\n", Err("unknown field")),
        ];
        for (text, want) in cases {
            match (SourcesFile::parse(text, "t.toml"), want) {
                (Ok(f), Ok(n)) => assert_eq!(f.sources.len(), *n, "{text}"),
                (Err(e), Err(w)) => assert!(e.to_string().contains(w), "{text}: {e}"),
                (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn example_file_parses() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../deploy/sources.example.toml"
        ))
        .expect("deploy/sources.example.toml exists");
        let f = SourcesFile::parse(&text, "sources.example.toml").unwrap();
        assert!(f.sources.len() >= 3);
        assert!(f.sources.iter().any(|s| s.kind == SourceType::Sitemap));
    }
}
