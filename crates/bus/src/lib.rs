//! NATS JetStream plumbing for wirefold: connecting, creating the topology idempotently,
//! publishing wire documents with a `Nats-Msg-Id`, consuming, and the KV and object-store
//! buckets the workers keep their state in. It also knows how to run a `nats-server` child
//! process ([`server`]) for `wirefold up` and for tests.
//!
//! This is the only crate that talks to NATS. It knows the wire types only as serializable
//! documents and subjects from `wirefold-wire`; it makes no decisions about articles or
//! clusters.

pub mod lease;
pub mod server;

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, consumer, kv, message::PublishMessage as Publish, object_store, stream};
use bytes::Bytes;
use futures::StreamExt as _;
use serde::Serialize;
use tracing::{debug, info, warn};
use wirefold_wire::{DeadLetter, SCHEMA_VERSION, subjects};

pub use async_nats::jetstream::Message;
pub use async_nats::jetstream::consumer::pull::Stream as MessageStream;

/// Largest raw document body the pipeline accepts by default (bytes). Documents above it
/// are refused at the edge with a clear error; the embedded server's `max_payload` leaves
/// room for JSON and base64 overhead on top of it.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// Header carrying the stream sequence of the article that caused a cluster event.
pub const ARTICLE_SEQ_HEADER: &str = "Wirefold-Article-Seq";

/// Errors talking to NATS.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// Could not connect.
    #[error("cannot connect to NATS at {url}: {source}")]
    Connect {
        /// The server URL.
        url: String,
        #[source]
        source: async_nats::ConnectError,
    },
    /// A JetStream management call failed.
    #[error("jetstream {what} failed: {message}")]
    JetStream {
        /// What was being done.
        what: String,
        /// The server's or client's message.
        message: String,
    },
    /// A publish was refused or not acknowledged.
    #[error("publish to {subject} failed: {message}")]
    Publish {
        /// Target subject.
        subject: String,
        /// Why.
        message: String,
        /// The server refused because the expected last sequence did not match: another
        /// writer got there first (fencing).
        fenced: bool,
    },
    /// The payload exceeds what the server accepts.
    #[error("document of {size} bytes exceeds the server's max_payload of {max} bytes")]
    TooLarge {
        /// Encoded size.
        size: usize,
        /// Server limit.
        max: usize,
    },
}

impl BusError {
    fn js(what: impl Into<String>, e: impl std::fmt::Display) -> Self {
        BusError::JetStream {
            what: what.into(),
            message: e.to_string(),
        }
    }
}

/// Knobs of the topology.
#[derive(Debug, Clone)]
pub struct Topology {
    /// How long each stage stream keeps messages.
    pub retention: Duration,
    /// Window within which a repeated `Nats-Msg-Id` is stored once.
    pub duplicate_window: Duration,
}

impl Default for Topology {
    fn default() -> Self {
        Topology {
            retention: Duration::from_secs(14 * 24 * 3600),
            duplicate_window: Duration::from_secs(3600),
        }
    }
}

/// A connection to NATS with its JetStream context.
#[derive(Clone)]
pub struct Bus {
    client: async_nats::Client,
    js: jetstream::Context,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus")
            .field("server", &self.client.server_info().server_name)
            .finish()
    }
}

impl Bus {
    /// Connects to `url`, retrying for up to `wait` while the server comes up.
    pub async fn connect(url: &str, name: &str, wait: Duration) -> Result<Bus, BusError> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut delay = Duration::from_millis(50);
        loop {
            let attempt = async_nats::ConnectOptions::new()
                .name(name)
                .connection_timeout(Duration::from_secs(5))
                .connect(url)
                .await;
            match attempt {
                Ok(client) => {
                    let js = jetstream::new(client.clone());
                    debug!(url, "connected to nats");
                    return Ok(Bus { client, js });
                }
                Err(e) if tokio::time::Instant::now() + delay < deadline => {
                    debug!(url, error = %e, "nats not reachable yet, retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(1));
                }
                Err(source) => {
                    return Err(BusError::Connect {
                        url: url.to_string(),
                        source,
                    });
                }
            }
        }
    }

    /// The server's `max_payload`.
    pub fn max_payload(&self) -> usize {
        self.client.server_info().max_payload
    }

    /// Creates the streams and buckets if they do not exist; safe to call from every
    /// process at start.
    pub async fn ensure_topology(&self, topo: &Topology) -> Result<(), BusError> {
        let streams = [
            (
                subjects::RAW_STREAM,
                subjects::RAW_ALL,
                "raw documents as fetched",
            ),
            (
                subjects::ARTICLES_STREAM,
                subjects::ARTICLES_ALL,
                "normalized article records",
            ),
            (
                subjects::CLUSTERS_STREAM,
                subjects::CLUSTERS_ALL,
                "copy-cluster events",
            ),
            (subjects::STORIES_STREAM, subjects::STORIES_ALL, "story events"),
            (
                subjects::DLQ_STREAM,
                subjects::DLQ_ALL,
                "dead letters: input that could not be processed",
            ),
        ];
        for (name, filter, description) in streams {
            let cfg = stream::Config {
                name: name.to_string(),
                description: Some(description.to_string()),
                subjects: vec![filter.to_string()],
                storage: stream::StorageType::File,
                retention: stream::RetentionPolicy::Limits,
                max_age: topo.retention,
                duplicate_window: topo.duplicate_window,
                allow_direct: true,
                ..Default::default()
            };
            self.js
                .get_or_create_stream(cfg)
                .await
                .map_err(|e| BusError::js(format!("create stream {name}"), e))?;
        }
        for (bucket, history, description) in [
            (
                subjects::LEASES_BUCKET,
                1,
                "leases: which process is the active deduplicator",
            ),
            (subjects::SOURCES_BUCKET, 1, "run-time source registry"),
            (subjects::FETCH_STATE_BUCKET, 1, "per-source fetch state"),
        ] {
            if self.js.get_key_value(bucket).await.is_err() {
                let cfg = kv::Config {
                    bucket: bucket.to_string(),
                    description: description.to_string(),
                    history,
                    storage: stream::StorageType::File,
                    ..Default::default()
                };
                if let Err(e) = self.js.create_key_value(cfg).await {
                    // Another process may have created it in between.
                    self.js
                        .get_key_value(bucket)
                        .await
                        .map_err(|_| BusError::js(format!("create kv {bucket}"), e))?;
                }
            }
        }
        if self.js.get_object_store(subjects::SNAPSHOT_BUCKET).await.is_err() {
            let cfg = object_store::Config {
                bucket: subjects::SNAPSHOT_BUCKET.to_string(),
                description: Some("dedup index snapshots".to_string()),
                storage: stream::StorageType::File,
                ..Default::default()
            };
            if let Err(e) = self.js.create_object_store(cfg).await {
                self.js
                    .get_object_store(subjects::SNAPSHOT_BUCKET)
                    .await
                    .map_err(|_| BusError::js("create object store", e))?;
            }
        }
        info!("jetstream topology ready");
        Ok(())
    }

    /// Publishes a wire document with `Nats-Msg-Id` and waits for the stream's ack.
    /// Returns the stream sequence and whether the server saw it as a duplicate.
    pub async fn publish<T: Serialize>(&self, subject: &str, msg_id: &str, doc: &T) -> Result<Ack, BusError> {
        self.publish_bytes(
            subject,
            Publish::build().message_id(msg_id),
            wirefold_wire::encode(doc),
        )
        .await
    }

    /// Like [`Bus::publish`], with extra headers and an optional expected last stream
    /// sequence: a fenced publish fails when another writer appended to the stream since.
    pub async fn publish_with(
        &self,
        subject: &str,
        msg_id: &str,
        headers: &[(&str, String)],
        expected_last_seq: Option<u64>,
        doc: &impl Serialize,
    ) -> Result<Ack, BusError> {
        let mut p = Publish::build().message_id(msg_id);
        for (k, v) in headers {
            p = p.header(*k, v.as_str());
        }
        if let Some(seq) = expected_last_seq {
            p = p.expected_last_sequence(seq);
        }
        self.publish_bytes(subject, p, wirefold_wire::encode(doc)).await
    }

    async fn publish_bytes(&self, subject: &str, p: Publish, payload: Vec<u8>) -> Result<Ack, BusError> {
        self.send(subject, p, payload).await?.wait().await
    }

    async fn send(&self, subject: &str, p: Publish, payload: Vec<u8>) -> Result<PendingAck, BusError> {
        let max = self.max_payload();
        if payload.len() + 512 > max {
            return Err(BusError::TooLarge {
                size: payload.len(),
                max,
            });
        }
        let fut = self
            .js
            .send_publish(subject.to_string(), p.payload(Bytes::from(payload)))
            .await
            .map_err(|e| publish_error(subject, &e))?;
        Ok(PendingAck {
            subject: subject.to_string(),
            fut,
        })
    }

    /// Sends an encoded document with a `Nats-Msg-Id`, extra headers and optionally the
    /// expected last sequence of its stream, without waiting for the acknowledgement:
    /// several can be in flight, and the server stores them in the order sent. With
    /// `expected_last_seq`, a publish is refused ("wrong last sequence", a fenced
    /// [`BusError::Publish`]) unless the stream's last message has that sequence, so a
    /// pipeline of fenced publishes either appends in order or not at all.
    pub async fn publish_pipelined(
        &self,
        subject: &str,
        msg_id: &str,
        headers: &[(&str, String)],
        expected_last_seq: Option<u64>,
        payload: Vec<u8>,
    ) -> Result<PendingAck, BusError> {
        let mut p = Publish::build().message_id(msg_id);
        for (k, v) in headers {
            p = p.header(*k, v.as_str());
        }
        if let Some(seq) = expected_last_seq {
            p = p.expected_last_sequence(seq);
        }
        self.send(subject, p, payload).await
    }

    /// Records a dead letter. Failing to record one is logged, not returned: the caller is
    /// already handling a failure and must go on.
    pub async fn dead_letter(&self, mut dl: DeadLetter) {
        dl.schema = SCHEMA_VERSION;
        let subject = subjects::dead_letter(&dl.stage);
        let id = format!("{}:{}:{}", dl.stage, dl.input_id.as_deref().unwrap_or("-"), dl.at);
        warn!(stage = %dl.stage, input = ?dl.input_id, origin = ?dl.origin, reason = %dl.reason, "dead letter");
        if let Err(e) = self.publish(&subject, &id, &dl).await {
            warn!(error = %e, "could not record dead letter");
        }
    }

    /// A durable pull consumer with explicit acks on `stream`, created if missing.
    pub async fn durable_consumer(
        &self,
        stream_name: &str,
        durable: &str,
        filter: &str,
        ack_wait: Duration,
        max_deliver: i64,
    ) -> Result<consumer::Consumer<consumer::pull::Config>, BusError> {
        let stream = self.stream(stream_name).await?;
        let cfg = consumer::pull::Config {
            durable_name: Some(durable.to_string()),
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait,
            max_deliver,
            filter_subject: filter.to_string(),
            ..Default::default()
        };
        stream
            .get_or_create_consumer(durable, cfg)
            .await
            .map_err(|e| BusError::js(format!("create consumer {durable}"), e))
    }

    /// Messages of a durable consumer as a stream.
    pub async fn messages(
        &self,
        consumer: &consumer::Consumer<consumer::pull::Config>,
        batch: usize,
    ) -> Result<MessageStream, BusError> {
        consumer
            .stream()
            .max_messages_per_batch(batch)
            .heartbeat(Duration::from_secs(5))
            .expires(Duration::from_secs(30))
            .messages()
            .await
            .map_err(|e| BusError::js("pull messages", e))
    }

    /// An ordered, ephemeral read of `stream_name` from `start_seq` on (in stream order, no
    /// acks). Used by the deduplicator, which tracks its own position.
    pub async fn ordered_from(
        &self,
        stream_name: &str,
        filter: &str,
        start_seq: u64,
    ) -> Result<consumer::pull::Ordered, BusError> {
        let stream = self.stream(stream_name).await?;
        let cfg = consumer::pull::OrderedConfig {
            filter_subject: filter.to_string(),
            deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                start_sequence: start_seq.max(1),
            },
            ..Default::default()
        };
        let c = stream
            .create_consumer(cfg)
            .await
            .map_err(|e| BusError::js("create ordered consumer", e))?;
        c.messages()
            .await
            .map_err(|e| BusError::js("ordered messages", e))
    }

    /// Reads `stream_name` (messages matching `filter`) in stream order from `start_seq`,
    /// as plain [`StreamMessage`]s. The stream ends when the consumer fails; read again
    /// from the next sequence.
    pub async fn read_ordered(
        &self,
        stream_name: &str,
        filter: &str,
        start_seq: u64,
    ) -> Result<futures::stream::BoxStream<'static, Result<StreamMessage, BusError>>, BusError> {
        let messages = self.ordered_from(stream_name, filter, start_seq).await?;
        Ok(messages
            .map(|m| match m {
                Ok(m) => {
                    let sequence = m.info().map(|i| i.stream_sequence).unwrap_or(0);
                    Ok(StreamMessage {
                        sequence,
                        subject: m.subject.to_string(),
                        payload: m.payload.clone(),
                    })
                }
                Err(e) => Err(BusError::js("read ordered", e)),
            })
            .boxed())
    }

    /// Reads snapshot object `name` from the snapshot store; `None` when there is none.
    pub async fn load_snapshot(&self, name: &str) -> Result<Option<Vec<u8>>, BusError> {
        use tokio::io::AsyncReadExt as _;
        let store = self.snapshots().await?;
        let mut object = match store.get(name).await {
            Ok(o) => o,
            Err(e) if e.kind() == object_store::GetErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(BusError::js(format!("get snapshot {name}"), e)),
        };
        let mut bytes = Vec::new();
        object
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| BusError::js(format!("read snapshot {name}"), e))?;
        Ok(Some(bytes))
    }

    /// Writes snapshot object `name` (replacing the previous one once complete).
    pub async fn save_snapshot(&self, name: &str, bytes: &[u8]) -> Result<(), BusError> {
        let store = self.snapshots().await?;
        let mut reader = bytes;
        store
            .put(name, &mut reader)
            .await
            .map_err(|e| BusError::js(format!("put snapshot {name}"), e))?;
        Ok(())
    }

    /// State of a stream: first and last sequence and message count.
    pub async fn stream_state(&self, stream_name: &str) -> Result<StreamState, BusError> {
        let stream = self.stream(stream_name).await?;
        let info = stream
            .get_info()
            .await
            .map_err(|e| BusError::js(format!("info {stream_name}"), e))?;
        Ok(StreamState {
            first_seq: info.state.first_sequence,
            last_seq: info.state.last_sequence,
            messages: info.state.messages,
        })
    }

    /// The headers and payload of the message at `seq`, if it exists.
    pub async fn get_message(&self, stream_name: &str, seq: u64) -> Result<Option<StoredMessage>, BusError> {
        let stream = self.stream(stream_name).await?;
        match stream.get_raw_message(seq).await {
            Ok(m) => Ok(Some(StoredMessage {
                subject: m.subject.to_string(),
                headers: m.headers,
                payload: m.payload,
                sequence: m.sequence,
            })),
            Err(e) if e.kind() == stream::RawMessageErrorKind::NoMessageFound => Ok(None),
            Err(e) => Err(BusError::js(format!("get message {seq} of {stream_name}"), e)),
        }
    }

    /// A KV bucket created by [`Bus::ensure_topology`].
    pub async fn kv(&self, bucket: &str) -> Result<kv::Store, BusError> {
        self.js
            .get_key_value(bucket)
            .await
            .map_err(|e| BusError::js(format!("open kv {bucket}"), e))
    }

    /// A [`KvBucket`] handle on a bucket created by [`Bus::ensure_topology`].
    pub async fn kv_bucket(&self, bucket: &str) -> Result<KvBucket, BusError> {
        Ok(KvBucket {
            name: bucket.to_string(),
            store: self.kv(bucket).await?,
        })
    }

    /// The dedup snapshot object store.
    async fn snapshots(&self) -> Result<object_store::ObjectStore, BusError> {
        self.js
            .get_object_store(subjects::SNAPSHOT_BUCKET)
            .await
            .map_err(|e| BusError::js("open snapshot store", e))
    }

    /// A core-NATS subscription (for watching cluster events live).
    pub async fn subscribe(&self, subject: &str) -> Result<async_nats::Subscriber, BusError> {
        self.client
            .subscribe(subject.to_string())
            .await
            .map_err(|e| BusError::js(format!("subscribe {subject}"), e))
    }

    /// Flushes and drains the connection: pending publishes are sent, subscriptions end.
    pub async fn drain(&self) {
        if let Err(e) = self.client.flush().await {
            debug!(error = %e, "flush on drain");
        }
        if let Err(e) = self.client.drain().await {
            debug!(error = %e, "drain");
        }
    }

    async fn stream(&self, name: &str) -> Result<stream::Stream, BusError> {
        self.js
            .get_stream(name)
            .await
            .map_err(|e| BusError::js(format!("open stream {name}"), e))
    }
}

/// A value read from a KV bucket with the revision it was written at.
#[derive(Debug, Clone)]
pub struct KvEntry {
    /// The stored bytes.
    pub value: Bytes,
    /// Revision to pass to [`KvBucket::update`] for a compare-and-set.
    pub revision: u64,
}

/// A handle on one KV bucket with compare-and-set helpers, so callers need no NATS types.
/// Keys must be valid KV keys (`[-/_=.a-zA-Z0-9]`, no leading or trailing dot).
#[derive(Clone)]
pub struct KvBucket {
    name: String,
    store: kv::Store,
}

impl std::fmt::Debug for KvBucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KvBucket").field("name", &self.name).finish()
    }
}

impl KvBucket {
    /// The current value of `key`; `None` when missing or deleted.
    pub async fn get(&self, key: &str) -> Result<Option<KvEntry>, BusError> {
        let entry = self
            .store
            .entry(key)
            .await
            .map_err(|e| BusError::js(format!("kv get {}/{key}", self.name), e))?;
        Ok(entry
            .filter(|e| e.operation == kv::Operation::Put)
            .map(|e| KvEntry {
                value: e.value,
                revision: e.revision,
            }))
    }

    /// Writes `value` unconditionally; returns the new revision.
    pub async fn put(&self, key: &str, value: Bytes) -> Result<u64, BusError> {
        self.store
            .put(key, value)
            .await
            .map_err(|e| BusError::js(format!("kv put {}/{key}", self.name), e))
    }

    /// Writes `value` only when `key` does not exist (or was deleted); `Ok(None)` when it does.
    pub async fn create(&self, key: &str, value: Bytes) -> Result<Option<u64>, BusError> {
        match self.store.create(key, value).await {
            Ok(rev) => Ok(Some(rev)),
            Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Ok(None),
            Err(e) => Err(BusError::js(format!("kv create {}/{key}", self.name), e)),
        }
    }

    /// Writes `value` only when `key` is still at `revision`; `Ok(None)` when another writer
    /// changed it since (compare-and-set lost).
    pub async fn update(&self, key: &str, value: Bytes, revision: u64) -> Result<Option<u64>, BusError> {
        match self.store.update(key, value, revision).await {
            Ok(rev) => Ok(Some(rev)),
            Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => Ok(None),
            // Some server versions report the mismatch as a generic publish error.
            Err(e) if e.to_string().contains("wrong last sequence") => Ok(None),
            Err(e) => Err(BusError::js(format!("kv update {}/{key}", self.name), e)),
        }
    }

    /// Deletes `key` (a delete marker; a later `create` succeeds).
    pub async fn delete(&self, key: &str) -> Result<(), BusError> {
        self.store
            .delete(key)
            .await
            .map_err(|e| BusError::js(format!("kv delete {}/{key}", self.name), e))
    }

    /// Deletes `key` only when it is still at `revision`.
    pub async fn delete_at(&self, key: &str, revision: u64) -> Result<(), BusError> {
        self.store
            .delete_expect_revision(key, Some(revision))
            .await
            .map_err(|e| BusError::js(format!("kv delete {}/{key}", self.name), e))
    }

    /// All live keys, sorted.
    pub async fn keys(&self) -> Result<Vec<String>, BusError> {
        let what = || format!("kv keys {}", self.name);
        let mut keys = self.store.keys().await.map_err(|e| BusError::js(what(), e))?;
        let mut out = Vec::new();
        while let Some(k) = keys.next().await {
            out.push(k.map_err(|e| BusError::js(what(), e))?);
        }
        out.sort();
        Ok(out)
    }
}

/// A message read back from a stream by sequence.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    /// Subject it was published on.
    pub subject: String,
    /// Its headers.
    headers: HeaderMap,
    /// Its payload.
    pub payload: Bytes,
    /// Its stream sequence.
    pub sequence: u64,
}

impl StoredMessage {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.as_str())
    }
}

/// A message read from a stream in order ([`Bus::read_ordered`]).
#[derive(Debug, Clone)]
pub struct StreamMessage {
    /// Its stream sequence.
    pub sequence: u64,
    /// Subject it was published on.
    pub subject: String,
    /// Its payload.
    pub payload: Bytes,
}

/// A publish sent but not yet acknowledged ([`Bus::publish_pipelined`]).
pub struct PendingAck {
    subject: String,
    fut: jetstream::context::PublishAckFuture,
}

impl std::fmt::Debug for PendingAck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAck")
            .field("subject", &self.subject)
            .finish()
    }
}

impl PendingAck {
    /// Waits for the server's acknowledgement.
    pub async fn wait(self) -> Result<Ack, BusError> {
        let subject = self.subject;
        let ack = self.fut.await.map_err(|e| publish_error(&subject, &e))?;
        Ok(Ack {
            sequence: ack.sequence,
            duplicate: ack.duplicate,
        })
    }
}

fn publish_error(subject: &str, e: &dyn std::fmt::Display) -> BusError {
    let message = e.to_string();
    let fenced = message.contains("wrong last sequence");
    BusError::Publish {
        subject: subject.to_string(),
        message,
        fenced,
    }
}

/// A stream's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamState {
    /// First sequence held.
    pub first_seq: u64,
    /// Last sequence written.
    pub last_seq: u64,
    /// Messages held.
    pub messages: u64,
}

/// The server's acknowledgement of a publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    /// Stream sequence of the stored message.
    pub sequence: u64,
    /// The `Nats-Msg-Id` was seen before: nothing new was stored.
    pub duplicate: bool,
}

/// Stream sequence and delivery count of a consumed message.
pub fn message_position(msg: &Message) -> (u64, i64) {
    match msg.info() {
        Ok(i) => (i.stream_sequence, i.delivered),
        Err(_) => (0, 1),
    }
}

/// Acks a message; a failed ack is logged (the message will be redelivered and
/// deduplicated downstream by its id).
pub async fn ack(msg: &Message) {
    if let Err(e) = msg.ack().await {
        warn!(error = %e, "ack failed");
    }
}

/// Negatively acks a message so it is redelivered after `delay`.
pub async fn nak(msg: &Message, delay: Duration) {
    if let Err(e) = msg.ack_with(jetstream::AckKind::Nak(Some(delay))).await {
        warn!(error = %e, "nak failed");
    }
}

/// Terminates a message: it will not be redelivered.
pub async fn term(msg: &Message) {
    if let Err(e) = msg.ack_with(jetstream::AckKind::Term).await {
        warn!(error = %e, "term failed");
    }
}
