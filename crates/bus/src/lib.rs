//! NATS JetStream plumbing for wirefold: connecting, creating the topology idempotently,
//! publishing wire documents with a `Nats-Msg-Id`, consuming, and the KV and object-store
//! buckets the workers keep their state in. It also knows how to run a `nats-server` child
//! process ([`server`]) for `wirefold up` and for tests.
//!
//! This is the only crate that talks to NATS. It knows the wire types only as serializable
//! documents and subjects from `wirefold-wire`; it makes no decisions about articles or
//! clusters.

pub mod connect;
pub mod lease;
pub mod server;

pub use connect::Connection;

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, consumer, kv, message::PublishMessage as Publish, object_store, stream};
use bytes::Bytes;
use futures::StreamExt as _;
use serde::Serialize;
use tracing::{debug, error, info, warn};
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
    /// The connection settings are unusable (bad URL, incomplete credentials).
    #[error("{message}")]
    Config {
        /// What is wrong.
        message: String,
    },
    /// The server refused an operation this user has no permission for.
    #[error("permission denied: this NATS user may not {what} ({message})")]
    Denied {
        /// What was attempted.
        what: String,
        /// The server's report.
        message: String,
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

    /// Whether a retry may succeed: timeouts, no responders and "temporarily unavailable"
    /// (a JetStream leader election in a cluster, a server restarting), a lost connection.
    /// Refusals (permissions, fencing, size, bad configuration) are not transient.
    pub fn is_transient(&self) -> bool {
        let message = match self {
            BusError::JetStream { message, .. } => message,
            BusError::Publish {
                message,
                fenced: false,
                ..
            } => message,
            _ => return false,
        };
        let m = message.to_lowercase();
        [
            "timed out",
            "timeout",
            "no responders",
            "temporarily unavailable",
            "not ready",
            "no leader",
            "disconnected",
            "broken pipe",
            "connection",
            "offline",
        ]
        .iter()
        .any(|p| m.contains(p))
    }
}

/// How long idempotent JetStream calls are retried while the bus is unavailable (a leader
/// election, a node restarting) before the error is returned.
pub const RETRY_FOR: Duration = Duration::from_secs(20);

/// Metric names of the bus.
pub mod metric {
    /// Gauge: 1 for a stream (or bucket's stream) whose replica count differs from the
    /// one asked for (`WIREFOLD_STREAM_REPLICAS`), 0 once it matches. Label `stream`.
    pub const REPLICA_MISMATCH: &str = "wirefold_topology_replica_mismatch";
}

/// Knobs of the topology.
#[derive(Debug, Clone)]
pub struct Topology {
    /// How long each stage stream keeps messages.
    pub retention: Duration,
    /// Window within which a repeated `Nats-Msg-Id` is stored once.
    pub duplicate_window: Duration,
    /// Replicas of every stream, bucket and the object store (1 on a single server; 3 on
    /// a three-node cluster).
    pub replicas: usize,
}

impl Default for Topology {
    fn default() -> Self {
        Topology {
            retention: Duration::from_secs(14 * 24 * 3600),
            duplicate_window: Duration::from_secs(3600),
            replicas: 1,
        }
    }
}

/// What [`Bus::ensure_topology`] or [`Bus::apply_topology`] found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopologyReport {
    /// Streams (including the streams behind buckets) created now.
    pub created: Vec<String>,
    /// Streams whose replica count differs from the one asked for, with their count.
    /// [`Bus::apply_topology`] lists the ones it changed here too.
    pub replica_mismatch: Vec<(String, usize)>,
}

/// Whether `ensure` creates only what is missing or also changes what differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TopologyMode {
    /// Create what is missing; report what differs (every worker at start).
    Check,
    /// Create what is missing and change replica counts (`wirefold topology`, as admin).
    Apply,
}

/// One stream of the topology, or the stream behind a bucket.
// Nine of these exist for a moment at start: their size does not matter.
#[allow(clippy::large_enum_variant)]
enum Part {
    Stream(stream::Config),
    Kv(kv::Config),
    Object(object_store::Config),
}

/// A connection to NATS with its JetStream context.
#[derive(Clone)]
pub struct Bus {
    client: async_nats::Client,
    js: jetstream::Context,
    violations: connect::Violations,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus")
            .field("server", &self.client.server_info().server_name)
            .finish()
    }
}

impl Bus {
    /// Connects to `url` (one URL or a comma-separated list) without credentials,
    /// retrying for up to `wait` while the server comes up.
    pub async fn connect(url: &str, name: &str, wait: Duration) -> Result<Bus, BusError> {
        Self::connect_with(&Connection::url(url), name, wait).await
    }

    /// Connects as `conn` says, retrying for up to `wait` while the server comes up. With
    /// several servers the client picks one and fails over to the others on its own; an
    /// authentication failure is returned at once.
    pub async fn connect_with(conn: &Connection, name: &str, wait: Duration) -> Result<Bus, BusError> {
        let servers = conn.servers()?;
        let deadline = tokio::time::Instant::now() + wait;
        let mut delay = Duration::from_millis(50);
        let violations = connect::Violations::default();
        loop {
            let opts = connect::finish_options(conn.options().await?, name, &violations);
            match opts.connect(servers.as_slice()).await {
                Ok(client) => {
                    let js = jetstream::new(client.clone());
                    debug!(url = %conn.url, "connected to nats");
                    return Ok(Bus {
                        client,
                        js,
                        violations,
                    });
                }
                Err(e)
                    if !matches!(
                        e.kind(),
                        async_nats::ConnectErrorKind::AuthorizationViolation
                            | async_nats::ConnectErrorKind::Authentication
                            | async_nats::ConnectErrorKind::Tls
                    ) && tokio::time::Instant::now() + delay < deadline =>
                {
                    debug!(url = %conn.url, error = %e, "nats not reachable yet, retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(1));
                }
                Err(source) => {
                    return Err(BusError::Connect {
                        url: conn.url.clone(),
                        source,
                    });
                }
            }
        }
    }

    /// `e` as a [`BusError`]: [`BusError::Denied`] when the server reported a permission
    /// violation for `subject` (a refused request is otherwise only a timeout).
    fn refused(&self, what: String, subject: &str, e: impl std::fmt::Display) -> BusError {
        match self.violations.about(subject) {
            Some(message) => BusError::Denied { what, message },
            None => BusError::js(what, e),
        }
    }

    /// Runs `f` again with backoff while it fails with a transient error, for up to
    /// [`RETRY_FOR`]. Only for idempotent calls: reads, management calls, and publishes
    /// with a `Nats-Msg-Id` (a repeat is stored once).
    async fn retrying<T, F, Fut>(&self, what: &str, mut f: F) -> Result<T, BusError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, BusError>>,
    {
        let deadline = tokio::time::Instant::now() + RETRY_FOR;
        let mut delay = Duration::from_millis(100);
        loop {
            match f().await {
                Err(e) if e.is_transient() && tokio::time::Instant::now() + delay < deadline => {
                    debug!(what, error = %e, "nats unavailable, retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(2));
                }
                r => return r,
            }
        }
    }

    /// The server's `max_payload`.
    pub fn max_payload(&self) -> usize {
        self.client.server_info().max_payload
    }

    /// Makes sure the streams, buckets and the object store exist: creates what is
    /// missing (with `topo.replicas` replicas) and reports, loudly, what exists with
    /// another replica count, without changing it (that is [`Bus::apply_topology`]'s
    /// job, run by an admin). Safe to call from every process at start. A user without the
    /// right to create a missing part gets [`BusError::Denied`] naming `wirefold topology`.
    pub async fn ensure_topology(&self, topo: &Topology) -> Result<TopologyReport, BusError> {
        self.topology(topo, TopologyMode::Check).await
    }

    /// Like [`Bus::ensure_topology`], and also changes the replica count of every part
    /// that differs from `topo.replicas` (`wirefold topology`, run as the admin user).
    pub async fn apply_topology(&self, topo: &Topology) -> Result<TopologyReport, BusError> {
        self.topology(topo, TopologyMode::Apply).await
    }

    /// The parts of the topology: (name of the stream, how to create it).
    fn parts(topo: &Topology) -> Vec<(String, Part)> {
        let mut parts = Vec::new();
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
                num_replicas: topo.replicas,
                ..Default::default()
            };
            parts.push((name.to_string(), Part::Stream(cfg)));
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
            let cfg = kv::Config {
                bucket: bucket.to_string(),
                description: description.to_string(),
                history,
                storage: stream::StorageType::File,
                num_replicas: topo.replicas,
                ..Default::default()
            };
            parts.push((format!("KV_{bucket}"), Part::Kv(cfg)));
        }
        let cfg = object_store::Config {
            bucket: subjects::SNAPSHOT_BUCKET.to_string(),
            description: Some("dedup index snapshots".to_string()),
            storage: stream::StorageType::File,
            num_replicas: topo.replicas,
            ..Default::default()
        };
        parts.push((format!("OBJ_{}", subjects::SNAPSHOT_BUCKET), Part::Object(cfg)));
        parts
    }

    async fn topology(&self, topo: &Topology, mode: TopologyMode) -> Result<TopologyReport, BusError> {
        let mut report = TopologyReport::default();
        for (name, part) in Self::parts(topo) {
            let info_subject = format!("$JS.API.STREAM.INFO.{name}");
            let found = self
                .retrying("stream info", || async {
                    match self.js.get_stream(&name).await {
                        Ok(s) => Ok(Some(s.cached_info().config.clone())),
                        Err(e)
                            if matches!(e.kind(), jetstream::context::GetStreamErrorKind::JetStream(ref j)
                                if j.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND) =>
                        {
                            Ok(None)
                        }
                        Err(e) => Err(self.refused(format!("read stream {name}"), &info_subject, e)),
                    }
                })
                .await?;
            match found {
                Some(config) => {
                    let have = config.num_replicas.max(1);
                    if have == topo.replicas {
                        metrics::gauge!(metric::REPLICA_MISMATCH, "stream" => name.clone()).set(0.0);
                        continue;
                    }
                    if mode == TopologyMode::Apply {
                        let mut cfg = config;
                        cfg.num_replicas = topo.replicas;
                        self.js.update_stream(cfg).await.map_err(|e| {
                            self.refused(
                                format!("change the replicas of stream {name}"),
                                &format!("$JS.API.STREAM.UPDATE.{name}"),
                                e,
                            )
                        })?;
                        warn!(stream = %name, from = have, to = topo.replicas, "replicas changed");
                        metrics::gauge!(metric::REPLICA_MISMATCH, "stream" => name.clone()).set(0.0);
                    } else {
                        error!(
                            stream = %name,
                            replicas = have,
                            wanted = topo.replicas,
                            "stream has another replica count than WIREFOLD_STREAM_REPLICAS asks for; \
                             kept as it is: run `wirefold topology` as the admin user to change it"
                        );
                        metrics::gauge!(metric::REPLICA_MISMATCH, "stream" => name.clone()).set(1.0);
                    }
                    report.replica_mismatch.push((name, have));
                }
                None => {
                    // Creating the same configuration twice is not an error, so a
                    // create that timed out (a cluster still electing its leader) is
                    // retried like a read.
                    let created = self
                        .retrying("create stream", || async {
                            let r = match &part {
                                Part::Stream(cfg) => self
                                    .js
                                    .create_stream(cfg.clone())
                                    .await
                                    .map(|_| ())
                                    .map_err(|e| e.to_string()),
                                Part::Kv(cfg) => self
                                    .js
                                    .create_key_value(cfg.clone())
                                    .await
                                    .map(|_| ())
                                    .map_err(|e| e.to_string()),
                                Part::Object(cfg) => self
                                    .js
                                    .create_object_store(cfg.clone())
                                    .await
                                    .map(|_| ())
                                    .map_err(|e| e.to_string()),
                            };
                            let subject = format!("$JS.API.STREAM.CREATE.{name}");
                            r.map_err(|e| self.refused(format!("create stream {name}"), &subject, e))
                        })
                        .await;
                    match created {
                        Ok(()) => {
                            info!(stream = %name, replicas = topo.replicas, "created");
                            report.created.push(name);
                        }
                        // Another process may have created it in between.
                        Err(_) if self.js.get_stream(&name).await.is_ok() => {}
                        Err(err) => {
                            return Err(match err {
                                BusError::Denied { message, .. } => BusError::Denied {
                                    what: format!(
                                        "create the missing stream {name}: run `wirefold topology` with the admin user first"
                                    ),
                                    message,
                                },
                                other => other,
                            });
                        }
                    }
                }
            }
        }
        info!(replicas = topo.replicas, "jetstream topology ready");
        Ok(report)
    }

    /// Publishes a wire document with `Nats-Msg-Id` and waits for the stream's ack.
    /// Returns the stream sequence and whether the server saw it as a duplicate.
    /// Transient failures (a leader election, a node restarting) are retried for up to
    /// [`RETRY_FOR`]: the message id makes a repeat a duplicate, never a second copy.
    pub async fn publish<T: Serialize>(&self, subject: &str, msg_id: &str, doc: &T) -> Result<Ack, BusError> {
        let payload = wirefold_wire::encode(doc);
        self.retrying("publish", || {
            self.publish_bytes(subject, Publish::build().message_id(msg_id), payload.clone())
        })
        .await
    }

    /// Like [`Bus::publish`], with extra headers and an optional expected last stream
    /// sequence: a fenced publish fails when another writer appended to the stream since.
    /// Not retried: the caller decides what a failed fenced publish means.
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
            .map_err(|e| publish_error(subject, &e, &self.violations))?;
        Ok(PendingAck {
            subject: subject.to_string(),
            fut,
            violations: self.violations.clone(),
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
        // One input can have several dead letters (a drop folder failing files in one scan,
        // the unusable items of one wire document): the origin and reason keep them apart.
        // The time is left out, so the same failure of a redelivered input (a worker that
        // died before its ack) is stored once within the stream's duplicate window.
        let what = format!("{}\n{}", dl.origin.as_deref().unwrap_or(""), dl.reason);
        let id = format!(
            "{}:{}:{:016x}",
            dl.stage,
            dl.input_id.as_deref().unwrap_or("-"),
            xxhash_rust::xxh3::xxh3_64(what.as_bytes()),
        );
        warn!(stage = %dl.stage, input = ?dl.input_id, origin = ?dl.origin, reason = %dl.reason, "dead letter");
        if let Err(e) = self.publish(&subject, &id, &dl).await {
            warn!(error = %e, "could not record dead letter");
        }
    }

    /// A durable pull consumer with explicit acks on `stream`, created if missing. (A
    /// consumer whose saved position is past the end of its stream, after a restore of the
    /// stream from an older image, is reset by nats-server when it loads the stream;
    /// `crates/cli/tests/deploy.rs` checks that nothing after the restore is skipped.)
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
        self.retrying("create consumer", || async {
            stream
                .get_or_create_consumer(durable, cfg.clone())
                .await
                .map_err(|e| BusError::js(format!("create consumer {durable}"), e))
        })
        .await
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
        let c = self
            .retrying("create ordered consumer", || async {
                stream
                    .create_consumer(cfg.clone())
                    .await
                    .map_err(|e| BusError::js("create ordered consumer", e))
            })
            .await?;
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
        self.retrying("load snapshot", || self.load_snapshot_once(name))
            .await
    }

    async fn load_snapshot_once(&self, name: &str) -> Result<Option<Vec<u8>>, BusError> {
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
        self.retrying("save snapshot", || self.save_snapshot_once(name, bytes))
            .await
    }

    async fn save_snapshot_once(&self, name: &str, bytes: &[u8]) -> Result<(), BusError> {
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
        let info = self.stream(stream_name).await?.cached_info().clone();
        Ok(StreamState {
            first_seq: info.state.first_sequence,
            last_seq: info.state.last_sequence,
            messages: info.state.messages,
        })
    }

    /// The headers and payload of the message at `seq`, if it exists.
    pub async fn get_message(&self, stream_name: &str, seq: u64) -> Result<Option<StoredMessage>, BusError> {
        let stream = self.stream(stream_name).await?;
        self.retrying("get message", || self.get_message_once(&stream, stream_name, seq))
            .await
    }

    async fn get_message_once(
        &self,
        stream: &stream::Stream,
        stream_name: &str,
        seq: u64,
    ) -> Result<Option<StoredMessage>, BusError> {
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
        self.retrying("open kv", || async {
            self.js
                .get_key_value(bucket)
                .await
                .map_err(|e| BusError::js(format!("open kv {bucket}"), e))
        })
        .await
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

    /// The stream `name` with fresh info (its state as of now).
    async fn stream(&self, name: &str) -> Result<stream::Stream, BusError> {
        let subject = format!("$JS.API.STREAM.INFO.{name}");
        self.retrying("open stream", || async {
            self.js
                .get_stream(name)
                .await
                .map_err(|e| self.refused(format!("open stream {name}"), &subject, e))
        })
        .await
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
    violations: connect::Violations,
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
        let ack = self
            .fut
            .await
            .map_err(|e| publish_error(&subject, &e, &self.violations))?;
        Ok(Ack {
            sequence: ack.sequence,
            duplicate: ack.duplicate,
        })
    }
}

fn publish_error(subject: &str, e: &dyn std::fmt::Display, violations: &connect::Violations) -> BusError {
    if let Some(message) = violations.about(subject) {
        return BusError::Denied {
            what: format!("publish to {subject}"),
            message,
        };
    }
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
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_errors_are_retried_refusals_are_not() {
        let js = |m: &str| BusError::js("x", m);
        assert!(js("timed out: didn't receive any response").is_transient());
        assert!(js("no responders").is_transient());
        assert!(
            js("jetstream error: JetStream system temporarily unavailable (code 503, error code 10008)")
                .is_transient()
        );
        assert!(!js("stream not found (code 404, error code 10059)").is_transient());
        let fenced = BusError::Publish {
            subject: "s".into(),
            message: "wrong last sequence: 4 (timeout)".into(),
            fenced: true,
        };
        assert!(!fenced.is_transient());
        let denied = BusError::Denied {
            what: "publish".into(),
            message: "Permissions Violation".into(),
        };
        assert!(!denied.is_transient());
    }
}
