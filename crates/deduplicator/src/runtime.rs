//! The fold runtime: runs a deterministic [`Fold`] over an input stream and publishes what
//! it emits to output streams, exactly once, under a leader lease. It is the one place that
//! owns the lease, the input position, snapshots, replay and fenced publishing; the
//! deduplicator's copy and story levels are one fold on it ([`crate::worker`]).
//!
//! # Position and replay
//!
//! A fold's state is a deterministic function of the input sequence it has seen, so the
//! runtime keeps its own position instead of a durable consumer. Every output carries the
//! input sequence that caused it in the header [`ARTICLE_SEQ_HEADER`]. On start the
//! runtime restores the last snapshot (state plus the input sequence it covers), reads the
//! header of the last message stored in each output stream, and reads the input after the
//! snapshot. Each input is classified per output stream by [`classify`]:
//!
//! * [`Replay::Stored`]: before the last stored output of that stream: its outputs are
//!   stored; apply silently;
//! * [`Replay::Boundary`]: the input whose outputs were stored last: some may be missing,
//!   so publish all of them by message id, unfenced, and let the stream's duplicate window
//!   drop what it has;
//! * [`Replay::Fresh`]: publish normally.
//!
//! # Consistency on start
//!
//! A saved position past the end of the input stream (the stream went backwards: restored
//! from an older disk image, or recreated) is never trusted: a snapshot covering more
//! inputs than the stream holds is discarded and the fold rebuilt from the stream, and an
//! output stream naming inputs the stream does not hold has the outputs of every input
//! held published again by message id (the stream drops those it has). Both are logged as
//! errors and counted ([`metric::REBUILDS`]).
//!
//! # Fenced, pipelined publishing
//!
//! Fresh outputs are sent without waiting for each acknowledgement (up to
//! [`MAX_IN_FLIGHT`] at once), each with the stream sequence its predecessor must have
//! (`Nats-Expected-Last-Sequence`). The server stores them in order or refuses them, so a
//! former leader that has not noticed it lost the lease cannot append: its first publish
//! after another leader wrote is refused, and so is everything it sent after. Before every
//! fresh publish the runtime also asks [`Lease::valid`], so a leader resumed after SIGSTOP
//! past its lease stops before sending. Any failed publish ends the active phase: a fenced
//! one as a lost lease (stand by), any other as a bus error (start again from the
//! snapshot and replay, which sorts out what was stored).
//!
//! # Snapshots
//!
//! Every `snapshot_every` inputs (but no sooner after the last snapshot than twenty times
//! what it took to copy and encode, so a large state costs about a twentieth of the time),
//! or every `snapshot_interval` with unsnapshotted inputs, and once on a clean shutdown, the
//! runtime copies what the snapshot writes between two inputs ([`Fold::snapshot_copy`], the
//! fold's only pause), encodes the copy on the blocking pool while the fold goes on, and
//! uploads it from a task of its own once every output of the inputs it covers is
//! acknowledged (a snapshot never covers an input whose outputs are not stored; when the
//! active phase ends first, the copy is dropped). The lease is renewed by its own task
//! ([`Lease`]), so neither encoding nor uploading delays a renewal. Only one snapshot is
//! encoded or uploaded at a time.
//!
//! # Shutdown
//!
//! On shutdown the runtime stops reading, waits for the acknowledgements in flight, waits
//! for a running snapshot, writes a final one and releases the lease, so a standby takes
//! over at once. Every path out of the active phase goes through `Active::finish`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::StreamExt as _;
use futures::stream::FuturesOrdered;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};
use wirefold_bus::lease::{Lease, LeaseLost};
use wirefold_bus::{ARTICLE_SEQ_HEADER, Ack, Bus, BusError, PendingAck, StreamMessage};
use wirefold_wire::DeadLetter;

/// Outputs sent and not yet acknowledged, at most.
pub const MAX_IN_FLIGHT: usize = 512;

/// Magic prefix of a runtime snapshot object: format tag, then the input sequence it covers
/// (u64 little-endian), then the fold's own bytes.
const SNAPSHOT_MAGIC: &[u8; 8] = b"WFSNAP2\n";

/// A deterministic fold over an input stream.
pub trait Fold: Send + Sized + 'static {
    /// What it needs to start or restore.
    type Config: Clone + Send + Sync + 'static;
    /// A copy of the state taken for a snapshot ([`Fold::snapshot_copy`]).
    type Snapshot: Send + 'static;
    /// An empty state.
    fn new(config: &Self::Config) -> Self;
    /// State from bytes written by [`Fold::encode`]; an error means "rebuild".
    fn restore(config: &Self::Config, bytes: &[u8]) -> Result<Self, String>;
    /// A copy of the whole state, taken between two inputs, for [`Fold::encode`] to write on
    /// another thread while the fold goes on.
    fn snapshot_copy(&self) -> Self::Snapshot;
    /// Appends the bytes of a copy to `out`; [`Fold::restore`] reads them.
    fn encode(copy: &Self::Snapshot, out: &mut Vec<u8>);
    /// Folds one input in and appends what to publish. An error is a dead-letter reason:
    /// the input is skipped and the fold goes on.
    fn apply(&mut self, input: &StreamMessage, out: &mut Vec<Output>) -> Result<(), String>;
    /// Records gauges after a snapshot (sizes of the state).
    fn observe(&self) {}
}

/// One document to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// Index into [`Spec::outputs`].
    pub stream: usize,
    /// Subject (must belong to that stream).
    pub subject: String,
    /// `Nats-Msg-Id`: the same output of a replayed input has the same id.
    pub msg_id: String,
    /// Encoded document.
    pub payload: Vec<u8>,
}

/// What a fold reads and writes, and its names.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Lease key and log name.
    pub name: &'static str,
    /// Object name of its snapshot.
    pub snapshot_object: &'static str,
    /// Dead-letter stage.
    pub stage: &'static str,
    /// Input stream and its filter.
    pub input: (&'static str, &'static str),
    /// Output streams.
    pub outputs: Vec<&'static str>,
}

/// Timing of the runtime.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Write a snapshot after this many inputs...
    pub snapshot_every: u64,
    /// ...or after this much time with unsnapshotted inputs.
    pub snapshot_interval: Duration,
    /// Lease time-to-live: a standby takes over this long after the active one stops.
    pub lease_ttl: Duration,
    /// This process's name in the lease.
    pub holder: String,
}

/// How a replayed input's outputs to one stream are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Already stored: publish nothing.
    Stored,
    /// The last input with stored outputs: publish by message id, unfenced.
    Boundary,
    /// Not stored: publish fenced.
    Fresh,
}

/// Classifies input `seq` against `stored_through`, the input sequence named by the last
/// output stored in a stream (0 when the stream holds none, or its last message names no
/// input).
pub fn classify(seq: u64, stored_through: u64) -> Replay {
    use std::cmp::Ordering::*;
    match seq.cmp(&stored_through) {
        _ if stored_through == 0 => Replay::Fresh,
        Less => Replay::Stored,
        Equal => Replay::Boundary,
        Greater => Replay::Fresh,
    }
}

/// Why the active phase ended.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// NATS failed; start again from the snapshot.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The lease was lost; stand by.
    #[error(transparent)]
    Lost(#[from] LeaseLost),
}

/// Prometheus metric names of the runtime (label `fold`).
pub mod metric {
    /// Counter: inputs folded in (replays included).
    pub const INPUTS: &str = "wirefold_fold_inputs_total";
    /// Counter: outputs stored (not counting duplicates dropped by the stream).
    pub const OUTPUTS: &str = "wirefold_fold_outputs_total";
    /// Counter: inputs dead-lettered.
    pub const DEAD_LETTERS: &str = "wirefold_fold_dead_letters_total";
    /// Gauge: input sequence covered by the last snapshot written.
    pub const SNAPSHOT_SEQ: &str = "wirefold_fold_snapshot_seq";
    /// Gauge: bytes of the last snapshot written.
    pub const SNAPSHOT_BYTES: &str = "wirefold_fold_snapshot_bytes";
    /// Counter: starts that found the input stream behind the saved position and rebuilt.
    pub const REBUILDS: &str = "wirefold_fold_rebuilds_total";
    /// Gauge: seconds the last snapshot took to encode (on the blocking pool, while the
    /// fold goes on).
    pub const SNAPSHOT_ENCODE_SECONDS: &str = "wirefold_fold_snapshot_encode_seconds";
    /// Gauge: seconds the last snapshot's copy of the state took (the fold waits for it).
    pub const SNAPSHOT_COPY_SECONDS: &str = "wirefold_fold_snapshot_copy_seconds";
}

/// Runs `F` until `shutdown` is cancelled: stands by until it holds the lease, then serves.
pub async fn run<F: Fold>(
    bus: Bus,
    spec: Spec,
    settings: Settings,
    config: F::Config,
    shutdown: CancellationToken,
) -> Result<(), BusError> {
    let kv = bus.kv_bucket(wirefold_wire::subjects::LEASES_BUCKET).await?;
    loop {
        let Some(lease) =
            Lease::acquire(&kv, spec.name, &settings.holder, settings.lease_ttl, &shutdown).await
        else {
            return Ok(());
        };
        let mut active = match Active::<F>::start(&bus, &spec, &settings, &config, lease).await {
            Ok(a) => a,
            Err((e, lease)) => {
                lease.release().await;
                error!(fold = spec.name, error = %e, "cannot start, retrying");
                if pause(&shutdown, Duration::from_secs(1)).await {
                    return Ok(());
                }
                continue;
            }
        };
        let result = active.serve(&shutdown).await;
        match result {
            Ok(()) => {
                active.finish(true).await;
                info!(fold = spec.name, "stopped");
                return Ok(());
            }
            Err(RuntimeError::Lost(e)) => {
                active.finish(false).await;
                warn!(fold = spec.name, error = %e, "no longer active, standing by");
            }
            Err(RuntimeError::Bus(e)) => {
                active.finish(false).await;
                error!(fold = spec.name, error = %e, "active phase failed, starting again");
                if pause(&shutdown, Duration::from_secs(1)).await {
                    return Ok(());
                }
            }
        }
    }
}

/// Sleeps for `d`; true when shutdown came first.
async fn pause(shutdown: &CancellationToken, d: Duration) -> bool {
    tokio::select! {
        _ = shutdown.cancelled() => true,
        _ = tokio::time::sleep(d) => false,
    }
}

/// Where one output stream stands.
#[derive(Debug, Clone, Copy)]
struct OutputPos {
    /// Input sequence named by the last stored output (0: none).
    stored_through: u64,
    /// Stream sequence the next fresh publish expects as last.
    fence: u64,
    /// Inputs up to this sequence are published by message id, unfenced, like a boundary
    /// input: set when the stream named inputs the input stream does not hold (it went
    /// backwards), so what it stored cannot be matched to inputs by sequence (0: none).
    republish_through: u64,
}

impl OutputPos {
    /// How input `seq`'s outputs to this stream are treated.
    fn replay(&self, seq: u64) -> Replay {
        if seq <= self.republish_through {
            Replay::Boundary
        } else {
            classify(seq, self.stored_through)
        }
    }
}

/// An output in flight: its stream, the input that caused it, and its acknowledgement.
type AckFuture = futures::future::BoxFuture<'static, (usize, u64, Result<Ack, BusError>)>;

/// The active phase: the fold, its position and everything in flight.
struct Active<'a, F: Fold> {
    bus: &'a Bus,
    spec: &'a Spec,
    settings: &'a Settings,
    lease: Option<Lease>,
    fold: F,
    outputs: Vec<OutputPos>,
    /// Last input folded in.
    done_seq: u64,
    /// Input sequence covered by the last snapshot written (or being written).
    snapshotted: u64,
    last_snapshot: Instant,
    /// Nanoseconds the last snapshot took to copy and encode (the next one is paced by it).
    snapshot_cost: Arc<AtomicU64>,
    in_flight: FuturesOrdered<AckFuture>,
    /// The last input whose outputs are all stored: a snapshot is uploaded only once it
    /// covers no input with an output still in flight. Dropped (closed) when the phase
    /// ends uncleanly, so a snapshot waiting for it is never uploaded.
    acked: tokio::sync::watch::Sender<u64>,
    /// The snapshot being encoded and uploaded.
    upload: Option<tokio::task::JoinHandle<()>>,
    scratch: Vec<Output>,
}

impl<'a, F: Fold> Active<'a, F> {
    async fn start(
        bus: &'a Bus,
        spec: &'a Spec,
        settings: &'a Settings,
        config: &F::Config,
        lease: Lease,
    ) -> Result<Self, (BusError, Lease)> {
        let (mut fold, mut snap_seq) = match load(bus, spec, config).await {
            Ok(v) => v,
            Err(e) => return Err((e, lease)),
        };
        let mut outputs = Vec::with_capacity(spec.outputs.len());
        for stream in &spec.outputs {
            match position(bus, stream).await {
                Ok(p) => outputs.push(p),
                Err(e) => return Err((e, lease)),
            }
        }
        let input = match bus.stream_state(spec.input.0).await {
            Ok(i) => i,
            Err(e) => return Err((e, lease)),
        };
        // The input stream went backwards (restored from an older image, or recreated):
        // a saved position past its end names inputs it does not hold. Never skip: rebuild.
        if snap_seq > input.last_seq {
            error!(
                fold = spec.name,
                snapshot_seq = snap_seq,
                input_last = input.last_seq,
                "input stream is behind the snapshot (restored from an older image, or recreated): \
                 discarding the snapshot and rebuilding from the input stream"
            );
            metrics::counter!(metric::REBUILDS, "fold" => spec.name).increment(1);
            (fold, snap_seq) = (F::new(config), 0);
        }
        for (pos, stream) in outputs.iter_mut().zip(&spec.outputs) {
            if pos.stored_through > input.last_seq {
                error!(
                    fold = spec.name,
                    output = stream,
                    stored_through = pos.stored_through,
                    input_last = input.last_seq,
                    "output stream names inputs the input stream does not hold (it went backwards): \
                     publishing the outputs of every input held by message id; the stream drops those it has"
                );
                metrics::counter!(metric::REBUILDS, "fold" => spec.name).increment(1);
                pos.republish_through = input.last_seq;
                pos.stored_through = 0;
            }
        }
        if snap_seq + 1 < input.first_seq {
            warn!(
                fold = spec.name,
                snap_seq,
                first = input.first_seq,
                "inputs after the snapshot expired; replay starts at the first one held"
            );
        } else {
            info!(
                fold = spec.name,
                snapshot_seq = snap_seq,
                input_last = input.last_seq,
                stored_through = ?outputs.iter().map(|o| o.stored_through).collect::<Vec<_>>(),
                "active"
            );
        }
        Ok(Active {
            bus,
            spec,
            settings,
            lease: Some(lease),
            fold,
            outputs,
            done_seq: snap_seq,
            snapshotted: snap_seq,
            last_snapshot: Instant::now(),
            snapshot_cost: Arc::default(),
            in_flight: FuturesOrdered::new(),
            acked: tokio::sync::watch::channel(snap_seq).0,
            upload: None,
            scratch: Vec::new(),
        })
    }

    fn lease(&self) -> &Lease {
        self.lease.as_ref().expect("lease held while active")
    }

    async fn serve(&mut self, shutdown: &CancellationToken) -> Result<(), RuntimeError> {
        let (stream, filter) = self.spec.input;
        let mut messages = self.bus.read_ordered(stream, filter, self.done_seq + 1).await?;
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let room = self.in_flight.len() < MAX_IN_FLIGHT;
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => return Ok(()),
                e = self.lease.as_ref().expect("lease held while active").lost() => return Err(e.into()),
                Some((stream, seq, ack)) = self.in_flight.next(), if !self.in_flight.is_empty() => {
                    self.acked(stream, seq, ack)?;
                }
                _ = tick.tick() => {
                    if self.done_seq > self.snapshotted
                        && self.last_snapshot.elapsed() >= self.settings.snapshot_interval
                    {
                        self.snapshot().await?;
                    }
                }
                next = messages.next(), if room => match next {
                    Some(Ok(m)) => {
                        self.input(m).await?;
                        if self.snapshot_due() {
                            self.snapshot().await?;
                        }
                    }
                    Some(Err(e)) => {
                        warn!(fold = self.spec.name, error = %e, "input stream error, reading again");
                        messages = self.bus.read_ordered(stream, filter, self.done_seq + 1).await?;
                    }
                    None => {
                        messages = self.bus.read_ordered(stream, filter, self.done_seq + 1).await?;
                    }
                },
            }
        }
    }

    /// Folds one input in and publishes its outputs.
    async fn input(&mut self, m: StreamMessage) -> Result<(), RuntimeError> {
        let seq = if m.sequence == 0 {
            self.done_seq + 1
        } else {
            m.sequence
        };
        if seq <= self.done_seq {
            return Ok(());
        }
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        let applied = self.fold.apply(&m, &mut out);
        metrics::counter!(metric::INPUTS, "fold" => self.spec.name).increment(1);
        if let Err(reason) = applied {
            // Dead-letter once: only when no stream has stored anything of this input.
            if self.outputs.iter().all(|o| o.replay(seq) == Replay::Fresh) {
                metrics::counter!(metric::DEAD_LETTERS, "fold" => self.spec.name).increment(1);
                let dl = DeadLetter::new(self.spec.stage, reason, &m.payload).with_subject(&m.subject);
                self.bus.dead_letter(dl).await;
            }
        }
        let headers = [(ARTICLE_SEQ_HEADER, seq.to_string())];
        let mut boundary = vec![false; self.outputs.len()];
        for o in out.drain(..) {
            let pos = self.outputs[o.stream];
            match pos.replay(seq) {
                Replay::Stored => {}
                Replay::Boundary => {
                    boundary[o.stream] = true;
                    let ack = self
                        .bus
                        .publish_pipelined(&o.subject, &o.msg_id, &headers, None, o.payload)
                        .await?
                        .wait()
                        .await?;
                    if !ack.duplicate {
                        metrics::counter!(metric::OUTPUTS, "fold" => self.spec.name).increment(1);
                    }
                }
                Replay::Fresh => {
                    if !self.lease().valid() {
                        return Err(self.lease().lost_error().into());
                    }
                    let pending: PendingAck = self
                        .bus
                        .publish_pipelined(&o.subject, &o.msg_id, &headers, Some(pos.fence), o.payload)
                        .await?;
                    self.outputs[o.stream].fence += 1;
                    let stream = o.stream;
                    self.in_flight
                        .push_back(Box::pin(async move { (stream, seq, pending.wait().await) }));
                }
            }
        }
        self.scratch = out;
        // After the boundary input the stream's last sequence is what the fences go on from.
        for (i, b) in boundary.into_iter().enumerate() {
            if b {
                self.outputs[i].fence = self.bus.stream_state(self.spec.outputs[i]).await?.last_seq;
            }
        }
        self.done_seq = seq;
        if self.in_flight.is_empty() {
            self.stored_through(seq);
        }
        Ok(())
    }

    /// Records that every output of the inputs through `seq` is stored.
    fn stored_through(&self, seq: u64) {
        self.acked.send_if_modified(|a| {
            let newer = seq > *a;
            if newer {
                *a = seq;
            }
            newer
        });
    }

    /// Checks one acknowledgement of a fenced publish of input `seq`'s outputs.
    fn acked(&mut self, stream: usize, seq: u64, ack: Result<Ack, BusError>) -> Result<(), RuntimeError> {
        // Acknowledgements come in the order sent: everything sent before is stored.
        if self.in_flight.is_empty() {
            self.stored_through(self.done_seq);
        } else {
            self.stored_through(seq - 1);
        }
        match ack {
            Ok(a) if a.duplicate => Err(BusError::Publish {
                subject: self.spec.outputs[stream].to_string(),
                message: format!("fresh output stored before (sequence {})", a.sequence),
                fenced: false,
            }
            .into()),
            Ok(_) => {
                metrics::counter!(metric::OUTPUTS, "fold" => self.spec.name).increment(1);
                Ok(())
            }
            Err(BusError::Publish {
                fenced: true,
                message,
                ..
            }) => Err(LeaseLost {
                key: self.spec.name.to_string(),
                why: format!("write fenced: {message}"),
            }
            .into()),
            Err(e) => Err(e.into()),
        }
    }

    /// Waits for every acknowledgement in flight.
    async fn settle(&mut self) -> Result<(), RuntimeError> {
        while let Some((stream, seq, ack)) = self.in_flight.next().await {
            self.acked(stream, seq, ack)?;
        }
        Ok(())
    }

    /// Whether enough inputs came since the last snapshot: at least `snapshot_every`, and at
    /// least twenty times as long since the last one began as it took to copy and encode,
    /// so that snapshots of a large index take no more than about a twentieth of the time
    /// (the time limit `snapshot_interval` is checked by the tick).
    fn snapshot_due(&self) -> bool {
        self.done_seq - self.snapshotted >= self.settings.snapshot_every
            && self.last_snapshot.elapsed()
                >= Duration::from_nanos(self.snapshot_cost.load(Ordering::Relaxed)) * 20
    }

    /// Copies the state between two inputs and encodes the copy on the blocking pool while
    /// the fold goes on; the copy is uploaded once every output of the inputs it covers is
    /// stored. Only one snapshot is encoded or uploaded at a time.
    async fn snapshot(&mut self) -> Result<(), RuntimeError> {
        if self.upload.as_ref().is_some_and(|u| !u.is_finished()) {
            return Ok(());
        }
        let seq = self.done_seq;
        let started = Instant::now();
        let copy = self.fold.snapshot_copy();
        let copied = started.elapsed();
        self.fold.observe();
        self.snapshotted = seq;
        self.last_snapshot = started;
        let mut stored = self.acked.subscribe();
        let bus = self.bus.clone();
        let (name, object) = (self.spec.name, self.spec.snapshot_object);
        let cost = self.snapshot_cost.clone();
        self.upload = Some(tokio::spawn(async move {
            let (bytes, took) = encode_copy::<F>(copy, seq).await;
            metrics::gauge!(metric::SNAPSHOT_ENCODE_SECONDS, "fold" => name).set(took.as_secs_f64());
            metrics::gauge!(metric::SNAPSHOT_COPY_SECONDS, "fold" => name).set(copied.as_secs_f64());
            cost.store((copied + took).as_nanos() as u64, Ordering::Relaxed);
            // A snapshot never covers an input whose outputs are not stored; when the phase
            // ends before they are, it is dropped.
            if stored.wait_for(|&a| a >= seq).await.is_err() {
                return;
            }
            upload(&bus, name, object, seq, &bytes).await
        }));
        Ok(())
    }

    /// Leaves the active phase. `clean`: the fold is consistent with what was acknowledged,
    /// so settle, snapshot and release; otherwise just stop (replay sorts things out).
    async fn finish(&mut self, clean: bool) {
        let mut clean = clean;
        if clean {
            match tokio::time::timeout(Duration::from_secs(5), self.settle()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    warn!(fold = self.spec.name, error = %e, "outputs in flight failed at shutdown");
                    clean = false;
                }
                Err(_) => {
                    warn!(
                        fold = self.spec.name,
                        "outputs in flight not acknowledged in time"
                    );
                    clean = false;
                }
            }
        }
        if !clean {
            // A snapshot still waiting for outputs in flight is never uploaded.
            self.acked = tokio::sync::watch::channel(0).0;
        }
        if let Some(u) = self.upload.take() {
            let _ = u.await;
        }
        if clean && self.done_seq > self.snapshotted && self.lease.as_ref().is_some_and(Lease::valid) {
            let seq = self.done_seq;
            let (bytes, _) = encode_copy::<F>(self.fold.snapshot_copy(), seq).await;
            upload(self.bus, self.spec.name, self.spec.snapshot_object, seq, &bytes).await;
        }
        if let Some(lease) = self.lease.take() {
            lease.release().await;
        }
    }
}

/// Encodes a copy of a fold's state ([`Fold::snapshot_copy`]) with the runtime's header
/// (covering input `seq`) on the blocking pool, so the runtime's threads (and the lease
/// keeper) go on meanwhile; returns the bytes and the time taken.
pub async fn encode_copy<F: Fold>(copy: F::Snapshot, seq: u64) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let bytes = tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(SNAPSHOT_MAGIC);
        bytes.extend_from_slice(&seq.to_le_bytes());
        F::encode(&copy, &mut bytes);
        bytes
    })
    .await
    .expect("snapshot encoding does not panic");
    (bytes, started.elapsed())
}

/// Uploads snapshot bytes made by [`encode_copy`] as `object`; errors are logged (a
/// missing snapshot only makes the next replay longer).
pub async fn upload_snapshot(bus: &Bus, name: &str, object: &str, seq: u64, bytes: &[u8]) {
    upload(bus, name, object, seq, bytes).await
}

/// Where an output stream stands: its last sequence and the input its last message names.
async fn position(bus: &Bus, stream: &str) -> Result<OutputPos, BusError> {
    let state = bus.stream_state(stream).await?;
    if state.last_seq == 0 {
        return Ok(OutputPos {
            stored_through: 0,
            fence: 0,
            republish_through: 0,
        });
    }
    let stored_through = bus
        .get_message(stream, state.last_seq)
        .await?
        .and_then(|m| m.header(ARTICLE_SEQ_HEADER).and_then(|v| v.parse().ok()))
        .unwrap_or(0);
    Ok(OutputPos {
        stored_through,
        fence: state.last_seq,
        republish_through: 0,
    })
}

async fn load<F: Fold>(bus: &Bus, spec: &Spec, config: &F::Config) -> Result<(F, u64), BusError> {
    let bytes = match bus.load_snapshot(spec.snapshot_object).await? {
        Some(b) => b,
        None => {
            info!(
                fold = spec.name,
                "no snapshot, starting from the beginning of the input"
            );
            return Ok((F::new(config), 0));
        }
    };
    let decoded = (|| {
        let rest = bytes
            .strip_prefix(SNAPSHOT_MAGIC.as_slice())
            .ok_or("not a current snapshot")?;
        let (seq, state) = rest.split_at_checked(8).ok_or("truncated header")?;
        let seq = u64::from_le_bytes(seq.try_into().map_err(|_| "truncated header")?);
        let fold = F::restore(config, state)?;
        Ok::<_, String>((fold, seq))
    })();
    match decoded {
        Ok((fold, seq)) => {
            info!(fold = spec.name, seq, bytes = bytes.len(), "snapshot restored");
            Ok((fold, seq))
        }
        Err(why) => {
            warn!(fold = spec.name, %why, "snapshot unusable, rebuilding from the input stream");
            Ok((F::new(config), 0))
        }
    }
}

async fn upload(bus: &Bus, name: &str, object: &str, seq: u64, bytes: &[u8]) {
    let started = Instant::now();
    match bus.save_snapshot(object, bytes).await {
        Ok(()) => {
            metrics::gauge!(metric::SNAPSHOT_SEQ, "fold" => name.to_string()).set(seq as f64);
            metrics::gauge!(metric::SNAPSHOT_BYTES, "fold" => name.to_string()).set(bytes.len() as f64);
            info!(
                fold = name,
                seq,
                bytes = bytes.len(),
                ms = started.elapsed().as_millis() as u64,
                "snapshot saved"
            );
        }
        Err(e) => warn!(fold = name, error = %e, seq, "snapshot not saved; replay will be longer"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_classification() {
        // Nothing stored: everything is fresh.
        assert_eq!(classify(1, 0), Replay::Fresh);
        assert_eq!(classify(7, 0), Replay::Fresh);
        // Stored through input 5.
        assert_eq!(classify(3, 5), Replay::Stored);
        assert_eq!(classify(4, 5), Replay::Stored);
        assert_eq!(classify(5, 5), Replay::Boundary);
        assert_eq!(classify(6, 5), Replay::Fresh);
        // Two streams stored through different inputs classify independently.
        let streams = [5u64, 3];
        let kinds: Vec<_> = streams.iter().map(|&s| classify(4, s)).collect();
        assert_eq!(kinds, [Replay::Stored, Replay::Fresh]);
    }
}
