//! Wire drop folders: files arriving in a watched directory are published once complete,
//! then moved to `done/`, or to `failed/` next to a `<name>.reason` file.
//!
//! When is a file complete? Two conventions, both supported:
//! - **rename-in** (preferred): the sender writes `name.part`, `name.tmp` or `.name` and
//!   renames it when done; such names are never picked up.
//! - **settle**: any other file is read once its size and modification time stayed the
//!   same across scans for at least the settle time (default 2 s). A sender that pauses
//!   longer than that mid-file must use rename-in.
//!
//! Only the top level of the folder is scanned. Agency documents (NewsML-G2, NITF, NewsML
//! 1.2, ANPA 1312 / IPTC 7901, ninjs) give the document's `uri`, `version` and hints
//! ([`crate::envelope`]); one that cannot be read (truncated, an XML bomb, a ninjs field
//! of the wrong type) moves to `failed/` with the reason. A feed document (RSS, RDF, Atom,
//! JSON Feed: an agency's feed file, a WordPress export) gives one raw document per item,
//! read as polled feeds are ([`crate::feeds`]): the item's full content, else its summary,
//! with its guid (else its link) as `uri` and its link as `url`. Other files use their
//! `file://` URL as `uri`. A file is moved only after the stream acknowledged it, so a crash
//! in between republishes it with the same id (stored once).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use wirefold_bus::{Bus, BusError};
use wirefold_wire::{EXCERPT_BYTES, RawDocument, SourceKind, subjects};

use crate::files::{RejectReason, feed_documents, read_document};
use crate::{FetchError, content_id, envelope, raw_document_id, version_key};

/// A watched folder.
#[derive(Debug, Clone)]
pub struct DropConfig {
    /// The folder.
    pub dir: PathBuf,
    /// Scan period.
    pub scan: Duration,
    /// How long size and mtime must stay unchanged.
    pub settle: Duration,
    /// Largest file accepted.
    pub max_bytes: u64,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropOutcome {
    /// Published (id, duplicate) and moved to `done/`.
    Published {
        /// The file's new path.
        path: PathBuf,
        /// Document id.
        id: String,
        /// The stream had it already.
        duplicate: bool,
    },
    /// Moved to `failed/` with a reason.
    Failed {
        /// The file's new path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Snapshot {
    len: u64,
    mtime: Option<SystemTime>,
}

/// Files seen by earlier scans and since when they have not changed.
#[derive(Debug, Default)]
pub struct Tracker {
    files: HashMap<PathBuf, (Snapshot, Instant)>,
}

/// Whether a name follows the in-progress convention (never picked up).
pub fn in_progress(name: &str) -> bool {
    name.starts_with('.') || name.ends_with(".part") || name.ends_with(".tmp") || name.ends_with(".reason")
}

/// Watches `cfg.dir` until `shutdown` is cancelled.
pub async fn watch(bus: Bus, cfg: DropConfig, shutdown: CancellationToken) -> Result<(), FetchError> {
    for sub in ["done", "failed"] {
        tokio::fs::create_dir_all(cfg.dir.join(sub)).await.map_err(|e| {
            FetchError::Config(format!("cannot prepare drop folder {}: {e}", cfg.dir.display()))
        })?;
    }
    tracing::info!(dir = %cfg.dir.display(), settle = ?cfg.settle, "watching drop folder");
    let mut tracker = Tracker::default();
    let mut tick = tokio::time::interval(cfg.scan);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            _ = tick.tick() => {}
        }
        for outcome in scan_once(&bus, &cfg, &mut tracker).await {
            let (label, what) = match &outcome {
                DropOutcome::Published { .. } => ("published", "drop file published"),
                DropOutcome::Failed { .. } => ("failed", "drop file failed"),
            };
            ::metrics::counter!(crate::metrics::DROP_FILES, "outcome" => label).increment(1);
            tracing::info!(?outcome, "{what}");
        }
    }
}

/// One scan: publishes and moves every file that has settled.
pub async fn scan_once(bus: &Bus, cfg: &DropConfig, tracker: &mut Tracker) -> Vec<DropOutcome> {
    let mut out = Vec::new();
    let now = Instant::now();
    let Ok(mut rd) = tokio::fs::read_dir(&cfg.dir).await else {
        tracing::warn!(dir = %cfg.dir.display(), "cannot read drop folder");
        return out;
    };
    let mut present = Vec::new();
    while let Ok(Some(e)) = rd.next_entry().await {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(meta) = e.metadata().await else { continue };
        if !meta.is_file() || in_progress(&name) {
            continue;
        }
        let path = e.path();
        present.push(path.clone());
        let snap = Snapshot {
            len: meta.len(),
            mtime: meta.modified().ok(),
        };
        let since = match tracker.files.get(&path) {
            Some((prev, since)) if *prev == snap => *since,
            _ => {
                tracker.files.insert(path.clone(), (snap, now));
                continue;
            }
        };
        let settled = now.duration_since(since) >= cfg.settle;
        // An empty file may be a sender that has not started writing: give it longer.
        let empty_settled = now.duration_since(since) >= cfg.settle * 10;
        if !settled || (snap.len == 0 && !empty_settled) {
            continue;
        }
        tracker.files.remove(&path);
        if let Some(o) = handle(bus, cfg, &path).await {
            out.push(o);
        }
    }
    tracker.files.retain(|p, _| present.contains(p));
    out
}

/// A free name for `name` in `dir`.
fn target(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    if !p.exists() {
        return p;
    }
    let stamp = wirefold_wire::time::now_compact();
    dir.join(format!("{name}.{stamp}"))
}

async fn handle(bus: &Bus, cfg: &DropConfig, path: &Path) -> Option<DropOutcome> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let done = target(&cfg.dir.join("done"), &name);
    let (p, limit, dir, done_at) = (path.to_path_buf(), cfg.max_bytes, cfg.dir.clone(), done.clone());
    // Reading the file and its envelope (a whole XML parse for wire formats) is blocking work.
    let read = tokio::task::spawn_blocking(move || {
        read_document(&p, limit).map(|doc| drop_documents(doc, &dir, &done_at))
    })
    .await;
    let docs = match read {
        Ok(Ok(Ok(docs))) => docs,
        Ok(Ok(Err(reason))) => return Some(fail(bus, cfg, path, &name, &reason).await),
        Ok(Err(RejectReason::Unreadable(e))) => {
            tracing::warn!(path = %path.display(), error = %e, "drop file unreadable, retrying");
            return None;
        }
        Ok(Err(reason)) => return Some(fail(bus, cfg, path, &name, &reason.to_string()).await),
        Err(e) => return Some(fail(bus, cfg, path, &name, &format!("reader task failed: {e}")).await),
    };
    // A feed file gives several documents: the file moves only when every one is stored
    // (a retry publishes the stored ones again under the same ids, stored once).
    let mut duplicate = true;
    for (i, doc) in docs.iter().enumerate() {
        match bus.publish(&subjects::raw(SourceKind::Drop), &doc.id, doc).await {
            Ok(ack) => duplicate &= ack.duplicate,
            Err(e @ BusError::TooLarge { .. }) => {
                let reason = if docs.len() > 1 {
                    format!("item {} of {} ({}): {e}", i + 1, docs.len(), doc.uri)
                } else {
                    e.to_string()
                };
                return Some(fail(bus, cfg, path, &name, &reason).await);
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "publish failed, retrying next scan");
                return None;
            }
        }
    }
    match tokio::fs::rename(path, &done).await {
        Ok(()) => Some(DropOutcome::Published {
            path: done,
            id: docs.into_iter().next()?.id,
            duplicate,
        }),
        Err(e) => {
            // Published; it will be published again (same id, stored once) next scan.
            tracing::warn!(path = %path.display(), error = %e, "cannot move published drop file to done/");
            None
        }
    }
}

/// What a file read by [`read_document`] is published as: the one drop document of
/// [`to_drop_document`], or, for a feed document, one per item.
pub fn drop_documents(doc: RawDocument, dir: &Path, done: &Path) -> Result<Vec<RawDocument>, String> {
    let bytes = doc.body.to_bytes().map_err(|e| e.to_string())?;
    let done_url = file_url(done);
    if let Some(docs) = feed_documents(
        &doc,
        &bytes,
        &folder_name(dir),
        SourceKind::Drop,
        done_url.as_deref(),
    ) {
        return docs;
    }
    with_envelope(doc, &bytes, dir, done).map(|d| vec![d])
}

fn folder_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "drop".into())
}

fn file_url(path: &Path) -> Option<String> {
    url::Url::from_file_path(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
        .map(String::from)
        .ok()
}

/// Turns a file read by [`read_document`] into a drop document: envelope identity and
/// hints, `url` pointing at where the file will be after the move.
pub fn to_drop_document(doc: RawDocument, dir: &Path, done: &Path) -> Result<RawDocument, String> {
    let bytes = doc.body.to_bytes().map_err(|e| e.to_string())?;
    with_envelope(doc, &bytes, dir, done)
}

/// [`to_drop_document`] on the document's bytes, decoded once by the caller.
fn with_envelope(mut doc: RawDocument, bytes: &[u8], dir: &Path, done: &Path) -> Result<RawDocument, String> {
    let ct = doc.content_type.clone().unwrap_or_default();
    let env = envelope::read(bytes, &ct)?;
    let done_url = file_url(done);
    let folder = folder_name(dir);
    let uri = env.uri.clone().unwrap_or_else(|| doc.uri.clone());
    doc.id = raw_document_id(&folder, &uri, &version_key(env.version, &content_id(&[bytes])));
    doc.kind = SourceKind::Drop;
    doc.source = Some(folder);
    doc.uri = uri;
    doc.version = env.version;
    doc.hints = env.hints;
    if let Some(u) = done_url {
        doc.url = Some(u);
    }
    Ok(doc)
}

/// The first bytes of the file at `path` (a dead letter's excerpt) and its size; empty and
/// 0 when it cannot be read.
async fn file_head(path: &Path) -> (Vec<u8>, u64) {
    use tokio::io::AsyncReadExt as _;
    let Ok(file) = tokio::fs::File::open(path).await else {
        return (Vec::new(), 0);
    };
    let size = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let mut head = Vec::with_capacity(EXCERPT_BYTES);
    let _ = file.take(EXCERPT_BYTES as u64).read_to_end(&mut head).await;
    (head, size)
}

async fn fail(bus: &Bus, cfg: &DropConfig, path: &Path, name: &str, reason: &str) -> DropOutcome {
    let failed = target(&cfg.dir.join("failed"), name);
    let moved = match tokio::fs::rename(path, &failed).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot move failed drop file");
            false
        }
    };
    let reason_path = failed.with_file_name(format!(
        "{}.reason",
        failed
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    if let Err(e) = tokio::fs::write(&reason_path, format!("{reason}\n")).await {
        tracing::warn!(path = %reason_path.display(), error = %e, "cannot write reason file");
    }
    // The file's first bytes and size, read back from where it now lies.
    let (head, size) = file_head(if moved { &failed } else { path }).await;
    let dl = crate::poll::dead_letter_of("drop", &path.display().to_string(), reason, &head);
    bus.dead_letter(dl.with_input_size(size)).await;
    DropOutcome::Failed {
        path: failed,
        reason: reason.to_string(),
    }
}
