//! `wirefold extract` on a file, run as the binary: the first item by default (and a word
//! on stderr when the document holds more), every item with `--all`, and a clear error
//! for a document with nothing usable.

use std::path::Path;
use std::process::{Command, Output};

const WIREFOLD: &str = env!("CARGO_BIN_EXE_wirefold");

/// A NewsML-G2 message with two text items, a picture and a package that names an item
/// the message does not carry.
const MESSAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header/><itemSet>
<packageItem guid="pkg-1"><groupSet><group><itemRef residref="quake-1"/><itemRef residref="missing-9"/></group></groupSet></packageItem>
<newsItem guid="quake-1" version="2" xml:lang="en"><itemMeta><itemClass qcode="ninat:text"/><pubStatus qcode="stat:usable"/>
 <versionCreated>2024-01-02T10:05:00Z</versionCreated></itemMeta>
 <contentMeta><slugline>QUAKE</slugline><headline>Quake hits the coast</headline><by>Jane Doe</by></contentMeta>
 <contentSet><inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><body>
 <p>A strong earthquake hit the coast on Tuesday morning, damaging houses and roads.</p>
 <p>Rescue teams reached the worst-hit villages by the afternoon.</p></body></html></inlineXML></contentSet></newsItem>
<newsItem guid="rates-1" version="1" xml:lang="en"><itemMeta><itemClass qcode="ninat:text"/><pubStatus qcode="stat:usable"/>
 <versionCreated>2024-01-02T11:00:00Z</versionCreated></itemMeta>
 <contentMeta><headline>Central bank holds rates</headline></contentMeta>
 <contentSet><inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><body>
 <p>The central bank kept its main interest rate unchanged on Tuesday, as expected.</p></body></html></inlineXML></contentSet></newsItem>
<newsItem guid="pic-1" version="1"><itemMeta><itemClass qcode="ninat:picture"/></itemMeta>
 <contentMeta><description role="drol:caption">Rescuers search a collapsed house.</description></contentMeta></newsItem>
</itemSet></newsMessage>
"#;

fn extract(dir: &Path, name: &str, body: &str, flags: &[&str]) -> Output {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    Command::new(WIREFOLD)
        .arg("extract")
        .args(flags)
        .arg(&path)
        .output()
        .expect("run wirefold extract")
}

#[test]
fn first_item_by_default_every_item_with_all() {
    let dir = tempfile::tempdir().unwrap();

    let one = extract(dir.path(), "message.xml", MESSAGE, &[]);
    assert!(one.status.success(), "{}", String::from_utf8_lossy(&one.stderr));
    let first: serde_json::Value = serde_json::from_slice(&one.stdout).expect("one JSON document");
    assert_eq!(first["headline"], "Quake hits the coast");
    assert_eq!(first["title"], first["headline"], "the short alias is kept");
    assert_eq!(first["slugline"], "QUAKE");
    assert!(first["body"].as_str().unwrap().starts_with("A strong earthquake"));
    let stderr = String::from_utf8_lossy(&one.stderr);
    assert!(stderr.contains("2 more items; --all"), "{stderr}");

    let all = extract(dir.path(), "message.xml", MESSAGE, &["--all"]);
    assert!(all.status.success(), "{}", String::from_utf8_lossy(&all.stderr));
    let items: Vec<serde_json::Value> = String::from_utf8(all.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line per item"))
        .collect();
    let heads: Vec<(&str, &str)> = items
        .iter()
        .map(|v| (v["type"].as_str().unwrap(), v["headline"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(heads.len(), 3, "{heads:?}");
    assert_eq!(heads[0], ("text", "Quake hits the coast"));
    assert_eq!(heads[1], ("text", "Central bank holds rates"));
    assert_eq!(heads[2].0, "picture");
    assert_eq!(items[1]["uri"], "rates-1");
    let stderr = String::from_utf8_lossy(&all.stderr);
    assert!(
        stderr.contains("skipped:") && stderr.contains("missing-9"),
        "the package's missing item is reported: {stderr}"
    );
}

#[test]
fn a_document_with_nothing_usable_fails_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = extract(
        dir.path(),
        "event.json",
        r#"{"uri": "urn:event:1", "type": "event", "headline": "Press conference"}"#,
        &["--all"],
    );
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot extract an article from"), "{stderr}");
    assert!(stderr.contains("not a news item"), "{stderr}");
}
