//! Wire envelopes: the identity, version and hints that an agency document (NewsML-G2,
//! NITF, NewsML 1.2, ANPA 1312 / IPTC 7901, ninjs) carries about itself, read from a
//! dropped, pushed or polled document so it can be published with a stable `uri` and
//! `version`: versions of one item (a NewsML-G2 `version`, an ANPA writethru) keep one
//! `uri`, so downstream they are versions of one member.
//!
//! The reading is `wirefold-agency`'s, the same reader the normalizer uses for the body:
//! this module keeps the document's own item (the first) and does not look at bodies.
//! Pure.

use wirefold_wire::ItemHints;

/// What an envelope says about its document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// The item's stable identity (NewsML-G2 `guid`, NITF `doc-id`, ninjs `uri`, ...).
    pub uri: Option<String>,
    /// The item's version.
    pub version: Option<u64>,
    /// Headline, byline, dates, language, pubstatus.
    pub hints: ItemHints,
    /// Which format was recognised (`ninjs`, `newsml-g2`, `nitf`, `newsml-1`, `anpa`, `xml`,
    /// `email`), if any.
    pub format: Option<&'static str>,
}

/// Reads the envelope of a document; other documents (pages, plain text, feeds) give an
/// empty envelope. `Err` for a document in an agency format that cannot be read (malformed
/// or truncated XML, an XML bomb, a ninjs field of the wrong type), with the reason.
pub fn read(bytes: &[u8], content_type: &str) -> Result<Envelope, String> {
    let doc = match wirefold_agency::read(bytes) {
        Ok(Some(doc)) => doc,
        Ok(None) => {
            // JSON that is not even well-formed is refused whatever it claims to be.
            if content_type.contains("json") {
                serde_json::from_slice::<serde_json::Value>(bytes)
                    .map_err(|e| format!("malformed json: {e}"))?;
            }
            return Ok(Envelope::default());
        }
        Err(e) => return Err(e.to_string()),
    };
    let mut env = Envelope {
        format: Some(doc.format.as_str()),
        ..Default::default()
    };
    if let Some(it) = doc.items.first() {
        env.uri = it.uri.clone();
        env.version = it.version;
        env.hints = ItemHints {
            headline: it.headline.clone(),
            byline: it.byline.clone(),
            firstcreated: it.firstcreated.clone(),
            versioncreated: it.versioncreated.clone(),
            language: it.language.clone(),
            pubstatus: it.pubstatus,
            feed_body: None,
        };
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wirefold_wire::PubStatus;

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
            br#"{"uri":"u","headlines":[{"value":"H2"}],"bylines":[{"byline":"B"}],"body_text":"b"}"#,
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
