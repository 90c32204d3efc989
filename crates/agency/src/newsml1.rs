//! NewsML 1.x (AFP, ANA and others): `NewsML/NewsItem`, each with its `Identification`,
//! `NewsManagement` and nested `NewsComponent`s. The text is the longest `ContentItem`
//! that is not a photo, graphic, video or audio by its `MediaType` or `MimeType` (NITF or
//! plain `DataContent`: `MediaType` `Text`, TASS's `ComplexData` with `text/vnd.IPTC.NITF`,
//! Belga's items with only a `Format`); the headline is the `NewsLines/HeadLine`.
//! Identity: `urn:newsml:<ProviderId>:<DateId>:<NewsItemId>`, the
//! `PublicIdentifier` without its revision, so revisions share it; version: `RevisionId`.

use crate::tree::{El, paragraphs};
use crate::{Body, Document, Format, Item, apply_headline_signal, date, nitf, nonblank, pubstatus};

/// Reads a NewsML 1.x document (`root` is `<NewsML>`).
pub fn read(root: &El) -> Document {
    let mut items = Vec::new();
    let mut problems = Vec::new();
    let mut news: Vec<&El> = Vec::new();
    root.find_all("NewsItem", &mut news);
    for ni in news {
        let it = item(ni);
        if it.body.is_blank() && it.pubstatus != Some(crate::PubStatus::Canceled) {
            problems.push(format!(
                "newsml-1 item {} has no text content",
                it.uri.as_deref().unwrap_or("(no identifier)")
            ));
        } else {
            items.push(it);
        }
    }
    if items.is_empty() && problems.is_empty() {
        problems.push("newsml-1 document holds no NewsItem".into());
    }
    Document {
        format: Format::Newsml1,
        items,
        problems,
    }
}

fn formal(el: Option<&El>) -> Option<String> {
    nonblank(el.and_then(|e| e.attr("FormalName")).map(str::to_string))
}

/// Whether a `ContentItem` may hold the text: not a photo, graphic, video or audio by its
/// `MediaType`, nor a binary by its `MimeType`.
fn textual(c: &El) -> bool {
    let media = formal(c.child("MediaType"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mime = formal(c.child("MimeType"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let media_ok = matches!(media.as_str(), "" | "text" | "complexdata");
    let mime_ok = mime.is_empty()
        || mime.starts_with("text/")
        || mime.contains("xml")
        || mime.contains("nitf")
        || mime.contains("html");
    media_ok && mime_ok
}

fn item(ni: &El) -> Item {
    let mut it = Item {
        language: ni.attr("lang").map(str::to_string),
        ..Default::default()
    };
    if let Some(id) = ni.child("Identification") {
        if let Some(nid) = id.child("NewsIdentifier") {
            let parts: Vec<Option<String>> = ["ProviderId", "DateId", "NewsItemId"]
                .iter()
                .map(|n| nid.child_text(n))
                .collect();
            if let [Some(p), Some(d), Some(i)] = parts.as_slice() {
                it.uri = Some(format!("urn:newsml:{p}:{d}:{i}"));
            } else {
                it.uri = nid.child_text("PublicIdentifier");
            }
            it.version = nid.child_text("RevisionId").and_then(|r| r.parse().ok());
        }
        it.slugline = id.child_text("NameLabel");
    }
    if let Some(nm) = ni.child("NewsManagement") {
        it.firstcreated = nm.child_text("FirstCreated").and_then(|d| date(&d));
        it.versioncreated = nm.child_text("ThisRevisionCreated").and_then(|d| date(&d));
        it.pubstatus = formal(nm.child("Status")).and_then(|s| pubstatus(&s));
        it.urgency = formal(nm.child("Urgency")).and_then(|u| u.parse().ok());
    }
    if let Some(lines) = ni.find("NewsLines") {
        it.headline = lines.child_text("HeadLine");
        it.byline = lines.child_text("ByLine");
        if let Some(s) = lines.child_text("SlugLine") {
            it.slugline = Some(s);
        }
        it.located = lines.child_text("DateLine").and_then(|d| nitf::place(&d));
    }
    if it.language.is_none() {
        it.language = formal(ni.find("Language"));
    }
    let mut contents = Vec::new();
    ni.find_all("ContentItem", &mut contents);
    let mut best: Option<String> = None;
    for c in contents {
        if !textual(c) {
            continue;
        }
        let Some(dc) = c.child("DataContent") else {
            continue;
        };
        let text = if let Some(n) = dc.find("nitf") {
            let mut tmp = Item::default();
            nitf::fill(n, &mut tmp);
            if it.headline.is_none() {
                it.headline = tmp.headline.clone();
            }
            if it.byline.is_none() {
                it.byline = tmp.byline.clone();
            }
            match tmp.body {
                Body::Text(t) => t,
                _ => String::new(),
            }
        } else {
            paragraphs(dc)
        };
        if best.as_ref().is_none_or(|b| text.len() > b.len()) {
            best = Some(text);
        }
    }
    if let Some(b) = best.filter(|b| !b.trim().is_empty()) {
        it.body = crate::text_or_html(b);
    }
    apply_headline_signal(&mut it);
    it
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(xml: &str) -> Document {
        read(&crate::tree::parse(xml).unwrap())
    }

    #[test]
    fn text_is_whatever_content_is_not_media() {
        // TASS: `ComplexData` with a NITF MIME type.
        let d = one(
            r#"<NewsML><NewsItem><NewsComponent><NewsLines><HeadLine>Kremlin reacts</HeadLine></NewsLines>
            <ContentItem><MediaType FormalName="ComplexData"/><MimeType FormalName="text/vnd.IPTC.NITF"/>
            <DataContent><nitf><body><body.content><p>MOSCOW, January 21. /TASS/. Text.</p></body.content></body></nitf></DataContent>
            </ContentItem></NewsComponent></NewsItem></NewsML>"#,
        );
        assert_eq!(d.items[0].headline.as_deref(), Some("Kremlin reacts"));
        assert_eq!(
            d.items[0].body,
            Body::Text("MOSCOW, January 21. /TASS/. Text.".into())
        );
        // Belga: components by role, content items with only a `Format`; the body is the
        // longest text, a photo's content is never the text.
        let d = one(
            r#"<NewsML><NewsItem><NewsComponent><NewsLines><HeadLine>Mediawatch</HeadLine></NewsLines>
            <NewsComponent><Role FormalName="Title"/><ContentItem><Format FormalName=""/><DataContent>Mediawatch</DataContent></ContentItem></NewsComponent>
            <NewsComponent><Role FormalName="Body"/><ContentItem><Format FormalName="Text"/><DataContent>Steven gaf zich aan bij de politie.</DataContent></ContentItem></NewsComponent>
            <NewsComponent><ContentItem><MediaType FormalName="Photo"/><MimeType FormalName="image/jpeg"/>
            <DataContent>A much longer caption of the photograph that is not the story text at all.</DataContent></ContentItem></NewsComponent>
            </NewsComponent></NewsItem></NewsML>"#,
        );
        assert_eq!(
            d.items[0].body,
            Body::Text("Steven gaf zich aan bij de politie.".into())
        );
        let d = one(
            r#"<NewsML><NewsItem><NewsComponent><ContentItem><MediaType FormalName="Video"/>
            <DataContent>Clip.</DataContent></ContentItem></NewsComponent></NewsItem></NewsML>"#,
        );
        assert!(
            d.items.is_empty() && d.problems[0].contains("no text content"),
            "{d:?}"
        );
    }
}
