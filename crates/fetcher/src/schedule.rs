//! When to poll a source next: adaptive intervals from the observed change rate and the
//! source's own hints (RSS `ttl`, `Cache-Control: max-age`), exponential backoff on errors,
//! `Retry-After`, all bounded and jittered so that many fetchers do not poll in lockstep.
//!
//! Pure functions of their inputs (plus a random jitter source); no IO, no clocks.

use std::hash::{BuildHasher as _, Hasher as _};
use std::time::Duration;

/// What a poll observed, as far as scheduling cares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Observation {
    /// New items or a changed page were published.
    pub changed: bool,
    /// Largest of the source's freshness hints (feed `ttl`, `Cache-Control: max-age`).
    pub hint: Option<Duration>,
}

/// The next interval after a successful poll: halves while the source keeps changing,
/// grows by half while it does not, never below a freshness hint, within `[min, max]`.
pub fn next_interval(prev: Duration, obs: Observation, min: Duration, max: Duration) -> Duration {
    let prev = if prev.is_zero() { min } else { prev };
    let mut next = if obs.changed { prev / 2 } else { prev + prev / 2 };
    if let Some(h) = obs.hint {
        next = next.max(h);
    }
    next.clamp(min, max.max(min))
}

/// The delay after `errors` consecutive failures: `min * 2^(errors-1)`, at most `max`, and
/// at least the server's `Retry-After` when it sent one (itself at most `retry_cap`).
pub fn backoff(
    errors: u32,
    min: Duration,
    max: Duration,
    retry_after: Option<Duration>,
    retry_cap: Duration,
) -> Duration {
    let exp = errors.saturating_sub(1).min(20);
    let base = min.saturating_mul(1u32 << exp).min(max.max(min));
    match retry_after {
        Some(ra) => base.max(ra.min(retry_cap)),
        None => base,
    }
}

/// `d` moved randomly by up to ±`fraction` (0.1 = ±10%).
pub fn jitter(d: Duration, fraction: f64) -> Duration {
    let r = (random_u64() >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
    let factor = 1.0 + fraction * (2.0 * r - 1.0);
    d.mul_f64(factor.max(0.0))
}

/// A random number from the standard library's per-process random hasher keys.
pub fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// `max-age` of a `Cache-Control` header, when present and not `no-cache`/`no-store`.
pub fn cache_control_max_age(value: &str) -> Option<Duration> {
    let lower = value.to_ascii_lowercase();
    if lower.contains("no-cache") || lower.contains("no-store") {
        return None;
    }
    lower.split(',').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        if k.trim() == "max-age" {
            v.trim().trim_matches('"').parse().ok().map(Duration::from_secs)
        } else {
            None
        }
    })
}

/// A `Retry-After` header: delay-seconds or an HTTP date (relative to `now_ms`).
pub fn retry_after(value: &str, now_ms: i64) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let delta = wirefold_wire::time::parse_http_date_ms(v)? - now_ms;
    Some(Duration::from_millis(delta.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn intervals_adapt_within_bounds() {
        let cases = [
            // prev, changed, hint, min, max, want
            (S(600), true, None, S(60), S(3600), S(300)),
            (S(600), false, None, S(60), S(3600), S(900)),
            (S(100), true, None, S(60), S(3600), S(60)),
            (S(3000), false, None, S(60), S(3600), S(3600)),
            (S(100), true, Some(S(1800)), S(60), S(3600), S(1800)),
            (S(100), true, Some(S(99_999)), S(60), S(3600), S(3600)),
            (S(0), false, None, S(60), S(3600), S(90)),
        ];
        for (prev, changed, hint, min, max, want) in cases {
            assert_eq!(
                next_interval(prev, Observation { changed, hint }, min, max),
                want,
                "{prev:?} {changed} {hint:?}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_honours_retry_after() {
        let cases = [
            (1, None, S(60)),
            (2, None, S(120)),
            (4, None, S(480)),
            (30, None, S(3600)),
            (1, Some(S(900)), S(900)),
            (1, Some(S(999_999)), S(86_400)),
            (3, Some(S(10)), S(240)),
        ];
        for (errors, ra, want) in cases {
            assert_eq!(
                backoff(errors, S(60), S(3600), ra, S(86_400)),
                want,
                "{errors} {ra:?}"
            );
        }
    }

    #[test]
    fn jitter_stays_within_fraction() {
        for _ in 0..200 {
            let j = jitter(S(100), 0.1);
            assert!(j >= S(90) && j <= S(110), "{j:?}");
        }
    }

    #[test]
    fn header_parsing() {
        assert_eq!(cache_control_max_age("public, max-age=300"), Some(S(300)));
        assert_eq!(cache_control_max_age("max-age=300, no-cache"), None);
        assert_eq!(cache_control_max_age("private"), None);
        assert_eq!(retry_after("120", 0), Some(S(120)));
        let now = wirefold_wire::time::parse_http_date_ms("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:30:00 GMT", now), Some(S(120)));
        assert_eq!(retry_after("soon", now), None);
    }
}
