//! Politeness: one request at a time per host with a minimum delay between requests
//! (the larger of the configured delay and robots.txt `Crawl-delay`, capped), hosts that
//! answered 429/503 with `Retry-After` left alone until then, and robots.txt honoured with
//! a cache per origin.
//!
//! robots.txt follows RFC 9309: a 4xx answer means "no rules", a 5xx or unreachable
//! robots.txt means "disallow everything" for a short while. The pacing is per process:
//! several fetchers share sources, not hosts (a source is polled by one of them at a time).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use url::Url;

use crate::net::{HopGuard, HttpClient, HttpError, Response, Validators};

/// Longest honoured `Crawl-delay`.
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(30);
/// How long an unreachable robots.txt blocks a host before it is asked again.
const ROBOTS_ERROR_TTL: Duration = Duration::from_secs(60);
/// Largest robots.txt read.
const ROBOTS_MAX_BYTES: u64 = 512 * 1024;

#[derive(Debug)]
struct HostSlot {
    not_before: Instant,
}

enum Rules {
    AllowAll,
    DisallowAll(String),
    Robot(Box<texting_robots::Robot>),
}

struct CachedRobots {
    rules: Arc<Rules>,
    expires: Instant,
}

/// Per-host pacing and robots.txt, shared by all polls of one process.
pub struct Polite {
    http: HttpClient,
    user_agent: String,
    respect_robots: bool,
    host_delay: Duration,
    robots_ttl: Duration,
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<HostSlot>>>>,
    robots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<CachedRobots>>>>>,
    crawl_delay: Mutex<HashMap<String, Duration>>,
}

impl std::fmt::Debug for Polite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Polite")
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

impl Polite {
    /// Wraps a client.
    pub fn new(http: HttpClient, user_agent: &str, respect_robots: bool) -> Polite {
        let limits = http.limits().clone();
        Polite {
            http,
            user_agent: user_agent.to_string(),
            respect_robots,
            host_delay: limits.host_delay,
            robots_ttl: limits.robots_ttl,
            hosts: Mutex::new(HashMap::new()),
            robots: Mutex::new(HashMap::new()),
            crawl_delay: Mutex::new(HashMap::new()),
        }
    }

    /// The underlying client.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// A paced, robots-checked, guarded GET.
    pub async fn get(
        &self,
        url: &Url,
        validators: &Validators,
        max_body: u64,
    ) -> Result<Response, HttpError> {
        self.http
            .get_with(url, validators, max_body, |hop| self.before_hop(hop))
            .await
    }

    async fn before_hop(&self, url: Url) -> Result<HopGuard, HttpError> {
        // Refused addresses fail as such, before robots.txt is asked for.
        self.http.check_url(&url).await?;
        if self.respect_robots && url.path() != "/robots.txt" {
            match &*self.rules_for(&url).await {
                Rules::AllowAll => {}
                Rules::DisallowAll(why) => return Err(HttpError::Robots(format!("{url} ({why})"))),
                Rules::Robot(r) => {
                    if !r.allowed(url.as_str()) {
                        return Err(HttpError::Robots(url.to_string()));
                    }
                }
            }
        }
        self.slot(&url).await
    }

    /// Waits for the host's turn; the returned guard holds the host until the hop ends
    /// and then sets the earliest time of the next request.
    async fn slot(&self, url: &Url) -> Result<HopGuard, HttpError> {
        let key = host_key(url);
        let slot = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            hosts
                .entry(key.clone())
                .or_insert_with(|| {
                    Arc::new(tokio::sync::Mutex::new(HostSlot {
                        not_before: Instant::now(),
                    }))
                })
                .clone()
        };
        let mut guard = slot.lock_owned().await;
        // A host that asked for a long pause is not waited for: the poll fails and is
        // rescheduled after the pause instead of holding its lease.
        let wait = guard.not_before.saturating_duration_since(Instant::now());
        if wait > self.http.limits().total_timeout / 2 {
            return Err(HttpError::HostBusy(wait));
        }
        tokio::time::sleep_until(guard.not_before).await;
        let delay = {
            let cd = self.crawl_delay.lock().unwrap_or_else(|p| p.into_inner());
            cd.get(&key).copied().unwrap_or_default().max(self.host_delay)
        };
        Ok(HopGuard::new(move |retry_after| {
            let wait = retry_after.map_or(delay, |ra| ra.max(delay));
            guard.not_before = Instant::now() + wait;
        }))
    }

    async fn rules_for(&self, url: &Url) -> Arc<Rules> {
        let origin = origin(url);
        // One robots.txt fetch per origin at a time (concurrent polls of one host wait for
        // it); other origins are not held up.
        let cell = {
            let mut map = self.robots.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(origin).or_default().clone()
        };
        let mut cached = cell.lock().await;
        if let Some(c) = cached.as_ref()
            && c.expires > Instant::now()
        {
            return c.rules.clone();
        }
        let (rules, ttl) = self.fetch_robots(url).await;
        let rules = Arc::new(rules);
        *cached = Some(CachedRobots {
            rules: rules.clone(),
            expires: Instant::now() + ttl,
        });
        rules
    }

    async fn fetch_robots(&self, url: &Url) -> (Rules, Duration) {
        let Ok(robots_url) = url.join("/robots.txt") else {
            return (Rules::AllowAll, self.robots_ttl);
        };
        let fetched = async {
            let guard = self.slot(&robots_url).await?;
            let r = self
                .http
                .get_with(&robots_url, &Validators::default(), ROBOTS_MAX_BYTES, |_| async {
                    Ok(HopGuard::none())
                })
                .await;
            guard.done(None);
            r
        };
        match fetched.await {
            Ok(resp) => match texting_robots::Robot::new(&self.user_agent, &resp.body) {
                Ok(robot) => {
                    if let Some(d) = robot.delay {
                        let d = Duration::from_secs_f32(d.clamp(0.0, MAX_CRAWL_DELAY.as_secs_f32()));
                        self.crawl_delay
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(host_key(url), d);
                    }
                    (Rules::Robot(Box::new(robot)), self.robots_ttl)
                }
                Err(_) => (Rules::AllowAll, self.robots_ttl),
            },
            Err(HttpError::Status { status, .. }) if (400..500).contains(&status) && status != 429 => {
                (Rules::AllowAll, self.robots_ttl)
            }
            Err(e) => (
                Rules::DisallowAll(format!("robots.txt unavailable: {e}")),
                ROBOTS_ERROR_TTL.min(self.robots_ttl),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

    #[tokio::test(start_paused = true)]
    async fn one_request_per_host_spaced_by_delay_and_retry_after() {
        let limits = Limits {
            host_delay: Duration::from_secs(2),
            total_timeout: Duration::from_secs(60),
            ..Default::default()
        };
        let p = Polite::new(HttpClient::new("t", &[], limits).unwrap(), "t", false);
        let a = Url::parse("http://a.test/x").unwrap();
        let b = Url::parse("http://b.test/x").unwrap();
        let t0 = Instant::now();
        let cases: [(&Url, Option<Duration>, Duration); 4] = [
            (&a, None, Duration::ZERO),
            (&a, Some(Duration::from_secs(10)), Duration::from_secs(2)),
            (&b, None, Duration::from_secs(2)),
            (&a, None, Duration::from_secs(12)),
        ];
        for (url, retry_after, want_start) in cases {
            let guard = p.slot(url).await.unwrap();
            assert_eq!(t0.elapsed().as_secs(), want_start.as_secs(), "{url}");
            guard.done(retry_after);
        }
        // While a host holds the slot, a second request waits for it.
        let held = p.slot(&b).await.unwrap();
        let waiting = p.slot(&b);
        tokio::pin!(waiting);
        assert!(
            tokio::time::timeout(Duration::from_secs(5), &mut waiting)
                .await
                .is_err()
        );
        held.done(None);
        assert!(waiting.await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_long_retry_after_fails_fast_instead_of_waiting() {
        let limits = Limits {
            host_delay: Duration::ZERO,
            total_timeout: Duration::from_secs(30),
            ..Default::default()
        };
        let p = Polite::new(HttpClient::new("t", &[], limits).unwrap(), "t", false);
        let a = Url::parse("http://a.test/x").unwrap();
        p.slot(&a).await.unwrap().done(Some(Duration::from_secs(600)));
        assert!(matches!(p.slot(&a).await, Err(HttpError::HostBusy(d)) if d > Duration::from_secs(590)));
    }
}
