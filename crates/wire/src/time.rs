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
        let now = now_rfc3339();
        assert!(
            parse_ms(&now).is_some_and(|t| (t - now_ms()).abs() < 60_000),
            "{now}"
        );
    }
}
