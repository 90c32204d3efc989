//! NewsML-G2: a `newsItem`, a `packageItem`, or a `newsMessage` carrying several of them.
//!
//! Every news item becomes an [`Item`] of its own kind (`itemClass`): text items with
//! their `inlineXML` (NITF or XHTML) or `inlineData` body, pictures, graphics, videos and
//! audio with their caption (`description`) as body. A package item is a grouping, not a
//! story: its references (`itemRef@residref`) are checked against the items of the same
//! message, and each one that is not there is a problem (dead letter) rather than a silent
//! gap. Names are matched without namespace, so TT's sample without `xmlns` reads the same.

use crate::tree::{El, paragraphs};
use crate::{
    Body, Document, Format, Item, ItemType, Signal, apply_headline_signal, date, nitf, nonblank, pubstatus,
};

/// Reads a NewsML-G2 document.
pub fn read(root: &El) -> Document {
    let mut els: Vec<&El> = Vec::new();
    if root.name == "newsMessage" {
        for set in root.children("itemSet") {
            els.extend(set.elements());
        }
    } else {
        els.push(root);
    }
    let mut items = Vec::new();
    let mut problems = Vec::new();
    let mut packages = Vec::new();
    for el in els {
        match el.name.as_str() {
            "newsItem" => items.push(news_item(el)),
            "packageItem" => packages.push(el),
            other => problems.push(format!("newsml-g2 {other} is not a news item, not used")),
        }
    }
    for p in packages {
        let guid = p.attr("guid").unwrap_or("(no guid)");
        let mut refs = Vec::new();
        p.find_all("itemRef", &mut refs);
        let cm = p.child("contentMeta");
        let caption = cm.and_then(|c| c.child_text("description"));
        let headline = cm.and_then(first_headline);
        let mut missing = Vec::new();
        for r in refs.iter().filter_map(|r| r.attr("residref")) {
            match items.iter_mut().find(|i| i.uri.as_deref() == Some(r)) {
                // A picture or video without a caption of its own is described by its package.
                Some(i)
                    if i.item_type != ItemType::Text
                        && i.description_text.is_none()
                        && i.headline.is_none() =>
                {
                    i.headline = headline.clone();
                    i.description_text = caption.clone();
                }
                Some(_) => {}
                None => missing.push(r),
            }
        }
        if !missing.is_empty() {
            problems.push(format!(
                "newsml-g2 package {guid}: {} of {} referenced items never arrived in this document ({})",
                missing.len(),
                refs.len(),
                missing.iter().take(8).copied().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let mut items: Vec<Item> = items
        .into_iter()
        .filter_map(|mut it| match usable(&mut it) {
            Ok(()) => Some(it),
            Err(p) => {
                problems.push(p);
                None
            }
        })
        .collect();
    // Text items first: the first item is the document's own identity.
    items.sort_by_key(|i| i.item_type != ItemType::Text);
    Document {
        format: Format::NewsmlG2,
        items,
        problems,
    }
}

/// Who supplied a news item: the provider's name, the copyright holder's, the provider's
/// literal, else the provider's code (`nprov:REUTERS`).
fn provider(item: &El) -> Option<String> {
    let named = |e: Option<&El>| e.and_then(|e| e.child_text("name"));
    let provider = item.child("itemMeta").and_then(|m| m.child("provider"));
    let holder = item.child("rightsInfo").and_then(|r| r.child("copyrightHolder"));
    crate::first_provider([
        named(provider).as_deref(),
        named(holder).as_deref(),
        holder.and_then(|h| h.attr("literal")),
        provider.and_then(|p| p.attr("literal")),
        provider.and_then(|p| p.attr("qcode")),
    ])
}

fn first_headline(cm: &El) -> Option<String> {
    let hs: Vec<&El> = cm.children("headline").collect();
    let main = hs
        .iter()
        .find(|h| {
            h.attr("role")
                .is_none_or(|r| r.ends_with("main") || r.ends_with("headline"))
        })
        .or(hs.first())?;
    nonblank(Some(main.text()))
}

fn news_item(el: &El) -> Item {
    let guid = el.attr("guid").map(str::trim).filter(|g| !g.is_empty());
    let mut it = Item {
        uri: guid.map(str::to_string),
        version: el.attr("version").and_then(|v| v.trim().parse().ok()),
        language: el.attr("lang").map(str::to_string),
        ..Default::default()
    };
    if let Some(im) = el.child("itemMeta") {
        it.item_type = im
            .child("itemClass")
            .and_then(|c| c.attr("qcode").or(c.attr("uri")))
            .and_then(ItemType::from_name)
            .unwrap_or_default();
        it.pubstatus = im
            .child("pubStatus")
            .and_then(|p| p.attr("qcode"))
            .and_then(pubstatus);
        it.firstcreated = im.child_text("firstCreated").and_then(|d| date(&d));
        it.embargoed = im.child_text("embargoed").and_then(|d| date(&d));
        it.versioncreated = im.child_text("versionCreated").and_then(|d| date(&d));
        it.ednote = ednote(im);
        for s in im.children("signal") {
            match s
                .attr("qcode")
                .map(|q| q.rsplit(':').next().unwrap_or(q).to_ascii_lowercase())
            {
                Some(q) if q == "correction" => it.signal = Some(Signal::Correction),
                Some(q) if q == "update" && it.signal.is_none() => it.signal = Some(Signal::Update),
                _ => {}
            }
        }
    }
    it.provider = provider(el);
    if let Some(cm) = el.child("contentMeta") {
        it.headline = first_headline(cm);
        it.slugline = cm.child_text("slugline");
        it.urgency = cm.child_text("urgency").and_then(|u| u.parse().ok());
        it.byline = cm.child_text("by");
        it.located = cm
            .child("located")
            .and_then(|l| l.child_text("name").or_else(|| pointed_place(el, l)))
            .or_else(|| cm.child_text("dateline").and_then(|d| nitf::place(&d)));
        if it.language.is_none() {
            it.language = cm
                .child("language")
                .and_then(|l| l.attr("tag"))
                .map(str::to_string);
        }
        // An item that states no first-created time (APA's, TT's) still says when its
        // content was created, and modified.
        if it.firstcreated.is_none() {
            it.firstcreated = cm.child_text("contentCreated").and_then(|d| date(&d));
        }
        if it.versioncreated.is_none() {
            it.versioncreated = cm.child_text("contentModified").and_then(|d| date(&d));
        }
        let descs: Vec<&El> = cm.children("description").collect();
        it.description_text = descs
            .iter()
            .find(|d| {
                d.attr("role")
                    .is_some_and(|r| r.contains("caption") || r.contains("summary"))
            })
            .or(descs.first())
            .map(|d| paragraphs(d))
            .filter(|t| !t.is_empty());
    }
    let mut data = None;
    if let Some(cs) = el.child("contentSet") {
        for c in cs.elements() {
            match c.name.as_str() {
                "inlineXML" => {
                    if let Some(n) = c.find("nitf") {
                        nitf::fill(n, &mut it);
                    } else if let Some(what) = data_content(c) {
                        // Sports statistics or a set of events: data for a machine, not a
                        // text to show as the story's body.
                        data = Some(what);
                    } else {
                        let target = c.find("body").unwrap_or(c);
                        let text = paragraphs(target);
                        if !text.trim().is_empty() {
                            it.body = Body::Text(text);
                        }
                    }
                }
                "inlineData" => {
                    let text = c.raw_text();
                    if !text.trim().is_empty() {
                        it.body = crate::text_or_html(text);
                    }
                }
                _ => {}
            }
            if !it.body.is_blank() {
                break;
            }
        }
    }
    if let Some(what) = data
        && it.body.is_blank()
    {
        it.incomplete = Some(format!("the item carries {what}, not text"));
    }
    apply_headline_signal(&mut it);
    it
}

/// What an `inlineXML` holds when it is data rather than a text: SportsML statistics, a
/// set of events or concepts (by its `contenttype`, else by its first element).
fn data_content(inline: &El) -> Option<String> {
    let ct = inline
        .attr("contenttype")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !ct.is_empty() {
        let text = ["html", "nitf", "text/"].iter().any(|t| ct.contains(t));
        return (!text && ct.contains("xml")).then(|| format!("{ct} data"));
    }
    let first = inline.elements().next()?;
    matches!(
        first.name.as_str(),
        "events" | "event" | "conceptSet" | "concept" | "sports-content"
    )
    .then(|| format!("<{}> data", first.name))
}

/// Whether an item can be used, filling a picture's or video's body from its caption.
fn usable(it: &mut Item) -> Result<(), String> {
    let label = it.uri.clone().unwrap_or_else(|| "(no guid)".into());
    if it.pubstatus == Some(crate::PubStatus::Canceled) {
        return Ok(());
    }
    match it.item_type {
        ItemType::Text | ItemType::Composite => {
            if it.body.is_blank() {
                if it.headline.is_none() {
                    return Err(match &it.incomplete {
                        Some(why) => format!(
                            "newsml-g2 {} item {label}: {why}, and no headline",
                            it.item_type.as_str()
                        ),
                        None => format!("newsml-g2 text item {label} has neither body text nor headline"),
                    });
                }
                let why = it
                    .incomplete
                    .take()
                    .unwrap_or_else(|| "the text item carries no body text".into());
                it.incomplete = Some(format!("{why}, only its headline"));
            }
        }
        _ => {
            // Pictures, graphics, videos and audio: a short item of their own kind, its
            // caption as body.
            if it.body.is_blank() {
                match it.description_text.clone().or_else(|| it.headline.clone()) {
                    Some(c) => it.body = Body::Text(c),
                    None => {
                        return Err(format!(
                            "newsml-g2 {} item {label} has neither caption nor headline",
                            it.item_type.as_str()
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The place a `located` without a name gives: the `assert` its `literal` or `qcode`
/// points to (its name, or its address's locality: dpa's `<located literal="poiID">`),
/// else the literal itself unless it points to an assert without a place.
fn pointed_place(item: &El, located: &El) -> Option<String> {
    let key = located.attr("literal").or(located.attr("qcode"))?;
    let mut asserts = Vec::new();
    item.find_all("assert", &mut asserts);
    match asserts
        .iter()
        .find(|a| a.attr("literal") == Some(key) || a.attr("qcode") == Some(key))
    {
        Some(a) => a
            .child_text("name")
            .or_else(|| a.find("locality").and_then(|l| l.child_text("name")))
            .or_else(|| a.find("name").map(El::text).filter(|t| !t.is_empty())),
        None => nonblank(located.attr("literal").map(str::to_string)),
    }
}

/// The item's note to editors: its `edNote`s joined, without a sign-off line
/// (`closingline`) or a notepad (dpa's structured page of desk information), which are
/// not notes.
fn ednote(item_meta: &El) -> Option<String> {
    let notes: Vec<String> = item_meta
        .children("edNote")
        .filter(|n| {
            // A closing line ("Schluss", "(ende)", IPTC's `closingLine`, APA's `closing`)
            // marks the end of the text; a notepad is the desk's own.
            let role = n.attr("role").unwrap_or("").to_ascii_lowercase();
            let role = role.rsplit(':').next().unwrap_or("");
            !matches!(role, "closingline" | "closing" | "notepad")
        })
        .filter_map(|n| nonblank(Some(n.text())))
        .collect();
    (!notes.is_empty()).then(|| notes.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &str = r#"<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header/><itemSet>
<packageItem guid="p1"><groupSet><group><itemRef residref="t1"/><itemRef residref="x9"/></group></groupSet></packageItem>
<newsItem guid="pic1" version="1"><itemMeta><itemClass qcode="ninat:picture"/></itemMeta>
 <contentMeta><description role="drol:caption">Rescuers at the site.</description></contentMeta></newsItem>
<newsItem guid="t1" version="3" xml:lang="en"><itemMeta><itemClass qcode="ninat:text"/><pubStatus qcode="stat:usable"/>
 <versionCreated>2024-01-02T10:05:00Z</versionCreated><signal qcode="sig:correction"/></itemMeta>
 <contentMeta><urgency>2</urgency><slugline>QUAKE</slugline><headline>Quake hits coast</headline><by>Jane Doe</by>
 <located><name>Tokyo</name></located></contentMeta>
 <contentSet><inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><head><title>QUAKE</title></head>
 <body><p>A quake hit.</p><p>More.</p></body></html></inlineXML></contentSet></newsItem>
</itemSet></newsMessage>"#;

    #[test]
    fn message_items_packages_and_pictures() {
        let d = read(&crate::tree::parse(MSG).unwrap());
        assert_eq!(d.items.len(), 2);
        let t = &d.items[0];
        assert_eq!(
            (t.uri.as_deref(), t.version, t.item_type),
            (Some("t1"), Some(3), ItemType::Text)
        );
        assert_eq!(t.headline.as_deref(), Some("Quake hits coast"));
        assert_eq!(t.slugline.as_deref(), Some("QUAKE"));
        assert_eq!(
            (t.urgency, t.byline.as_deref(), t.located.as_deref()),
            (Some(2), Some("Jane Doe"), Some("Tokyo"))
        );
        assert_eq!(t.signal, Some(Signal::Correction));
        assert_eq!(t.body, Body::Text("A quake hit.\n\nMore.".into()));
        let p = &d.items[1];
        assert_eq!(p.item_type, ItemType::Picture);
        assert_eq!(p.body, Body::Text("Rescuers at the site.".into()));
        assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
        assert!(
            d.problems[0].contains("x9") && !d.problems[0].contains("t1,"),
            "{:?}",
            d.problems
        );
    }

    #[test]
    fn data_in_inline_xml_is_no_body() {
        let sports = r#"<newsItem guid="urn:s:1" version="1"><itemMeta><itemClass qcode="ninat:text"/></itemMeta>
            <contentMeta><headline>Tulowitzki singled to third</headline></contentMeta>
            <contentSet><inlineXML contenttype="application/sportsml+xml"><sports-content><sports-event>
            <team><team-metadata><name full="Miami Marlins"/></team-metadata></team></sports-event></sports-content>
            </inlineXML></contentSet></newsItem>"#;
        let d = read(&crate::tree::parse(sports).unwrap());
        let it = &d.items[0];
        assert_eq!(it.body, Body::None);
        assert_eq!(
            it.incomplete.as_deref(),
            Some("the item carries application/sportsml+xml data, not text, only its headline")
        );
        let events = r#"<newsItem guid="urn:e:1" version="1"><itemMeta><itemClass qcode="ninat:composite"/></itemMeta>
            <contentSet><inlineXML><events><event><name>IPTC Autumn Meeting</name></event></events></inlineXML></contentSet></newsItem>"#;
        let d = read(&crate::tree::parse(events).unwrap());
        assert!(d.items.is_empty());
        assert!(
            d.problems[0].contains("<events> data, not text, and no headline"),
            "{:?}",
            d.problems
        );
        // XHTML without a declared type is the text, as before.
        let xhtml = r#"<newsItem guid="urn:x:1"><contentMeta><headline>H</headline></contentMeta>
            <contentSet><inlineXML><html><body><p>Text.</p></body></html></inlineXML></contentSet></newsItem>"#;
        assert_eq!(
            read(&crate::tree::parse(xhtml).unwrap()).items[0].body,
            Body::Text("Text.".into())
        );
    }

    #[test]
    fn editorial_notes_without_sign_off_or_notepad() {
        let xml = r#"<newsItem guid="n1" version="1"><itemMeta><itemClass qcode="ninat:text"/>
            <edNote role="x:notepad"><section><p>Contacts and internal notes</p></section></edNote>
            <edNote role="x:closingline">dpa pre yyhe n1 deg</edNote>
            <edNote role="x:editorialnote">Pictures for this text: 2</edNote>
            <edNote>Adds quotes.</edNote><edNote role="aparole:closing">Schluss</edNote><embargoed>2024-01-03T06:00:00Z</embargoed></itemMeta>
            <contentMeta><headline>H</headline></contentMeta>
            <contentSet><inlineXML><html><body><p>Text.</p></body></html></inlineXML></contentSet></newsItem>"#;
        let d = read(&crate::tree::parse(xml).unwrap());
        assert_eq!(
            d.items[0].ednote.as_deref(),
            Some("Pictures for this text: 2\nAdds quotes.")
        );
        assert_eq!(d.items[0].embargoed.as_deref(), Some("2024-01-03T06:00:00Z"));
    }

    #[test]
    fn content_created_stands_in_for_first_created() {
        let xml = |meta: &str| {
            format!(
                r#"<newsItem guid="c1" version="2"><itemMeta><itemClass qcode="ninat:text"/>{meta}</itemMeta>
                <contentMeta><contentCreated>2015-04-13T19:52:00+02:00</contentCreated>
                <contentModified>2015-04-13T20:10:00+02:00</contentModified><headline>H</headline></contentMeta>
                <contentSet><inlineXML><html><body><p>Text.</p></body></html></inlineXML></contentSet></newsItem>"#
            )
        };
        let times = |meta: &str| {
            let d = read(&crate::tree::parse(&xml(meta)).unwrap());
            (d.items[0].firstcreated.clone(), d.items[0].versioncreated.clone())
        };
        let (first, version) = times("");
        assert!(first.is_some(), "no first-created time");
        assert_eq!(
            (first, version),
            (
                date("2015-04-13T19:52:00+02:00"),
                date("2015-04-13T20:10:00+02:00")
            )
        );
        // The item's own times win when it states them.
        let (first, version) = times(
            "<firstCreated>2015-04-13T17:00:00Z</firstCreated><versionCreated>2015-04-13T18:00:00Z</versionCreated>",
        );
        assert_eq!(
            (first, version),
            (date("2015-04-13T17:00:00Z"), date("2015-04-13T18:00:00Z"))
        );
    }

    #[test]
    fn a_located_pointer_is_resolved_through_its_assert() {
        let xml = |located: &str| {
            format!(
                r#"<newsItem guid="p1" version="1"><itemMeta><itemClass qcode="ninat:picture"/></itemMeta>
                <contentMeta>{located}<headline>Award night</headline>
                <description role="drol:caption">Guests arrive at the award ceremony.</description></contentMeta>
                <assert literal="poiID"><POIDetails><address><locality role="x:locality"><name>Berlin</name></locality>
                <area><name>Land Berlin</name></area></address></POIDetails></assert></newsItem>"#
            )
        };
        let place = |located: &str| {
            read(&crate::tree::parse(&xml(located)).unwrap()).items[0]
                .located
                .clone()
        };
        assert_eq!(
            place(r#"<located literal="poiID" type="cpnat:poi"/>"#).as_deref(),
            Some("Berlin")
        );
        assert_eq!(
            place(r#"<located literal="Potsdam"/>"#).as_deref(),
            Some("Potsdam")
        );
        assert_eq!(
            place(r#"<located><name>Hamburg</name></located>"#).as_deref(),
            Some("Hamburg")
        );
    }
}
