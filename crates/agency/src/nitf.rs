//! NITF 3.x: a document of its own, or the inline content of a NewsML-G2 or NewsML 1.2
//! item. The headline is `hedline/hl1`; the slug-like `<title>`, the ANPA keyword `meta`
//! and `du-key@key` are the slugline. A document without `hl1` states its headline only in
//! `<title>` (BusinessDesk, EFE), so that is the headline then, as other NITF readers take
//! it. Identity is `doc-id@id-string`, the version `du-key@version`, the status
//! `docdata@management-status`. The byline reads as printed: its text and names with a space
//! between them, the `byttl` title after a comma ("By ANN ROE, AP Business Writer").

use crate::tree::{El, Kid, collapse, paragraphs};
use crate::{Body, Document, Format, Item, apply_headline_signal, date, nonblank, pubstatus};

/// Reads a NITF document (`root` is `<nitf>`).
pub fn read(root: &El) -> Document {
    let mut item = Item::default();
    fill(root, &mut item);
    apply_headline_signal(&mut item);
    let mut problems = Vec::new();
    let items = if item.body.is_blank() && item.pubstatus != Some(crate::PubStatus::Canceled) {
        if item.headline.is_some() {
            item.incomplete = Some("the nitf document carries no body text, only its headline".into());
            vec![item]
        } else {
            problems.push("nitf document has neither body text nor headline".to_string());
            Vec::new()
        }
    } else {
        vec![item]
    };
    Document {
        format: Format::Nitf,
        items,
        problems,
    }
}

/// The place of a dateline: "STOCKHOLM, Aug 29, 2014 (AFP) -" gives "STOCKHOLM".
pub(crate) fn place(dateline: &str) -> Option<String> {
    let p = dateline
        .split([',', '(', '\u{2014}', '-'])
        .next()
        .unwrap_or("")
        .trim();
    (!p.is_empty() && p.chars().count() <= 48 && !p.chars().any(|c| c.is_ascii_digit()))
        .then(|| p.to_string())
}

/// Fills what `item` does not have yet from a `<nitf>` element.
pub(crate) fn fill(nitf: &El, item: &mut Item) {
    let head = nitf.child("head");
    let body = nitf.child("body");
    if let Some(head) = head {
        if let Some(dd) = head.child("docdata") {
            if item.uri.is_none() {
                item.uri = dd
                    .child("doc-id")
                    .and_then(|d| d.attr("id-string"))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string);
            }
            if item.version.is_none() {
                item.version = dd
                    .child("du-key")
                    .and_then(|d| d.attr("version"))
                    .and_then(|v| v.trim().parse().ok());
            }
            if item.pubstatus.is_none() {
                item.pubstatus = dd.attr("management-status").and_then(pubstatus);
            }
            if item.urgency.is_none() {
                item.urgency = dd
                    .child("urgency")
                    .and_then(|u| u.attr("ed-urg"))
                    .and_then(|u| u.trim().parse().ok());
            }
            if item.ednote.is_none() {
                item.ednote = nonblank(
                    dd.child("ed-msg")
                        .and_then(|m| m.attr("info"))
                        .map(str::to_string),
                );
            }
            if item.firstcreated.is_none() {
                item.firstcreated = dd.child("date.issue").and_then(|d| d.attr("norm")).and_then(date);
            }
            if item.embargoed.is_none() {
                // The release time: not to be published before it.
                item.embargoed = dd
                    .child("date.release")
                    .and_then(|d| d.attr("norm"))
                    .and_then(date);
            }
            if item.slugline.is_none() {
                item.slugline = nonblank(dd.child("du-key").and_then(|d| d.attr("key")).map(str::to_string));
            }
            if item.provider.is_none() {
                // The copyright holder, else the distributor the byline names, else the
                // registered source of the document id.
                let distributor = body.and_then(|b| b.find("distributor")).map(El::text);
                item.provider = crate::first_provider([
                    dd.child("doc.copyright").and_then(|c| c.attr("holder")),
                    distributor.as_deref(),
                    dd.child("doc-id").and_then(|d| d.attr("regsrc")),
                ]);
            }
        }
        if item.slugline.is_none() {
            item.slugline = head
                .children("meta")
                .find(|m| m.attr("name") == Some("anpa-keyword"))
                .and_then(|m| nonblank(m.attr("content").map(str::to_string)));
        }
    }
    if item.versioncreated.is_none() {
        item.versioncreated = item.firstcreated.clone();
    }
    if item.language.is_none() {
        item.language = [Some(nitf), head, body]
            .into_iter()
            .flatten()
            .find_map(|e| e.attr("lang"))
            .map(str::to_string);
    }
    // The headline is `hl1`; without one the title states it, with one the title is a slug.
    let hl1 = body
        .and_then(|b| b.child("body.head"))
        .and_then(|bh| bh.child("hedline"))
        .and_then(|h| h.child_text("hl1"));
    match head.and_then(|h| h.child_text("title")) {
        Some(title) if item.headline.is_none() && hl1.is_none() => item.headline = Some(title),
        Some(title) if item.slugline.is_none() => item.slugline = Some(title),
        _ => {}
    }
    if item.headline.is_none() {
        item.headline = hl1;
    }
    let Some(body) = body else { return };
    if let Some(bh) = body.child("body.head") {
        if item.byline.is_none() {
            item.byline = bh.child("byline").and_then(byline);
        }
        if item.located.is_none()
            && let Some(d) = bh.child("dateline")
        {
            item.located = d
                .find("location")
                .map(El::text)
                .filter(|t| !t.is_empty())
                .or_else(|| place(&d.text()));
        }
        if item.description_text.is_none() {
            item.description_text = bh.child("abstract").map(paragraphs).filter(|t| !t.is_empty());
        }
    }
    if item.body.is_blank()
        && let Some(c) = body.child("body.content")
    {
        let text = paragraphs(c);
        if !text.trim().is_empty() {
            item.body = Body::Text(text);
        }
    }
}

/// A byline as printed: text and inline names with a space between them ("By<person>Staff
/// Reporter</person>" is "By Staff Reporter"), a `byttl` after a comma.
fn byline(el: &El) -> Option<String> {
    let mut s = String::new();
    for k in &el.kids {
        match k {
            Kid::Text(t) => s.push_str(t),
            Kid::El(e) => {
                let t = e.text();
                if t.is_empty() {
                    continue;
                }
                if e.name == "byttl" {
                    s.truncate(s.trim_end().trim_end_matches(',').trim_end().len());
                    if !s.is_empty() {
                        s.push_str(", ");
                    }
                } else if !s.is_empty() && !s.ends_with(char::is_whitespace) {
                    s.push(' ');
                }
                s.push_str(&t);
            }
        }
    }
    nonblank(Some(collapse(&s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_nitf_article_in_a_bare_content_set_is_read() {
        // As the NewsML-G2 guidelines show one: a content set on its own, an undeclared
        // `xsi:` prefix included.
        let doc = crate::read(
            br#"<contentSet>
  <inlineXML contenttype="application/nitf+xml">
    <nitf xmlns="http://iptc.org/std/NITF/2006-10-18/" xsi:schemaLocation="x nitf.xsd"><body>
      <body.head><hedline><hl1>Diamondbacks at Phillies,
        7:05p.m.</hl1></hedline><byline><byttl>Sports Network</byttl></byline></body.head>
      <body.content><p>Two teams coming off sweeps meet tonight.</p></body.content>
    </body></nitf>
  </inlineXML>
</contentSet>"#,
        )
        .unwrap()
        .expect("an nitf item");
        assert_eq!(doc.format, Format::Nitf);
        let it = &doc.items[0];
        assert_eq!(it.headline.as_deref(), Some("Diamondbacks at Phillies, 7:05p.m."));
        assert_eq!(
            it.body,
            Body::Text("Two teams coming off sweeps meet tonight.".into())
        );
        // A content set without an NITF article is no wire document of its own.
        assert_eq!(
            crate::read(b"<contentSet><inlineData>plain</inlineData></contentSet>").unwrap(),
            None
        );
    }

    #[test]
    fn headline_is_hl1_not_title() {
        let root = crate::tree::parse(
            r#"<nitf><head><title>1 SPORT Trivia (Oct 14)</title><docdata management-status="usable">
            <doc-id id-string="AGY-123"/><du-key version="2" key="storm"/><date.issue norm="20240102T100000Z"/><date.release norm="20240102T120000Z"/></docdata></head>
            <body><body.head><hedline><hl1>Quake hits coast</hl1></hedline><byline>By <person>Ann Roe</person></byline>
            <dateline><location>TOKYO</location>, Jan 2</dateline></body.head>
            <body.content><p>First <b>para</b>.</p><p>Second.</p></body.content></body></nitf>"#,
        )
        .unwrap();
        let d = read(&root);
        let it = &d.items[0];
        assert_eq!(it.headline.as_deref(), Some("Quake hits coast"));
        assert_eq!(it.slugline.as_deref(), Some("storm"));
        assert_eq!((it.uri.as_deref(), it.version), (Some("AGY-123"), Some(2)));
        assert_eq!(it.byline.as_deref(), Some("By Ann Roe"));
        assert_eq!(it.located.as_deref(), Some("TOKYO"));
        assert_eq!(it.firstcreated.as_deref(), Some("2024-01-02T10:00:00Z"));
        assert_eq!(it.embargoed.as_deref(), Some("2024-01-02T12:00:00Z"));
        assert_eq!(it.body, Body::Text("First para.\n\nSecond.".into()));
        assert_eq!(
            place("STOCKHOLM, Aug 29, 2014 (AFP) -").as_deref(),
            Some("STOCKHOLM")
        );
    }

    #[test]
    fn without_hl1_the_title_is_the_headline() {
        let doc = |hedline: &str| {
            let root = crate::tree::parse(&format!(
                r#"<nitf><head><title>Receivers put retailer up for sale</title>
                <docdata><doc-id id-string="BD-1"/></docdata></head>
                <body><body.head>{hedline}</body.head><body.content><p>Text.</p></body.content></body></nitf>"#
            ))
            .unwrap();
            read(&root).items.remove(0)
        };
        let it = doc("");
        assert_eq!(it.headline.as_deref(), Some("Receivers put retailer up for sale"));
        assert_eq!(it.slugline, None, "the title is not also the slugline");
        let it = doc("<hedline><hl1>Retailer for sale</hl1></hedline>");
        assert_eq!(it.headline.as_deref(), Some("Retailer for sale"));
        assert_eq!(it.slugline.as_deref(), Some("Receivers put retailer up for sale"));
    }

    #[test]
    fn bylines_read_as_printed() {
        let by = |x: &str| byline(&crate::tree::parse(x).unwrap());
        assert_eq!(
            by("<byline>By BERNARD CONDON<byttl>AP Business Writer</byttl></byline>").as_deref(),
            Some("By BERNARD CONDON, AP Business Writer")
        );
        assert_eq!(
            by("<byline>By<person>Staff Reporter</person><byttl>BusinessDesk</byttl></byline>").as_deref(),
            Some("By Staff Reporter, BusinessDesk")
        );
        assert_eq!(
            by("<byline>By <person>Ann Roe</person> and <person>Bo Li</person>, <byttl>Staff</byttl></byline>")
                .as_deref(),
            Some("By Ann Roe and Bo Li, Staff")
        );
        assert_eq!(by("<byline> <byttl> </byttl></byline>"), None);
    }
}
