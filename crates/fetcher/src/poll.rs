//! One poll of one source: fetch (conditionally), parse, publish what is new or changed,
//! update the in-memory [`SourceState`] (validators, seen fingerprints, counters, next
//! poll). Loading and saving the state and holding the lease is the worker's job.
//!
//! Identity: a document's id (= `Nats-Msg-Id`) is [`raw_document_id`]`(source, item uri,
//! fingerprint)`, where the fingerprint is the item's version key as the source describes
//! it (feed item fields, sitemap `lastmod`, page body hash, a wire item's stated version). Re-polling an unchanged item gives
//! the same id; a changed item keeps its `uri` and gets a new id.

use std::sync::Arc;
use std::time::Duration;

use url::Url;
use wirefold_bus::Bus;
use wirefold_wire::{DeadLetter, ItemHints, RawBody, RawDocument, SCHEMA_VERSION, SourceKind, subjects};

use crate::config::{Limits, SourceSpec, SourceType};
use crate::net::{HttpError, Response, Validators, readable_content_type};
use crate::polite::Polite;
use crate::schedule::{self, Observation};
use crate::sitemap::Sitemap;
use crate::state::SourceState;
use crate::{FetchError, content_id, feeds, now_rfc3339, raw_document_id, sitemap, version_key};

/// Pages of one sitemap, with the child sitemap's (key, body hash) when it came from an index.
type UrlList = (Option<(String, String)>, Vec<sitemap::SitemapUrl>);

/// Child sitemaps read per index.
const MAX_CHILD_SITEMAPS: usize = 50;

/// What a poll needs.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Where documents and dead letters go.
    pub bus: Bus,
    /// Paced, robots-aware HTTP.
    pub polite: Arc<Polite>,
    /// Bounds.
    pub limits: Limits,
}

/// The interval bounds of a source.
pub fn bounds(spec: &SourceSpec, limits: &Limits) -> (Duration, Duration) {
    let min = spec
        .min_interval_secs
        .map_or(limits.min_interval, Duration::from_secs);
    let max = spec
        .max_interval_secs
        .map_or(limits.max_interval, Duration::from_secs)
        .max(min);
    (min, max)
}

/// Polls `spec` once at `now` (Unix ms), updating `st`: counters, validators, seen items,
/// error and schedule. Returns the poll's error after recording it.
pub async fn poll_once(
    ctx: &Ctx,
    spec: &SourceSpec,
    st: &mut SourceState,
    now: i64,
) -> Result<(), FetchError> {
    st.last_attempt_ms = now;
    // Linked pages are no longer fetched after half the lease: the rest wait for the next
    // poll rather than outlive this fetcher's ownership of the source.
    let deadline = tokio::time::Instant::now() + ctx.limits.lease_ttl / 2;
    let result = match Url::parse(&spec.url) {
        Err(e) => Err(FetchError::Config(format!("invalid url {}: {e}", spec.url))),
        Ok(url) => match spec.kind {
            SourceType::Feed => poll_feed(ctx, spec, &url, st, deadline).await,
            SourceType::Page => poll_page(ctx, spec, &url, st).await,
            SourceType::Sitemap => poll_sitemap(ctx, spec, &url, st, deadline).await,
        },
    };
    let (min, max) = bounds(spec, &ctx.limits);
    st.trim(ctx.limits.max_seen_items);
    match result {
        Ok(obs) => {
            st.consecutive_errors = 0;
            st.last_error = None;
            st.last_success_ms = now;
            let interval = schedule::next_interval(Duration::from_millis(st.interval_ms), obs, min, max);
            st.interval_ms = interval.as_millis() as u64;
            st.next_poll_ms = now + schedule::jitter(interval, 0.1).as_millis() as i64;
            Ok(())
        }
        Err(e) => {
            st.counters.errors += 1;
            st.consecutive_errors += 1;
            st.last_error = Some(e.to_string());
            let retry_after = match &e {
                FetchError::Http(HttpError::Status { retry_after, .. }) => *retry_after,
                FetchError::Http(HttpError::HostBusy(d)) => Some(*d),
                _ => None,
            };
            let delay = schedule::backoff(
                st.consecutive_errors,
                min,
                max,
                retry_after,
                ctx.limits.max_retry_after,
            );
            // Never earlier than Retry-After: jitter only upwards then.
            let jittered = schedule::jitter(delay, 0.1);
            let delay = if retry_after.is_some() {
                jittered.max(delay)
            } else {
                jittered
            };
            st.next_poll_ms = now + delay.as_millis() as i64;
            let permanent = match &e {
                FetchError::Http(h) => h.is_permanent(),
                FetchError::Bus(_) => false,
                // Dead-lettered where parsed, with an excerpt of the input.
                FetchError::Malformed { .. } => false,
                _ => true,
            };
            tracing::warn!(source = %spec.name, url = %spec.url, error = %e, retry_in = ?delay, "poll failed");
            if permanent {
                dead_letter(&ctx.bus, &spec.name, &spec.url, &e.to_string(), &[]).await;
            }
            Err(e)
        }
    }
}

/// The fetcher's dead letter about `input` from `source` (a source's name, `drop`), read
/// at `origin` (a URL or a path).
pub fn dead_letter_of(source: &str, origin: &str, reason: &str, input: &[u8]) -> DeadLetter {
    DeadLetter::new("fetcher", reason, input)
        .with_input_id(Some(source))
        .with_origin(Some(origin))
}

/// Records a dead letter for a source or one of its items.
pub async fn dead_letter(bus: &Bus, source: &str, origin: &str, reason: &str, input: &[u8]) {
    bus.dead_letter(dead_letter_of(source, origin, reason, input))
        .await;
}

fn validators(st: &SourceState) -> Validators {
    Validators {
        etag: st.etag.clone(),
        last_modified: st.last_modified.clone(),
    }
}

/// What polling a source document found.
enum Fetched {
    /// 304, or the same bytes as last time (`hint`: the response's `max-age`).
    Unchanged(Observation),
    /// New bytes, with their content id.
    Changed(Box<Response>, String),
}

/// Fetches the source document itself (at most `max_bytes`), with the validators of the
/// last fetch; [`Fetched::Unchanged`] on a 304 or when `seen` says these bytes were
/// handled already.
async fn fetch_source(
    ctx: &Ctx,
    url: &Url,
    st: &mut SourceState,
    max_bytes: u64,
    seen: impl FnOnce(&SourceState, &str) -> bool,
) -> Result<Fetched, FetchError> {
    let resp = ctx.polite.get(url, &validators(st), max_bytes).await?;
    st.counters.fetches += 1;
    let unchanged = |hint| Ok(Fetched::Unchanged(Observation { changed: false, hint }));
    if resp.not_modified {
        st.counters.not_modified += 1;
        return unchanged(resp.max_age);
    }
    if !readable_content_type(resp.content_type.as_deref()) {
        return Err(HttpError::ContentType(resp.content_type.unwrap_or_default()).into());
    }
    st.etag = resp.validators.etag.clone();
    st.last_modified = resp.validators.last_modified.clone();
    let hash = content_id(&[&resp.body]);
    if seen(st, &hash) {
        return unchanged(resp.max_age);
    }
    Ok(Fetched::Changed(Box::new(resp), hash))
}

/// The feed or sitemap body was handled before (its content id is the source's last).
fn same_body(st: &SourceState, hash: &str) -> bool {
    st.body_hash.as_deref() == Some(hash)
}

/// Publishes a document unless the stream has it; counts it and marks the item seen.
#[allow(clippy::too_many_arguments)]
async fn publish(
    ctx: &Ctx,
    spec: &SourceSpec,
    st: &mut SourceState,
    kind: SourceKind,
    uri: &str,
    fp: &str,
    url: Option<String>,
    content_type: Option<String>,
    hints: ItemHints,
    body: Vec<u8>,
) -> Result<(), FetchError> {
    let now = crate::now_ms();
    if body.len() as u64 > ctx.limits.max_document_bytes {
        let reason = format!(
            "document of {} bytes exceeds the {} byte limit",
            body.len(),
            ctx.limits.max_document_bytes
        );
        dead_letter(
            &ctx.bus,
            &spec.name,
            url.as_deref().unwrap_or(uri),
            &reason,
            &body,
        )
        .await;
        st.mark(uri, fp, now);
        return Ok(());
    }
    let doc = RawDocument {
        schema: SCHEMA_VERSION,
        id: raw_document_id(&spec.name, uri, fp),
        uri: uri.to_string(),
        version: None,
        kind,
        source: Some(spec.name.clone()),
        url,
        content_type,
        received: now_rfc3339(),
        hints,
        body: RawBody::from_bytes(body),
    };
    let ack = ctx.bus.publish(&subjects::raw(kind), &doc.id, &doc).await?;
    if ack.duplicate {
        st.counters.duplicates += 1;
    } else {
        st.counters.published += 1;
    }
    tracing::debug!(source = %spec.name, uri, id = %doc.id, duplicate = ack.duplicate, "published");
    st.mark(uri, fp, now);
    Ok(())
}

/// A linked page: `Ok(Some)` to publish, `Ok(None)` to give up on the page for good (the
/// caller falls back), `Err` to try again at the next poll.
async fn fetch_page(ctx: &Ctx, spec: &SourceSpec, link: &str) -> Result<Option<Response>, HttpError> {
    let url = Url::parse(link).map_err(|_| HttpError::BadUrl(link.to_string()))?;
    match ctx
        .polite
        .get(&url, &Validators::default(), ctx.limits.max_document_bytes)
        .await
    {
        Ok(r) if r.not_modified => Ok(None),
        Ok(r) if !readable_content_type(r.content_type.as_deref()) => {
            let reason = format!("linked page has content type {:?}", r.content_type);
            dead_letter(&ctx.bus, &spec.name, link, &reason, &[]).await;
            Ok(None)
        }
        Ok(r) => Ok(Some(r)),
        Err(e) if e.is_permanent() => {
            dead_letter(&ctx.bus, &spec.name, link, &format!("linked page: {e}"), &[]).await;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

async fn poll_feed(
    ctx: &Ctx,
    spec: &SourceSpec,
    url: &Url,
    st: &mut SourceState,
    deadline: tokio::time::Instant,
) -> Result<Observation, FetchError> {
    let (resp, hash) = match fetch_source(ctx, url, st, ctx.limits.max_body_bytes, same_body).await? {
        Fetched::Changed(resp, hash) => (resp, hash),
        Fetched::Unchanged(obs) => return Ok(obs),
    };
    let body = resp.body.clone();
    let base = resp.url.to_string();
    let parsed = tokio::task::spawn_blocking(move || feeds::parse_feed(&body, Some(&base)))
        .await
        .map_err(|e| FetchError::Malformed {
            what: "feed",
            message: format!("parser task failed: {e}"),
        })?;
    let feed = match parsed {
        Ok(f) => f,
        Err(e) => {
            // A feed URL that serves agency documents (a NewsML-G2 news message, NITF,
            // ninjs) rather than RSS/Atom/JSON Feed: the document is the item.
            if let Some(obs) = wire_document(ctx, spec, st, &resp, &hash).await? {
                st.body_hash = Some(hash);
                return Ok(obs);
            }
            dead_letter(&ctx.bus, &spec.name, url.as_str(), &e.to_string(), &resp.body).await;
            return Err(e);
        }
    };
    let now = crate::now_ms();
    let mut changed = false;
    let mut incomplete = false;
    let mut fetched_pages = 0usize;
    for item in feed.items {
        if st.is_seen(&item.uri, &item.fingerprint) {
            st.touch(&item.uri, now);
            continue;
        }
        let offline = |item: &feeds::FeedItem| {
            let (body, hints) = item.offline();
            (body, Some("text/html".to_string()), item.link.clone(), hints)
        };
        let (body, content_type, link, hints) = if item.content.is_some() {
            offline(&item)
        } else if let (true, Some(link)) = (spec.fetch_pages, &item.link) {
            if fetched_pages >= ctx.limits.max_items_per_poll || tokio::time::Instant::now() > deadline {
                incomplete = true;
                continue;
            }
            fetched_pages += 1;
            match fetch_page(ctx, spec, link).await {
                Ok(Some(page)) => (
                    page.body.to_vec(),
                    Some(page.content_type.clone().unwrap_or_else(|| "text/html".into())),
                    Some(page.url.to_string()),
                    item.hints.clone(),
                ),
                Ok(None) => offline(&item),
                Err(e) => {
                    tracing::info!(source = %spec.name, link, error = %e, "linked page not fetched, retrying next poll");
                    incomplete = true;
                    continue;
                }
            }
        } else {
            offline(&item)
        };
        publish(
            ctx,
            spec,
            st,
            SourceKind::Feed,
            &item.uri,
            &item.fingerprint,
            link,
            content_type,
            hints,
            body,
        )
        .await?;
        changed = true;
    }
    if !incomplete {
        st.body_hash = Some(hash);
    }
    let hint = match (feed.ttl, resp.max_age) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    Ok(Observation { changed, hint })
}

/// Publishes a polled body that is an agency wire document under its own identity
/// (`uri`, `version`), as drop folders and pushes do. `Ok(None)`: not a wire document.
async fn wire_document(
    ctx: &Ctx,
    spec: &SourceSpec,
    st: &mut SourceState,
    resp: &Response,
    hash: &str,
) -> Result<Option<Observation>, FetchError> {
    let ct = resp.content_type.clone().unwrap_or_default();
    let (b, c) = (resp.body.clone(), ct.clone());
    let read = tokio::task::spawn_blocking(move || crate::envelope::read(&b, &c))
        .await
        .map_err(|e| FetchError::Malformed {
            what: "wire document",
            message: format!("reader task failed: {e}"),
        })?;
    let env = match read {
        Ok(env) if env.format.is_some() => env,
        Ok(_) => return Ok(None),
        // JSON that does not parse at all is a broken feed as much as a broken ninjs item.
        Err(reason) if reason.contains("malformed json") => return Ok(None),
        Err(reason) => {
            dead_letter(&ctx.bus, &spec.name, resp.url.as_str(), &reason, &resp.body).await;
            return Err(FetchError::Malformed {
                what: "wire document",
                message: reason,
            });
        }
    };
    let uri = env.uri.clone().unwrap_or_else(|| resp.url.to_string());
    let fp = version_key(env.version, hash);
    if st.is_seen(&uri, &fp) {
        return Ok(Some(Observation {
            changed: false,
            hint: resp.max_age,
        }));
    }
    let content_type = match env.format {
        Some("ninjs") => "application/json",
        Some("anpa" | "tagged") => "text/plain",
        Some("email") => "message/rfc822",
        _ => "application/xml",
    };
    publish(
        ctx,
        spec,
        st,
        SourceKind::Feed,
        &uri,
        &fp,
        Some(resp.url.to_string()),
        Some(content_type.to_string()),
        env.hints,
        resp.body.to_vec(),
    )
    .await?;
    Ok(Some(Observation {
        changed: true,
        hint: resp.max_age,
    }))
}

async fn poll_page(
    ctx: &Ctx,
    spec: &SourceSpec,
    url: &Url,
    st: &mut SourceState,
) -> Result<Observation, FetchError> {
    let seen = |st: &SourceState, fp: &str| st.is_seen(&spec.url, fp);
    let (resp, fp) = match fetch_source(ctx, url, st, ctx.limits.max_document_bytes, seen).await? {
        Fetched::Changed(resp, fp) => (resp, fp),
        Fetched::Unchanged(obs) => return Ok(obs),
    };
    let ct = resp.content_type.clone().unwrap_or_else(|| "text/html".into());
    publish(
        ctx,
        spec,
        st,
        SourceKind::Page,
        &spec.url,
        &fp,
        Some(resp.url.to_string()),
        Some(ct),
        ItemHints::default(),
        resp.body.to_vec(),
    )
    .await?;
    Ok(Observation {
        changed: true,
        hint: resp.max_age,
    })
}

async fn poll_sitemap(
    ctx: &Ctx,
    spec: &SourceSpec,
    url: &Url,
    st: &mut SourceState,
    deadline: tokio::time::Instant,
) -> Result<Observation, FetchError> {
    let (resp, hash) = match fetch_source(ctx, url, st, ctx.limits.max_body_bytes, same_body).await? {
        Fetched::Changed(resp, hash) => (resp, hash),
        Fetched::Unchanged(obs) => return Ok(obs),
    };
    let parsed = sitemap::parse_sitemap(&resp.body);
    let top = match parsed {
        Ok(s) => s,
        Err(e) => {
            dead_letter(&ctx.bus, &spec.name, url.as_str(), &e.to_string(), &resp.body).await;
            return Err(e);
        }
    };
    // (child sitemap url, its body hash) for children whose pages were all handled.
    let mut lists: Vec<UrlList> = Vec::new();
    match top {
        Sitemap::Urls(urls) => lists.push((None, urls)),
        Sitemap::Index(children) => {
            for child in children.into_iter().take(MAX_CHILD_SITEMAPS) {
                let Ok(child_url) = resp.url.join(&child) else {
                    continue;
                };
                let r = match ctx
                    .polite
                    .get(&child_url, &Validators::default(), ctx.limits.max_body_bytes)
                    .await
                {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::info!(source = %spec.name, child = %child_url, error = %e, "child sitemap not fetched");
                        continue;
                    }
                };
                let child_hash = content_id(&[&r.body]);
                let key = format!("sitemap:{child_url}");
                if st.is_seen(&key, &child_hash) {
                    st.touch(&key, crate::now_ms());
                    continue;
                }
                match sitemap::parse_sitemap(&r.body) {
                    Ok(Sitemap::Urls(urls)) => lists.push((Some((key, child_hash)), urls)),
                    Ok(Sitemap::Index(_)) => {
                        tracing::info!(child = %child_url, "nested sitemap index ignored")
                    }
                    Err(e) => {
                        dead_letter(&ctx.bus, &spec.name, child_url.as_str(), &e.to_string(), &r.body).await
                    }
                }
            }
        }
    }
    let now = crate::now_ms();
    let mut changed = false;
    let mut any_incomplete = false;
    let mut fetched = 0usize;
    for (child, urls) in lists {
        let mut incomplete = false;
        for u in urls {
            let Ok(loc) = resp.url.join(&u.loc) else { continue };
            let uri = loc.to_string();
            let fp = u.fingerprint();
            if st.is_seen(&uri, &fp) {
                st.touch(&uri, now);
                continue;
            }
            if fetched >= ctx.limits.max_items_per_poll || tokio::time::Instant::now() > deadline {
                incomplete = true;
                break;
            }
            fetched += 1;
            match fetch_page(ctx, spec, &uri).await {
                Ok(Some(page)) => {
                    let ct = page.content_type.clone().unwrap_or_else(|| "text/html".into());
                    // Without lastmod or a news date the page body is the version.
                    let fp = if fp.is_empty() {
                        content_id(&[&page.body])
                    } else {
                        fp
                    };
                    publish(
                        ctx,
                        spec,
                        st,
                        SourceKind::Sitemap,
                        &uri,
                        &fp,
                        Some(page.url.to_string()),
                        Some(ct),
                        u.hints.clone(),
                        page.body.to_vec(),
                    )
                    .await?;
                    // Remember the listing's fingerprint too, so an unchanged entry is skipped.
                    st.mark(&uri, &u.fingerprint(), now);
                    changed = true;
                }
                Ok(None) => st.mark(&uri, &fp, now),
                Err(e) => {
                    tracing::info!(source = %spec.name, page = %uri, error = %e, "page not fetched, retrying next poll");
                    incomplete = true;
                }
            }
        }
        if let (false, Some((key, h))) = (incomplete, child) {
            st.mark(&key, &h, now);
        }
        any_incomplete |= incomplete;
    }
    if !any_incomplete {
        st.body_hash = Some(hash);
    }
    Ok(Observation {
        changed,
        hint: resp.max_age,
    })
}
