//! Article extraction: turns the bytes of an HTML page or a plain-text article into a clean
//! record (body without site chrome, headline, byline, dates, dateline, language, source).
//!
//! No IO, no async, no serde: callers hand it bytes and serialise the record themselves.
//! Pipeline for HTML: `decode` (charset) -> `dom` (forgiving parser into an arena, depth
//! capped) -> `meta` (JSON-LD, OpenGraph, microdata, `<time>`) and `body` (main-content
//! selection) -> `text` (normalisation, chrome lines, dateline); the modules are private.
//! Plain text goes straight to `text`. Every text, headline and byline is normalised through
//! one function, which first repairs double-decoded UTF-8 ("â€™" for "’", module
//! `mojibake`) and then applies NFKC. Every stage is linear in the input and iterative;
//! hostile input (huge, deeply nested, binary, garbled) yields an [`ExtractError`] or a
//! best-effort record, never a panic.

mod body;
mod date;
mod decode;
mod dom;
mod entities;
mod json;
mod meta;
mod mojibake;
mod text;

/// Inputs larger than this are refused with [`ExtractError::TooLarge`].
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// What the caller knows about the input.
#[derive(Debug, Clone, Copy, Default)]
pub struct Input<'a> {
    /// The raw bytes as received.
    pub bytes: &'a [u8],
    /// Declared media type, possibly with a charset parameter (`text/html; charset=koi8-r`).
    pub content_type: Option<&'a str>,
    /// Where the page was read, for resolving relative links and as a source hint.
    pub url: Option<&'a str>,
}

/// Whether a page is an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageKind {
    /// A single article.
    #[default]
    Article,
    /// A home page, listing, tag page or other non-article.
    NotArticle,
}

/// A clean article record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    /// Headline.
    pub title: Option<String>,
    /// Byline: author names, comma separated, without a leading "By".
    pub byline: Option<String>,
    /// Publication time, RFC 3339 with offset (date-only values as `YYYY-MM-DDT00:00:00Z`).
    pub published: Option<String>,
    /// Last modification time, RFC 3339.
    pub modified: Option<String>,
    /// Dateline place ("GENEVA"), removed from the body.
    pub dateline: Option<String>,
    /// The agency the dateline credits ("Reuters" in "GENEVA (Reuters) - ..."), removed
    /// from the body with it.
    pub credit: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// Language, ISO 639-1 where possible (ISO 639-3 otherwise).
    pub language: Option<String>,
    /// Outlet name.
    pub site_name: Option<String>,
    /// Body: paragraphs separated by "\n\n".
    pub body: String,
    /// Article or not.
    pub page_kind: PageKind,
}

/// Why extraction gave up.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// Nothing usable in the input.
    #[error("empty document")]
    Empty,
    /// The input looks binary.
    #[error("binary content, not text or HTML")]
    Binary,
    /// Too large.
    #[error("document of {size} bytes exceeds the {limit} byte limit")]
    TooLarge {
        /// Input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

/// Extracts an article from HTML or plain text (told apart by `content_type`, else sniffed).
pub fn extract(input: &Input<'_>) -> Result<Extracted, ExtractError> {
    if input.bytes.len() > MAX_INPUT_BYTES {
        return Err(ExtractError::TooLarge {
            size: input.bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let text = decode::decode(input.bytes, input.content_type, input.url)?;
    if text.trim().is_empty() {
        return Err(ExtractError::Empty);
    }
    let ct = input.content_type.map(str::to_ascii_lowercase);
    let html = match ct.as_deref() {
        Some(c) if c.contains("html") || c.contains("xml") => true,
        Some(c) if c.starts_with("text/plain") => false,
        _ => looks_like_html(&text),
    };
    if !html {
        let mut e = extract_text(&text, None)?;
        if let Some(u) = input.url {
            e.canonical_url = Some(u.to_string());
            e.site_name = meta::host_of(u).map(str::to_string);
        }
        e.language = detect_language(&e.body);
        return Ok(e);
    }
    extract_html(&text, input.url)
}

fn looks_like_html(text: &str) -> bool {
    let head = text.trim_start();
    let head = &head.as_bytes()[..head.len().min(2048)];
    let lower = head.to_ascii_lowercase();
    [
        &b"<!doctype"[..],
        b"<html",
        b"<head",
        b"<body",
        b"<?xml",
        b"<meta",
        b"<div",
        b"<p>",
        b"<p ",
        b"<title",
        b"<!--",
        b"<article",
        b"<script",
        b"<link",
        b"<table",
        b"<h1",
    ]
    .iter()
    .any(|t| memchr::memmem::find(&lower, t).is_some())
}

fn extract_html(src: &str, url: Option<&str>) -> Result<Extracted, ExtractError> {
    let dom = dom::Dom::parse(src);
    let m = meta::read(&dom, url);
    let raw = body::main_text(&dom, m.title.as_deref());
    let mut c = text::clean(
        &raw,
        text::Opts {
            title: m.title.as_deref(),
            detect_title: false,
            plain: false,
            item: false,
        },
    );
    // JSON-LD articleBody rescues pages whose DOM hides the text (client-side rendering).
    if let Some(ld) = &m.ld_body
        && ld.len() > 500
        && c.body.len() * 2 < ld.len()
    {
        let alt = text::clean(
            ld,
            text::Opts {
                title: m.title.as_deref(),
                detect_title: false,
                plain: true,
                item: false,
            },
        );
        if alt.body.len() > c.body.len() {
            c.body = alt.body;
        }
    }
    if c.body.is_empty() && m.title.is_none() {
        return Err(ExtractError::Empty);
    }
    let words = c.body.split_ascii_whitespace().count();
    let listing = url.is_some_and(meta::listing_url);
    let not_article = words < 60
        || (!m.says_article
            && (listing || m.says_website && words < 250 || m.article_elements >= 6 && words < 400));
    let language = m.lang.clone().or_else(|| detect_language(&c.body));
    Ok(Extracted {
        title: m.title.or(c.title),
        byline: m.byline.or(c.byline),
        published: m.published.or(c.published).map(|d| d.rfc3339()),
        modified: m.modified.or(c.modified).map(|d| d.rfc3339()),
        dateline: c.dateline,
        credit: c.credit,
        canonical_url: m.canonical,
        language,
        site_name: m.site_name,
        body: c.body,
        page_kind: if not_article {
            PageKind::NotArticle
        } else {
            PageKind::Article
        },
    })
}

/// A short text field (a wire item's headline or byline) cleaned as body text is: UTF-8 a
/// sender double-decoded repaired ("TravTalkâ€™s" is "TravTalk’s"), character references
/// escaped twice and glued to a word decoded, NFKC.
pub fn clean_field(s: &str) -> String {
    text::nfkc(s).into_owned()
}

/// Extracts from plain text; `title` is used when the caller already knows the headline,
/// else a headline line near the top is looked for (and what precedes it dropped).
///
/// Fast path for `wirefold cluster`: one pass over the lines, no language detection (see
/// [`detect_language`]), no NFKC work on ASCII text.
pub fn extract_text(text: &str, title: Option<&str>) -> Result<Extracted, ExtractError> {
    plain(text, title, false)
}

/// Extracts the text of a wire item: like [`extract_text`], but the item's structure has
/// already said what its headline is (`title`, or none), so no line of the text is taken
/// for one, and every line is the agency's: none is dropped as site chrome, a caption or a
/// repeat (a results table repeats numbers; a short lead names its agency like a photo
/// credit does). A dateline and a byline at the top are read into their fields.
pub fn extract_item_text(text: &str, title: Option<&str>) -> Result<Extracted, ExtractError> {
    plain(text, title, true)
}

/// Extracts the text of a wire item delivered as HTML (ninjs `body_html`, NewsML-G2
/// `inlineData` of type HTML, dpa's `article_html`): the whole fragment is the item's text,
/// so unlike a web page nothing is chosen or left out as boilerplate. Every block is a
/// paragraph, a table row one line with its cells in order; scripts, styles, forms and
/// media (with their captions) are not text. Then as [`extract_item_text`].
pub fn extract_item_html(html: &str, title: Option<&str>) -> Result<Extracted, ExtractError> {
    if html.len() > MAX_INPUT_BYTES {
        return Err(ExtractError::TooLarge {
            size: html.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let dom = dom::Dom::parse(html);
    extract_item_text(&body::item_text(&dom), title)
}

/// Stands for a line break (`<br>`) in a block's text until the block is complete and
/// [`line_paragraphs`] reads its lines (U+2028 LINE SEPARATOR, which no markup produces).
pub const LINE_BREAK: char = '\u{2028}';

/// The paragraphs of lines laid out by hand (an ANPA or IPTC 7901 text, a `<pre>` block,
/// lines ended by `<br>`). A blank line ends a paragraph. Within a run of lines between
/// blank lines, a line is joined to the next where the text was wrapped: not after a line
/// that ends well short of `width` (the text's longest line) although the next line's
/// first word would have fitted on it ("FC Augsburg - Bor. Mönchengladbach 2:1 (1:0)" in
/// a results item), nor around a line set in columns (a run of spaces or a tab inside it),
/// and in a run that is not wrapped prose (fewer than half of its lines but the last reach
/// four fifths of the width; nothing is wrapped at under 40 characters: an agenda, an
/// address, a line-up, a table) only after a line that reaches it.
pub fn line_paragraphs<'a>(lines: impl IntoIterator<Item = &'a str>, width: usize) -> Vec<String> {
    let columns = |l: &str| {
        let t = l.trim();
        t.contains('\t') || t.contains("  ")
    };
    let len = |l: &str| l.trim().chars().count();
    let reaches = |l: &str| width >= 40 && len(l) * 5 >= width * 4;
    let lines: Vec<&str> = lines.into_iter().collect();
    let mut out = Vec::new();
    for run in lines.split(|l| l.trim().is_empty()).filter(|r| !r.is_empty()) {
        let long = run[..run.len() - 1].iter().filter(|l| reaches(l)).count();
        let wrapped = width >= 40 && long * 2 >= run.len() - 1;
        let mut para: Vec<&str> = Vec::new();
        for (k, line) in run.iter().enumerate() {
            para.extend(line.split_whitespace());
            let ends = run.get(k + 1).is_none_or(|next| {
                let word = next.split_whitespace().next().map_or(0, |w| w.chars().count());
                let short = (len(line) + 1 + word) * 5 <= width * 4;
                short || !wrapped && !reaches(line) || columns(line) || columns(next)
            });
            if ends {
                out.push(para.join(" "));
                para.clear();
            }
        }
    }
    out
}

/// A text wrapped at a fixed width, as its paragraphs ([`line_paragraphs`]) separated by
/// blank lines; `None` when it is not laid out so. Wrapped means: its widest line is 40
/// to 120 characters, and of the lines that another line follows without a blank line
/// (at least three), three in five reach four fifths of that width. Text with a
/// paragraph per line (its lines run to hundreds of characters) and short lines that
/// are not wrapped prose are left as they are.
fn hard_wrapped(text: &str) -> Option<String> {
    const MAX_WIDTH: usize = 120;
    let len = |l: &str| l.trim().chars().count();
    let mut lines = Vec::new();
    let mut width = 0;
    for l in text.lines() {
        // (Most texts have a paragraph per line: the first long line ends the scan.)
        let n = len(l);
        if n > MAX_WIDTH {
            return None;
        }
        width = width.max(n);
        lines.push(l);
    }
    if width < 40 {
        return None;
    }
    let (mut inner, mut reaching) = (0usize, 0usize);
    for pair in lines.windows(2) {
        if !pair[0].trim().is_empty() && !pair[1].trim().is_empty() {
            inner += 1;
            reaching += usize::from(len(pair[0]) * 5 >= width * 4);
        }
    }
    (inner >= 3 && reaching * 5 >= inner * 3).then(|| line_paragraphs(lines, width).join("\n\n"))
}

/// The length in characters of the longest of `lines`, spaces around it left out: the
/// width [`line_paragraphs`] measures lines against.
pub fn widest_line<'a>(lines: impl IntoIterator<Item = &'a str>) -> usize {
    lines
        .into_iter()
        .map(|l| l.trim().chars().count())
        .max()
        .unwrap_or(0)
}

fn plain(text: &str, title: Option<&str>, item: bool) -> Result<Extracted, ExtractError> {
    // A text wrapped by hand at a fixed width (a mail, a wire copy saved as a file) is read
    // as its paragraphs: line by line, its lines would look like loose caption lines. (An
    // item's reader has already laid out its text.)
    let unwrapped = (!item).then(|| hard_wrapped(text)).flatten();
    let c = text::clean(
        unwrapped.as_deref().unwrap_or(text),
        text::Opts {
            title,
            detect_title: !item && title.is_none(),
            plain: true,
            item,
        },
    );
    let title = title.map(text::normalize_short).or(c.title);
    // A text that holds nothing but its headline (a one-line flash) is that headline: it is
    // the body too, as a single line with no headline is. (An agency item without body text
    // stays without one: its reader marks it as a headline-only item.)
    let body = match (c.body.is_empty(), &title) {
        (false, _) => c.body,
        (true, Some(t)) if !item && !t.trim().is_empty() => t.clone(),
        (true, _) => return Err(ExtractError::Empty),
    };
    Ok(Extracted {
        title,
        byline: c.byline,
        published: c.published.map(|d| d.rfc3339()),
        modified: c.modified.map(|d| d.rfc3339()),
        dateline: c.dateline,
        credit: c.credit,
        body,
        ..Default::default()
    })
}

/// Language of a text (ISO 639-1 where one exists); `None` when unsure. The detector reads
/// the text's first paragraphs ([`language_sample`]) and, unless it is sure of them, the
/// first 2 KiB: its time grows with what it reads, and for nearly every article the first
/// paragraphs name the language the 2 KiB named (`examples/language_sample.rs` compares
/// the two on the shared data).
pub fn detect_language(text: &str) -> Option<String> {
    let sample = language_sample(text);
    if plainly_english(sample) {
        return Some("en".to_string());
    }
    if sample.len() < text.len()
        && let Some(info) = whatlang::detect(sample)
        && info.is_reliable()
        && info.confidence() >= LANGUAGE_SAMPLE_CONFIDENCE
    {
        return Some(iso_639_1(info.lang()));
    }
    language_of(text::prefix(text, 2048))
}

/// English function words: in English news text about a third of the words.
const ENGLISH_WORDS: &[&str] = &[
    "a", "about", "after", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had",
    "has", "have", "he", "her", "his", "in", "is", "it", "its", "not", "of", "on", "or", "said", "she",
    "that", "the", "their", "they", "this", "to", "was", "were", "which", "who", "will", "with", "would",
];

/// Function words of other languages written in the Latin alphabet (French, Spanish,
/// Portuguese, Italian, German, Dutch, Afrikaans, the Nordic languages) that are not
/// English words.
const OTHER_LATIN_WORDS: &[&str] = &[
    "al", "att", "au", "av", "avec", "che", "con", "da", "dans", "das", "dat", "de", "del", "della", "dem",
    "den", "der", "des", "det", "di", "du", "een", "ein", "eine", "el", "em", "en", "er", "es", "est", "et",
    "het", "ikke", "il", "ist", "la", "las", "le", "les", "los", "mit", "nicht", "och", "og", "op", "os",
    "par", "para", "per", "por", "pour", "que", "qui", "se", "sich", "som", "sono", "su", "sur", "te", "til",
    "um", "una", "und", "une", "van", "von", "voor", "y", "zijn", "zu",
];

/// Words a sample needs before [`plainly_english`] judges it.
const ENGLISH_MIN_WORDS: usize = 40;

/// The sample is plainly English: at least [`ENGLISH_MIN_WORDS`] words, letters nearly all
/// ASCII, at least a fifth of the words English function words ([`ENGLISH_WORDS`]) and
/// function words of other Latin-alphabet languages ([`OTHER_LATIN_WORDS`]) fewer than a
/// tenth of those. Such a text is what whatlang calls English with full confidence; telling
/// it by counting words costs a few microseconds where the trigram detector costs about a
/// hundred (its comparison with every Latin-alphabet language's profile), and most of a
/// newsroom's copy is English. Anything less plain goes to the detector.
fn plainly_english(sample: &str) -> bool {
    let (mut words, mut english, mut other, mut ascii, mut non_ascii) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    let mut word = [0u8; 8];
    let mut len = 0usize;
    let mut finish = |len: usize, word: &[u8; 8]| {
        if len == 0 {
            return;
        }
        words += 1;
        if len <= word.len() {
            let w = std::str::from_utf8(&word[..len]).unwrap_or("");
            if ENGLISH_WORDS.binary_search(&w).is_ok() {
                english += 1;
            } else if OTHER_LATIN_WORDS.binary_search(&w).is_ok() {
                other += 1;
            }
        }
    };
    for c in sample.chars() {
        if c.is_ascii_alphabetic() {
            ascii += 1;
            if len < word.len() {
                word[len] = c.to_ascii_lowercase() as u8;
            }
            len += 1;
        } else {
            if c.is_alphabetic() {
                non_ascii += 1;
            }
            finish(len, &word);
            len = 0;
        }
    }
    finish(len, &word);
    words >= ENGLISH_MIN_WORDS && non_ascii * 50 <= ascii && english * 5 >= words && other * 10 < english
}

/// Bytes of text that [`language_sample`] reads at least, when the text has them.
pub const LANGUAGE_SAMPLE_MIN: usize = 400;
/// Bytes of text that [`language_sample`] reads at most.
pub const LANGUAGE_SAMPLE_MAX: usize = 1024;
/// Confidence (whatlang's, 0 to 1) at which the first paragraphs' language is taken
/// without reading on.
pub const LANGUAGE_SAMPLE_CONFIDENCE: f64 = 0.9;

/// The start of a text that language detection reads first: whole lines (paragraphs)
/// until at least [`LANGUAGE_SAMPLE_MIN`] bytes, cut at [`LANGUAGE_SAMPLE_MAX`].
pub fn language_sample(text: &str) -> &str {
    let mut end = 0;
    while end < LANGUAGE_SAMPLE_MIN && end < text.len() {
        end = match memchr::memchr(b'\n', &text.as_bytes()[end..]) {
            Some(i) => end + i + 1,
            None => text.len(),
        };
    }
    text::prefix(text, end.min(LANGUAGE_SAMPLE_MAX))
}

/// Language of a sample of text as [`detect_language`] names it, reading all of it.
#[doc(hidden)]
pub fn language_of(sample: &str) -> Option<String> {
    let end = sample.len();
    let info = whatlang::detect(sample)?;
    // An unsure guess is kept for a short text (a brief of a few lines), but not for one
    // of a few words: a guess from fewer than five words is wrong more often than right
    // ("Bogus" reads as Lithuanian, "Oil prices edge up" as Romanian; on newscopy-dev and
    // counter-dev openings, right 17% / 30% / 41% of the time at one, two and three words,
    // 53% at five, 70% at eight). Such a text states no language.
    let few_words = || sample.split_whitespace().nth(GUESS_MIN_WORDS - 1).is_none();
    if !info.is_reliable() && (end > 200 || few_words()) {
        return None;
    }
    Some(iso_639_1(info.lang()))
}

/// Words a text needs before an unsure language guess is taken (see [`language_of`]).
const GUESS_MIN_WORDS: usize = 5;

/// ISO 639-1 code of a language where one exists, else whatlang's ISO 639-3 code.
fn iso_639_1(lang: whatlang::Lang) -> String {
    two_letter(lang.code()).unwrap_or(lang.code()).to_string()
}

/// Longest language tag kept, in bytes.
const MAX_LANGUAGE_TAG: usize = 35;

/// A stated language as a BCP 47 tag in its canonical form: "EN" is "en", "en_us" is
/// "en-US", "zh-hant-tw" is "zh-Hant-TW", and a three-letter ISO 639-2 or 639-3 code with a
/// two-letter one is that ("eng", "ger" and "deu", "lat" are "en", "de", "la"), as BCP 47
/// asks. `None` for what is no tag ("English", "x-klingon", "", an over-long string): the
/// caller then detects the language, as for a text that states none.
pub fn language_tag(stated: &str) -> Option<String> {
    let stated = stated.trim();
    if stated.is_empty() || stated.len() > MAX_LANGUAGE_TAG {
        return None;
    }
    let mut out = String::with_capacity(stated.len());
    for (i, sub) in stated.split(['-', '_']).enumerate() {
        if sub.is_empty() || sub.len() > 8 || !sub.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        if i == 0 {
            if !(2..=3).contains(&sub.len()) || !sub.bytes().all(|b| b.is_ascii_alphabetic()) {
                return None;
            }
            let lower = sub.to_ascii_lowercase();
            out.push_str(two_letter(&lower).unwrap_or(&lower));
            continue;
        }
        out.push('-');
        match sub.len() {
            // A script: title case.
            4 if sub.bytes().all(|b| b.is_ascii_alphabetic()) => {
                out.push(sub.as_bytes()[0].to_ascii_uppercase() as char);
                out.push_str(&sub[1..].to_ascii_lowercase());
            }
            // A region: upper case (letters) or digits.
            2 | 3 if i <= 2 && (sub.len() == 2 || sub.bytes().all(|b| b.is_ascii_digit())) => {
                out.push_str(&sub.to_ascii_uppercase());
            }
            // Variants and extensions: lower case.
            _ => out.push_str(&sub.to_ascii_lowercase()),
        }
    }
    Some(out)
}

/// The ISO 639-1 code of an ISO 639-2 (terminology or bibliographic) or 639-3 code, for
/// the languages news is written in.
fn two_letter(code: &str) -> Option<&'static str> {
    Some(match code {
        "eng" => "en",
        "spa" => "es",
        "fra" => "fr",
        "deu" => "de",
        "ita" => "it",
        "por" => "pt",
        "rus" => "ru",
        "ukr" => "uk",
        "pol" => "pl",
        "nld" => "nl",
        "swe" => "sv",
        "dan" => "da",
        "nob" => "nb",
        "fin" => "fi",
        "tur" => "tr",
        "ara" => "ar",
        "heb" => "he",
        "hin" => "hi",
        "jpn" => "ja",
        "kor" => "ko",
        "cmn" => "zh",
        "ces" => "cs",
        "slk" => "sk",
        "hun" => "hu",
        "ron" => "ro",
        "bul" => "bg",
        "ell" => "el",
        "hrv" => "hr",
        "srp" => "sr",
        "slv" => "sl",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "ind" => "id",
        "vie" => "vi",
        "tha" => "th",
        "pes" => "fa",
        "urd" => "ur",
        "ben" => "bn",
        "tam" => "ta",
        "cat" => "ca",
        "afr" => "af",
        "bel" => "be",
        "kat" => "ka",
        "aze" => "az",
        "mkd" => "mk",
        "ger" => "de",
        "fre" => "fr",
        "dut" => "nl",
        "gre" => "el",
        "chi" | "zho" => "zh",
        "cze" => "cs",
        "slo" => "sk",
        "rum" => "ro",
        "per" | "fas" => "fa",
        "alb" | "sqi" => "sq",
        "arm" | "hye" => "hy",
        "baq" | "eus" => "eu",
        "geo" => "ka",
        "ice" | "isl" => "is",
        "mac" => "mk",
        "may" | "msa" | "zsm" => "ms",
        "wel" | "cym" => "cy",
        "nor" => "no",
        "nno" => "nn",
        "lat" => "la",
        "gle" => "ga",
        "glg" => "gl",
        "epo" => "eo",
        "mlt" => "mt",
        "swa" | "swh" => "sw",
        "tgl" => "tl",
        "mar" => "mr",
        "guj" => "gu",
        "pan" => "pa",
        "tel" => "te",
        "kan" => "kn",
        "mal" => "ml",
        "nep" => "ne",
        "sin" => "si",
        "khm" => "km",
        "mya" | "bur" => "my",
        "amh" => "am",
        "yor" => "yo",
        "zul" => "zu",
        "sna" => "sn",
        "aka" => "ak",
        "uzb" | "uzn" => "uz",
        "kaz" => "kk",
        "tuk" => "tk",
        "hau" => "ha",
        "som" => "so",
        "pus" => "ps",
        "kur" => "ku",
        _ => return None,
    })
}

/// Debug aid for tuning: where the first text containing `needle` sits in the parsed page and
/// what the content pass thinks of each ancestor. Not a stable interface.
#[doc(hidden)]
pub fn debug_trace(html: &str, needle: &str) -> String {
    body::trace(&dom::Dom::parse(html), needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENGLISH: &str = "The government said on Monday that it would raise the minimum wage \
        by five percent from next year, after months of talks with unions and employers. The \
        finance minister told reporters in the capital that the increase was affordable and \
        that it had been agreed with the central bank, which has warned of inflation.";

    #[test]
    fn a_text_wrapped_by_hand_keeps_every_line() {
        // Lines wrapped at 70 columns looked like loose caption lines, and all but a
        // paragraph's first and last were dropped.
        let text = "Court rules Britain may stay\n\n\
            Luxembourg (dpa) - Britain could unilaterally decide not to leave the\n\
            European Union, the bloc's top court ruled on Monday, one day before\n\
            British lawmakers are due to vote on the Brexit deal London has\n\
            struck with Brussels.\n\n\
            British politicians campaigning for a second referendum on Brexit\n\
            hailed the ruling as a boost for their cause, while some commentators\n\
            said it could help Conservative Prime Minister Theresa May in her bid\n\
            to scare rebel lawmakers away from voting against her deal.\n";
        let e = extract_text(text, None).unwrap();
        assert_eq!(e.title.as_deref(), Some("Court rules Britain may stay"));
        assert_eq!(e.dateline.as_deref(), Some("Luxembourg"));
        let paras: Vec<&str> = e.body.split("\n\n").collect();
        assert_eq!(paras.len(), 2, "{}", e.body);
        assert!(paras[0].starts_with("Britain could") && paras[0].ends_with("struck with Brussels."));
        assert!(paras[1].contains("commentators said it could help") && paras[1].ends_with("her deal."));
        // A paragraph per line is not wrapped; nor is a list of short lines.
        let per_line = format!("{ENGLISH}\n{ENGLISH}\n{ENGLISH}\n{ENGLISH}");
        assert_eq!(hard_wrapped(&per_line), None);
        assert_eq!(
            hard_wrapped("Agenda\n09:00 Opening\n10:30 Talks\n12:00 Lunch\n14:00 Vote\n"),
            None
        );
    }

    #[test]
    fn language_tags_in_their_canonical_form() {
        for (stated, want) in [
            ("en", Some("en")),
            ("EN", Some("en")),
            (" en_us ", Some("en-US")),
            ("fi-FI", Some("fi-FI")),
            ("zh-hant-tw", Some("zh-Hant-TW")),
            ("es-419", Some("es-419")),
            ("eng", Some("en")),
            ("ger", Some("de")),
            ("deu-AT", Some("de-AT")),
            ("lat", Some("la")),
            ("haw", Some("haw")),
            ("en-GB-oxendict", Some("en-GB-oxendict")),
            ("English", None),
            ("x-klingon", None),
            ("e1", None),
            ("en--GB", None),
            ("", None),
            ("en-GB-aaaaaaaa-bbbbbbbb-cccccccc-dddddddd", None),
        ] {
            assert_eq!(language_tag(stated).as_deref(), want, "{stated:?}");
        }
    }

    #[test]
    fn a_text_of_only_its_headline_is_that_headline() {
        let line = "The parliament election is over in Turkmenistan.";
        for text in [
            format!("{line}\n\n{line}\n"),
            format!("{line}\n"),
            line.trim_end_matches('.').to_string(),
        ] {
            let e = extract_text(&text, None).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(
                e.body.trim_end_matches('.'),
                line.trim_end_matches('.'),
                "{text:?}"
            );
        }
        // A headline given apart, and a text that only repeats it.
        let e = extract_text(line, Some(line)).unwrap();
        assert_eq!((e.title.as_deref(), e.body.as_str()), (Some(line), line));
        // Nothing at all is still nothing.
        assert!(matches!(extract_text(" \n\n ", None), Err(ExtractError::Empty)));
        assert!(matches!(extract_text("", Some("")), Err(ExtractError::Empty)));
        assert!(matches!(
            extract_item_text(" ", Some(line)),
            Err(ExtractError::Empty)
        ));
    }

    #[test]
    fn an_item_text_keeps_every_line() {
        // Each of these lines a web page's text would lose: a short lead naming its agency
        // (a photo credit's shape; its dateline goes to its field), a number repeated in a results column (an alt text and
        // its caption), short lines glued together (captions), a two-letter line.
        let text = "PARIS (AFP) - The rail strike ended on Friday.\n\nUnions said talks would resume.\n\n\
                    Results:\nLyon 1\n1\n1\nFC\n\nPhoto: the station at dawn\n\nTrains run on Saturday.";
        let e = extract_item_text(text, Some("Rail strike ends")).unwrap();
        assert_eq!(e.dateline.as_deref(), Some("PARIS"));
        assert_eq!(
            e.body,
            "The rail strike ended on Friday.\n\nUnions said talks would resume.\n\n\
             Results:\n\nLyon 1\n\n1\n\n1\n\nFC\n\nPhoto: the station at dawn\n\nTrains run on Saturday."
        );
        // A web page's plain text still drops the caption and the repeated lines (its
        // dateline lead it keeps: that is no photo credit).
        let page = extract_text(text, Some("Rail strike ends")).unwrap();
        assert!(
            page.body.starts_with("PARIS (AFP) - The rail strike") && !page.body.contains("Photo:"),
            "{}",
            page.body
        );
        // The byline and dateline at the top are still read into their fields.
        let e = extract_item_text(
            "By Jane Doe\n\nGENEVA, Nov 24 (Reuters) - Officials said on Monday that progress had been made in urgent weekend talks.",
            None,
        )
        .unwrap();
        assert_eq!(e.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(e.dateline.as_deref(), Some("GENEVA"));
        assert!(e.body.starts_with("Officials said"), "{}", e.body);
    }

    #[test]
    fn an_item_html_is_all_text_with_table_rows_as_lines() {
        let html = r#"<p>Berlin (dpa) - Die Ergebnisse des Spieltags im Überblick.</p>
            <p>Freitag:</p>
            <figure class="table"><table>
              <tr><th>Platz</th><th>Verein</th><th>Sp</th><th>S</th><th>U</th></tr>
              <tr><td>1.</td><td>Bayern München</td><td>6</td><td>4</td><td>2</td></tr>
              <tr><td>2.</td><td>RB Leipzig</td><td><p>6</p><p>(1 Nachholspiel)</p></td><td>4</td><td>4</td></tr>
              <tr><td>3.</td><td>Holstein<br/>Kiel</td><td>6</td><td>0</td><td>0</td></tr>
            </table></figure>
            <div class="related"><a href="/x">Mehr zum Thema</a></div>
            <figure><img src="a.jpg"/><figcaption>Ein Bild vom Spiel.</figcaption></figure>
            <form><button>Teilen</button></form>
            <p hidden>intern</p>
            <ul><li>Nächster Spieltag: Freitag</li></ul>
            <p>Die Aufstellungen:<br/>Bayern: Neuer, Kimmich, Upamecano<br/>Leipzig: Gulacsi, Raum</p>
            <p>Der Trainer sagte nach dem Spiel, seine Mannschaft habe in der<br/>zweiten Halbzeit
            deutlich besser gespielt als in der ersten.</p>"#;
        let e = extract_item_html(html, Some("Bundesliga")).unwrap();
        assert_eq!(e.dateline.as_deref(), Some("Berlin"));
        assert_eq!(
            e.body,
            "Die Ergebnisse des Spieltags im Überblick.\n\nFreitag:\n\nPlatz Verein Sp S U\n\n\
             1. Bayern München 6 4 2\n\n2. RB Leipzig 6 (1 Nachholspiel) 4 4\n\n3. Holstein Kiel 6 0 0\n\n\
             Mehr zum Thema\n\nNächster Spieltag: Freitag\n\nDie Aufstellungen:\n\n\
             Bayern: Neuer, Kimmich, Upamecano\n\nLeipzig: Gulacsi, Raum\n\n\
             Der Trainer sagte nach dem Spiel, seine Mannschaft habe in der zweiten Halbzeit \
             deutlich besser gespielt als in der ersten."
        );
    }

    #[test]
    fn plain_english_skips_the_detector_and_agrees_with_it() {
        assert!(plainly_english(ENGLISH));
        assert_eq!(language_of(ENGLISH).as_deref(), Some("en"));
        assert_eq!(detect_language(ENGLISH).as_deref(), Some("en"));
    }

    #[test]
    fn a_few_words_name_no_language_unless_surely() {
        for few in ["Bogus", "F1 Test", "Oil prices edge up", "BASEBALL'S TOP TEN"] {
            assert_eq!(detect_language(few), None, "{few}");
        }
        // Five words and more: the guess stands, sure or not.
        assert_eq!(
            detect_language("Police arrested two men in Sydney on Tuesday.").as_deref(),
            Some("en")
        );
        // A script that names its language is sure in one word.
        assert_eq!(detect_language("Ελλάδα").as_deref(), Some("el"));
    }

    #[test]
    fn other_latin_languages_go_to_the_detector() {
        for (text, lang) in [
            (
                "Le gouvernement a annoncé lundi qu'il allait augmenter le salaire minimum de cinq \
                 pour cent à partir de l'année prochaine, après des mois de discussions avec les \
                 syndicats et les employeurs. Le ministre des finances a déclaré aux journalistes \
                 que la hausse était supportable et qu'elle avait été convenue avec la banque.",
                "fr",
            ),
            (
                "El gobierno anunció el lunes que subirá el salario mínimo un cinco por ciento a \
                 partir del próximo año, tras meses de negociaciones con los sindicatos y los \
                 empresarios. El ministro de finanzas dijo a los periodistas en la capital que el \
                 aumento era asumible y que se había acordado con el banco central del país.",
                "es",
            ),
            (
                "Die Regierung hat am Montag angekündigt, den Mindestlohn ab dem nächsten Jahr um \
                 fünf Prozent zu erhöhen, nach monatelangen Gesprächen mit den Gewerkschaften und \
                 den Arbeitgebern. Der Finanzminister sagte in der Hauptstadt, die Erhöhung sei \
                 bezahlbar und mit der Zentralbank abgestimmt worden, die vor Inflation warnt.",
                "de",
            ),
        ] {
            assert!(!plainly_english(text), "{lang}");
            assert_eq!(detect_language(text).as_deref(), Some(lang));
        }
    }

    #[test]
    fn short_or_mixed_texts_go_to_the_detector() {
        assert!(!plainly_english("The minister said it was over."));
        // English words around a text mostly in another script.
        let mixed = format!(
            "{ENGLISH} {}",
            "東京証券取引所は二十日、新しい規則を発表した。".repeat(4)
        );
        assert!(!plainly_english(&mixed));
        // Function-word soup without enough words.
        assert!(!plainly_english("the of and to in a is was"));
    }
}
