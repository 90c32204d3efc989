//! Prometheus metrics of the fetcher, labelled by source: fetches, 304s, published items,
//! duplicates, errors, last success and next poll. Recorded through the `metrics` facade;
//! [`install`] serves them over HTTP when the worker is given an address.

use std::net::SocketAddr;

use crate::state::SourceState;

/// Counter: polls that reached the server.
pub const FETCHES: &str = "wirefold_fetch_requests_total";
/// Counter: polls answered 304.
pub const NOT_MODIFIED: &str = "wirefold_fetch_not_modified_total";
/// Counter: documents published.
pub const PUBLISHED: &str = "wirefold_fetch_published_total";
/// Counter: publishes the stream already had.
pub const DUPLICATES: &str = "wirefold_fetch_duplicates_total";
/// Counter: failed polls.
pub const ERRORS: &str = "wirefold_fetch_errors_total";
/// Gauge: Unix seconds of the last successful poll.
pub const LAST_SUCCESS: &str = "wirefold_fetch_last_success_seconds";
/// Gauge: Unix seconds of the next poll.
pub const NEXT_POLL: &str = "wirefold_fetch_next_poll_seconds";
/// Counter: drop-folder files published / failed (label `outcome`).
pub const DROP_FILES: &str = "wirefold_fetch_drop_files_total";
/// Counter: push requests (label `outcome`).
pub const PUSH_REQUESTS: &str = "wirefold_fetch_push_requests_total";

/// Records the difference between two states of one source.
pub fn record(source: &str, before: &SourceState, after: &SourceState) {
    let label = [("source", source.to_string())];
    let (b, a) = (&before.counters, &after.counters);
    for (name, delta) in [
        (FETCHES, a.fetches.saturating_sub(b.fetches)),
        (NOT_MODIFIED, a.not_modified.saturating_sub(b.not_modified)),
        (PUBLISHED, a.published.saturating_sub(b.published)),
        (DUPLICATES, a.duplicates.saturating_sub(b.duplicates)),
        (ERRORS, a.errors.saturating_sub(b.errors)),
    ] {
        ::metrics::counter!(name, &label).increment(delta);
    }
    if after.last_success_ms > 0 {
        ::metrics::gauge!(LAST_SUCCESS, &label).set(after.last_success_ms as f64 / 1000.0);
    }
    ::metrics::gauge!(NEXT_POLL, &label).set(after.next_poll_ms as f64 / 1000.0);
}

/// Installs the process's Prometheus recorder, with an HTTP exporter on `addr` when given,
/// and returns a function that renders the current metrics (the gateway serves it at
/// `/metrics`). Must run inside a tokio runtime. Fails when another recorder is installed
/// in this process already.
pub fn install(addr: Option<SocketAddr>) -> Result<std::sync::Arc<dyn Fn() -> String + Send + Sync>, String> {
    let builder = metrics_exporter_prometheus::PrometheusBuilder::new();
    // Without an address no listener at all: the builder's default exporter binds
    // 0.0.0.0:9000 when built, so two processes without one (a normalizer and a
    // deduplicator side by side) raced for that port.
    let (recorder, exporter) = match addr {
        Some(addr) => {
            let (recorder, exporter) = builder
                .with_http_listener(addr)
                .build()
                .map_err(|e| format!("cannot build the prometheus exporter: {e}"))?;
            (recorder, Some(exporter))
        }
        None => (builder.build_recorder(), None),
    };
    let handle = recorder.handle();
    ::metrics::set_global_recorder(recorder)
        .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
    if let Some(exporter) = exporter {
        tokio::spawn(exporter);
    }
    Ok(std::sync::Arc::new(move || handle.render()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Counters;

    #[tokio::test]
    async fn no_address_no_listener() {
        // The builder's default exporter would bind 0.0.0.0:9000; hold that port (unless
        // something else already does) and install without an address: it must not care.
        let _held = std::net::TcpListener::bind("0.0.0.0:9000");
        install(None).expect("install without an address");
    }

    #[test]
    fn records_per_source_deltas() {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let before = SourceState::default();
        let after = SourceState {
            counters: Counters {
                fetches: 2,
                not_modified: 1,
                published: 5,
                duplicates: 0,
                errors: 1,
            },
            last_success_ms: 1_700_000_000_000,
            next_poll_ms: 1_700_000_060_000,
            ..Default::default()
        };
        ::metrics::with_local_recorder(&recorder, || record("world", &before, &after));
        let text = handle.render();
        for want in [
            "wirefold_fetch_requests_total{source=\"world\"} 2",
            "wirefold_fetch_not_modified_total{source=\"world\"} 1",
            "wirefold_fetch_published_total{source=\"world\"} 5",
            "wirefold_fetch_errors_total{source=\"world\"} 1",
            "wirefold_fetch_last_success_seconds{source=\"world\"} 1700000000",
            "wirefold_fetch_next_poll_seconds{source=\"world\"} 1700000060",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
    }
}
