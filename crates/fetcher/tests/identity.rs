//! The one raw-document id recipe, through the ways a document comes in: a drop folder, the
//! push endpoint's document builder and `ingest`'s file reader (no bus needed: ids are
//! decided before publishing).

use std::path::Path;

use wirefold_fetcher::dropdir::to_drop_document;
use wirefold_fetcher::files::read_document;
use wirefold_fetcher::{content_id, push, raw_document_id, version_key};

const LIMIT: u64 = 1 << 20;

fn ninjs(uri: &str, version: u64, body: &str) -> String {
    format!(
        r#"{{"uri": "{uri}", "version": "{version}", "type": "text", "headline": "Talks resume", "body_text": "{body}"}}"#
    )
}

/// Drops `text` as `name` into a folder named `folder` under `root` and returns its raw
/// document.
fn dropped(root: &Path, folder: &str, name: &str, text: &str) -> wirefold_wire::RawDocument {
    let dir = root.join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let doc = read_document(&path, LIMIT).unwrap();
    to_drop_document(doc, &dir, &dir.join("done").join(name)).unwrap()
}

#[test]
fn one_version_of_one_item_is_one_document_however_it_arrives() {
    let tmp = tempfile::tempdir().unwrap();
    let v1 = ninjs("urn:agency:item:1", 1, "Negotiators met in Geneva.");
    let dropped_v1 = dropped(tmp.path(), "agency", "a.json", &v1);
    // The same version again, under another file name: a redelivery.
    let again = dropped(tmp.path(), "agency", "b.json", &v1);
    assert_eq!(dropped_v1.id, again.id);
    // The same version pushed by the same source.
    let pushed = push::document(v1.as_bytes(), "application/json", "agency".into()).unwrap();
    assert_eq!(pushed.id, dropped_v1.id, "one recipe for drops and pushes");
    assert_eq!(
        dropped_v1.id,
        raw_document_id("agency", "urn:agency:item:1", &version_key(Some(1), "ignored"))
    );

    // A new version is a new document; so is the same item from another source.
    let v2 = ninjs("urn:agency:item:1", 2, "Negotiators met again in Geneva.");
    assert_ne!(dropped(tmp.path(), "agency", "c.json", &v2).id, dropped_v1.id);
    assert_ne!(dropped(tmp.path(), "other", "a.json", &v1).id, dropped_v1.id);
}

#[test]
fn without_a_stated_version_the_content_tells_versions_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let a = dropped(
        tmp.path(),
        "agency",
        "story.txt",
        "GENEVA - Talks resumed on Monday.",
    );
    let b = dropped(
        tmp.path(),
        "agency",
        "story.txt",
        "GENEVA - Talks resumed on Monday, officials said.",
    );
    assert_eq!(a.uri, b.uri, "same file, same item");
    assert_ne!(a.id, b.id, "new content, new document");
    let bytes = std::fs::read(tmp.path().join("agency/story.txt")).unwrap();
    assert_eq!(b.id, raw_document_id("agency", &b.uri, &content_id(&[&bytes])));

    // A file given to `ingest` has no source: its id is its URL and its content.
    let f = read_document(&tmp.path().join("agency/story.txt"), LIMIT).unwrap();
    assert_eq!(f.id, raw_document_id("", &f.uri, &content_id(&[&bytes])));
    assert_ne!(f.id, b.id);
}

#[test]
fn the_version_key_is_the_stated_version_else_the_content() {
    assert_eq!(version_key(Some(3), "abc"), "v3");
    assert_eq!(version_key(None, "abc"), "abc");
    // Parts are length-prefixed: moving a character from one part to the next changes the id.
    assert_ne!(raw_document_id("ab", "c", "v1"), raw_document_id("a", "bc", "v1"));
}
