//! The normalizer worker: a durable pull consumer on `wirefold.raw.>` that publishes one
//! article per raw document on `wirefold.articles.<lang>`.
//!
//! Per message: a document that cannot be decoded or normalized gets a dead letter and is
//! terminated (never retried: retrying would not change the answer); a failed publish is
//! a transient bus problem and the message is negatively acked for redelivery. The article
//! is published with its id (the raw document's id, `<raw id>-<n>` for further items of a
//! wire document) as `Nats-Msg-Id`, so a redelivered raw document is stored once
//! downstream. Items of a wire document that cannot be used get a dead letter each while
//! the others go on; an article over the stream's size limit gets one too.
//!
//! # Concurrency, order and acks
//!
//! Up to [`NormalizerConfig::in_flight`] raw documents are in hand at once. Each is decoded
//! and normalized on the blocking pool, at most [`NormalizerConfig::workers`] at a time,
//! each under the extraction time limit. Results are taken in the order the consumer
//! delivered the documents, and their articles are sent in that order with
//! [`Bus::publish_pipelined`] (the server stores pipelined publishes of one connection in
//! the order sent), so `WIREFOLD_ARTICLES` holds them in delivery order, as a
//! one-at-a-time loop would: the deduplicator folds that stream in stream order, and with
//! one normalizer the order is the raw stream's. (Several normalizers interleave, and a
//! redelivered document comes later, in both designs.)
//!
//! A raw document is acked only after the stream acknowledged all its articles. A crash loses
//! nothing (unacked documents are redelivered) and stores nothing twice (the redelivered
//! document's article carries the same `Nats-Msg-Id` and the stream drops it). On shutdown
//! the worker stops pulling, finishes the documents in hand and waits for their acks.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use futures::stream::{FuturesOrdered, FuturesUnordered};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use wirefold_bus::{Bus, BusError, Message, PendingAck};
use wirefold_wire::{Article, DeadLetter, RawDocument, subjects};

use crate::{NormalizeError, normalize_all};

/// Settings of the normalizer worker.
#[derive(Debug, Clone)]
pub struct NormalizerConfig {
    /// Largest raw body accepted, in bytes.
    pub max_bytes: usize,
    /// Longest one extraction may take before the document is dead-lettered.
    pub extract_timeout: Duration,
    /// Raw documents in hand at once: being normalized, or published and waiting for the
    /// stream's acknowledgement.
    pub in_flight: usize,
    /// Extractions running at once on the blocking pool.
    pub workers: usize,
}

impl Default for NormalizerConfig {
    fn default() -> Self {
        NormalizerConfig {
            max_bytes: wirefold_bus::DEFAULT_MAX_DOCUMENT_BYTES,
            extract_timeout: Duration::from_secs(10),
            in_flight: DEFAULT_IN_FLIGHT,
            workers: default_workers(),
        }
    }
}

/// Default of [`NormalizerConfig::in_flight`].
pub const DEFAULT_IN_FLIGHT: usize = 128;

/// Default of [`NormalizerConfig::workers`]: one extraction per core.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Deliveries of one raw document before it is dead-lettered instead of retried.
const MAX_DELIVER: i64 = 10;

/// What became of one raw document once normalized.
enum Step {
    /// Its articles, to publish, and the dead letters of its unusable items.
    Publish(Message, Vec<Article>, Vec<DeadLetter>),
    /// Its dead letter; the message is terminated.
    Reject(Message, DeadLetter),
}

type Pending<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Runs until `shutdown` is cancelled; the documents in hand are finished and acked first.
pub async fn run(bus: Bus, config: NormalizerConfig, shutdown: CancellationToken) -> Result<(), BusError> {
    let in_flight = config.in_flight.max(1);
    let workers = config.workers.max(1);
    let consumer = bus
        .durable_consumer(
            subjects::RAW_STREAM,
            subjects::NORMALIZER_CONSUMER,
            subjects::RAW_ALL,
            config.extract_timeout + Duration::from_secs(20),
            MAX_DELIVER,
        )
        .await?;
    let mut messages = bus.messages(&consumer, in_flight.clamp(16, 256)).await?;
    let cpu = Arc::new(Semaphore::new(workers));
    // Normalizing, in delivery order; then published, waiting for the stream's ack.
    let mut normalizing: FuturesOrdered<Pending<Step>> = FuturesOrdered::new();
    let mut acking: FuturesUnordered<Pending<()>> = FuturesUnordered::new();
    let mut stopping = false;
    info!(in_flight, workers, "normalizer running");
    loop {
        let room = normalizing.len() + acking.len() < in_flight;
        tokio::select! {
            // Finishing work frees room before more is pulled.
            biased;
            Some(()) = acking.next(), if !acking.is_empty() => {}
            Some(step) = normalizing.next(), if !normalizing.is_empty() => {
                if let Some(wait) = send(&bus, step).await {
                    acking.push(wait);
                }
            }
            _ = shutdown.cancelled(), if !stopping => stopping = true,
            next = messages.next(), if !stopping && room => match next {
                Some(Ok(msg)) => normalizing.push_back(Box::pin(normalize_message(cpu.clone(), config.clone(), msg))),
                Some(Err(e)) => {
                    warn!(error = %e, "consumer error, continuing");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                None => stopping = true,
            },
            else => break,
        }
    }
    info!("normalizer stopped");
    Ok(())
}

/// Decodes and normalizes one message on the blocking pool, under the time limit.
async fn normalize_message(cpu: Arc<Semaphore>, config: NormalizerConfig, msg: Message) -> Step {
    let payload = msg.payload.clone();
    // The semaphore is never closed, so this always holds a permit.
    let _permit = cpu.acquire_owned().await.ok();
    let max_bytes = config.max_bytes;
    let job = tokio::task::spawn_blocking(move || {
        let raw: RawDocument = wirefold_wire::decode(&payload).map_err(|e| e.to_string())?;
        let out = normalize_all(&raw, max_bytes);
        Ok::<_, String>((raw, out))
    });
    let (raw, result) = match tokio::time::timeout(config.extract_timeout, job).await {
        Ok(Ok(Ok(pair))) => pair,
        Ok(Ok(Err(undecodable))) => {
            let dl = dead_letter(&msg, None, None, None, undecodable);
            return Step::Reject(msg, dl);
        }
        Ok(Err(join)) => {
            // A panic inside extraction: a bug, but one document must not stop the worker.
            let dl = dead_letter(&msg, None, None, None, format!("extraction crashed: {join}"));
            return Step::Reject(msg, dl);
        }
        Err(_) => {
            let reason = format!("extraction exceeded {:?}", config.extract_timeout);
            let dl = dead_letter(&msg, None, None, None, reason);
            return Step::Reject(msg, dl);
        }
    };
    let document = raw.body.prefix(wirefold_wire::EXCERPT_BYTES);
    let about =
        |reason: String| dead_letter(&msg, Some(&raw.id), raw.url.as_deref(), Some(&document), reason);
    match result {
        Ok(n) => {
            let problems = n.problems.into_iter().map(about).collect();
            Step::Publish(msg, n.articles, problems)
        }
        Err(e) => {
            if matches!(e, NormalizeError::NotArticle) {
                info!(id = %raw.id, url = ?raw.url, "not an article page, not forwarded");
            }
            let dl = about(e.to_string());
            Step::Reject(msg, dl)
        }
    }
}

/// Sends the article of a normalized document without waiting for the ack, and returns
/// what finishes the document once the ack (or a failure) comes; rejects are finished here.
async fn send(bus: &Bus, step: Step) -> Option<Pending<()>> {
    let (msg, articles, problems) = match step {
        Step::Reject(msg, dl) => {
            reject(bus, &msg, dl).await;
            return None;
        }
        Step::Publish(msg, articles, problems) => (msg, articles, problems),
    };
    for dl in problems {
        // One item of a wire document: the others go on, the raw document is acked.
        metrics::counter!(metric::DEAD_LETTERS).increment(1);
        bus.dead_letter(dl).await;
    }
    let mut sent = Vec::with_capacity(articles.len());
    for article in articles {
        let subject = subjects::article(article.language.as_deref());
        let payload = wirefold_wire::encode(&article);
        match bus
            .publish_pipelined(&subject, &article.id, &[], None, payload)
            .await
        {
            Ok(pending) => sent.push((article, pending)),
            Err(e) => {
                if !failed(bus, &msg, &article, e).await {
                    return None;
                }
            }
        }
    }
    let bus = bus.clone();
    Some(Box::pin(finish(bus, msg, sent)))
}

/// Waits for the articles' acks, then acks the raw document (or handles a failure).
async fn finish(bus: Bus, msg: Message, sent: Vec<(Article, PendingAck)>) {
    for (article, pending) in sent {
        match pending.wait().await {
            Ok(ack) => {
                let (seq, _) = wirefold_bus::message_position(&msg);
                debug!(id = %article.id, seq, out_seq = ack.sequence, duplicate = ack.duplicate, "article published");
                if !ack.duplicate {
                    let lang = subjects::token(article.language.as_deref().unwrap_or("und"));
                    metrics::counter!(metric::ARTICLES, "language" => lang).increment(1);
                }
            }
            Err(e) => {
                if !failed(&bus, &msg, &article, e).await {
                    return;
                }
            }
        }
    }
    wirefold_bus::ack(&msg).await;
}

/// A publish that was refused or not acknowledged. An article over the size limit gets a
/// dead letter and its document goes on (true); anything else stops the document (false):
/// redelivered with a growing delay, or dead-lettered after the last delivery. Articles
/// already stored are stored once more by id on redelivery, that is, not at all.
async fn failed(bus: &Bus, msg: &Message, article: &Article, e: BusError) -> bool {
    let (_, delivered) = wirefold_bus::message_position(msg);
    let about_raw = |reason: String| {
        let document = Some(article.body_text.as_bytes());
        dead_letter(msg, Some(&article.id), article.url.as_deref(), document, reason)
    };
    match e {
        e @ BusError::TooLarge { .. } => {
            metrics::counter!(metric::DEAD_LETTERS).increment(1);
            bus.dead_letter(about_raw(format!("article {}: {e}", article.id)))
                .await;
            true
        }
        e if delivered >= MAX_DELIVER => {
            // The raw document stays in its stream; the dead letter says where and why, so
            // it can be replayed once the bus is healthy again.
            let reason = format!("article publish failed on all {MAX_DELIVER} deliveries: {e}");
            reject(bus, msg, about_raw(reason)).await;
            false
        }
        e => {
            // Back off longer with every delivery: about 110 s of bus trouble in all.
            let delay = Duration::from_secs(2 * delivered.clamp(1, 30) as u64);
            warn!(id = %article.id, delivered, error = %e, ?delay, "publish failed, will retry");
            metrics::counter!(metric::RETRIES).increment(1);
            wirefold_bus::nak(msg, delay).await;
            false
        }
    }
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

/// A dead letter about `msg`; `document`: the first bytes of the document inside it, when
/// it could be read (the excerpt then shows them, not the raw document's JSON envelope).
fn dead_letter(
    msg: &Message,
    id: Option<&str>,
    origin: Option<&str>,
    document: Option<&[u8]>,
    reason: String,
) -> DeadLetter {
    let dl = DeadLetter::new("normalizer", reason, &msg.payload)
        .with_subject(&msg.subject)
        .with_input_id(id)
        .with_origin(origin);
    match document {
        Some(d) => dl.with_excerpt_of(d),
        None => dl,
    }
}
