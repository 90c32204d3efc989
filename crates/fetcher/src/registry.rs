//! The run-time source registry in the JetStream KV bucket `wirefold_sources`: one key per
//! source name holding its [`SourceSpec`] as JSON. Every fetcher re-reads it periodically,
//! so sources added, paused or removed at run time take effect everywhere without a
//! restart. The sources file is merged into it at start ([`sources_sync`]).
//!
//! Removing a source keeps its fetch state, so adding it again under the same name does
//! not republish what was already sent.

use bytes::Bytes;
use wirefold_bus::{Bus, KvBucket};
use wirefold_wire::subjects;

use crate::config::{SourceSpec, SourcesFile, validate_name};
use crate::state::{SourceState, StateStore};
use crate::{FetchError, ms_rfc3339};

/// A source with what the fetchers know about it, for `wirefold sources list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceStatus {
    /// The declaration.
    pub spec: SourceSpec,
    /// Its fetch state (default when never polled).
    pub state: SourceState,
}

impl SourceStatus {
    /// Column names matching [`std::fmt::Display`].
    pub const HEADER: &'static str =
        "NAME\tKIND\tSTATE\tFETCHES\t304S\tPUBLISHED\tERRORS\tLAST_SUCCESS\tNEXT_POLL\tURL\tLAST_ERROR";
}

impl std::fmt::Display for SourceStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.state;
        let status = if self.spec.paused {
            "paused"
        } else if s.consecutive_errors > 0 {
            "failing"
        } else {
            "active"
        };
        write!(
            f,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            self.spec.name,
            self.spec.kind.as_str(),
            status,
            s.counters.fetches,
            s.counters.not_modified,
            s.counters.published,
            s.counters.errors,
            ms_rfc3339(s.last_success_ms),
            ms_rfc3339(s.next_poll_ms),
            self.spec.url,
            s.last_error.as_deref().unwrap_or("-"),
        )
    }
}

async fn bucket(bus: &Bus) -> Result<KvBucket, FetchError> {
    Ok(bus.kv_bucket(subjects::SOURCES_BUCKET).await?)
}

fn encode(spec: &SourceSpec) -> Bytes {
    // A SourceSpec is plain strings, numbers and booleans: serializing cannot fail.
    Bytes::from(serde_json::to_vec(spec).unwrap_or_default())
}

fn decode(name: &str, bytes: &[u8]) -> Result<SourceSpec, FetchError> {
    serde_json::from_slice(bytes).map_err(|e| FetchError::Corrupt {
        what: format!("source {name}"),
        message: e.to_string(),
    })
}

/// Adds a source; an existing name is an error.
pub async fn sources_add(bus: &Bus, spec: SourceSpec) -> Result<(), FetchError> {
    spec.validate()?;
    match bucket(bus).await?.create(&spec.name, encode(&spec)).await? {
        Some(_) => {
            tracing::info!(source = %spec.name, url = %spec.url, "source added");
            Ok(())
        }
        None => Err(FetchError::SourceExists(spec.name)),
    }
}

/// All sources, sorted by name, with their fetch state.
pub async fn sources_list(bus: &Bus) -> Result<Vec<SourceStatus>, FetchError> {
    let store = StateStore::open(bus).await?;
    let mut out = Vec::new();
    for spec in load_specs(bus).await? {
        let state = store.load(&spec.name).await.map(|v| v.state).unwrap_or_default();
        out.push(SourceStatus { spec, state });
    }
    Ok(out)
}

/// Pauses (`true`) or resumes (`false`) a source.
pub async fn sources_pause(bus: &Bus, name: &str, paused: bool) -> Result<(), FetchError> {
    validate_name(name)?;
    let kv = bucket(bus).await?;
    for _ in 0..10 {
        let Some(e) = kv.get(name).await? else {
            return Err(FetchError::UnknownSource(name.into()));
        };
        let mut spec = decode(name, &e.value)?;
        if spec.paused == paused {
            return Ok(());
        }
        spec.paused = paused;
        if kv.update(name, encode(&spec), e.revision).await?.is_some() {
            tracing::info!(source = name, paused, "source paused state changed");
            return Ok(());
        }
    }
    Err(FetchError::Config(format!(
        "source {name} keeps changing under us, try again"
    )))
}

/// Removes a source from the registry (its fetch state is kept).
pub async fn sources_remove(bus: &Bus, name: &str) -> Result<(), FetchError> {
    validate_name(name)?;
    let kv = bucket(bus).await?;
    if kv.get(name).await?.is_none() {
        return Err(FetchError::UnknownSource(name.into()));
    }
    kv.delete(name).await?;
    tracing::info!(source = name, "source removed");
    Ok(())
}

/// What [`sources_sync`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Sources created.
    pub added: Vec<String>,
    /// Sources whose declaration changed.
    pub updated: Vec<String>,
    /// Sources already as declared.
    pub unchanged: Vec<String>,
}

/// Merges a sources file into the registry: missing sources are added, changed ones
/// updated (a run-time pause survives unless the file itself says `paused = true`), and
/// sources only in the registry are left alone.
pub async fn sources_sync(bus: &Bus, file: &SourcesFile) -> Result<SyncReport, FetchError> {
    let kv = bucket(bus).await?;
    let mut report = SyncReport::default();
    for declared in &file.sources {
        declared.validate()?;
        let mut done = false;
        for _ in 0..10 {
            match kv.get(&declared.name).await? {
                None => {
                    if kv.create(&declared.name, encode(declared)).await?.is_some() {
                        report.added.push(declared.name.clone());
                        done = true;
                        break;
                    }
                }
                Some(e) => {
                    let current = decode(&declared.name, &e.value)?;
                    let mut wanted = declared.clone();
                    wanted.paused = declared.paused || current.paused;
                    if wanted == current {
                        report.unchanged.push(declared.name.clone());
                        done = true;
                        break;
                    }
                    if kv
                        .update(&declared.name, encode(&wanted), e.revision)
                        .await?
                        .is_some()
                    {
                        report.updated.push(declared.name.clone());
                        done = true;
                        break;
                    }
                }
            }
        }
        if !done {
            return Err(FetchError::Config(format!(
                "source {} keeps changing under us",
                declared.name
            )));
        }
    }
    tracing::info!(
        added = report.added.len(),
        updated = report.updated.len(),
        unchanged = report.unchanged.len(),
        "sources file synced"
    );
    Ok(report)
}

/// Every registered source, sorted by name; undecodable entries are skipped with a warning.
pub async fn load_specs(bus: &Bus) -> Result<Vec<SourceSpec>, FetchError> {
    let kv = bucket(bus).await?;
    let mut out = Vec::new();
    for key in kv.keys().await? {
        if let Some(e) = kv.get(&key).await? {
            match decode(&key, &e.value) {
                Ok(spec) => out.push(spec),
                Err(err) => tracing::warn!(key, error = %err, "skipping undecodable source"),
            }
        }
    }
    Ok(out)
}
