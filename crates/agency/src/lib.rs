//! Readers for the formats news agencies deliver: NewsML-G2 (news items, news messages,
//! packages), NITF 3.x, NewsML 1.2, ANPA 1312 / IPTC 7901 transmissions, IPTC ninjs
//! 1.x, 2.x and 3.x, in-house XML layouts that name their parts plainly ([`simple`]), and
//! stories delivered by email ([`email`]).
//!
//! [`read`] takes the bytes of one delivered document and returns its [`Item`]s: what the
//! agency states about each item (identity, version, status, headline, slugline, urgency,
//! dateline, byline, language, times, caption, editorial note) and its body text. A
//! document that is not in one of these formats gives `Ok(None)`, so the caller can read
//! it as a web page or plain text; a document that is in one of them but cannot be read
//! (truncated, an XML bomb, a ninjs field of the wrong type) gives an [`AgencyError`] that
//! says why.
//!
//! The headline is always the one the agency states (NewsML-G2 `headline`, NITF `hl1`,
//! NewsML 1.2 `HeadLine`, the ANPA headline line, ninjs `headline`/`headlines`), never a
//! slugline, keyword, NITF `<title>` or file name; those go to [`Item::slugline`].
//!
//! XML goes through quick-xml ([`tree`], bounded depth and size, no entity expansion) and
//! JSON through serde_json, email through mail-parser; ANPA has no maintained crate, so
//! [`anpa`] is a reader of its own. Character sets: BOM, UTF-8, the XML declaration's
//! `encoding`, else Windows-1252 (encoding_rs). The crate does no IO, no async, and never
//! panics on input.

pub mod anpa;
pub mod email;
pub mod g2;
pub mod newsml1;
pub mod ninjs;
pub mod nitf;
pub mod simple;
pub mod tagged;
pub mod tree;

pub use wirefold_wire::PubStatus;

/// A wire format this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// IPTC NewsML-G2 (`newsItem`, `newsMessage`, `packageItem`).
    NewsmlG2,
    /// IPTC NITF 3.x.
    Nitf,
    /// IPTC NewsML 1.x (`NewsML`/`NewsItem`).
    Newsml1,
    /// ANPA 1312 / IPTC 7901 transmissions.
    Anpa,
    /// IPTC ninjs 1.x, 2.x, 3.x.
    Ninjs,
    /// An in-house XML layout that names its parts plainly ([`simple`]).
    SimpleXml,
    /// An email message (RFC 5322, MIME) carrying a story ([`email`]).
    Email,
    /// Tagged-field text (AAP's News Bites: `TI#`, `TX#` lines after `zczc`; [`tagged`]).
    Tagged,
}

impl Format {
    /// Name used in article records (`format`) and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::NewsmlG2 => "newsml-g2",
            Format::Nitf => "nitf",
            Format::Newsml1 => "newsml-1",
            Format::Anpa => "anpa",
            Format::Ninjs => "ninjs",
            Format::SimpleXml => "xml",
            Format::Email => "email",
            Format::Tagged => "tagged",
        }
    }
}

/// What kind of item (ninjs `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ItemType {
    /// A text story.
    #[default]
    Text,
    /// A photo.
    Picture,
    /// A graphic.
    Graphic,
    /// A video.
    Video,
    /// An audio clip.
    Audio,
    /// A package or composite.
    Composite,
}

impl ItemType {
    /// The ninjs `type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemType::Text => "text",
            ItemType::Picture => "picture",
            ItemType::Graphic => "graphic",
            ItemType::Video => "video",
            ItemType::Audio => "audio",
            ItemType::Composite => "composite",
        }
    }

    /// From a ninjs `type` or a NewsML-G2 item class (`ninat:picture`, `icls:text`).
    pub fn from_name(s: &str) -> Option<Self> {
        let s = s.rsplit(':').next().unwrap_or(s).trim().to_ascii_lowercase();
        Some(match s.as_str() {
            "text" => ItemType::Text,
            "picture" | "photo" | "image" => ItemType::Picture,
            "graphic" | "graphics" => ItemType::Graphic,
            "video" => ItemType::Video,
            "audio" => ItemType::Audio,
            "composite" | "package" => ItemType::Composite,
            _ => return None,
        })
    }
}

/// What a version says about the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signal {
    /// A new version: writethru, new lead, `UPDATE n-`, NewsML-G2 `sig:update`.
    Update,
    /// A correction: `CORRECTED-`, `CORRECTION`, NewsML-G2 `sig:correction`.
    Correction,
}

impl Signal {
    /// Name used in article records (`signal`).
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Update => "update",
            Signal::Correction => "correction",
        }
    }
}

/// The body as delivered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Body {
    /// No body.
    #[default]
    None,
    /// Plain text, paragraphs separated by blank lines.
    Text(String),
    /// An HTML fragment (ninjs `body_html`), for the caller's HTML cleanup.
    Html(String),
}

impl Body {
    /// True when there is no text at all.
    pub fn is_blank(&self) -> bool {
        match self {
            Body::None => true,
            Body::Text(s) | Body::Html(s) => s.trim().is_empty(),
        }
    }
}

/// One item as the agency states it. Field names follow ninjs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Item {
    /// Stable identity across versions (NewsML-G2 `guid`, NITF `doc-id`, NewsML 1.2
    /// provider/date/item id, ninjs `uri`, ANPA keyword and date).
    pub uri: Option<String>,
    /// Version (NewsML-G2 `version`, NITF `du-key@version`, NewsML 1.2 `RevisionId`,
    /// ninjs `version`, ANPA writethru/lead number + 1).
    pub version: Option<u64>,
    /// ninjs `type`.
    pub item_type: ItemType,
    /// Publication status (`canceled` for kills, eliminations and withdrawals).
    pub pubstatus: Option<PubStatus>,
    /// Update or correction, when the version says so.
    pub signal: Option<Signal>,
    /// The stated headline.
    pub headline: Option<String>,
    /// Slugline / keyword / NITF title.
    pub slugline: Option<String>,
    /// Urgency (1 most urgent .. 9).
    pub urgency: Option<u8>,
    /// Dateline place or dateline as stated.
    pub located: Option<String>,
    /// Byline as printed.
    pub byline: Option<String>,
    /// Language tag.
    pub language: Option<String>,
    /// First created, RFC 3339.
    pub firstcreated: Option<String>,
    /// This version created, RFC 3339.
    pub versioncreated: Option<String>,
    /// Time before which the item must not be published (RFC 3339).
    pub embargoed: Option<String>,
    /// Caption or summary (ninjs `description_text`).
    pub description_text: Option<String>,
    /// Editorial note (`Eds:`, `edNote`, `ed-msg`).
    pub ednote: Option<String>,
    /// The agency or provider that supplied the item, by the name it states (NewsML-G2
    /// `provider` or `copyrightHolder`, NITF `doc.copyright@holder` or `distributor`,
    /// NewsML 1.2 `Provider` or `Source` party, ninjs `copyrightholder` or `provider`, an
    /// in-house layout's `provider` or `origin`),
    /// without copyright sign, year or rights statement ([`provider_name`]).
    pub provider: Option<String>,
    /// The body.
    pub body: Body,
    /// Set when the item is a best effort: read only in part (a transmission cut short) or
    /// on an assumption (a ninjs `type` that is a sender's name for a text): what is
    /// missing or assumed.
    pub incomplete: Option<String>,
}

/// The items of one delivered document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The format it was read as.
    pub format: Format,
    /// Its items, text items first.
    pub items: Vec<Item>,
    /// What could not be used and why (a package whose referenced items are not in the
    /// document, an item without body or caption), for a dead letter each.
    pub problems: Vec<String>,
}

/// Why a document in an agency format could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgencyError {
    /// The XML could not be read.
    #[error("{format}: {source}")]
    Xml {
        /// Format named by the root element.
        format: &'static str,
        /// What went wrong.
        #[source]
        source: tree::XmlError,
    },
    /// A ninjs document that breaks the schema.
    #[error("ninjs: {0}")]
    Ninjs(String),
    /// Structurally readable but not usable.
    #[error("{format}: {reason}")]
    Unusable {
        /// The format.
        format: &'static str,
        /// Why.
        reason: String,
    },
}

/// Decodes bytes to text: BOM, UTF-8, the XML declaration's encoding, else Windows-1252.
pub fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom..]).0.into_owned();
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
    let declared = head
        .strip_prefix("<?xml")
        .and_then(|h| h.split("?>").next())
        .and_then(|decl| {
            let i = decl.find("encoding")?;
            let rest = decl[i + 8..].trim_start().strip_prefix('=')?.trim_start();
            // Hostile bytes may put any character here: only a quote opens a label.
            let q = rest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
            rest[1..].split(q).next().map(str::to_string)
        })
        .and_then(|label| encoding_rs::Encoding::for_label(label.trim().as_bytes()));
    declared
        .unwrap_or(encoding_rs::WINDOWS_1252)
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

/// The local name of the first element of an XML text, if it starts like XML.
fn root_name(text: &str) -> Option<&str> {
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if !rest.starts_with('<') {
            return None;
        }
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.split_once("?>")?.1.trim_start();
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->")?.1.trim_start();
        } else if rest.starts_with("<!") {
            // DOCTYPE, possibly with an internal subset.
            let end = if let Some(i) = rest.find('[')
                && rest.find('>').is_some_and(|g| i < g)
            {
                rest.find("]>").map(|e| e + 2)?
            } else {
                rest.find('>')? + 1
            };
            rest = rest[end..].trim_start();
        } else {
            let name = rest[1..]
                .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .next()?;
            return Some(name.rsplit(':').next().unwrap_or(name));
        }
    }
}

/// Reads a delivered document. `Ok(None)`: not an agency format.
pub fn read(bytes: &[u8]) -> Result<Option<Document>, AgencyError> {
    if anpa::looks_like(bytes) {
        return Ok(Some(tidy(anpa::read(&decode(bytes)))));
    }
    if email::looks_like(bytes) {
        return Ok(Some(tidy(email::read(bytes))));
    }
    if tagged::looks_like(bytes) {
        return Ok(Some(tidy(tagged::read(&decode(bytes)))));
    }
    // Sniff on a prefix first, so a web page or a text costs no decoded copy.
    let prefix = decode(&bytes[..bytes.len().min(1 << 16)]);
    let p = prefix.trim_start_matches('\u{feff}').trim_start();
    let format = match root_name(p) {
        // An object, or an array of objects (many items in one delivery).
        _ if p.starts_with('{')
            || p.strip_prefix('[')
                .is_some_and(|r| r.trim_start().starts_with('{')) =>
        {
            Format::Ninjs
        }
        // Concept, knowledge, planning and catalog items are NewsML-G2 too: read, so
        // that they are refused as "not a news item" rather than taken for a page.
        Some(
            "newsItem" | "newsMessage" | "packageItem" | "conceptItem" | "knowledgeItem" | "planningItem"
            | "catalogItem",
        ) => Format::NewsmlG2,
        Some("nitf") => Format::Nitf,
        // A NewsML-G2 content set cut out of its item (an NITF article in `inlineXML`, as
        // the NewsML-G2 guidelines show one): the NITF inside is the item.
        Some("contentSet" | "inlineXML") if p.contains("<nitf") => Format::Nitf,
        Some("NewsML") => Format::Newsml1,
        None if anpa::looks_stripped(p) => return Ok(Some(tidy(anpa::read(&decode(bytes))))),
        None if tagged::looks_marked(p) => return Ok(Some(tidy(tagged::read(&decode(bytes))))),
        // Any other XML that is not a page or a feed may be an in-house wire layout.
        Some(r) if p.starts_with("<?xml") && simple::may_be(r) => Format::SimpleXml,
        _ => return Ok(None),
    };
    let text = decode(bytes);
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if format == Format::Ninjs {
        return ninjs::read(head).map(|d| d.map(tidy));
    }
    let root = tree::parse(head).map_err(|source| AgencyError::Xml {
        format: format.as_str(),
        source,
    })?;
    let doc = match format {
        Format::NewsmlG2 => g2::read(&root),
        Format::Nitf => nitf::read(if root.name == "nitf" {
            &root
        } else {
            root.find("nitf").ok_or_else(|| AgencyError::Unusable {
                format: format.as_str(),
                reason: format!("<{}> holds no <nitf> element", root.name),
            })?
        }),
        // XML that is not a page or a feed is read as data, never as a page of its text
        // nodes: an item when a body element holds one, else refused with the reason.
        Format::SimpleXml => return read_simple(&root).map(Some),
        _ => newsml1::read(&root),
    };
    Ok(Some(tidy(doc)))
}

/// Roots of HTML fragments, which a text file may hold: text, not data.
const HTML_ROOTS: &[&str] = &[
    "p",
    "div",
    "span",
    "article",
    "section",
    "main",
    "body",
    "head",
    "table",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "figure",
    "a",
    "b",
    "i",
    "em",
    "strong",
    "br",
    "img",
    "pre",
];

/// Reads text whose sender named it plain text (a `.txt` or extensionless file) but that is
/// a well-formed XML document without a declaration: as declared XML of no known format
/// is, through the in-house layouts' reader, an item or a refusal that says why.
/// `Ok(None)`: not XML, not well-formed, or a page, feed or HTML fragment.
pub fn read_undeclared_xml(text: &str) -> Result<Option<Document>, AgencyError> {
    let p = text.trim_start_matches('\u{feff}').trim_start();
    let Some(r) = root_name(p) else {
        return Ok(None);
    };
    if !simple::may_be(r) || HTML_ROOTS.iter().any(|h| h.eq_ignore_ascii_case(r)) {
        return Ok(None);
    }
    let Ok(root) = tree::parse(p) else {
        return Ok(None);
    };
    read_simple(&root).map(Some)
}

/// An in-house layout's items, or why the XML holds none.
fn read_simple(root: &tree::El) -> Result<Document, AgencyError> {
    simple::read(root).map(tidy).ok_or_else(|| AgencyError::Unusable {
        format: Format::SimpleXml.as_str(),
        reason: format!(
            "<{}> is in no known wire format and holds no body element of an item \
             (ContentText, content, body, text, story) of {} characters or more",
            root.name,
            simple::MIN_BODY
        ),
    })
}

/// What holds for the items of every format: a "headline" without a letter (a picture
/// number, a code) states no headline, and a release time that is the item's own creation
/// time (AAP's NITF `date.release` equal to `date.issue`) is no embargo.
fn tidy(mut doc: Document) -> Document {
    for it in &mut doc.items {
        if it.embargoed.is_some() && (it.embargoed == it.firstcreated || it.embargoed == it.versioncreated) {
            it.embargoed = None;
        }
        if let Some(h) = it.headline.as_deref()
            && let Some(bare) = unmarked(h)
        {
            it.headline = Some(bare.to_string());
        }
        if it
            .headline
            .as_deref()
            .is_some_and(|h| !h.chars().any(char::is_alphabetic))
        {
            it.headline = None;
        }
        // A place a form required and nobody filled in ("No-Data-Available", "N/A") states
        // none.
        if it.located.as_deref().is_some_and(placeholder) {
            it.located = None;
        }
    }
    doc
}

/// A headline without the marker a sender puts before it: a run of `>` (ANSA's `>>>` for
/// a lead story), with the agency credit after it (`>>>ANSA/Gazprom cuts ...`). `None`
/// when there is none.
fn unmarked(h: &str) -> Option<&str> {
    let rest = h
        .trim_start()
        .strip_prefix('>')?
        .trim_start_matches('>')
        .trim_start();
    // The credit is an upper-case word and a slash before the headline's first word (not
    // the first half of a name such as "AC/DC").
    let credit = rest.split_once('/').filter(|(w, after)| {
        (2..=10).contains(&w.len())
            && w.bytes().all(|b| b.is_ascii_uppercase())
            && after.chars().nth(1).is_none_or(|c| !c.is_uppercase())
    });
    Some(credit.map_or(rest, |(_, after)| after.trim_start()))
}

/// A value standing for no value: "No-Data-Available", "N/A", "none", "unknown", "-".
fn placeholder(s: &str) -> bool {
    let key: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    matches!(
        key.as_str(),
        "" | "na"
            | "none"
            | "null"
            | "nil"
            | "unknown"
            | "nodata"
            | "nodataavailable"
            | "notavailable"
            | "tbd"
    )
}

/// The publication status named by a NewsML-G2 qcode, NITF management status, NewsML 1.2
/// status or ninjs value.
pub fn pubstatus(s: &str) -> Option<PubStatus> {
    let s = s.rsplit(':').next().unwrap_or(s).trim().to_ascii_lowercase();
    match s.as_str() {
        "usable" => Some(PubStatus::Usable),
        "withheld" | "embargoed" => Some(PubStatus::Withheld),
        "canceled" | "cancelled" | "killed" | "kill" | "withdrawn" | "eliminated" => {
            Some(PubStatus::Canceled)
        }
        _ => None,
    }
}

/// What a stated headline says about its version: `CORRECTED-`, `CORRECTION:` are
/// corrections; `UPDATE 2-`, `REFILE-` are updates; `KILL`/`ELIMINATION`/`WITHDRAWAL`
/// headlines withdraw the item (returned as the status).
pub fn headline_signal(h: &str) -> (Option<Signal>, Option<PubStatus>) {
    let h = h.trim_start();
    // Agency prefixes are upper case and end in a dash or colon, after an optional
    // number: "UPDATE 2-", "CORRECTED-", "REFILE-", "KILL:".
    let word: String = h.chars().take_while(|c| c.is_ascii_uppercase()).collect();
    let rest = h[word.len()..].trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
    if word.len() < 4 || !(rest.starts_with('-') || rest.starts_with(':') || rest.starts_with('\u{2013}')) {
        return (None, None);
    }
    version_word(&word)
}

/// What an agency's version word says (upper case: `CORRECTS`, `UPDATE`, `KILL`): a
/// correction, an update, or a withdrawal (returned as the status). The one table for
/// headline prefixes and NewsML 1.x advisory lines.
pub(crate) fn version_word(word: &str) -> (Option<Signal>, Option<PubStatus>) {
    match word {
        "CORRECTED" | "CORRECTION" | "CORRECTS" => (Some(Signal::Correction), None),
        "UPDATE" | "UPDATES" | "UPDATED" | "REFILE" | "REPEAT" | "WRITETHRU" => (Some(Signal::Update), None),
        "KILL" | "KILLED" | "ELIMINATION" | "WITHDRAWAL" | "WITHDRAWN" => (None, Some(PubStatus::Canceled)),
        _ => (None, None),
    }
}

/// Parses a wire date into RFC 3339 (through [`wirefold_wire::time`]).
pub(crate) fn date(s: &str) -> Option<String> {
    wirefold_wire::time::rfc3339_from_wire(s)
}

/// A delivered text body, or HTML when the text is escaped markup (`<p>` paragraphs in
/// CDATA, as some NewsML 1.2 and NewsML-G2 senders write it).
pub(crate) fn text_or_html(text: String) -> Body {
    let lower = text
        .get(..text.len().min(4096))
        .unwrap_or(&text)
        .to_ascii_lowercase();
    if ["<p>", "<p ", "</p>", "<br", "<div"]
        .iter()
        .any(|t| lower.contains(t))
    {
        Body::Html(text)
    } else {
        Body::Text(text)
    }
}

/// Trims and drops blank strings.
pub(crate) fn nonblank(s: Option<String>) -> Option<String> {
    s.map(|t| tree::collapse(&t)).filter(|t| !t.is_empty())
}

/// Longest provider name kept, in characters.
const MAX_PROVIDER_CHARS: usize = 80;

/// The name of a provider as a copyright holder, credit or notice states it: "© 2019 The
/// Associated Press. All rights reserved. This material may not be ..." and "Copyright 2019,
/// dpa (www.dpa.de). Alle Rechte vorbehalten" give "The Associated Press" and "dpa"; a code
/// (`nprov:REUTERS`) gives its code. A leading number is dropped only as a year (1900 to
/// 2099): "1010 WINS" stays. Slashes around a name go ("/ritzau/"), and so does "Via"
/// before a one-word agency ("Via Ritzau"; "Via Rail Canada" stays). A known spelling of
/// an agency gives the short name it signs with ([`wirefold_wire::agencies::short_name`]:
/// "The Associated Press" gives "AP", "Thomson Reuters" "Reuters"). `None` when nothing of
/// a name is left.
pub fn provider_name(stated: &str) -> Option<String> {
    let mut s = tree::collapse(stated);
    if !s.contains(' ')
        && let Some((scheme, code)) = s.split_once(':')
        && !scheme.is_empty()
        && !code.is_empty()
        && !code.starts_with('/')
    {
        s = code.to_string();
    }
    // The copyright sign, word and years in front; slashes around a name ("/ritzau/").
    let mut rest = s.as_str().trim_matches('/');
    loop {
        let before = rest.len();
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '\u{a9}' | '-'));
        for lead in ["(c)", "copyright"] {
            if rest
                .get(..lead.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(lead))
            {
                rest = &rest[lead.len()..];
            }
        }
        // A year ("2019 Invision"); a name that opens with another number stays ("1010 WINS").
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 4
            && rest[..4].parse::<u16>().is_ok_and(|y| (1900..2100).contains(&y))
            && !rest[4..].starts_with(|c: char| c.is_alphanumeric())
        {
            rest = &rest[4..];
        }
        if rest.len() == before {
            break;
        }
    }
    // The name ends where a rights statement, a web address or a sentence begins.
    let mut end = rest.len();
    for stop in [",", ";", " - ", " (", " |", " \u{2013} ", " \u{2014} "] {
        if let Some(i) = rest.find(stop) {
            end = end.min(i);
        }
    }
    for (i, _) in rest.match_indices(". ") {
        let word = rest[..i].rsplit(' ').next().unwrap_or("");
        if word.chars().filter(|c| c.is_alphabetic()).count() >= 3 {
            end = end.min(i);
            break;
        }
    }
    let name = rest[..end].trim().trim_end_matches('.').trim();
    // "Via Ritzau": the agency it came through.
    let name = match name.split_once(' ') {
        Some((via, agency)) if via.eq_ignore_ascii_case("via") && !agency.contains(' ') => agency,
        _ => name,
    };
    let name = match name.char_indices().nth(MAX_PROVIDER_CHARS) {
        Some((i, _)) => &name[..i],
        None => name,
    };
    let name = name.trim_end();
    (name.chars().any(char::is_alphabetic) && !name.eq_ignore_ascii_case("all rights reserved"))
        .then(|| wirefold_wire::agencies::short_name(name).map_or_else(|| name.to_string(), str::to_string))
}

/// The first of `stated` that gives a provider name.
pub(crate) fn first_provider<'a>(stated: impl IntoIterator<Item = Option<&'a str>>) -> Option<String> {
    stated.into_iter().flatten().find_map(provider_name)
}

/// Fills what an item did not state from what its headline says.
pub(crate) fn apply_headline_signal(item: &mut Item) {
    if let Some(h) = item.headline.as_deref() {
        let (sig, status) = headline_signal(h);
        if item.signal.is_none() {
            item.signal = sig;
        }
        if let Some(s) = status {
            item.pubstatus = Some(s);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn provider_names_without_rights_statements() {
        let cases = [
            ("Australian Associated Press", Some("AAP")),
            ("The Canadian Press. All rights reserved.", Some("CP")),
            (
                "Copyright 2019 The Associated Press. All rights reserved. This material may not be published.",
                Some("AP"),
            ),
            (
                "Copyright 2019, dpa (www.dpa.de). Alle Rechte vorbehalten",
                Some("dpa"),
            ),
            (
                "Copyright 2013 The News Agency, www.tna.org - all rights reserved.",
                Some("The News Agency"),
            ),
            ("2019 Invision", Some("Invision")),
            ("1010 WINS", Some("1010 WINS")),
            ("/ritzau/", Some("Ritzau")),
            ("Via Ritzau", Some("Ritzau")),
            ("Via Rail Canada", Some("Via Rail Canada")),
            ("tca/dpa", Some("tca/dpa")),
            ("\u{a9} 2021 1010 WINS", Some("1010 WINS")),
            ("\u{a9} 2018 Agence France-Presse", Some("AFP")),
            ("(c) 2014-2015 PA Sport", Some("PA Sport")),
            ("nprov:REUTERS", Some("Reuters")),
            ("nprov:ACME", Some("ACME")),
            ("U.S. News & World Report", Some("U.S. News & World Report")),
            ("reuters.com", Some("Reuters")),
            ("example-news.com", Some("example-news.com")),
            ("  ", None),
            ("\u{a9} 2019", None),
            ("All rights reserved.", None),
        ];
        for (stated, want) in cases {
            assert_eq!(super::provider_name(stated).as_deref(), want, "{stated}");
        }
        let long = "A".repeat(500);
        assert_eq!(super::provider_name(&long).map(|n| n.chars().count()), Some(80));
    }

    use super::*;

    #[test]
    fn an_array_of_objects_is_ninjs_and_a_bracketed_text_is_not() {
        let arr = br#"[{"uri":"urn:x:1","type":"text","headline":"A","body_text":"Text of A."},
                      {"uri":"urn:x:2","type":"text","headline":"B","body_text":"Text of B."}]"#;
        let d = read(arr).unwrap().expect("ninjs");
        assert_eq!((d.format, d.items.len()), (Format::Ninjs, 2));
        assert!(read(b"[Updated] The council met on Monday.").unwrap().is_none());
        assert!(read(b"[1] A footnote, then text.").unwrap().is_none());
    }

    #[test]
    fn a_declaration_with_any_byte_after_encoding_decodes() {
        // Not valid UTF-8, so the declaration is read; "é" where a quote belongs once
        // sliced through a character.
        let bytes = b"<?xml version=\"1.0\" encoding=\xc3\xa9abc?><nitf/>\xff";
        assert!(decode(bytes).starts_with("<?xml"));
        let latin = b"<?xml version='1.0' encoding='iso-8859-1'?><p>caf\xe9</p>";
        assert_eq!(
            decode(latin),
            "<?xml version='1.0' encoding='iso-8859-1'?><p>caf\u{e9}</p>"
        );
    }

    #[test]
    fn a_lead_marker_and_its_credit_are_no_part_of_the_headline() {
        assert_eq!(unmarked(">>>ANSA/Gazprom cuts gas"), Some("Gazprom cuts gas"));
        assert_eq!(unmarked(" >> Talks resume"), Some("Talks resume"));
        assert_eq!(
            unmarked(">AC/DC tour"),
            Some("AC/DC tour"),
            "a credit is upper case only"
        );
        assert_eq!(unmarked("AC/DC tour"), None);
        assert_eq!(unmarked("Markets > expectations"), None);
        let nitf = b"<nitf><body><body.head><hedline><hl1>&#62;&#62;&#62;ANSA&#47;Gas supplies cut by a third</hl1></hedline></body.head>\
            <body.content><p>Supplies were cut by a third on Monday.</p></body.content></body></nitf>";
        let doc = read(nitf).unwrap().unwrap();
        assert_eq!(
            doc.items[0].headline.as_deref(),
            Some("Gas supplies cut by a third")
        );
    }

    #[test]
    fn a_placeholder_place_states_none() {
        for p in ["No-Data-Available", "N/A", "none", " - ", "Unknown"] {
            assert!(placeholder(p), "{p}");
        }
        for p in ["Nadi", "Nome", "Berlin", "No", "N'Djamena"] {
            assert!(!placeholder(p), "{p}");
        }
        let g2 = br#"<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:1" version="1">
          <itemMeta><itemClass qcode="ninat:text"/></itemMeta>
          <contentMeta><located literal="No-Data-Available"><name>No-Data-Available</name></located>
          <headline>Talks resume</headline></contentMeta>
          <contentSet><inlineXML><html><body><p>Talks resumed on Monday after a week's pause.</p></body></html></inlineXML></contentSet>
        </newsItem>"#;
        let doc = read(g2).unwrap().unwrap();
        assert_eq!(doc.items[0].headline.as_deref(), Some("Talks resume"));
        assert_eq!(doc.items[0].located, None);
    }

    #[test]
    fn sniffs_roots_and_signals() {
        assert_eq!(root_name("<?xml version='1.0'?>\n<!-- c --><nitf>"), Some("nitf"));
        assert_eq!(
            root_name("<!DOCTYPE x [<!ENTITY a 'b'>]><g2:newsItem>"),
            Some("newsItem")
        );
        assert_eq!(root_name("<!doctype html><html>"), Some("html"));
        assert_eq!(root_name("plain"), None);
        assert_eq!(read(b"<html><body>x</body></html>").unwrap(), None);
        assert_eq!(read(b"Just words.").unwrap(), None);
        // Feeds and XHTML pages are not wire items; other XML is data: an item when it holds
        // one, else refused with the reason, never a page of its text nodes.
        assert_eq!(
            read(b"<?xml version='1.0'?><rss><channel><title>T</title></channel></rss>").unwrap(),
            None
        );
        assert_eq!(
            read(b"<?xml version='1.0'?><html><body><p>x</p></body></html>").unwrap(),
            None
        );
        let fixtures =
            read(b"<?xml version='1.0'?><Response><Fixtures><Team ID='1' Name='A'/></Fixtures></Response>");
        assert!(
            matches!(&fixtures, Err(AgencyError::Unusable { format: "xml", reason }) if reason.starts_with("<Response> is in no known wire format")),
            "{fixtures:?}"
        );
        // A concept item is NewsML-G2 but no news: no item, and the reason why.
        let concept = read(br#"<?xml version="1.0"?><conceptItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:c"><concept><name>Brexit</name><definition>The United Kingdom leaving the EU, a long story told in many words.</definition></concept></conceptItem>"#)
            .unwrap()
            .unwrap();
        assert!(concept.items.is_empty());
        assert_eq!(
            concept.problems,
            ["newsml-g2 conceptItem is not a news item, not used"]
        );
        assert_eq!(
            headline_signal("CORRECTED-Gold rises"),
            (Some(Signal::Correction), None)
        );
        assert_eq!(
            headline_signal("UPDATE 2-Gold rises"),
            (Some(Signal::Update), None)
        );
        assert_eq!(headline_signal("Update on talks"), (None, None));
        assert_eq!(headline_signal("PRECIOUS-Gold rises"), (None, None));
        assert_eq!(headline_signal("Gold rises"), (None, None));
        assert_eq!(
            headline_signal("KILL - Story withdrawn"),
            (None, Some(PubStatus::Canceled))
        );
        assert_eq!(
            decode(b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\xa3</a>"),
            "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>£</a>"
        );
    }
}
