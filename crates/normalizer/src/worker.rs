//! The normalizer worker: a durable pull consumer on `wirefold.raw.>` that publishes the
//! articles of each raw document on `wirefold.articles.<lang>`: one for a page or a text,
//! one per usable item of a wire document (a news message with a story and its pictures).
//!
//! Per message: a document that cannot be decoded or normalized gets a dead letter and is
//! terminated (never retried: retrying would not change the answer); a failed publish is
//! a transient bus problem and the message is negatively acked for redelivery. The article
//! is published with its id (the raw document's id, `<raw id>-<n>` for further items of a
//! wire document) as `Nats-Msg-Id`, so a redelivered raw document is stored once
//! downstream. Items of a wire document that cannot be used get a dead letter each while
//! the others go on. Extraction runs on the blocking pool under a time limit.

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use wirefold_bus::{Bus, BusError, Message};
use wirefold_wire::{DeadLetter, RawDocument, subjects};

use crate::{NormalizeError, normalize_all};

/// Settings of the normalizer worker.
#[derive(Debug, Clone)]
pub struct NormalizerConfig {
    /// Largest raw body accepted, in bytes.
    pub max_bytes: usize,
    /// Longest one extraction may take before the document is dead-lettered.
    pub extract_timeout: Duration,
}

impl Default for NormalizerConfig {
    fn default() -> Self {
        NormalizerConfig {
            max_bytes: wirefold_bus::DEFAULT_MAX_DOCUMENT_BYTES,
            extract_timeout: Duration::from_secs(10),
        }
    }
}

/// Deliveries of one raw document before it is dead-lettered instead of retried.
const MAX_DELIVER: i64 = 10;

/// Runs until `shutdown` is cancelled; the message in hand is finished and acked first.
pub async fn run(bus: Bus, config: NormalizerConfig, shutdown: CancellationToken) -> Result<(), BusError> {
    let consumer = bus
        .durable_consumer(
            subjects::RAW_STREAM,
            subjects::NORMALIZER_CONSUMER,
            subjects::RAW_ALL,
            config.extract_timeout + Duration::from_secs(20),
            MAX_DELIVER,
        )
        .await?;
    let messages = bus.messages(&consumer, 16).await?;
    info!("normalizer running");
    wirefold_bus::consume_until(messages, shutdown.cancelled_owned(), |msg| {
        handle(&bus, &config, msg)
    })
    .await;
    info!("normalizer stopped");
    Ok(())
}

async fn handle(bus: &Bus, config: &NormalizerConfig, msg: Message) {
    let subject = msg.subject.to_string();
    let (seq, delivered) = wirefold_bus::message_position(&msg);
    let payload = msg.payload.clone();
    let raw: RawDocument = match wirefold_wire::decode(&payload) {
        Ok(r) => r,
        Err(e) => {
            reject(
                bus,
                &msg,
                dead_letter(&subject, None, None, &payload, e.to_string()),
            )
            .await;
            return;
        }
    };
    let cfg = config.clone();
    let job = tokio::task::spawn_blocking(move || {
        let out = normalize_all(&raw, cfg.max_bytes);
        (raw, out)
    });
    let (raw, result) = match tokio::time::timeout(config.extract_timeout, job).await {
        Ok(Ok(pair)) => pair,
        Ok(Err(join)) => {
            // A panic inside extraction: a bug, but one document must not stop the worker.
            let reason = format!("extraction crashed: {join}");
            reject(bus, &msg, dead_letter(&subject, None, None, &payload, reason)).await;
            return;
        }
        Err(_) => {
            let reason = format!("extraction exceeded {:?}", config.extract_timeout);
            reject(bus, &msg, dead_letter(&subject, None, None, &payload, reason)).await;
            return;
        }
    };
    let about_raw =
        |reason: String| dead_letter(&subject, Some(&raw.id), raw.url.as_deref(), &payload, reason);
    let normalized = match result {
        Ok(n) => n,
        Err(e) => {
            if matches!(e, NormalizeError::NotArticle) {
                info!(id = %raw.id, url = ?raw.url, "not an article page, not forwarded");
            }
            reject(bus, &msg, about_raw(e.to_string())).await;
            return;
        }
    };
    for problem in &normalized.problems {
        // One item of a wire document: the others go on, the raw document is acked.
        metrics::counter!(metric::DEAD_LETTERS).increment(1);
        bus.dead_letter(about_raw(problem.clone())).await;
    }
    for article in &normalized.articles {
        let out_subject = subjects::article(article.language.as_deref());
        match bus.publish(&out_subject, &article.id, article).await {
            Ok(ack) => {
                debug!(id = %article.id, seq, out_seq = ack.sequence, duplicate = ack.duplicate, "article published");
                if !ack.duplicate {
                    let lang = subjects::token(article.language.as_deref().unwrap_or("und"));
                    metrics::counter!(metric::ARTICLES, "language" => lang).increment(1);
                }
            }
            Err(e @ BusError::TooLarge { .. }) => {
                metrics::counter!(metric::DEAD_LETTERS).increment(1);
                bus.dead_letter(about_raw(format!("article {}: {e}", article.id)))
                    .await;
            }
            Err(e) if delivered >= MAX_DELIVER => {
                // The raw document stays in its stream; the dead letter says where and why, so
                // it can be replayed once the bus is healthy again.
                let reason = format!("article publish failed on all {MAX_DELIVER} deliveries: {e}");
                reject(bus, &msg, about_raw(reason)).await;
                return;
            }
            Err(e) => {
                // Back off longer with every delivery: about 110 s of bus trouble in all. The
                // articles already stored are stored once more by id on redelivery.
                let delay = Duration::from_secs(2 * delivered.clamp(1, 30) as u64);
                warn!(id = %article.id, delivered, error = %e, ?delay, "publish failed, will retry");
                metrics::counter!(metric::RETRIES).increment(1);
                wirefold_bus::nak(&msg, delay).await;
                return;
            }
        }
    }
    wirefold_bus::ack(&msg).await;
}

/// Prometheus metric names of the normalizer.
pub mod metric {
    /// Counter: article records published, by `language` (`und` when unknown).
    pub const ARTICLES: &str = "wirefold_normalizer_articles_total";
    /// Counter: raw documents dead-lettered (not articles, undecodable, too large, ...).
    pub const DEAD_LETTERS: &str = "wirefold_normalizer_dead_letters_total";
    /// Counter: publishes that failed and were retried.
    pub const RETRIES: &str = "wirefold_normalizer_publish_retries_total";
}

/// Dead-letters the document and terminates its message: it is never retried.
async fn reject(bus: &Bus, msg: &Message, dl: DeadLetter) {
    metrics::counter!(metric::DEAD_LETTERS).increment(1);
    bus.dead_letter(dl).await;
    wirefold_bus::term(msg).await;
}

fn dead_letter(
    subject: &str,
    id: Option<&str>,
    origin: Option<&str>,
    payload: &[u8],
    reason: String,
) -> DeadLetter {
    DeadLetter::new("normalizer", reason, payload)
        .with_subject(subject)
        .with_input_id(id)
        .with_origin(origin)
}
