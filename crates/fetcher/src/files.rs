//! Files and directories handed to `wirefold ingest`: each regular file becomes one raw
//! document with a `file://` URL, or a [`Rejection`] that says why not.
//!
//! Bounds: a file larger than the limit is refused from its metadata without being read;
//! binary files (NUL bytes or well-known binary signatures in the first block) and empty
//! files are refused. Text that is not UTF-8 is carried as bytes for the normalizer to
//! decode. Hidden files and symlinked directories are skipped during directory walks.

use std::path::{Path, PathBuf};

use wirefold_bus::{Bus, BusError};
use wirefold_wire::{ItemHints, RawBody, RawDocument, SCHEMA_VERSION, SourceKind, subjects};

use crate::{content_id, now_rfc3339, raw_document_id};

/// Why a file was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RejectReason {
    /// The path could not be read.
    #[error("cannot read: {0}")]
    Unreadable(String),
    /// Zero bytes, or only whitespace.
    #[error("empty document")]
    Empty,
    /// Over the size limit.
    #[error("{size} bytes exceeds the {limit} byte document limit")]
    TooLarge {
        /// File size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Not a text document.
    #[error("binary content ({0}), not text, HTML, XML or JSON")]
    Binary(&'static str),
    /// A feed file that gives no documents (no items, or not readable as a feed).
    #[error("{0}")]
    Feed(String),
    /// The bus refused it.
    #[error("publish failed: {0}")]
    Publish(String),
}

/// A file that was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub reason: RejectReason,
}

/// What an ingest run did.
#[derive(Debug, Default)]
pub struct IngestReport {
    /// Accepted: `(path, document id, duplicate)`; `duplicate` when the bus had it already.
    pub accepted: Vec<(PathBuf, String, bool)>,
    /// Refused, with reasons.
    pub rejected: Vec<Rejection>,
}

/// Expands paths into the regular files under them, sorted, recording unreadable ones.
pub fn expand(paths: &[PathBuf], rejected: &mut Vec<Rejection>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        walk(p, &mut out, rejected, 0);
    }
    out
}

fn walk(p: &Path, out: &mut Vec<PathBuf>, rejected: &mut Vec<Rejection>, depth: usize) {
    let meta = match std::fs::metadata(p) {
        Ok(m) => m,
        Err(e) => {
            rejected.push(Rejection {
                path: p.to_path_buf(),
                reason: RejectReason::Unreadable(e.to_string()),
            });
            return;
        }
    };
    if meta.is_file() {
        out.push(p.to_path_buf());
        return;
    }
    if !meta.is_dir() {
        rejected.push(Rejection {
            path: p.to_path_buf(),
            reason: RejectReason::Unreadable("not a regular file or directory".into()),
        });
        return;
    }
    if depth > 32 {
        rejected.push(Rejection {
            path: p.to_path_buf(),
            reason: RejectReason::Unreadable("directory tree too deep".into()),
        });
        return;
    }
    let entries = match std::fs::read_dir(p) {
        Ok(rd) => rd,
        Err(e) => {
            rejected.push(Rejection {
                path: p.to_path_buf(),
                reason: RejectReason::Unreadable(e.to_string()),
            });
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| !(e.file_type().is_ok_and(|t| t.is_symlink()) && e.path().is_dir()))
        .map(|e| e.path())
        .collect();
    children.sort();
    for c in children {
        walk(&c, out, rejected, depth + 1);
    }
}

/// Reads one file into a raw document, or says why not.
pub fn read_document(path: &Path, limit: u64) -> Result<RawDocument, RejectReason> {
    use std::io::Read as _;
    let unreadable = |e: std::io::Error| RejectReason::Unreadable(e.to_string());
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    if size > limit {
        return Err(RejectReason::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // The file may grow between metadata and read: never read past the limit.
    file.take(limit + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(RejectReason::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(RejectReason::Empty);
    }
    if let Some(kind) = sniff_binary(&bytes) {
        return Err(RejectReason::Binary(kind));
    }
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let url = url::Url::from_file_path(&abs)
        .map(String::from)
        .unwrap_or_else(|()| format!("file://{}", abs.display()));
    let content_type = content_type_for(path, &bytes);
    Ok(RawDocument {
        schema: SCHEMA_VERSION,
        id: raw_document_id("", &url, &content_id(&[&bytes])),
        uri: url.clone(),
        version: None,
        kind: SourceKind::File,
        source: None,
        url: Some(url),
        content_type: Some(content_type.to_string()),
        received: now_rfc3339(),
        hints: ItemHints::default(),
        body: RawBody::from_bytes(bytes),
    })
}

/// Media type from the file name, else from the first bytes.
pub fn content_type_for(path: &Path, bytes: &[u8]) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm" | "xhtml") => "text/html",
        Some("json") => "application/json",
        Some("xml" | "nitf" | "newsml") => "application/xml",
        Some("txt" | "text" | "md") => "text/plain",
        _ => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
            let head = head.trim_start_matches('\u{feff}').trim_start();
            if head.starts_with("<!doctype html") || head.starts_with("<html") {
                "text/html"
            } else if head.starts_with("<?xml") {
                "application/xml"
            } else if head.starts_with('{') {
                "application/json"
            } else {
                "text/plain"
            }
        }
    }
}

/// Names the binary format when the first block looks binary.
pub fn sniff_binary(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"%PDF", "PDF"),
        (b"PK\x03\x04", "ZIP archive"),
        (b"\x1f\x8b", "gzip data"),
        (b"\x7fELF", "ELF executable"),
        (b"RIFF", "RIFF media"),
        (b"\x00\x00\x00", "binary data"),
    ];
    if let Some((_, name)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some(name);
    }
    // ANPA 1312 / IPTC 7901 transmissions frame their text with control characters.
    if wirefold_agency::anpa::looks_like(bytes) {
        return None;
    }
    let head = &bytes[..bytes.len().min(8192)];
    // UTF-16 text has NULs too; it is text, the normalizer decodes it.
    if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
        return None;
    }
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !b"\t\n\r\x0c\x1b".contains(&b)))
        .count();
    if head.contains(&0) || controls * 20 > head.len() {
        Some("control bytes")
    } else {
        None
    }
}

/// Publishes every file under `paths`; never stops at a bad file. `source` names the outlet
/// the files come from (`ingest --source`): it is the documents' `source` and part of their
/// ids, as a drop folder's name is (the same file from two outlets is two documents); an
/// item that names its own supplier keeps that name (the normalizer's rule).
pub async fn ingest(bus: &Bus, paths: &[PathBuf], limit: u64, source: Option<&str>) -> IngestReport {
    let source = source.map(str::trim).filter(|s| !s.is_empty());
    let mut report = IngestReport::default();
    let files = expand(paths, &mut report.rejected);
    for path in files {
        let mut doc = match read_document(&path, limit) {
            Ok(d) => d,
            Err(reason) => {
                report.rejected.push(Rejection { path, reason });
                continue;
            }
        };
        let bytes = doc.body.to_bytes().unwrap_or_default();
        if let Some(s) = source {
            doc.id = raw_document_id(s, &doc.uri, &content_id(&[&bytes]));
            doc.source = Some(s.to_string());
        }
        // A feed file is its items, as in a drop folder.
        let url = doc.url.clone();
        let docs = match feed_documents(
            &doc,
            &bytes,
            source.unwrap_or(""),
            SourceKind::File,
            url.as_deref(),
        ) {
            None => vec![doc],
            Some(Ok(docs)) => docs,
            Some(Err(reason)) => {
                report.rejected.push(Rejection {
                    path,
                    reason: RejectReason::Feed(reason),
                });
                continue;
            }
        };
        for doc in docs {
            match bus.publish(&subjects::raw(doc.kind), &doc.id, &doc).await {
                Ok(ack) => report.accepted.push((path.clone(), doc.id, ack.duplicate)),
                Err(e @ BusError::TooLarge { .. }) | Err(e) => report.rejected.push(Rejection {
                    path: path.clone(),
                    reason: RejectReason::Publish(e.to_string()),
                }),
            }
        }
    }
    report
}

/// The documents of a feed file (RSS, RDF, Atom, JSON Feed: an agency's feed file, a
/// WordPress export), one per item, read as polled feeds are ([`crate::feeds`]): the
/// item's full content, else its summary, its guid (else its link) as `uri` and its link
/// as `url` (else `<file_url>#item-<n>`). Of a WordPress export, only the published posts
/// ([`crate::feeds::wordpress_posts`]), their shortcodes rendered
/// ([`crate::feeds::wordpress_content`]). `None` when `doc` is no feed. `source` names the
/// drop folder (empty for `ingest`).
pub fn feed_documents(
    doc: &RawDocument,
    bytes: &[u8],
    source: &str,
    kind: SourceKind,
    file_url: Option<&str>,
) -> Option<Result<Vec<RawDocument>, String>> {
    if !crate::feeds::looks_like_feed(bytes) {
        return None;
    }
    match crate::envelope::read(bytes, doc.content_type.as_deref().unwrap_or("")) {
        Ok(env) if env.format.is_some() => return None,
        Ok(_) => {}
        Err(e) => return Some(Err(e)),
    }
    let feed = match crate::feeds::parse_feed(bytes, None) {
        Ok(f) => f,
        Err(e) => return Some(Err(e.to_string())),
    };
    if feed.items.is_empty() {
        return Some(Err("a feed document with no items".into()));
    }
    // A WordPress export holds a site's pages, attachments, menu items and drafts beside
    // its published posts: only the posts are stories.
    let posts = crate::feeds::wordpress_posts(bytes).filter(|p| p.len() == feed.items.len());
    if let Some(p) = &posts {
        let kept = p.iter().filter(|&&k| k).count();
        if kept == 0 {
            return Some(Err(format!(
                "a WordPress export with no published post ({} items: pages, attachments, menu items or drafts)",
                p.len()
            )));
        }
        tracing::info!(
            posts = kept,
            skipped = p.len() - kept,
            "WordPress export: published posts only"
        );
    }
    Some(Ok(feed
        .items
        .iter()
        .enumerate()
        .filter(|(i, _)| posts.as_ref().is_none_or(|p| p[*i]))
        .map(|(i, it)| {
            let (mut body, hints) = it.offline();
            if posts.is_some()
                && let std::borrow::Cow::Owned(rendered) =
                    crate::feeds::wordpress_content(&String::from_utf8_lossy(&body))
            {
                body = rendered.into_bytes();
            }
            RawDocument {
                schema: doc.schema,
                id: raw_document_id(source, &it.uri, &it.fingerprint),
                uri: it.uri.clone(),
                version: None,
                kind,
                source: (!source.is_empty()).then(|| source.to_string()),
                url: it
                    .link
                    .clone()
                    .or_else(|| file_url.map(|u| format!("{u}#item-{}", i + 1))),
                content_type: Some("text/html".into()),
                received: doc.received.clone(),
                hints,
                body: RawBody::from_bytes(body),
            }
        })
        .collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_files_with_reasons() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        };
        let cases: Vec<(PathBuf, Result<&str, RejectReason>)> = vec![
            (
                write("a.txt", b"Hello world.\n\nSecond paragraph."),
                Ok("text/plain"),
            ),
            (
                write("b.html", b"<html><body><p>x</p></body></html>"),
                Ok("text/html"),
            ),
            (write("latin1.txt", b"Caf\xe9 au lait"), Ok("text/plain")),
            (write("empty.txt", b"  \n "), Err(RejectReason::Empty)),
            (
                write("pic.html", b"\x89PNG\r\n\x1a\n\0\0"),
                Err(RejectReason::Binary("PNG image")),
            ),
            (
                write("nul.txt", b"abc\0def"),
                Err(RejectReason::Binary("control bytes")),
            ),
            (
                write("big.txt", &vec![b'a'; 2000]),
                Err(RejectReason::TooLarge {
                    size: 2000,
                    limit: 1000,
                }),
            ),
        ];
        for (path, want) in cases {
            let got = read_document(&path, 1000).map(|d| d.content_type.unwrap());
            match (got, want) {
                (Ok(ct), Ok(w)) => assert_eq!(ct, w, "{}", path.display()),
                (Err(e), Err(w)) => assert_eq!(e, w, "{}", path.display()),
                (g, w) => panic!("{}: got {g:?}, want {w:?}", path.display()),
            }
        }
        assert!(matches!(
            read_document(&dir.path().join("missing"), 1000),
            Err(RejectReason::Unreadable(_))
        ));
    }

    #[test]
    fn a_wordpress_export_gives_its_published_posts() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("export.xml");
        std::fs::write(&p, crate::feeds::tests::WXR).unwrap();
        let doc = read_document(&p, 1 << 20).unwrap();
        let bytes = doc.body.to_bytes().unwrap();
        let docs = feed_documents(&doc, &bytes, "wp", SourceKind::Drop, None)
            .expect("a feed")
            .unwrap();
        let titles: Vec<_> = docs.iter().map(|d| d.hints.headline.clone().unwrap()).collect();
        assert_eq!(titles, ["Council approves budget", "Roads reopen"]);
        // Shortcodes rendered as the site shows the post.
        assert_eq!(
            docs[0].body.to_bytes().unwrap().as_slice(),
            &b"<p>The council approved the budget.</p>\n"[..]
        );
        // Nothing published: refused with the reason.
        let drafts = crate::feeds::tests::WXR
            .replace("<wp:status>publish</wp:status>", "<wp:status>draft</wp:status>");
        std::fs::write(&p, drafts).unwrap();
        let doc = read_document(&p, 1 << 20).unwrap();
        let bytes = doc.body.to_bytes().unwrap();
        let e = feed_documents(&doc, &bytes, "wp", SourceKind::Drop, None)
            .expect("a feed")
            .unwrap_err();
        assert!(e.contains("no published post"), "{e}");
    }

    #[test]
    fn ids_are_deterministic_and_content_sensitive() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.txt");
        std::fs::write(&p, "one").unwrap();
        let a = read_document(&p, 100).unwrap();
        let b = read_document(&p, 100).unwrap();
        assert_eq!(a.id, b.id);
        assert!(a.url.as_deref().unwrap().starts_with("file:///"));
        std::fs::write(&p, "two").unwrap();
        let c = read_document(&p, 100).unwrap();
        assert_ne!(a.id, c.id);
        assert_eq!(a.uri, c.uri, "same file is the same item across versions");
    }

    #[test]
    fn expand_walks_directories_sorted_and_reports_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.txt"), "b").unwrap();
        std::fs::write(dir.path().join("a.txt"), "a").unwrap();
        std::fs::write(dir.path().join(".hidden"), "h").unwrap();
        let mut rejected = Vec::new();
        let files = expand(
            &[dir.path().to_path_buf(), dir.path().join("nope")],
            &mut rejected,
        );
        let names: Vec<_> = files
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.txt", "sub/b.txt"]);
        assert_eq!(rejected.len(), 1);
    }
}
