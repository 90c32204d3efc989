//! The one time module: reading and writing the RFC 3339 times that travel on the wire,
//! and the wall clock for stamping them. Every crate converts times through here, so a
//! time written by one worker is read the same way by every other.
//!
//! Only stamping (`received`, a dead letter's `at`) reads the clock; no decision about
//! articles, clusters or stories does.

/// Now as RFC 3339 UTC with milliseconds (`2025-11-24T10:00:00.123Z`).
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Now as Unix milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Unix milliseconds as RFC 3339 UTC with whole seconds (`2025-11-24T10:00:00Z`); `None`
/// out of chrono's range.
pub fn format_ms(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Parses RFC 3339, an offset-less `YYYY-MM-DDTHH:MM:SS` (read as UTC) or a bare
/// `YYYY-MM-DD` date (midnight UTC) into Unix milliseconds.
pub fn parse_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        return Some(t.and_utc().timestamp_millis());
    }
    chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}

/// Parses what an API client may write for a time, and nothing looser: an RFC 3339
/// date-time (a `T` between date and time, and an offset) or a bare `YYYY-MM-DD` date
/// (midnight UTC), into Unix milliseconds. The gateway's `since`/`until` take this, so that
/// its OpenAPI `date` / `date-time` formats say exactly what is accepted.
pub fn parse_strict_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let date_shape = b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !date_shape {
        return None;
    }
    if b.len() == 10 {
        let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis());
    }
    // chrono also takes a space between date and time; RFC 3339 (as validators read it)
    // wants `T`.
    if !matches!(b[10], b'T' | b't') {
        return None;
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// Parses an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, as in `Retry-After`; RFC 2822)
/// into Unix milliseconds.
pub fn parse_http_date_ms(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc2822(s.trim())
        .ok()
        .map(|t| t.timestamp_millis())
}

/// Now in UTC, compact and safe in a file name (`20251124T100000.123`).
pub fn now_compact() -> String {
    chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f").to_string()
}

/// Reads a time as wire formats state it into RFC 3339, keeping the stated offset:
/// RFC 3339 itself (a zero offset written `Z`), offsets without a colon (`2017-10-11T10:41:00+0100`), ISO 8601 basic
/// as NewsML 1.2, NITF and ANPA-derived formats write it (`20140829T134951+0000`,
/// `20140829T135006Z`, `20140829T1350Z`), and bare dates (`2024-01-02`, `20240102`, as
/// midnight UTC). `None` when it is none of these.
pub fn rfc3339_from_wire(s: &str) -> Option<String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat};
    let s = s.trim();
    let out = |t: DateTime<chrono::FixedOffset>| Some(t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return out(t);
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M%z",
        "%Y%m%dT%H%M%S%z",
        "%Y%m%dT%H%M%S%:z",
        "%Y%m%dT%H%M%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return out(t);
        }
    }
    let z = s.strip_suffix('Z').unwrap_or(s);
    for f in [
        "%Y%m%dT%H%M%S",
        "%Y%m%dT%H%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(z, f) {
            return Some(t.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true));
        }
    }
    for f in ["%Y-%m-%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(format!("{d}T00:00:00Z"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_format() {
        for (s, want) in [
            ("2025-11-24T10:00:00Z", Some(1_763_978_400_000)),
            ("2025-11-24T11:00:00+01:00", Some(1_763_978_400_000)),
            ("2025-11-24T10:00:00", Some(1_763_978_400_000)),
            ("2025-11-24", Some(1_763_942_400_000)),
            ("yesterday", None),
            ("", None),
            ("2025-1", None),
        ] {
            assert_eq!(parse_ms(s), want, "{s}");
        }
        assert_eq!(
            format_ms(1_763_978_400_000).as_deref(),
            Some("2025-11-24T10:00:00Z")
        );
        assert_eq!(format_ms(i64::MAX), None);
        for (s, want) in [
            ("2017-10-11T10:41:00+0100", Some("2017-10-11T10:41:00+01:00")),
            ("20140829T134951+0000", Some("2014-08-29T13:49:51Z")),
            ("20140829T135006Z", Some("2014-08-29T13:50:06Z")),
            ("2024-01-02T10:05:00Z", Some("2024-01-02T10:05:00Z")),
            ("2017-01-31T03:47:29.000Z", Some("2017-01-31T03:47:29Z")),
            ("20240102", Some("2024-01-02T00:00:00Z")),
            ("Oct 14", None),
        ] {
            assert_eq!(rfc3339_from_wire(s).as_deref(), want, "{s}");
        }
        for (s, want) in [
            ("2025-11-24T11:00:00+01:00", Some(1_763_978_400_000)),
            ("2025-11-24", Some(1_763_942_400_000)),
            // Looser forms that `parse_ms` takes are refused.
            ("2025-11-24T10:00:00", None),
            ("2025-11-24 10:00:00Z", None),
            ("24.11.2025", None),
            ("2025-11-24junk", None),
        ] {
            assert_eq!(parse_strict_ms(s), want, "{s}");
        }
        assert_eq!(
            parse_http_date_ms("Mon, 24 Nov 2025 10:00:00 GMT"),
            Some(1_763_978_400_000)
        );
        assert_eq!(parse_http_date_ms("soon"), None);
        let c = now_compact();
        assert!(
            c.len() == 19 && c.as_bytes()[8] == b'T' && !c.contains(['/', ':', ' ']),
            "{c}"
        );
        let now = now_rfc3339();
        assert!(
            parse_ms(&now).is_some_and(|t| (t - now_ms()).abs() < 60_000),
            "{now}"
        );
    }
}
