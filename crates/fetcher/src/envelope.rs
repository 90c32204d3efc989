//! Wire envelopes: the identity, version and hints that NewsML-G2, NITF and ninjs
//! documents carry about themselves, read from a dropped or pushed document so it can be
//! published with a stable `uri` and `version`.
//!
//! Reads only envelope metadata (guid, version, pubstatus, headline, byline, dates,
//! language); the body stays untouched for the normalizer. Pure.

use wirefold_wire::{ItemHints, PubStatus};

use crate::sitemap::rfc3339;
use crate::xml::{self, Node};

/// What an envelope says about its document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// NewsML-G2 `guid`, NITF `doc-id/@id-string`, ninjs `uri`.
    pub uri: Option<String>,
    /// NewsML-G2 `version`, ninjs `version`, NITF `du-key/@version`.
    pub version: Option<u64>,
    /// Headline, byline, dates, language, pubstatus.
    pub hints: ItemHints,
    /// Which format was recognised (`ninjs`, `newsml-g2`, `nitf`), if any.
    pub format: Option<&'static str>,
}

/// Reads the envelope of a document; unknown formats give an empty envelope. `Err` only
/// for documents that claim to be JSON or XML and are not well-formed.
pub fn read(bytes: &[u8], content_type: &str) -> Result<Envelope, String> {
    let text = String::from_utf8_lossy(bytes);
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if content_type.contains("json") || head.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(head).map_err(|e| format!("malformed json: {e}"))?;
        return Ok(ninjs(&v));
    }
    if content_type.contains("xml") || head.starts_with("<?xml") {
        return xml_envelope(head).map_err(|e| format!("malformed xml: {e}"));
    }
    Ok(Envelope::default())
}

fn pubstatus(s: &str) -> Option<PubStatus> {
    let s = s.rsplit(':').next().unwrap_or(s).to_ascii_lowercase();
    match s.as_str() {
        "usable" => Some(PubStatus::Usable),
        "withheld" | "embargoed" => Some(PubStatus::Withheld),
        "canceled" | "cancelled" => Some(PubStatus::Canceled),
        _ => None,
    }
}

fn ninjs(v: &serde_json::Value) -> Envelope {
    let s = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };
    // ninjs 2 keeps headlines and bylines in arrays of objects.
    let first_in = |k: &str, field: &str| {
        v.get(k)?
            .as_array()?
            .first()?
            .get(field)?
            .as_str()
            .map(str::to_string)
            .filter(|x| !x.trim().is_empty())
    };
    let version = v.get("version").and_then(|x| {
        x.as_u64()
            .or_else(|| x.as_str().and_then(|s| s.trim().parse().ok()))
    });
    let uri = s("uri").or_else(|| s("guid"));
    let is_ninjs = uri.is_some()
        && (v.get("type").is_some()
            || v.get("version").is_some()
            || v.get("body_text").is_some()
            || v.get("body_html").is_some()
            || v.get("headline").is_some()
            || v.get("headlines").is_some());
    Envelope {
        format: is_ninjs.then_some("ninjs"),
        uri,
        version,
        hints: ItemHints {
            headline: s("headline").or_else(|| first_in("headlines", "value")),
            byline: s("byline").or_else(|| first_in("bylines", "byline")),
            firstcreated: s("firstcreated").and_then(|d| rfc3339(&d)),
            versioncreated: s("versioncreated").and_then(|d| rfc3339(&d)),
            language: s("language"),
            pubstatus: s("pubstatus").and_then(|p| pubstatus(&p)),
        },
    }
}

/// NITF `date.issue@norm` (`20240102T100000Z`, `20240102T100000+0100`) or ISO dates.
fn any_date(s: &str) -> Option<String> {
    if let Some(d) = rfc3339(s) {
        return Some(d);
    }
    let s = s.trim();
    for f in ["%Y%m%dT%H%M%S%z", "%Y%m%dT%H%M%S%:z"] {
        if let Ok(t) = chrono::DateTime::parse_from_str(s, f) {
            return Some(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
        }
    }
    let z = s.strip_suffix('Z')?;
    chrono::NaiveDateTime::parse_from_str(z, "%Y%m%dT%H%M%S")
        .ok()
        .map(|t| t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

/// Elements inside a byline or headline whose text belongs to the enclosing element.
const INLINE: &[&str] = &["person", "b", "i", "em", "strong", "a", "span", "function"];

fn xml_envelope(text: &str) -> Result<Envelope, String> {
    let mut env = Envelope::default();
    let mut stack: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut in_item = false;
    xml::walk(text, |node| {
        match node {
            Node::Start { name, attrs } => {
                let a = |k: &str| xml::attr(&attrs, k).map(str::to_string);
                match name.as_str() {
                    "newsItem" if !in_item => {
                        in_item = true;
                        env.format = Some("newsml-g2");
                        env.uri = a("guid");
                        env.version = a("version").and_then(|v| v.trim().parse().ok());
                        env.hints.language = a("lang");
                    }
                    "nitf" if env.format.is_none() => env.format = Some("nitf"),
                    "pubStatus" => env.hints.pubstatus = a("qcode").and_then(|q| pubstatus(&q)),
                    "language" if env.hints.language.is_none() => env.hints.language = a("tag"),
                    "doc-id" if env.uri.is_none() => env.uri = a("id-string"),
                    "du-key" if env.version.is_none() => {
                        env.version = a("version").and_then(|v| v.trim().parse().ok())
                    }
                    "date.issue" if env.hints.firstcreated.is_none() => {
                        env.hints.firstcreated = a("norm").and_then(|d| any_date(&d))
                    }
                    "docdata" => {
                        if let Some(s) = a("management-status").and_then(|s| pubstatus(&s)) {
                            env.hints.pubstatus = Some(s);
                        }
                    }
                    "body" | "head" if env.hints.language.is_none() => env.hints.language = a("lang"),
                    _ => {}
                }
                if !INLINE.contains(&name.as_str()) {
                    buf.clear();
                }
                stack.push(name);
            }
            Node::Text(t) => buf.push_str(&t),
            Node::End(name) => {
                stack.pop();
                let value = buf.split_whitespace().collect::<Vec<_>>().join(" ");
                let h = &mut env.hints;
                let set = |slot: &mut Option<String>, v: &str| {
                    if slot.is_none() && !v.is_empty() {
                        *slot = Some(v.to_string());
                    }
                };
                match name.as_str() {
                    "headline" | "hl1" => set(&mut h.headline, &value),
                    "by" | "byline" => set(&mut h.byline, &value),
                    "firstCreated" if h.firstcreated.is_none() => h.firstcreated = any_date(&value),
                    "versionCreated" if h.versioncreated.is_none() => h.versioncreated = any_date(&value),
                    _ => {}
                }
                if !INLINE.contains(&name.as_str()) {
                    buf.clear();
                }
            }
        }
        true
    })?;
    if env.hints.firstcreated.is_some() && env.hints.versioncreated.is_none() && env.format == Some("nitf") {
        env.hints.versioncreated = env.hints.firstcreated.clone();
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    const G2: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:newsml:agency.test:20240102:abc" version="3" xml:lang="en">
 <itemMeta><itemClass qcode="ninat:text"/><versionCreated>2024-01-02T10:05:00Z</versionCreated>
  <firstCreated>2024-01-02T09:00:00+01:00</firstCreated><pubStatus qcode="stat:canceled"/></itemMeta>
 <contentMeta><headline>Storm &amp; floods</headline><by>By Jane Doe</by></contentMeta>
 <contentSet><inlineXML contenttype="application/nitf+xml"><nitf><body><body.content><p>x</p></body.content></body></nitf></inlineXML></contentSet>
</newsItem>"#;

    const NITF: &str = r#"<?xml version="1.0"?>
<nitf><head><docdata management-status="usable"><doc-id id-string="AGY-123"/><du-key version="2" key="storm"/>
<date.issue norm="20240102T100000Z"/></docdata></head>
<body><body.head><hedline><hl1>Quake hits coast</hl1></hedline><byline>By <person>Ann Roe</person></byline></body.head>
<body.content><p>text</p></body.content></body></nitf>"#;

    #[test]
    fn envelopes() {
        let g2 = read(G2.as_bytes(), "application/xml").unwrap();
        assert_eq!(g2.format, Some("newsml-g2"));
        assert_eq!(g2.uri.as_deref(), Some("urn:newsml:agency.test:20240102:abc"));
        assert_eq!(g2.version, Some(3));
        assert_eq!(g2.hints.pubstatus, Some(PubStatus::Canceled));
        assert_eq!(g2.hints.headline.as_deref(), Some("Storm & floods"));
        assert_eq!(g2.hints.byline.as_deref(), Some("By Jane Doe"));
        assert_eq!(
            g2.hints.firstcreated.as_deref(),
            Some("2024-01-02T09:00:00+01:00")
        );
        assert_eq!(g2.hints.versioncreated.as_deref(), Some("2024-01-02T10:05:00Z"));
        assert_eq!(g2.hints.language.as_deref(), Some("en"));

        let nitf = read(NITF.as_bytes(), "application/xml").unwrap();
        assert_eq!(nitf.format, Some("nitf"));
        assert_eq!((nitf.uri.as_deref(), nitf.version), (Some("AGY-123"), Some(2)));
        assert_eq!(nitf.hints.headline.as_deref(), Some("Quake hits coast"));
        assert_eq!(nitf.hints.byline.as_deref(), Some("By Ann Roe"));
        assert_eq!(nitf.hints.firstcreated.as_deref(), Some("2024-01-02T10:00:00Z"));
        assert_eq!(nitf.hints.pubstatus, Some(PubStatus::Usable));

        let nj = read(
            br#"{"uri":"http://a.test/1","version":"4","type":"text","headline":"H","pubstatus":"withheld","versioncreated":"2024-01-02T10:00:00Z","body_text":"b"}"#,
            "application/json",
        )
        .unwrap();
        assert_eq!(
            (nj.format, nj.uri.as_deref(), nj.version),
            (Some("ninjs"), Some("http://a.test/1"), Some(4))
        );
        assert_eq!(nj.hints.pubstatus, Some(PubStatus::Withheld));
        assert_eq!(nj.hints.headline.as_deref(), Some("H"));
        let nj2 = read(
            br#"{"uri":"u","headlines":[{"value":"H2"}],"bylines":[{"byline":"B"}]}"#,
            "application/json",
        )
        .unwrap();
        assert_eq!(
            (nj2.hints.headline.as_deref(), nj2.hints.byline.as_deref()),
            (Some("H2"), Some("B"))
        );

        assert_eq!(read(b"plain words", "text/plain").unwrap(), Envelope::default());
        assert!(read(b"{\"uri\": ", "application/json").is_err());
        assert!(
            read(
                b"<?xml version=\"1.0\"?><newsItem><x></newsItem>",
                "application/xml"
            )
            .is_err()
        );
    }
}
