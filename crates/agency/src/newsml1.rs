//! NewsML 1.x (AFP, ANA and others): `NewsML/NewsItem`, each with its `Identification`,
//! `NewsManagement` and nested `NewsComponent`s. The text is the longest `ContentItem`
//! that is not a photo, graphic, video or audio by its `MediaType` or `MimeType` (NITF or
//! plain `DataContent`: `MediaType` `Text`, TASS's `ComplexData` with `text/vnd.IPTC.NITF`,
//! Belga's items with only a `Format`) outside a `Caption` component; an item whose only
//! text is a caption beside a photo, graphic, video or audio (AFP's text-photo profile) is
//! that media item with its caption as the text. The headline is the `NewsLines/HeadLine`,
//! the byline its `ByLine`, else the item's `AdministrativeMetadata/Creator` (AFP).
//! Identity: the `PublicIdentifier` without its revision, so revisions share it, else
//! (none, or a partial one) `urn:newsml:<ProviderId>:<DateId>:<NewsItemId>`; version:
//! `RevisionId`. Place: the `DateLine`, else the origin `Location`'s city in the item's own
//! metadata or the first component's inside it that states one; language: the item's, its
//! `Language`, else its first component's `xml:lang`.

use crate::tree::{El, line_paragraphs_of, paragraphs};
use crate::{
    Body, Document, Format, Item, ItemType, Signal, apply_headline_signal, date, nitf, nonblank, pubstatus,
};

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
    let media_ok = matches!(
        media.as_str(),
        "" | "text" | "complexdata" | "html" | "xhtml" | "nitf"
    );
    let mime_ok = mime.is_empty()
        || mime.starts_with("text/")
        || mime.contains("xml")
        || mime.contains("nitf")
        || mime.contains("html");
    media_ok && mime_ok
}

/// What a `NewsItem`'s components hold.
#[derive(Default)]
struct Contents {
    /// The longest text outside a caption.
    story: Option<String>,
    /// The longest caption.
    caption: Option<String>,
    /// The kind of the first photo, graphic, video or audio content.
    media: Option<ItemType>,
    /// Headline and byline the NITF texts state, of the texts outside captions and of the
    /// captions (for what the `NewsLines` do not state).
    stated: Vec<(Option<String>, Option<String>)>,
    caption_stated: Vec<(Option<String>, Option<String>)>,
}

/// Whether component `nc` is a caption (its `Role`).
fn is_caption(nc: &El) -> bool {
    formal(nc.child("Role")).is_some_and(|r| r.eq_ignore_ascii_case("caption"))
}

/// Collects the content of component `nc` and the components inside it; `caption` is set
/// under a component whose `Role` is `Caption`.
fn walk(nc: &El, caption: bool, out: &mut Contents) {
    let caption = caption || is_caption(nc);
    for c in nc.children("ContentItem") {
        if !textual(c) {
            if out.media.is_none() {
                out.media = media_kind(c);
            }
            continue;
        }
        let Some(dc) = c.child("DataContent") else {
            continue;
        };
        let text = match dc.find("nitf") {
            Some(n) => {
                let mut tmp = Item::default();
                nitf::fill(n, &mut tmp);
                let stated = (tmp.headline, tmp.byline);
                if caption {
                    out.caption_stated.push(stated);
                } else {
                    out.stated.push(stated);
                }
                match tmp.body {
                    Body::Text(t) => t,
                    _ => String::new(),
                }
            }
            None => {
                let text = paragraphs(dc);
                // Plain text in lines (Belga's running order, a results list): its lines
                // are its layout, unless markup or indented paragraphs already said.
                let raw = dc.raw_text();
                if dc.elements().next().is_none()
                    && !text.contains("\n\n")
                    && !raw.contains('<')
                    && raw.trim().lines().count() >= 3
                {
                    line_paragraphs_of(&raw).join("\n\n")
                } else {
                    text
                }
            }
        };
        let slot = if caption { &mut out.caption } else { &mut out.story };
        if slot.as_ref().is_none_or(|b| text.len() > b.len()) {
            *slot = Some(text);
        }
    }
    for inner in nc.children("NewsComponent") {
        walk(inner, caption, out);
    }
}

/// Whether a `NewsLines` states a headline.
fn states_headline(lines: &El) -> bool {
    lines.find("HeadLine").is_some_and(|h| !h.text().is_empty())
}

/// The first `NewsLines` stating a headline in component `nc` or the components inside it,
/// in document order, outside captions.
fn headline_lines(nc: &El) -> Option<&El> {
    if is_caption(nc) {
        return None;
    }
    nc.children("NewsLines")
        .find(|l| states_headline(l))
        .or_else(|| nc.children("NewsComponent").find_map(headline_lines))
}

/// The `City` of the item's `Location` of origin (`HowPresent="Origin"`, or the only
/// location), in its own `DescriptiveMetadata` (not a photo component's).
fn origin_city(ni: &El) -> Option<String> {
    // The item's own, or (Belga) that of the first component inside it that has one.
    fn with_location(nc: &El) -> Option<&El> {
        if is_caption(nc) {
            return None;
        }
        nc.children("DescriptiveMetadata")
            .find(|m| m.child("Location").is_some())
            .or_else(|| nc.children("NewsComponent").find_map(with_location))
    }
    let meta = ni.children("NewsComponent").find_map(with_location)?;
    let locations: Vec<&El> = meta.children("Location").collect();
    let origin = locations
        .iter()
        .find(|l| {
            l.attr("HowPresent")
                .is_some_and(|h| h.eq_ignore_ascii_case("origin"))
        })
        .or(match locations.as_slice() {
            [only] => Some(only),
            _ => None,
        })?;
    origin
        .children("Property")
        .find(|p| {
            p.attr("FormalName")
                .is_some_and(|n| n.eq_ignore_ascii_case("city"))
        })
        .and_then(|p| nonblank(p.attr("Value").map(str::to_string)))
}

/// A whole `PublicIdentifier` (`urn:newsml:<provider>:<date>:<item>:<revision><update>`)
/// without its revision and update flag; `None` for a partial one (Belga's
/// `urn:newsml:www.belga.be`).
fn without_revision(public: &str) -> Option<&str> {
    let (id, revision) = public.trim().rsplit_once(':')?;
    let digits = revision.trim_end_matches(|c: char| c.is_ascii_uppercase());
    let whole = id
        .get(.."urn:newsml:".len())
        .is_some_and(|p| p.eq_ignore_ascii_case("urn:newsml:"))
        && id.split(':').count() >= 5
        && id.split(':').all(|p| !p.is_empty());
    (whole && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(id)
}

/// What an advisory line or a `Version` property says of the item's version by its first
/// word ("CORRECTS para 4", "Correction", "UPDATES with reaction"), read as a headline's
/// version word is ([`crate::version_word`]); a withdrawal is the item's status, not a
/// note's.
fn advisory_signal(s: &str) -> Option<Signal> {
    let word: String = s
        .trim_start()
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_uppercase();
    crate::version_word(&word).0
}

/// The item kind of a media `ContentItem`, by its `MediaType` or `MimeType`.
fn media_kind(c: &El) -> Option<ItemType> {
    let media = formal(c.child("MediaType"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mime = formal(c.child("MimeType"))
        .or_else(|| formal(c.child("Format")))
        .unwrap_or_default()
        .to_ascii_lowercase();
    match media.as_str() {
        "photo" | "image" | "picture" => Some(ItemType::Picture),
        "graphic" | "graphics" => Some(ItemType::Graphic),
        "video" => Some(ItemType::Video),
        "audio" | "sound" => Some(ItemType::Audio),
        _ if mime.starts_with("image/") => Some(ItemType::Picture),
        _ if mime.starts_with("video/") => Some(ItemType::Video),
        _ if mime.starts_with("audio/") => Some(ItemType::Audio),
        _ => None,
    }
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
            let public = nid.child_text("PublicIdentifier");
            it.uri = match (public.as_deref().and_then(without_revision), parts.as_slice()) {
                // As the item states it: ANP's NewsItemId carries the revision ("-v2"),
                // its PublicIdentifier does not.
                (Some(id), _) => Some(id.to_string()),
                (None, [Some(p), Some(d), Some(i)]) => Some(format!("urn:newsml:{p}:{d}:{i}")),
                (None, _) => public,
            };
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
    // The first `NewsLines`, else (when it states no headline) the first that does in a
    // component inside: Business Wire's outer component has only a `CopyrightLine`.
    let first = ni.find("NewsLines");
    let lines = match first {
        Some(l) if states_headline(l) => first,
        _ => ni.children("NewsComponent").find_map(headline_lines).or(first),
    };
    if let Some(lines) = lines {
        // (Some senders nest them in a `NewsLine`.)
        let line = |name: &str| lines.find(name).map(El::text).filter(|t| !t.is_empty());
        it.headline = line("HeadLine");
        it.byline = line("ByLine");
        if let Some(s) = lines.child_text("SlugLine") {
            it.slugline = Some(s);
        }
        it.located = lines.child_text("DateLine").and_then(|d| nitf::place(&d));
        // AFP's advisory lines are notes to editors ("CORRECTS para 4 and 9 to say
        // Thursday, not Friday"), and say when the item corrects an earlier one.
        let mut advisories: Vec<&El> = Vec::new();
        lines.find_all("NewsLine", &mut advisories);
        let notes: Vec<String> = advisories
            .iter()
            .filter(|l| {
                formal(l.child("NewsLineType")).is_some_and(|t| t.eq_ignore_ascii_case("AdvisoryLine"))
            })
            .filter_map(|l| l.child_text("NewsLineText"))
            .take(8)
            .collect();
        if let Some(first) = notes.first() {
            it.signal = advisory_signal(first);
            it.ednote = Some(notes.join("\n"));
        }
    }
    // AFP states a correction as a property of the item too.
    let version = ni
        .children("NewsComponent")
        .find_map(|nc| nc.child("DescriptiveMetadata"))
        .and_then(|m| {
            m.children("Property").find(|p| {
                p.attr("FormalName")
                    .is_some_and(|n| n.eq_ignore_ascii_case("version"))
            })
        })
        .and_then(|p| p.attr("Value"));
    if it.signal.is_none() {
        it.signal = version.and_then(advisory_signal);
    }
    if it.language.is_none() {
        it.language = formal(ni.find("Language")).or_else(|| {
            nonblank(
                ni.find("NewsComponent")
                    .and_then(|c| c.attr("lang"))
                    .map(str::to_string),
            )
        });
    }
    if it.located.is_none() {
        // Without a dateline, the city the item says it was filed from (AFP).
        it.located = origin_city(ni);
    }
    let mut found = Contents::default();
    for nc in ni.children("NewsComponent") {
        walk(nc, false, &mut found);
    }
    // The story text is the longest text outside a caption. A component whose only text
    // is a caption beside a photo (or graphic, video, audio) is that media item, and the
    // caption is its text.
    let text = match found.story.take() {
        Some(story) => Some(story),
        None => {
            if let Some(kind) = found.media {
                it.item_type = kind;
            }
            found.caption.take()
        }
    };
    for (headline, byline) in found.stated.into_iter().chain(found.caption_stated) {
        if it.headline.is_none() {
            it.headline = headline;
        }
        if it.byline.is_none() {
            it.byline = byline;
        }
    }
    if it.byline.is_none() {
        // AFP names the author (a photo's photographer) as the item's creator.
        // The item's own metadata, not that of a photo component inside it.
        it.byline = ni
            .children("NewsComponent")
            .find_map(|nc| nc.child("AdministrativeMetadata"))
            .and_then(|a| a.child("Creator"))
            .and_then(|c| c.child("Party"))
            .and_then(|p| nonblank(p.attr("FormalName").map(str::to_string)));
    }
    // The provider party of the item's own metadata, else its source party, else the
    // provider's domain in its identifier.
    let admin = ni
        .children("NewsComponent")
        .find_map(|nc| nc.child("AdministrativeMetadata"));
    let party = |name: &str| {
        admin
            .and_then(|a| a.child(name))
            .and_then(|p| p.child("Party"))
            .and_then(|p| p.attr("FormalName"))
    };
    let provider_id = ni
        .child("Identification")
        .and_then(|i| i.child("NewsIdentifier"))
        .and_then(|n| n.child_text("ProviderId"));
    it.provider = crate::first_provider([party("Provider"), party("Source"), provider_id.as_deref()]);
    if let Some(b) = text.filter(|b| !b.trim().is_empty()) {
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
        // Plain text in lines keeps them: a running order stays a list, wrapped prose is
        // joined, a blank line ends a paragraph.
        let d = one(
            "<NewsML><NewsItem><NewsComponent><NewsLines><HeadLine>Mediawatch</HeadLine></NewsLines>
            <ContentItem><Format FormalName=\"Text\"/><DataContent>- drie doden in drugsloods Eksel
                Q Dorien Vanderheiden, parket Limburg
                - GB: vanavond nieuwe stemming in brexitsaga

                The running order of the evening news was sent at one in the afternoon and it
                was changed twice before the broadcast began.
            </DataContent></ContentItem></NewsComponent></NewsItem></NewsML>",
        );
        assert_eq!(
            d.items[0].body,
            Body::Text(
                "- drie doden in drugsloods Eksel\n\nQ Dorien Vanderheiden, parket Limburg\n\n\
                 - GB: vanavond nieuwe stemming in brexitsaga\n\nThe running order of the evening \
                 news was sent at one in the afternoon and it was changed twice before the broadcast began."
                    .into()
            )
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

    #[test]
    fn a_caption_beside_a_photo_is_a_picture_item() {
        // AFP's text-photo profile: a photo whose only text is its caption, a picture
        // number where the headline goes, the photographer as the creator.
        let d = one(
            r#"<NewsML><NewsItem xml:lang="en"><NewsManagement><Status FormalName="Usable"/></NewsManagement>
            <NewsComponent><NewsLines><HeadLine>569697231</HeadLine></NewsLines>
            <AdministrativeMetadata><Provider><Party FormalName="AFP"/></Provider><Creator><Party FormalName="JANE ROE "/></Creator></AdministrativeMetadata>
            <NewsComponent><Role FormalName="Caption"/><ContentItem><MediaType FormalName="Text"/><DataContent>
            <nitf><body><body.content><p>Players tackle during the match in London on January 16. AFP PHOTO / JANE ROE</p></body.content></body></nitf>
            </DataContent></ContentItem></NewsComponent>
            <NewsComponent><Role FormalName="main"/><ContentItem Href="x.jpg"><MediaType FormalName="Photo"/><Format FormalName="image/jpeg"/></ContentItem></NewsComponent>
            </NewsComponent></NewsItem></NewsML>"#,
        );
        let it = &d.items[0];
        assert_eq!(it.item_type, ItemType::Picture);
        assert_eq!(it.byline.as_deref(), Some("JANE ROE"));
        assert_eq!(
            it.body,
            Body::Text(
                "Players tackle during the match in London on January 16. AFP PHOTO / JANE ROE".into()
            )
        );
        // (The number is dropped as a headline for every format in `crate::read`.)
        let d = crate::read(
            br#"<?xml version="1.0"?><NewsML><NewsItem><NewsComponent><NewsLines><HeadLine>569697231</HeadLine></NewsLines>
            <ContentItem><MediaType FormalName="Text"/><DataContent>A caption of some length.</DataContent></ContentItem>
            </NewsComponent></NewsItem></NewsML>"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(d.items[0].headline, None);
    }

    #[test]
    fn a_story_with_a_photo_keeps_its_text_and_its_own_creator() {
        // A story and its photo: the story is the text, the photo's caption and
        // photographer are not the story's body or byline; the creator of the item is.
        let story = r#"<NewsML><NewsItem><NewsComponent><NewsLines><HeadLine>Rains flood the valley</HeadLine></NewsLines>
            <AdministrativeMetadata><Creator><Party FormalName="Sam Writer"/></Creator></AdministrativeMetadata>
            <NewsComponent><Role FormalName="Main"/><ContentItem><MediaType FormalName="Text"/><DataContent>
            <nitf><body><body.content><p>Heavy rains flooded the valley on Sunday.</p></body.content></body></nitf></DataContent></ContentItem></NewsComponent>
            <NewsComponent><NewsComponent><Role FormalName="Caption"/>
            <AdministrativeMetadata><Creator><Party FormalName="Pat Photographer"/></Creator></AdministrativeMetadata>
            <ContentItem><MediaType FormalName="Text"/><DataContent>A much longer caption: residents wade through the water of the flooded main street on Sunday.</DataContent></ContentItem></NewsComponent>
            <NewsComponent><Role FormalName="HighDef"/><ContentItem Href="p.jpg"><MediaType FormalName="Photo"/></ContentItem></NewsComponent></NewsComponent>
            </NewsComponent></NewsItem></NewsML>"#;
        let it = &one(story).items[0];
        assert_eq!(it.item_type, ItemType::Text);
        assert_eq!(
            it.body,
            Body::Text("Heavy rains flooded the valley on Sunday.".into())
        );
        assert_eq!(it.byline.as_deref(), Some("Sam Writer"));
        assert_eq!(it.located, None);
        let with_origin = story.replace(
            "<NewsComponent><Role FormalName=\"Main\"/>",
            r#"<DescriptiveMetadata><Location HowPresent="Origin"><Property FormalName="Country" Value="FRA"/>
            <Property FormalName="City" Value="Paris"/></Location></DescriptiveMetadata><NewsComponent><Role FormalName="Main"/>"#,
        );
        assert_eq!(one(&with_origin).items[0].located.as_deref(), Some("Paris"));
        let without_creator = story.replace(r#"<Creator><Party FormalName="Sam Writer"/></Creator>"#, "");
        assert_eq!(
            one(&without_creator).items[0].byline,
            None,
            "not the photographer"
        );
    }

    #[test]
    fn a_headline_stated_in_an_inner_component() {
        // Business Wire: the outer component's lines hold only the copyright.
        let d = one(
            r#"<NewsML><NewsItem><NewsComponent><NewsLines><CopyrightLine>Copyright Wire 2021</CopyrightLine></NewsLines>
            <NewsComponent><NewsLines><HeadLine>Broker lifts trading limits</HeadLine><DateLine>GREENWICH, Conn.</DateLine></NewsLines>
            <NewsComponent><Role FormalName="Caption"/><NewsLines><HeadLine>A photo</HeadLine></NewsLines></NewsComponent>
            <NewsComponent><Role FormalName="BodyText"/><ContentItem><DataContent><p>The broker said on Friday that all limits were lifted.</p></DataContent></ContentItem></NewsComponent>
            </NewsComponent></NewsComponent></NewsItem></NewsML>"#,
        );
        let it = &d.items[0];
        assert_eq!(it.headline.as_deref(), Some("Broker lifts trading limits"));
        assert_eq!(it.located.as_deref(), Some("GREENWICH"));
        // A caption's headline is never the story's.
        let d = one(
            r#"<NewsML><NewsItem><NewsComponent><NewsLines><CopyrightLine>(c)</CopyrightLine></NewsLines>
            <NewsComponent><Role FormalName="Caption"/><NewsLines><HeadLine>A photo</HeadLine></NewsLines></NewsComponent>
            <NewsComponent><ContentItem><DataContent><p>The broker said on Friday that all limits were lifted.</p></DataContent></ContentItem></NewsComponent>
            </NewsComponent></NewsItem></NewsML>"#,
        );
        assert_eq!(d.items[0].headline, None);
    }

    #[test]
    fn identity_place_and_language_from_where_the_item_states_them() {
        let xml = |public: &str| {
            format!(
                r#"<NewsML><NewsItem><Identification><NewsIdentifier><ProviderId>ANP</ProviderId>
                <DateId>20181210</DateId><NewsItemId>ANPX-101218-041-v2</NewsItemId><RevisionId>2</RevisionId>
                {public}</NewsIdentifier></Identification>
                <NewsComponent xml:lang="nl"><NewsLines><HeadLine>Staking</HeadLine></NewsLines>
                <DescriptiveMetadata><Genre FormalName="Current"/></DescriptiveMetadata>
                <NewsComponent><Role FormalName="Caption"/><DescriptiveMetadata><Location><Property FormalName="City" Value="ANTWERPEN"/></Location></DescriptiveMetadata></NewsComponent>
                <NewsComponent><DescriptiveMetadata><Location><Property FormalName="City" Value="BRUSSEL"/></Location></DescriptiveMetadata>
                <ContentItem><MediaType FormalName="Text"/><DataContent>De vakbond kondigt een staking aan.</DataContent></ContentItem>
                </NewsComponent></NewsComponent></NewsItem></NewsML>"#
            )
        };
        let d = one(&xml(
            "<PublicIdentifier>urn:newsml:anp.nl:20181210:ANPX-101218-041:2</PublicIdentifier>",
        ));
        let it = &d.items[0];
        assert_eq!(
            it.uri.as_deref(),
            Some("urn:newsml:anp.nl:20181210:ANPX-101218-041")
        );
        assert_eq!(it.version, Some(2));
        assert_eq!(it.located.as_deref(), Some("BRUSSEL"));
        assert_eq!(it.language.as_deref(), Some("nl"));
        // A partial or missing PublicIdentifier: the identifier's parts.
        for public in ["<PublicIdentifier>urn:newsml:www.belga.be</PublicIdentifier>", ""] {
            assert_eq!(
                one(&xml(public)).items[0].uri.as_deref(),
                Some("urn:newsml:ANP:20181210:ANPX-101218-041-v2"),
                "{public}"
            );
        }
        assert_eq!(
            without_revision("urn:newsml:www.sda-ats.ch:20190603:bsf153:1N"),
            Some("urn:newsml:www.sda-ats.ch:20190603:bsf153")
        );
        assert_eq!(
            without_revision("urn:newsml:afp.com:20140829T135002Z:TX-PAR-FXW86:x"),
            None
        );
        // Any text, any script, never a panic.
        for odd in ["urn:newsml:", "ürn:néwsml:a:b:c:1", "ééééééé:1", ":", ""] {
            assert_eq!(without_revision(odd), None, "{odd}");
        }
    }

    #[test]
    fn an_advisory_line_is_a_note_and_may_say_correction() {
        let xml = |lines: &str, props: &str| {
            format!(
                r#"<NewsML><NewsItem><Identification><NewsIdentifier><ProviderId>afp.com</ProviderId><DateId>20260109T091444Z</DateId>
                <NewsItemId>TX-PAR-BDO05</NewsItemId><RevisionId>1</RevisionId></NewsIdentifier></Identification>
                <NewsComponent><NewsLines><HeadLine>Iran rocked by night of protests</HeadLine>{lines}</NewsLines>
                <DescriptiveMetadata>{props}</DescriptiveMetadata>
                <ContentItem><MediaType FormalName="Text"/><DataContent>Iranians staged their biggest protests yet.</DataContent></ContentItem>
                </NewsComponent></NewsItem></NewsML>"#
            )
        };
        let advisory = r#"<NewsLine><NewsLineType FormalName="AdvisoryLine"/><NewsLineText>CORRECTS para 4 and 9 to say Thursday, not Friday</NewsLineText></NewsLine>
            <NewsLine><NewsLineType FormalName="CopyrightLine"/><NewsLineText>(c) AFP</NewsLineText></NewsLine>"#;
        let it = &one(&xml(advisory, "")).items[0];
        assert_eq!(it.signal, Some(Signal::Correction));
        assert_eq!(
            it.ednote.as_deref(),
            Some("CORRECTS para 4 and 9 to say Thursday, not Friday")
        );
        let it = &one(&xml("", r#"<Property FormalName="Version" Value="Correction"/>"#)).items[0];
        assert_eq!(
            (it.signal, it.ednote.as_deref()),
            (Some(Signal::Correction), None)
        );
        let it = &one(&xml("", r#"<Property FormalName="Keyword" Value="Update"/>"#)).items[0];
        assert_eq!((it.signal, it.ednote.as_deref()), (None, None));
    }

    #[test]
    fn html_content_and_nested_news_lines() {
        // Text typed `HTML` (CDATA markup), the headline nested in a `NewsLine`.
        let d = one(
            r#"<NewsML><NewsItem><NewsComponent><NewsLines><NewsLine><HeadLine>Tech briefs</HeadLine></NewsLine><ByLine>Maria Antunes</ByLine></NewsLines>
            <ContentItem><MediaType FormalName="HTML"/><DataContent><![CDATA[<P>Lisboa, 28 jan 2025 - Brief one.</P><P>Brief two.</P>]]></DataContent></ContentItem>
            </NewsComponent></NewsItem></NewsML>"#,
        );
        let it = &d.items[0];
        assert_eq!(it.headline.as_deref(), Some("Tech briefs"));
        assert_eq!(it.byline.as_deref(), Some("Maria Antunes"));
        assert!(
            matches!(&it.body, Body::Html(h) if h.contains("Brief two.")),
            "{:?}",
            it.body
        );
    }
}
