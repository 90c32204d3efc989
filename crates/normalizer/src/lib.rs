//! The normalizer: turns raw documents into clean article records.
//!
//! [`normalize_all`] is pure (no IO). A document in an agency wire format (NewsML-G2,
//! NITF, NewsML 1.2, ANPA 1312 / IPTC 7901, ninjs) is read by `wirefold-agency` into its
//! items, one article each, with the stated headline and the agency's own fields; the
//! "is this an article page" gate does not apply to them. Anything else is decoded
//! (charset from the declared type, BOM or detection) and handed to `wirefold-extract` as
//! an HTML page or plain text. Gaps are filled from what the fetcher already knew (feed or
//! envelope hints). [`worker::run`] is the NATS side: it consumes `wirefold.raw.>`,
//! publishes `wirefold.articles.<lang>` and sends what it cannot use to the dead-letter
//! stream. `wirefold cluster` uses [`from_plain`], the same text path the worker takes for
//! plain-text documents.

pub mod worker;

use wirefold_agency::{AgencyError, Body, Format, Item, ItemType};
use wirefold_extract::{ExtractError, Extracted, Input, PageKind};
use wirefold_wire::{Article, FeedBody, PubStatus, RawDocument, SCHEMA_VERSION, WireError};

/// Why a raw document did not become an article.
#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    /// The body could not be decoded from the wire.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// Extraction failed. (Its message carries the extractor's, so the extractor's error
    /// is not also its `source`: a chain of errors would say it twice.)
    #[error("extraction failed: {0}")]
    Extract(ExtractError),
    /// The page is not an article (home page, listing, tag page).
    #[error("not an article page (listing, home or tag page)")]
    NotArticle,
    /// Extraction found no article text.
    #[error("no article text found")]
    NoText,
    /// A JSON document that is not ninjs.
    #[error("json document is not ninjs: {0}")]
    BadNinjs(String),
    /// A document in an agency wire format that cannot be read (truncated, an XML bomb,
    /// a ninjs field of the wrong type).
    #[error(transparent)]
    Agency(#[from] AgencyError),
    /// A wire document none of whose items can be used.
    #[error("no usable item: {0}")]
    NoItems(String),
    /// The document exceeds the size limit.
    #[error("document of {size} bytes exceeds the {limit} byte limit")]
    TooLarge {
        /// Size of the body.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

impl From<ExtractError> for NormalizeError {
    fn from(e: ExtractError) -> Self {
        NormalizeError::Extract(e)
    }
}

/// What one raw document gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Normalized {
    /// One article per usable item (one for a web page or plain text), the document's own
    /// item first.
    pub articles: Vec<Article>,
    /// Items of a wire document that could not be used, and why (a dead letter each).
    pub problems: Vec<String>,
}

/// Turns one raw document into an article record: the first of [`normalize_all`].
pub fn normalize(raw: &RawDocument, max_bytes: usize) -> Result<Article, NormalizeError> {
    let mut n = normalize_all(raw, max_bytes)?;
    Ok(n.articles.swap_remove(0))
}

/// Turns one raw document into its article records: one per item of a wire document,
/// one for a web page or plain text. `Err` when nothing in it is usable.
pub fn normalize_all(raw: &RawDocument, max_bytes: usize) -> Result<Normalized, NormalizeError> {
    if raw.body.len() > max_bytes {
        return Err(NormalizeError::TooLarge {
            size: raw.body.len(),
            limit: max_bytes,
        });
    }
    let bytes = raw.body.to_bytes()?;
    let ctype = raw.content_type.as_deref().unwrap_or("").to_ascii_lowercase();
    let url = raw.url.as_deref();
    if let Some(doc) = wirefold_agency::read(&bytes)? {
        return from_document(raw, doc);
    }
    let mut article = if ctype.contains("json") {
        return Err(NormalizeError::BadNinjs(
            "no ninjs field (uri, type, headline, body_text, bodies, ...)".into(),
        ));
    } else {
        let extracted = if ctype.starts_with("text/plain") {
            let text = decode_text(&bytes, &ctype);
            // XML without a declaration in a file named as text: data or an in-house
            // layout, never a text whose tags are its words.
            if let Some(doc) = wirefold_agency::read_undeclared_xml(&text)? {
                return from_document(raw, doc);
            }
            wirefold_extract::extract_text(&text, raw.hints.headline.as_deref())?
        } else {
            wirefold_extract::extract(&Input {
                bytes: &bytes,
                content_type: Some(&ctype),
                url,
            })?
        };
        // A feed item's own text is the item, not a page: a brief is short, and nothing
        // in it is a listing or a home page.
        if extracted.page_kind == PageKind::NotArticle && raw.hints.feed_body.is_none() {
            return Err(NormalizeError::NotArticle);
        }
        let mut article = from_extracted(extracted);
        if raw.hints.feed_body == Some(FeedBody::Summary) {
            article.incomplete = Some("only the feed item's summary: its page was not read".into());
        }
        article
    };
    article.id = raw.id.clone();
    fill_hints(&mut article, raw);
    finish(&mut article, raw);
    if article.body_text.trim().is_empty() && article.pubstatus != PubStatus::Canceled {
        return Err(NormalizeError::NoText);
    }
    Ok(Normalized {
        articles: vec![article],
        problems: Vec::new(),
    })
}

/// The articles of a wire document: one per usable item, a problem (dead letter) for each
/// item that is not.
fn from_document(raw: &RawDocument, doc: wirefold_agency::Document) -> Result<Normalized, NormalizeError> {
    let mut out = Normalized {
        articles: Vec::new(),
        problems: doc.problems,
    };
    for (i, item) in doc.items.iter().enumerate() {
        let mut a = from_item(raw, doc.format, item, i);
        if i == 0 {
            fill_hints(&mut a, raw);
        }
        finish(&mut a, raw);
        // A text whose body is nothing but its byline or dateline once those are taken
        // out still states its headline: a best-effort article marked as such, as a
        // document that carries only its headline is.
        if a.body_text.trim().is_empty()
            && a.pubstatus != PubStatus::Canceled
            && a.incomplete.is_none()
            && a.headline.as_deref().is_some_and(|h| !h.trim().is_empty())
        {
            a.incomplete = Some(
                "the item carries no body text once its byline and dateline are taken out, only its headline"
                    .into(),
            );
        }
        if a.body_text.trim().is_empty() && a.pubstatus != PubStatus::Canceled && a.incomplete.is_none() {
            out.problems.push(format!(
                "{} {} item {}: {}",
                doc.format.as_str(),
                item.item_type.as_str(),
                a.uri,
                NormalizeError::NoText
            ));
            continue;
        }
        out.articles.push(a);
    }
    if out.articles.is_empty() {
        return Err(NormalizeError::NoItems(if out.problems.is_empty() {
            "the document holds no items".into()
        } else {
            out.problems.join("; ")
        }));
    }
    Ok(out)
}

/// The article of item `i` of a wire document. The first item carries the raw document's
/// id and, when the format names none, its uri; later items get `<raw id>-<i>` and, when
/// unnamed, `<raw uri>#item-<i>`.
fn from_item(raw: &RawDocument, format: Format, item: &Item, i: usize) -> Article {
    // The body, its dateline and the agency it credits, and a byline it opens with ("By
    // Toby Davis") for an item that states none.
    let extracted = match &item.body {
        Body::Text(t) => wirefold_extract::extract_item_text(t, item.headline.as_deref()).ok(),
        Body::Html(h) => wirefold_extract::extract_item_html(h, item.headline.as_deref()).ok(),
        Body::None => None,
    };
    let (body, dateline, credit, body_byline) = extracted.map_or((String::new(), None, None, None), |e| {
        (e.body, e.dateline, e.credit, e.byline)
    });
    let agency = item.provider.as_deref().or(credit.as_deref());
    let body = without_vignette(without_signoff(without_markup(body), agency), agency);
    // An alert or flash (AFP's `Alert`, a one-line bulletin) that states no headline: its
    // one short paragraph is what it says, and what a desk shows.
    let headline = item
        .headline
        .as_deref()
        .map(wirefold_extract::clean_field)
        .or_else(|| {
            let line = body.trim();
            (item.item_type == ItemType::Text
                && item.incomplete.is_none()
                && !line.contains('\n')
                && line.chars().count() <= MAX_ALERT_CHARS
                && line.chars().any(char::is_alphabetic))
            .then(|| line.to_string())
        });
    let (id, uri) = if i == 0 {
        (
            raw.id.clone(),
            item.uri.clone().unwrap_or_else(|| raw.uri.clone()),
        )
    } else {
        (
            format!("{}-{i}", raw.id),
            item.uri
                .clone()
                .unwrap_or_else(|| format!("{}#item-{i}", raw.uri)),
        )
    };
    Article {
        schema: SCHEMA_VERSION,
        id,
        uri,
        version: item.version.or(if i == 0 { raw.version } else { None }),
        pubstatus: item.pubstatus.unwrap_or_default(),
        headline,
        byline: item
            .byline
            .as_deref()
            .map(wirefold_extract::clean_field)
            .or(body_byline),
        firstcreated: item.firstcreated.clone(),
        versioncreated: item.versioncreated.clone(),
        embargoed: item.embargoed.clone(),
        located: item.located.clone().or(dateline),
        language: item.language.clone(),
        item_type: Some(item.item_type.as_str().to_string()),
        slugline: item.slugline.clone(),
        urgency: item.urgency,
        description_text: item.description_text.clone(),
        ednote: item.ednote.clone(),
        signal: item.signal.map(|s| s.as_str().to_string()),
        format: Some(format.as_str().to_string()),
        incomplete: item.incomplete.clone(),
        // Who supplied it, as the item states it, else as its dateline credits it ("BERLIN
        // (dpa) - "; an ANPA or plain agency text states nothing else); the configured
        // source when neither does.
        source: item
            .provider
            .clone()
            .or_else(|| credit.as_deref().and_then(wirefold_agency::provider_name)),
        body_text: body,
        ..Default::default()
    }
}

/// The body with paragraphs of escaped markup (an embed's `<div ...></div><script ...>`
/// that an agency sent as text) read as their text, dropped when they hold none, and a
/// short lead-in ending in ':' ("Embed (large):") dropped with the embed it introduced.
fn without_markup(body: String) -> String {
    if !body.contains('<') {
        return body;
    }
    let mut out: Vec<String> = Vec::new();
    for para in body.split("\n\n") {
        let p = para.trim();
        let markup =
            p.starts_with('<') && p.ends_with('>') && p[1..].starts_with(|c: char| c.is_ascii_alphabetic());
        if !markup {
            out.push(para.to_string());
            continue;
        }
        let text = wirefold_agency::tree::collapse(&wirefold_agency::tree::drop_tags(p));
        if text.is_empty() {
            if out
                .last()
                .is_some_and(|l| l.trim_end().ends_with(':') && l.chars().count() <= 60)
            {
                out.pop();
            }
        } else {
            out.push(text);
        }
    }
    out.join("\n\n")
}

/// Longest one-paragraph text of a wire item without a headline that is taken as its
/// headline (an alert).
const MAX_ALERT_CHARS: usize = 250;

/// The body without a closing desk sign-off paragraph (AFP's "hh/ph/ts/hd",
/// "burs-pg/ach", in any script): editors' initials, not text of the story; nor an end
/// mark (`is_end_mark`; `agency`: the provider or dateline credit, for "==Kyodo").
fn without_signoff(mut body: String, agency: Option<&str>) -> String {
    loop {
        let trimmed = body.trim_end();
        let start = trimmed.rfind('\n').map_or(0, |i| i + 1);
        let last = &trimmed[start..];
        // (A rule is only dropped after text: a body of "..." is the sender's placeholder.)
        if trimmed.is_empty()
            || !(is_signoff(last)
                || start > 0 && (is_rule(last) || is_end_mark(last, agency))
                || is_closing_line(last))
        {
            break;
        }
        body.truncate(start);
        let keep = body.trim_end().len();
        body.truncate(keep);
    }
    // An end mark on the last line of the text, joined to it when the lines were unwrapped
    // ("... sustained injuries. ==Kyodo"): after a sentence's end, a mark that opens with
    // its rule.
    let trimmed = body.trim_end();
    if let Some((text, last)) = trimmed.rsplit_once(' ')
        && last.starts_with(|c: char| !c.is_alphanumeric() && c != '(')
        && text.trim_end().ends_with(['.', '!', '?', '"', '\u{201d}'])
        && is_end_mark(last, agency)
    {
        let keep = text.trim_end().len();
        body.truncate(keep);
    }
    // The agency's name in capitals right after the last sentence, with or without a space
    // (EFE closes its texts so: "... intervalos de fuerte.EFE").
    if let Some(a) = agency
        .map(str::trim)
        .filter(|a| (2..=8).contains(&a.len()) && a.chars().all(|c| c.is_ascii_uppercase()))
        && let Some(text) = body.trim_end().strip_suffix(a)
        && text.trim_end().ends_with(['.', '!', '?', '"', '\u{201d}'])
        && text.trim_end().len() > 1
    {
        let keep = text.trim_end().len();
        body.truncate(keep);
    }
    body
}

/// Whether a closing paragraph is an end mark: one word set off by rules or brackets,
/// the end word of a wire language ("-END-", "(ENDS)", "(Ende)", "- FIN -", "(Slut)") or
/// the agency's own name ("==Kyodo"). A word alone without the marks is text.
fn is_end_mark(p: &str, agency: Option<&str>) -> bool {
    const END_WORDS: [&str; 9] = [
        "end", "ends", "ende", "fin", "fine", "slut", "slutt", "loppu", "einde",
    ];
    let p = p.trim();
    let word = p.trim_matches(|c: char| !c.is_alphanumeric());
    if word.is_empty() || word.len() == p.len() || !word.chars().all(char::is_alphabetic) {
        return false;
    }
    let marks = p.len() - word.len();
    let w = word.to_lowercase();
    marks >= 2
        && (END_WORDS.contains(&w.as_str())
            || agency.is_some_and(|a| {
                let a = a.trim().to_lowercase();
                a == w || a.split_whitespace().next() == Some(w.as_str()) && a.len() > w.len()
            }))
}

/// The body without an opening vignette: a first paragraph of one to three words with no
/// punctuation, the last of them the agency's name in capitals, alone or joined to the
/// word before it (TT's `Försvar TT`, `FotbollTT`): a desk's label over the text, not its
/// first sentence.
fn without_vignette(body: String, agency: Option<&str>) -> String {
    let Some(agency) = agency
        .map(str::trim)
        .filter(|a| a.len() >= 2 && a.len() <= 8 && a.chars().all(|c| c.is_ascii_uppercase()))
    else {
        return body;
    };
    let Some((first, rest)) = body.split_once("\n\n") else {
        return body;
    };
    let words: Vec<&str> = first.split_whitespace().collect();
    let label = (1..=3).contains(&words.len())
        && words.iter().all(|w| w.chars().all(char::is_alphabetic))
        && words
            .last()
            .and_then(|w| w.strip_suffix(agency))
            .is_some_and(|before| before.is_empty() || words.len() == 1 && before.chars().count() >= 3);
    if label && !rest.trim().is_empty() {
        rest.to_string()
    } else {
        body
    }
}

/// Whether a paragraph is only a rule or ornament ("-----", "* * *", "###").
fn is_rule(p: &str) -> bool {
    !p.trim().is_empty() && !p.chars().any(char::is_alphanumeric)
}

/// Whether a paragraph is a German-language agency's closing line: the agency, then short
/// lower-case codes of the desk and editors, one with a digit or '/' ("dpa pre yyhe n1
/// deg", "dpa kre/su yysw a3 lön mda").
fn is_closing_line(p: &str) -> bool {
    let words: Vec<&str> = p.split_whitespace().collect();
    matches!(words.first(), Some(&("dpa" | "apa" | "sda" | "kna" | "epd")))
        && (3..=8).contains(&words.len())
        && words[1..].iter().all(|w| {
            w.chars().count() <= 8
                && w.chars()
                    .all(|c| c.is_lowercase() || c.is_ascii_digit() || c == '/')
        })
        && words[1..]
            .iter()
            .any(|w| w.contains(|c: char| c.is_ascii_digit() || c == '/'))
}

/// Whether a paragraph is a desk sign-off: at most 60 characters of short groups of
/// lower-case (or caseless) letters joined by '/' (at least one) and '-'.
fn is_signoff(p: &str) -> bool {
    let p = p.trim();
    if p.chars().count() > 60 || !p.contains('/') {
        return false;
    }
    if !p
        .chars()
        .all(|c| c == '/' || c == '-' || c == ' ' || (c.is_alphabetic() && !c.is_uppercase()))
    {
        return false;
    }
    p.split(['/', '-']).all(|g| {
        let g = g.trim();
        !g.is_empty() && g.chars().count() <= 10 && g.split(' ').filter(|w| !w.is_empty()).count() <= 2
    })
}

/// Fills what the document did not say from what the envelope or feed said.
fn fill_hints(article: &mut Article, raw: &RawDocument) {
    let hints = &raw.hints;
    if article.uri.is_empty() {
        article.uri = raw.uri.clone();
    }
    article.version = article.version.or(raw.version);
    if let Some(p) = hints.pubstatus
        && article.pubstatus == PubStatus::Usable
    {
        article.pubstatus = p;
    }
    fill(&mut article.headline, &hints.headline);
    fill(&mut article.byline, &hints.byline);
    fill(&mut article.firstcreated, &hints.firstcreated);
    fill(&mut article.versioncreated, &hints.versioncreated);
    fill(&mut article.language, &hints.language);
}

/// What every article gets: schema, language (detected when nobody stated it), source,
/// url and receive time.
fn finish(article: &mut Article, raw: &RawDocument) {
    article.schema = SCHEMA_VERSION;
    // One spelling of each language on the wire ("EN", "en_US", "eng" are "en", "en-US",
    // "en"); what is no tag ("English") is detected instead.
    article.language = article
        .language
        .as_deref()
        .and_then(wirefold_extract::language_tag);
    if article.language.is_none() {
        // Plain text and wire items without a language: detect it, so the article lands
        // on its language's subject rather than `und`.
        article.language = wirefold_extract::detect_language(&article.body_text);
    }
    fill(&mut article.source, &raw.source);
    fill(&mut article.url, &raw.url);
    article.received = Some(raw.received.clone());
}

/// The article record for a plain-text article that arrives with its own metadata, as
/// `wirefold cluster` reads them: the same text path as a plain-text raw document.
pub fn from_plain(
    id: &str,
    title: Option<&str>,
    text: &str,
    published: Option<&str>,
    source: Option<&str>,
    url: Option<&str>,
) -> Result<Article, NormalizeError> {
    let title = title.filter(|t| !t.trim().is_empty());
    let mut a = from_extracted(wirefold_extract::extract_text(text, title)?);
    a.schema = SCHEMA_VERSION;
    a.id = id.to_string();
    a.uri = url.unwrap_or(id).to_string();
    if let Some(p) = published {
        a.firstcreated = Some(p.to_string());
    }
    fill(&mut a.source, &source.map(str::to_string));
    a.url = url.map(str::to_string);
    Ok(a)
}

fn from_extracted(e: Extracted) -> Article {
    Article {
        schema: SCHEMA_VERSION,
        headline: e.title,
        byline: e.byline,
        firstcreated: e.published,
        versioncreated: e.modified,
        located: e.dateline,
        language: e.language,
        source: e.site_name,
        canonical_url: e.canonical_url,
        body_text: e.body,
        ..Default::default()
    }
}

fn fill(slot: &mut Option<String>, value: &Option<String>) {
    if slot.as_deref().is_none_or(|s| s.trim().is_empty())
        && let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty())
    {
        *slot = Some(v.to_string());
    }
}

/// Decodes text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, the declared charset,
/// else the detected one.
pub fn decode_text(bytes: &[u8], content_type: &str) -> String {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom_len..]).0.into_owned();
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let declared = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .find_map(|c| encoding_rs::Encoding::for_label(c.trim_matches('"').as_bytes()));
    let enc = declared.unwrap_or_else(|| {
        let mut d = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        d.feed(bytes, true);
        d.guess(None, chardetng::Utf8Detection::Allow)
    });
    enc.decode(bytes).0.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wirefold_wire::{ItemHints, RawBody, SourceKind};

    #[test]
    fn an_extraction_error_is_said_once() {
        let e = NormalizeError::from(ExtractError::Empty);
        assert_eq!(e.to_string(), "extraction failed: empty document");
        // A chain of errors (`anyhow`'s `{:#}`, a log line) does not repeat it.
        assert!(std::error::Error::source(&e).is_none());
    }

    fn raw(ctype: &str, body: Vec<u8>) -> RawDocument {
        RawDocument {
            schema: SCHEMA_VERSION,
            id: "r1".into(),
            uri: "file:///x.txt".into(),
            version: None,
            kind: SourceKind::File,
            source: None,
            url: Some("file:///x.txt".into()),
            content_type: Some(ctype.into()),
            received: "2025-11-24T10:00:00Z".into(),
            hints: ItemHints::default(),
            body: RawBody::from_bytes(body),
        }
    }

    #[test]
    fn a_wire_headline_a_sender_double_decoded_is_repaired() {
        // An email subject whose encoded word says windows-1252 but holds UTF-8 bytes.
        let mail = "From: desk@example.com\r\nSubject: =?windows-1252?Q?TravTalk=E2=80=99s_special_for_the_convention?=\r\n\
            Message-ID: <1@example.com>\r\nDate: Mon, 24 Nov 2025 10:00:00 +0000\r\nContent-Type: text/plain\r\n\r\n\
            The travel trade magazine will publish a special edition for the convention next week.\r\n";
        let a = normalize(&raw("text/plain", mail.as_bytes().to_vec()), 1 << 20).unwrap();
        assert_eq!(
            a.headline.as_deref(),
            Some("TravTalk\u{2019}s special for the convention")
        );
    }

    #[test]
    fn a_feed_items_own_text_is_an_item_not_a_page() {
        let brief = b"<p>The port reopened on Tuesday after a two-day strike by dock workers ended with a pay deal, the operator said.</p>";
        let feed_item = |body: FeedBody| {
            let mut r = raw("text/html", brief.to_vec());
            r.kind = SourceKind::Feed;
            r.hints.headline = Some("Port reopens after strike".into());
            r.hints.feed_body = Some(body);
            r
        };
        // A page this short is no article page; a feed item's brief is its item.
        let page = raw("text/html", brief.to_vec());
        assert!(matches!(
            normalize(&page, 1 << 20),
            Err(NormalizeError::NotArticle)
        ));
        let a = normalize(&feed_item(FeedBody::Content), 1 << 20).unwrap();
        assert_eq!(a.headline.as_deref(), Some("Port reopens after strike"));
        assert!(a.body_text.starts_with("The port reopened"), "{}", a.body_text);
        assert_eq!(a.incomplete, None);
        // Only the summary: an item still, marked as such.
        let a = normalize(&feed_item(FeedBody::Summary), 1 << 20).unwrap();
        assert!(
            a.incomplete.as_deref().is_some_and(|r| r.contains("summary")),
            "{a:?}"
        );
    }

    #[test]
    fn undeclared_xml_in_a_text_file_is_read_as_xml_not_as_words() {
        // An API's listing of item ids: data, refused with the reason.
        let listing = b"<results>\n  <result><id>tag:agency,0000:1</id><version>2</version></result>\n  <result><id>tag:agency,0000:2</id><version>5</version></result>\n</results>";
        let e = normalize_all(&raw("text/plain", listing.to_vec()), 1 << 20).unwrap_err();
        assert!(
            e.to_string().contains("<results> is in no known wire format"),
            "{e}"
        );
        // An in-house layout: its item.
        let body = "Police in the capital said on Monday that the investigation into the fire at the market was continuing.";
        let story =
            format!("<story><headline>Market fire inquiry goes on</headline><body>{body}</body></story>");
        let a = normalize(&raw("text/plain", story.into_bytes()), 1 << 20).unwrap();
        assert_eq!(a.headline.as_deref(), Some("Market fire inquiry goes on"));
        assert!(
            a.body_text.starts_with("Police in the capital"),
            "{}",
            a.body_text
        );
        // An HTML fragment named as text stays text.
        let a = normalize(
            &raw(
                "text/plain",
                b"<p>First paragraph here.</p>\n\nSecond one.".to_vec(),
            ),
            1 << 20,
        )
        .unwrap();
        assert!(a.body_text.contains("Second one."), "{}", a.body_text);
    }

    #[test]
    fn plain_text_becomes_an_article_with_identity_from_the_raw_document() {
        let a = normalize(
            &raw("text/plain", b"First paragraph here.\n\nSecond one.".to_vec()),
            1 << 20,
        )
        .unwrap();
        assert_eq!(a.id, "r1");
        assert_eq!(a.uri, "file:///x.txt");
        assert_eq!(a.url.as_deref(), Some("file:///x.txt"));
        assert!(a.body_text.contains("Second one."), "{}", a.body_text);
    }

    #[test]
    fn latin1_text_is_decoded_not_mangled() {
        let text =
            b"Le caf\xe9 de la gare a ferm\xe9 ses portes apr\xe8s trente ann\xe9es de service fid\xe8le.";
        let a = normalize(&raw("text/plain", text.to_vec()), 1 << 20).unwrap();
        assert!(a.body_text.contains("café"), "{}", a.body_text);
        assert_eq!(a.language.as_deref(), Some("fr"));
    }

    #[test]
    fn plain_text_language_is_detected_unless_a_hint_names_it() {
        let text = b"The government said on Monday that the new bridge over the river would open \
                     to traffic next spring, two years later than planned, after a dispute over costs."
            .to_vec();
        let a = normalize(&raw("text/plain", text.clone()), 1 << 20).unwrap();
        assert_eq!(a.language.as_deref(), Some("en"));
        let mut r = raw("text/plain", text);
        r.hints.language = Some("en-GB".into());
        assert_eq!(normalize(&r, 1 << 20).unwrap().language.as_deref(), Some("en-GB"));
        // A stated language in one spelling; what is no language tag is detected.
        for (stated, want) in [("EN", "en"), ("en_gb", "en-GB"), ("eng", "en"), ("English", "en")] {
            r.hints.language = Some(stated.into());
            assert_eq!(
                normalize(&r, 1 << 20).unwrap().language.as_deref(),
                Some(want),
                "{stated}"
            );
        }
    }

    #[test]
    fn refuses_empty_and_oversized() {
        assert!(normalize(&raw("text/plain", b"   ".to_vec()), 1 << 20).is_err());
        assert!(matches!(
            normalize(&raw("text/plain", vec![b'a'; 100]), 10),
            Err(NormalizeError::TooLarge { size: 100, limit: 10 })
        ));
    }

    #[test]
    fn hints_fill_gaps_but_do_not_override() {
        let mut r = raw("text/plain", b"Body text of the story.".to_vec());
        r.hints.headline = Some("Feed headline".into());
        r.hints.firstcreated = Some("2025-11-24T08:00:00Z".into());
        r.source = Some("Wire".into());
        let a = normalize(&r, 1 << 20).unwrap();
        assert_eq!(a.headline.as_deref(), Some("Feed headline"));
        assert_eq!(a.firstcreated.as_deref(), Some("2025-11-24T08:00:00Z"));
        assert_eq!(a.source.as_deref(), Some("Wire"));
    }

    #[test]
    fn a_wire_item_in_html_keeps_all_its_text_and_its_tables_rows() {
        // A results item as dpa sends it in ninjs: an intro too short for a web page's
        // article test, a link, and a standings table whose columns repeat numbers.
        let doc = br#"{"uri":"urn:t:tab","type":"text","headline":"Bundesliga: Tabelle",
            "body_html":"<p>Berlin (dpa) - Der Stand nach dem 6. Spieltag:</p><table><tr><td>1.</td><td>Bayern M\u00fcnchen</td><td>6</td><td>4</td><td>2</td><td>0</td></tr><tr><td>3.</td><td>Eintracht Frankfurt</td><td>6</td><td>4</td><td>1</td><td>1</td></tr></table><p><a href=\"https://x.example/\">Mehr</a></p>"}"#;
        let a = normalize(&raw("application/json", doc.to_vec()), 1 << 20).unwrap();
        assert_eq!(a.headline.as_deref(), Some("Bundesliga: Tabelle"));
        assert_eq!(a.located.as_deref(), Some("Berlin"));
        assert_eq!(
            a.body_text,
            "Der Stand nach dem 6. Spieltag:\n\n1. Bayern München 6 4 2 0\n\n3. Eintracht Frankfurt 6 4 1 1\n\nMehr"
        );
    }

    #[test]
    fn a_wire_items_source_is_the_agency_it_names() {
        let with = |source: Option<&str>, ctype: &str, doc: &str| {
            let mut r = raw(ctype, doc.as_bytes().to_vec());
            r.source = source.map(str::to_string);
            normalize(&r, 1 << 20).unwrap().source
        };
        // The provider the item states beats the folder it was dropped in; a known agency
        // is named as it signs ("Thomson Reuters" is Reuters).
        let g2 = r#"<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:t:p"><itemMeta><itemClass qcode="ninat:text"/><provider literal="reuters.com"/></itemMeta>
<rightsInfo><copyrightHolder literal="Thomson Reuters"/></rightsInfo><contentMeta><headline>Talks resume</headline></contentMeta>
<contentSet><inlineXML><html><body><p>LONDON (Reuters) - Talks resumed on Monday after a week of delays and disputes.</p></body></html></inlineXML></contentSet></newsItem>"#;
        assert_eq!(
            with(Some("drop"), "application/xml", g2).as_deref(),
            Some("Reuters")
        );
        // An ANPA or plain agency text states no provider: its dateline credits one.
        let dpa = "\x01eca0124 3 i 93  dpa 1888\r\n\r\nYemen/conflict/\r\n\x02Peace talks on Yemen to take place in Sweden =\r\n\r\n\
                   Washington (dpa) - US Defence Secretary Jim Mattis says he expects the warring parties to talk.\r\n\x03";
        assert_eq!(with(Some("drop"), "text/plain", dpa).as_deref(), Some("dpa"));
        // Neither: the configured source.
        let plain = r#"{"uri":"urn:t:n","type":"text","headline":"Rates held","body_text":"The central bank held its rates on Thursday, as expected by most economists."}"#;
        assert_eq!(
            with(Some("partner"), "application/json", plain).as_deref(),
            Some("partner")
        );
        assert_eq!(with(None, "application/json", plain), None);
        // A copyright notice names the holder without the rights statement.
        let ninjs = r#"{"uri":"urn:t:c","type":"text","headline":"Rates held","copyrightnotice":"Copyright 2019 The Associated Press. All rights reserved.","body_text":"The central bank held its rates on Thursday, as expected by most economists."}"#;
        assert_eq!(
            with(Some("drop"), "application/json", ninjs).as_deref(),
            Some("AP")
        );
    }

    #[test]
    fn a_news_message_gives_one_article_per_item_and_says_what_it_dropped() {
        let msg = br#"<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>
<newsItem guid="urn:t:1" version="2"><itemMeta><itemClass qcode="ninat:text"/><signal qcode="sig:correction"/></itemMeta>
 <contentMeta><slugline>SLUG</slugline><headline>Stated headline</headline><urgency>2</urgency></contentMeta>
 <contentSet><inlineXML><html><body><p>The council approved the budget on Monday after a long debate.</p></body></html></inlineXML></contentSet></newsItem>
<newsItem guid="urn:t:2"><itemMeta><itemClass qcode="ninat:picture"/></itemMeta>
 <contentMeta><description>Councillors vote on the budget.</description></contentMeta></newsItem>
<newsItem guid="urn:t:3"><itemMeta><itemClass qcode="ninat:video"/></itemMeta></newsItem>
</itemSet></newsMessage>"#;
        let n = normalize_all(&raw("application/xml", msg.to_vec()), 1 << 20).unwrap();
        let got: Vec<(&str, &str, Option<&str>)> = n
            .articles
            .iter()
            .map(|a| (a.id.as_str(), a.uri.as_str(), a.item_type.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("r1", "urn:t:1", Some("text")),
                ("r1-1", "urn:t:2", Some("picture"))
            ]
        );
        let a = &n.articles[0];
        assert_eq!(a.headline.as_deref(), Some("Stated headline"));
        assert_eq!((a.slugline.as_deref(), a.urgency), (Some("SLUG"), Some(2)));
        assert_eq!(
            (a.version, a.signal.as_deref(), a.format.as_deref()),
            (Some(2), Some("correction"), Some("newsml-g2"))
        );
        assert_eq!(n.articles[1].body_text, "Councillors vote on the budget.");
        assert_eq!(n.problems.len(), 1);
        assert!(n.problems[0].contains("urn:t:3"), "{:?}", n.problems);
        // A text item whose body is only its byline keeps its stated headline, marked
        // incomplete; without a headline it is dropped with the reason.
        let byline_only = |headline: &str| {
            format!(
                r#"<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:t:9"><itemMeta><itemClass qcode="ninat:text"/></itemMeta>
<contentMeta>{headline}</contentMeta><contentSet><inlineXML><html><body><p>By Toby Davis</p></body></html></inlineXML></contentSet></newsItem>"#
            )
        };
        let b = normalize_all(
            &raw(
                "application/xml",
                byline_only("<headline>Benitez pleads for support</headline>").into_bytes(),
            ),
            1 << 20,
        )
        .unwrap();
        assert_eq!(
            b.articles[0].headline.as_deref(),
            Some("Benitez pleads for support")
        );
        assert!(
            b.articles[0]
                .incomplete
                .as_deref()
                .is_some_and(|r| r.contains("only its headline"))
        );
        assert!(normalize_all(&raw("application/xml", byline_only("").into_bytes()), 1 << 20).is_err());
        // A truncated one is refused with the reason.
        let cut = normalize_all(&raw("application/xml", msg[..300].to_vec()), 1 << 20).unwrap_err();
        assert!(cut.to_string().contains("truncated xml"), "{cut}");
    }

    #[test]
    fn ninjs_json_is_read() {
        let doc = br#"{"uri":"urn:x:1","version":"3","headline":"H","body_text":"Text of it.","pubstatus":"usable","firstcreated":"2025-11-24T08:00:00Z"}"#;
        let a = normalize(&raw("application/json", doc.to_vec()), 1 << 20).unwrap();
        assert_eq!(
            (a.uri.as_str(), a.version, a.headline.as_deref()),
            ("urn:x:1", Some(3), Some("H"))
        );
        let withdrawn = br#"{"uri":"urn:x:1","pubstatus":"canceled"}"#;
        let a = normalize(&raw("application/json", withdrawn.to_vec()), 1 << 20).unwrap();
        assert_eq!(a.pubstatus, PubStatus::Canceled);
        assert!(matches!(
            normalize(&raw("application/json", b"[1,2]".to_vec()), 1 << 20),
            Err(NormalizeError::BadNinjs(_))
        ));
        assert!(matches!(
            normalize(
                &raw("application/json", br#"{"uri":"u","headline":7}"#.to_vec()),
                1 << 20
            ),
            Err(NormalizeError::Agency(_))
        ));
        assert!(matches!(
            normalize(&raw("application/json", br#"{"items":[]}"#.to_vec()), 1 << 20),
            Err(NormalizeError::BadNinjs(_))
        ));
    }

    #[test]
    fn desk_signoffs_leave_the_body_an_alert_is_its_own_headline_and_no_line_is_lost() {
        for p in [
            "hh/ph/ts/hd",
            "burs-pg/ach",
            "ففف/ح س/كام",
            "سب-لال/نور-كام-ريم-كبج-ود/سام",
        ] {
            assert!(is_signoff(p), "{p}");
        }
        for p in [
            "AFP/Getty",
            "hh-ph",
            "The 24/7 service resumes.",
            "a/very long group of words/here",
            "",
        ] {
            assert!(!is_signoff(p), "{p}");
        }
        let nitf = |paras: &str, hl: &str| {
            format!(
                r#"<?xml version="1.0"?><NewsML><NewsItem><Identification><NewsIdentifier><ProviderId>afp.com</ProviderId><DateId>20231124</DateId><NewsItemId>TX-1</NewsItemId></NewsIdentifier></Identification>
                <NewsComponent><NewsLines><HeadLine>{hl}</HeadLine></NewsLines><ContentItem><MediaType FormalName="Text"/>
                <DataContent><nitf><body><body.content>{paras}<p/></body.content></body></nitf></DataContent></ContentItem></NewsComponent></NewsItem></NewsML>"#
            )
        };
        let story = nitf(
            "<p>Saab's receivership was accepted by a Swedish court on Monday.</p><p>The carmaker has one model left.</p><p>hh/ph/ts</p>",
            "Court accepts Saab receivership",
        );
        let a = normalize(&raw("application/xml", story.into_bytes()), 1 << 20).unwrap();
        assert_eq!(a.headline.as_deref(), Some("Court accepts Saab receivership"));
        assert!(a.body_text.ends_with("one model left."), "{:?}", a.body_text);
        // An alert: no headline, one line and the sign-off.
        let alert = nitf(
            "<p>Macron vows to free French hostages held in Gaza</p><p>fff/hs/cam</p>",
            "",
        );
        let a = normalize(&raw("application/xml", alert.into_bytes()), 1 << 20).unwrap();
        assert_eq!(
            (a.headline.as_deref(), a.body_text.as_str()),
            (
                Some("Macron vows to free French hostages held in Gaza"),
                "Macron vows to free French hostages held in Gaza"
            )
        );
        // A story of several paragraphs without a headline does not get its lede as one,
        // nor loses a short first line to a headline guess (the item said it has none).
        let lede = nitf(
            "<p>Talks resume</p><p>Negotiators met again in Geneva on Monday.</p>",
            "",
        );
        let a = normalize(&raw("application/xml", lede.into_bytes()), 1 << 20).unwrap();
        assert_eq!(a.headline, None);
        assert_eq!(
            a.body_text,
            "Talks resume\n\nNegotiators met again in Geneva on Monday."
        );
        // A placeholder is no alert.
        let dots = nitf("<p>...</p>", "");
        let a = normalize(&raw("application/xml", dots.into_bytes()), 1 << 20).unwrap();
        assert_eq!(a.headline, None);
    }

    #[test]
    fn an_agency_vignette_over_the_text_is_no_text() {
        let text = "Pandemin satte stopp för den stora militärövningen förra våren.";
        for label in ["Försvar TT", "FotbollTT", "Finland TT"] {
            assert_eq!(
                without_vignette(format!("{label}\n\n{text}"), Some("TT")),
                text,
                "{label}"
            );
        }
        // Another agency's name, a sentence, a lone name, or nothing after it stays.
        for (body, agency) in [
            (format!("Försvar TT\n\n{text}"), Some("NTB")),
            (format!("Says TT.\n\n{text}"), Some("TT")),
            (format!("TTT\n\n{text}"), Some("TT")),
            ("Försvar TT".to_string(), Some("TT")),
            (format!("Försvar TT\n\n{text}"), None),
        ] {
            assert_eq!(without_vignette(body.clone(), agency), body);
        }
    }

    #[test]
    fn escaped_embed_markup_in_a_wire_text_is_no_text() {
        let body = "Read the fact check on the site.\n\nEmbed (large):\n\n<div class=\"x-embed\" data-id=\"a0G\"></div><script async src=\"https://example.org/embed.js\"></script>\n\n<blockquote class=\"tweet\"><p>The vote is tonight.</p> - Jane (@jane)</blockquote><script src=\"w.js\"></script>\n\nLast paragraph.";
        assert_eq!(
            without_markup(body.to_string()),
            "Read the fact check on the site.\n\nThe vote is tonight. - Jane (@jane)\n\nLast paragraph."
        );
        let plain = "Prices rose 3% <a year> ago.\n\nNo markup here.";
        assert_eq!(
            without_signoff(
                "Text of the story.\n\n-----------\n\ndpa pre yyhe n1 deg".into(),
                None
            ),
            "Text of the story."
        );
        let kept = "Text.\n\ndpa reports more later today";
        assert_eq!(without_signoff(kept.into(), None), kept);
        // End marks: an end word or the agency's name set off by rules or brackets.
        for (end, agency) in [
            ("==Kyodo", Some("Kyodo News")),
            ("-- Kyodo", Some("kyodo")),
            ("-END-", None),
            ("(ENDS)", None),
            ("(Ende)", Some("APA")),
            ("- FIN -", None),
        ] {
            assert_eq!(
                without_signoff(format!("Text of the story.\n\n{end}"), agency),
                "Text of the story.",
                "{end}"
            );
        }
        // A word alone, another name, a bracketed word that is no end word, or the mark as
        // the whole body stays.
        for (end, agency) in [
            ("End", None),
            ("==Reuters", Some("Kyodo")),
            ("(Photo)", None),
            ("-- Kyodo", None),
        ] {
            let text = format!("Text of the story.\n\n{end}");
            assert_eq!(without_signoff(text.clone(), agency), text, "{end}");
        }
        assert_eq!(without_signoff("-END-".into(), None), "-END-");
        // Joined to the last line of the text when its lines were unwrapped.
        assert_eq!(
            without_signoff("They were injured. ==Kyodo".into(), Some("Kyodo")),
            "They were injured."
        );
        // The agency's name in capitals after the last sentence, joined or not.
        for glued in ["The wind will be strong.EFE", "The wind will be strong. EFE"] {
            assert_eq!(
                without_signoff(glued.into(), Some("EFE")),
                "The wind will be strong."
            );
        }
        for kept in ["A deal was signed with EFE", "Reported by EFE.", "The SEFE"] {
            assert_eq!(without_signoff(kept.into(), Some("EFE")), kept);
        }
        for kept in [
            "Prices rose by 3 ==Kyodo",
            "See the -END-",
            "It streams on Disney+",
        ] {
            assert_eq!(without_signoff(kept.into(), Some("Kyodo")), kept);
        }
        assert_eq!(without_markup(plain.to_string()), plain);
    }
}
