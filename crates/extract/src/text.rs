//! Plain-text cleaning: normalisation (NFKC, quotes, dashes, whitespace), site-chrome line
//! filters, and the header zone of an article (headline, byline, date and dateline lines).
//!
//! One pass over the lines, writing straight into the output string; no allocation per line
//! and no regular expressions. Both entry points use it: [`crate::extract_text`] on plain
//! text and the HTML path on the paragraphs it rendered. It knows nothing about HTML.

use crate::date::{self, DateTime};
use std::borrow::Cow;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

/// What cleaning found besides the body.
#[derive(Debug, Default)]
pub(crate) struct Cleaned {
    pub body: String,
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<DateTime>,
    pub modified: Option<DateTime>,
    pub dateline: Option<String>,
    /// The agency the dateline credits ("Reuters" in "GENEVA (Reuters) - ...").
    pub credit: Option<String>,
}

/// Options for [`clean`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Opts<'a> {
    /// Known headline: dropped from the body if it appears as a line; no detection when set.
    pub title: Option<&'a str>,
    /// Look for a headline line near the top when `title` is `None`.
    pub detect_title: bool,
    /// Whether single newlines separate lines within a paragraph (plain text) or every line is
    /// a paragraph of its own (rendered HTML).
    pub plain: bool,
    /// An agency item's text: every line is the agency's, so none is taken for site chrome,
    /// a caption or a repeat and dropped (a dateline and a byline at the top are still read
    /// into their fields).
    pub item: bool,
}

/// Double-decoded UTF-8 repaired ([`crate::mojibake`]) and twice-escaped references glued
/// to words decoded ([`glued_references`]), then NFKC when needed (the repair comes first:
/// NFKC turns the "™" of "â€™" into "TM"); already-normalised text is borrowed.
pub(crate) fn nfkc(s: &str) -> Cow<'_, str> {
    let repaired = if s.is_ascii() {
        Cow::Borrowed(s)
    } else {
        crate::mojibake::repair(s)
    };
    then(then(repaired, glued_references), nfkc_only)
}

/// `step` applied to `s`, borrowing as long as neither changed anything.
fn then<'a>(s: Cow<'a, str>, step: impl Fn(&str) -> Cow<'_, str>) -> Cow<'a, str> {
    match s {
        Cow::Borrowed(s) => step(s),
        Cow::Owned(s) => Cow::Owned(step(&s).into_owned()),
    }
}

/// Character references a CMS escaped twice, left in the text after the page's own
/// decoding: decoded where one is glued to a word ("Oh&mldr; and", "council&#8217;s"),
/// which no text that shows a reference on purpose does ("write `&amp;` for an ampersand").
fn glued_references(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut last = 0;
    let mut from = 0;
    while let Some(k) = s[from..].find('&') {
        let amp = from + k;
        from = amp + 1;
        // A reference: '&', up to 10 letters, digits or '#', then ';'.
        let Some(len) = s[amp + 1..]
            .bytes()
            .take(11)
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'#'))
            .filter(|&n| n > 0 && s.as_bytes().get(amp + 1 + n) == Some(&b';'))
        else {
            continue;
        };
        let end = amp + 1 + len + 1;
        let before = s[..amp].chars().next_back().is_some_and(char::is_alphanumeric);
        let after = s[end..].chars().next().is_some_and(char::is_alphanumeric);
        if !(before || after) {
            continue;
        }
        let mut decoded = String::new();
        crate::dom::decode_into(&s[amp..end], &mut decoded, false);
        if decoded != s[amp..end] {
            out.push_str(&s[last..amp]);
            out.push_str(&decoded);
            last = end;
            from = end;
        }
    }
    if last == 0 {
        return Cow::Borrowed(s);
    }
    out.push_str(&s[last..]);
    Cow::Owned(out)
}

/// NFKC when needed; already-normalised text is borrowed.
fn nfkc_only(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    // ASCII characters are always normalised (combining class 0): leaving them out of the
    // quick check can only make it stricter, never wrongly say yes.
    let mut at = 0usize;
    // Characters that NFKC leaves alone and that need no table lookup: Latin-1 letters,
    // basic Cyrillic, and the common dashes, quotes and bullets.
    let stable = |c: char| matches!(c as u32, 0xC0..=0xFF | 0x410..=0x44F | 0x2010 | 0x2012..=0x2023);
    let non_ascii = std::iter::from_fn(|| {
        loop {
            let b = s.as_bytes();
            while at < b.len() && b[at] < 0x80 {
                at = next_special(b, at);
                if at < b.len() && b[at] < 0x80 {
                    at += 1;
                }
            }
            let c = s.get(at..)?.chars().next()?;
            at += c.len_utf8();
            if !stable(c) {
                return Some(c);
            }
            // Skip to the next non-ASCII byte.
            let b = s.as_bytes();
            while at < b.len() && b[at] < 0x80 {
                at = next_special(b, at);
                if at < b.len() && b[at] < 0x80 {
                    at += 1;
                }
            }
        }
    });
    match unicode_normalization::is_nfkc_quick(non_ascii) {
        unicode_normalization::IsNormalized::Yes => Cow::Borrowed(s),
        _ => Cow::Owned(s.nfkc().collect()),
    }
}

/// Appends `line` to `out` with quotes and dashes normalised and whitespace collapsed.
/// `line` must already be NFKC. Returns false when nothing visible was written.
pub(crate) fn push_normalized(out: &mut String, line: &str) -> bool {
    let start = out.len();
    let b = line.as_bytes();
    let mut space = false; // a separator is pending
    let mut i = 0;
    while i < b.len() {
        // Copy a run of ordinary bytes (printable ASCII, single spaces) in one go.
        let mut run = next_special(b, i);
        if let Some(k) = DOUBLE_SPACE.find(&b[i..run]) {
            run = i + k + 1; // keep one space, the rest is whitespace to collapse
        }
        if run > i {
            let raw = &line[i..run];
            let core = raw.trim_matches(' ');
            space |= raw.starts_with(' ');
            if !core.is_empty() {
                if space && out.len() > start {
                    out.push(' ');
                }
                out.push_str(core);
                space = raw.ends_with(' ');
            }
            i = run;
            continue;
        }
        if b[i] < 0x80 {
            space = true;
            i += 1;
            continue;
        }
        let Some(c) = line[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        let m = match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => continue,
            c if c.is_whitespace() => {
                space = true;
                continue;
            }
            c => c,
        };
        if space && out.len() > start {
            out.push(' ');
        }
        space = false;
        out.push(m);
    }
    out.len() > start
}

static DOUBLE_SPACE: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"  "));

/// Index of the first byte at or after `from` that is not printable ASCII or a space
/// (controls, tabs, newlines, any non-ASCII byte), or `b.len()`. Eight bytes at a time.
fn next_special(b: &[u8], from: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while i + 8 <= b.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i..i + 8]);
        let x = u64::from_le_bytes(w);
        // High bit set, or byte < 0x20 (x - 0x20 borrows into the high bit for bytes < 0x20).
        let low = x.wrapping_sub(LO * 0x20) & !x & HI;
        if (x & HI) | low != 0 {
            break;
        }
        i += 8;
    }
    while i < b.len() && b[i] >= 0x20 && b[i] < 0x80 {
        i += 1;
    }
    i
}

/// A normalised copy of a short string (titles, bylines).
pub(crate) fn normalize_short(s: &str) -> String {
    let n = nfkc(s);
    let mut out = String::with_capacity(n.len());
    push_normalized(&mut out, &n);
    out
}

/// Whole-line chrome (compared lowercase, trailing punctuation ignored).
const CHROME_EXACT: &[&str] = &[
    "skip to main content",
    "skip to content",
    "skip to navigation",
    "jump to content",
    "advertisement",
    "advertisements",
    "advertising",
    "ad",
    "sponsored",
    "sponsored content",
    "share",
    "share this",
    "share this article",
    "share this story",
    "share article",
    "share on facebook",
    "share on twitter",
    "tweet",
    "email",
    "print",
    "comments",
    "comment",
    "leave a comment",
    "leave a reply",
    "post a comment",
    "related",
    "related articles",
    "related stories",
    "related content",
    "related posts",
    "read more",
    "more stories",
    "more from",
    "recommended",
    "recommended stories",
    "most popular",
    "most read",
    "trending",
    "trending now",
    "subscribe",
    "sign up",
    "newsletter",
    "log in",
    "login",
    "sign in",
    "menu",
    "search",
    "close",
    "back to top",
    "next article",
    "previous article",
    "next post",
    "previous post",
    "continue reading",
    "show comments",
    "view comments",
    "load more",
    "accept",
    "accept all",
    "cookie settings",
    "manage preferences",
    "you may also like",
    "you might also like",
    "follow us",
    "top stories",
    "latest news",
    "loading",
    "image",
    "photo",
    "video",
    "listen",
    "listen to this article",
    "enlarge this image",
    "toggle caption",
    "hide caption",
    "share via",
    "copy link",
    "link copied",
    "whatsapp",
    "facebook",
    "twitter",
    "linkedin",
    "reddit",
    "pinterest",
];

/// Line prefixes that mark chrome (compared lowercase).
const CHROME_PREFIX: &[&str] = &[
    "skip to main content",
    "read more:",
    "read more -",
    "read more at",
    "read more about",
    "read next:",
    "read also:",
    "also read:",
    "also read -",
    "see also:",
    "related:",
    "related coverage:",
    "related articles:",
    "related stories:",
    "more:",
    "more on this",
    "watch:",
    "watch live:",
    "watch now:",
    "watch the video",
    "listen:",
    "video:",
    "photo:",
    "photos:",
    "image:",
    "images:",
    "picture:",
    "photograph:",
    "credit:",
    "image credit",
    "photo credit",
    "(photo",
    "photo by ",
    "file photo",
    "click here",
    "sign up for",
    "sign up to",
    "subscribe to",
    "subscribe now",
    "subscribe for",
    "follow us on",
    "follow us:",
    "copyright ",
    "copyright:",
    "copyright\u{a9}",
    "\u{a9}",
    "(c) ",
    "we need your consent",
    "your email address will not be published",
    "we use cookies",
    "this site uses cookies",
    "this website uses cookies",
    "by clicking",
    "by continuing to use",
    "to continue reading",
    "already a subscriber",
    "already have an account",
    "get the latest",
    "download the app",
    "download our app",
    "posted in ",
    "filed under",
    "tags:",
    "topics:",
    "share this:",
    "like this:",
    "leave a comment",
    "leave a reply",
    "you must be logged in",
    "comments are closed",
    "this article was originally published",
    "this story was originally published",
    "originally published",
    "enter your email",
    "thank you for subscribing",
    "have a news tip",
    "got a news tip",
    "do you have a story",
    "advertisement -",
    "story continues below",
    "article continues below",
    "continue reading below",
    "skip advertisement",
];

/// Substrings that mark a short line as chrome wherever they occur.
const CHROME_CONTAINS: &[&str] = &[
    "all rights reserved",
    "getty images",
    "(ap photo",
    "/ap photo",
    "(reuters/",
    "/ reuters)",
    "(afp",
    "/afp via",
    "photo credit",
    "image source,",
    "image caption,",
    "cookie policy",
    "privacy policy",
    "terms of use",
    "terms of service",
    "javascript is disabled",
    "enable javascript",
    "your browser does not support",
];

/// [`CHROME_CONTAINS`] as one case-insensitive automaton (one pass per line).
static CONTAINS_AC: LazyLock<Option<aho_corasick::AhoCorasick>> = LazyLock::new(|| {
    // Lower, Capitalised and UPPER variants keep the automaton's fast prefilter usable
    // (ASCII case-insensitive mode weakens it).
    let mut pats: Vec<String> = Vec::new();
    for p in CHROME_CONTAINS {
        pats.push(p.to_string());
        let mut cap = p.to_string();
        if let Some(f) = cap.get_mut(..1) {
            f.make_ascii_uppercase();
        }
        pats.push(cap);
        pats.push(p.to_ascii_uppercase());
    }
    aho_corasick::AhoCorasick::builder().build(&pats).ok()
});

/// Chrome prefixes bucketed by first byte, for a cheap per-line check.
static PREFIX_BUCKETS: LazyLock<Vec<Vec<&'static str>>> = LazyLock::new(|| {
    let mut v = vec![Vec::new(); 256];
    for p in CHROME_PREFIX {
        v[p.as_bytes()[0] as usize].push(*p);
    }
    v
});

static EXACT_BUCKETS: LazyLock<Vec<Vec<&'static str>>> = LazyLock::new(|| {
    let mut v = vec![Vec::new(); 256];
    for p in CHROME_EXACT {
        v[p.as_bytes()[0] as usize].push(*p);
    }
    v
});

fn starts_with_ci(s: &str, p: &str) -> bool {
    s.len() >= p.len() && s.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
}

/// Whether a (normalised, trimmed) line is site chrome.
pub(crate) fn is_chrome(line: &str) -> bool {
    let Some(&first) = line.as_bytes().first() else {
        return true;
    };
    let f = first.to_ascii_lowercase() as usize;
    if PREFIX_BUCKETS[f].iter().any(|p| starts_with_ci(line, p)) {
        return true;
    }
    if line.len() > 300 {
        return false;
    }
    let core =
        line.trim_end_matches(|c: char| c.is_ascii_punctuation() || c == ' ' || c == '\u{bb}' || c == '>');
    if core.len() <= 40
        && EXACT_BUCKETS[f]
            .iter()
            .any(|p| p.len() == core.len() && starts_with_ci(core, p))
    {
        return true;
    }
    // Credit and legal lines are short or end in a parenthesis; prose sentences skip the scan.
    let credit_like = line.ends_with(')') || memchr::memchr_iter(b' ', line.as_bytes()).count() < 14;
    if line.len() <= 200 && credit_like && CONTAINS_AC.as_ref().is_some_and(|ac| ac.is_match(line)) {
        // A short lead under an agency's dateline ("PARIS (AFP) - The strike ended.") names
        // the agency as a photo credit does, but it opens the story.
        return !opens_with_dateline(line);
    }
    is_photo_caption(line)
}

/// Agency photo captions: "KHARKIV, UKRAINE - NOVEMBER 24: A local woman ...".
fn is_photo_caption(line: &str) -> bool {
    let head = &line.as_bytes()[..line.len().min(80)];
    let Some(colon) = memchr::memchr(b':', head) else {
        return false;
    };
    let head = &line[..colon];
    let Some(dash) = head.rfind(" - ") else {
        return false;
    };
    let (place, when) = (&head[..dash], &head[dash + 3..]);
    let upper =
        |s: &str| s.bytes().any(|c| c.is_ascii_uppercase()) && !s.bytes().any(|c| c.is_ascii_lowercase());
    upper(place) && upper(when) && when.split(' ').next().is_some_and(date_month)
}

fn date_month(w: &str) -> bool {
    date::find_date(&format!("{w} 1, 2000")).is_some()
}

fn ends_sentence(line: &str) -> bool {
    line.ends_with(SENTENCE_ENDS)
}

/// What ends a sentence (or a quote or aside that ends one), in the scripts of news: the
/// Latin ones, and the Arabic-script full stop and question mark, the Devanagari danda, the
/// ideographic and full-width ones.
const SENTENCE_ENDS: [char; 16] = [
    '.', '!', '?', '"', '\'', ')', ':', ';', '\u{2026}', '\u{bb}', '\u{6d4}', '\u{61f}', '\u{964}',
    '\u{3002}', '\u{ff01}', '\u{ff1f}',
];

/// Whether `c` is a letter of a script without case (Arabic, Hebrew, Devanagari, Han...).
fn caseless_letter(c: char) -> bool {
    c.is_alphabetic() && !c.is_uppercase() && !c.is_lowercase()
}

/// Length in characters, counted only when the bytes could exceed it (scripts beyond ASCII
/// take two to four bytes a character, and a line's length is a matter of characters).
fn chars_at_least(line: &str, n: usize) -> bool {
    line.len() >= n && (line.is_ascii() || line.chars().count() >= n)
}

fn word_count(line: &str) -> usize {
    line.split_ascii_whitespace().count()
}

/// A headline-like line: short, several words, no closing full stop, starts capitalised
/// (or with a letter of a script without case).
fn is_headline(line: &str) -> bool {
    let words = word_count(line);
    (3..=30).contains(&words)
        && chars_at_least(line, 12)
        && !chars_at_least(line, 221)
        && !line.ends_with(['.', ',', ':', ';', '\u{6d4}', '\u{60c}', '\u{964}', '\u{3002}'])
        && line.chars().next().is_some_and(|c| {
            c.is_uppercase() || caseless_letter(c) || c.is_ascii_digit() || c == '"' || c == '\''
        })
        && !line.starts_with("By ")
        && !release_label(line)
}

/// A press release's header line, which names the release and its sender, never its
/// headline: a field ("Source: Acme Corp", "Contact: ...", "Embargo: ...") or the
/// release's kind with at most its number ("MEDIA RELEASE PR67255", "FOR IMMEDIATE
/// RELEASE").
fn release_label(line: &str) -> bool {
    const FIELDS: [&str; 9] = [
        "source",
        "contact",
        "media contact",
        "contacts",
        "embargo",
        "embargoed",
        "from",
        "ref",
        "reference",
    ];
    const KINDS: [&str; 5] = [
        "media release",
        "press release",
        "news release",
        "for immediate release",
        "for release",
    ];
    let lower = line.trim().to_lowercase();
    if let Some((field, _)) = lower.split_once(':')
        && FIELDS.contains(&field.trim())
    {
        return true;
    }
    KINDS.iter().any(|k| {
        lower.strip_prefix(k).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| !c.is_alphabetic()) && word_count(rest) <= 2
        })
    })
}

/// A byline line: "By Jane Doe", "By Jane Doe and John Roe | Reuters".
fn byline_of(line: &str) -> Option<&str> {
    let rest = ["By ", "BY ", "by ", "Written by ", "Words by "]
        .iter()
        .find_map(|p| line.strip_prefix(p))?;
    let rest = rest.trim();
    if rest.is_empty()
        || rest.len() > 100
        || word_count(rest) > 12
        || rest.ends_with('.') && word_count(rest) > 4
    {
        return None;
    }
    rest.chars().next().filter(|c| c.is_uppercase()).map(|_| rest)
}

/// What a date label of another language than English says (German, French, Spanish,
/// Italian, Portuguese, Dutch): "Datum", "am", "le" label a date; "veröffentlicht am",
/// "publié le" its publication; "aktualisiert am", "mis à jour le", "Stand" an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateLabel {
    Plain,
    Published,
    Updated,
}

/// The [`DateLabel`] a label before a date is in the languages it knows (`lb` in any case;
/// a trailing colon and spaces are ignored), `None` for any other words.
pub(crate) fn other_date_label(lb: &str) -> Option<DateLabel> {
    const PLAIN: &[&str] = &[
        "datum", "am", "vom", "le", "du", "el", "fecha", "il", "data", "em", "op",
    ];
    const PUBLISHED: &[&str] = &[
        "ver\u{f6}ffentlicht",
        "ver\u{f6}ffentlicht am",
        "erschienen",
        "erschienen am",
        "erstellt",
        "erstellt am",
        "publiziert",
        "publiziert am",
        "publi\u{e9}",
        "publi\u{e9} le",
        "publicado",
        "publicado el",
        "publicado em",
        "pubblicato",
        "pubblicato il",
        "gepubliceerd",
        "gepubliceerd op",
    ];
    const UPDATED: &[&str] = &[
        "aktualisiert",
        "aktualisiert am",
        "zuletzt aktualisiert",
        "zuletzt aktualisiert am",
        "stand",
        "mis \u{e0} jour",
        "mis \u{e0} jour le",
        "actualizado",
        "actualizado el",
        "aggiornato",
        "aggiornato il",
        "ultimo aggiornamento",
        "atualizado",
        "atualizado em",
        "bijgewerkt",
        "bijgewerkt op",
        "laatst bijgewerkt",
    ];
    let l = lb.to_lowercase();
    let l = l.trim_end_matches([':', ' ']);
    if PUBLISHED.contains(&l) {
        Some(DateLabel::Published)
    } else if UPDATED.contains(&l) {
        Some(DateLabel::Updated)
    } else if PLAIN.contains(&l) {
        Some(DateLabel::Plain)
    } else {
        None
    }
}

/// A line that is (mostly) a date, possibly with a label ("Updated", "Published") or a
/// dateline ("GENEVA — Nov. 24, 2025"). Returns the date, whether it was an update, and a
/// dateline place if one preceded the date.
fn date_line(line: &str) -> Option<(DateTime, bool, Option<&str>)> {
    if line.len() > 120 {
        return None;
    }
    let (dt, s, e) = date::find_date(line)?;
    let before = line[..s].trim().trim_end_matches([':', '-', ',', '|']).trim();
    let after = line[e..].trim().trim_start_matches([')', ',', '.', '|']).trim();
    if word_count(after) > 2 {
        return None;
    }
    let lb = before.to_ascii_lowercase();
    let lb = lb.trim_end_matches([':', ' ']);
    const LABELS: &[&str] = &[
        "",
        "updated",
        "last updated",
        "published",
        "first published",
        "posted",
        "posted on",
        "published on",
        "updated on",
        "date",
        "on",
        "dated",
        "created",
    ];
    // A label that ends with a weekday ("Posted on Monday", "Tues", "am Donnerstag").
    let weekday = |s: &str| s.rsplit(' ').next().is_some_and(date::is_weekday);
    let other = other_date_label(lb).or_else(|| {
        lb.rsplit_once(' ')
            .filter(|(_, w)| date::is_weekday(w))
            .and_then(|(l, _)| other_date_label(l))
    });
    if LABELS.contains(&lb)
        || weekday(lb)
        || other.is_some()
        || LABELS
            .iter()
            .any(|l| !l.is_empty() && weekday(lb.strip_prefix(l).unwrap_or("")))
    {
        return Some((
            dt,
            lb.starts_with("updated") || lb.starts_with("last updated") || other == Some(DateLabel::Updated),
            None,
        ));
    }
    // "GENEVA — Nov. 24, 2025": an upper-case place before the date.
    let place = before.trim_end_matches(['-', ' ', ',']).trim();
    if is_place(place) {
        return Some((dt, false, Some(place)));
    }
    None
}

/// The date of a short block shown near a headline, and whether it is labelled as an update.
/// Wider than the date lines the text pass drops: takes "Last updated: Dec 12, 2025", "Page
/// updated: 12 November 2025", "Updated Dec 18, 2025 · 12 min read", "February 4, 2025 - 11
/// minutes", "Jane Doe | Writer | July 2, 2025" and "By Jane Doe - Mar 27, 2024", but no
/// dateline and nothing sentence-like.
pub(crate) fn shown_date(line: &str) -> Option<(DateTime, bool)> {
    if line.len() > 120 {
        return None;
    }
    if let Some((dt, updated, place)) = date_line(line) {
        return place.is_none().then_some((dt, updated));
    }
    let (dt, s, e) = date::find_date(line)?;
    let before = line[..s]
        .trim()
        .trim_end_matches([':', '\u{ff1a}', '-', ',', '|', '\u{b7}', '\u{2022}'])
        .trim();
    let after = line[e..]
        .trim()
        .trim_start_matches([')', ',', '.', '|', '-', '\u{b7}', '\u{2022}'])
        .trim();
    let lb = before.to_ascii_lowercase();
    let lb = lb.trim_end_matches([':', ' ']);
    let la = after.to_ascii_lowercase();
    // "· 12 min read", "- 11 minutes", "| 5 min".
    let after_ok = word_count(after) <= 1
        || word_count(after) <= 4 && (la.contains(" min") || la.contains("read") || la.starts_with("by "));
    const LABELS: &[&str] = &[
        "",
        "updated",
        "last updated",
        "page updated",
        "updated on",
        "last modified",
        "modified",
        "last reviewed",
        "reviewed",
        "published",
        "published on",
        "first published",
        "publish date",
        "published date",
        "release date",
        "posted",
        "posted on",
        "written on",
        "date",
        "on",
        // Japanese and Chinese: published, posted, carried, distributed, (last) updated.
        "\u{516c}\u{958b}\u{65e5}",
        "\u{6295}\u{7a3f}\u{65e5}",
        "\u{63b2}\u{8f09}\u{65e5}",
        "\u{914d}\u{4fe1}\u{65e5}",
        "\u{66f4}\u{65b0}\u{65e5}",
        "\u{6700}\u{7d42}\u{66f4}\u{65b0}\u{65e5}",
        "\u{53d1}\u{5e03}\u{65f6}\u{95f4}",
        "\u{53d1}\u{5e03}\u{65e5}\u{671f}",
        "\u{66f4}\u{65b0}\u{65f6}\u{95f4}",
    ];
    // "Jane Doe | Senior Writer | July 2, 2025", "blog | February 01, 2022".
    let separated = line[..s].trim_end().ends_with(['|', '\u{b7}', '\u{2022}']);
    // A label after a short lead and a separator: "Essay - Published: 2025.12.17".
    let lead_label = lb
        .rsplit_once(['-', '|', '\u{b7}', '\u{2022}', '\u{2013}', '\u{2014}'])
        .is_some_and(|(lead, l)| {
            let l = l.trim();
            !l.is_empty() && LABELS.contains(&l) && word_count(lead) <= 3
        });
    let other = other_date_label(lb);
    let labelled = LABELS.contains(&lb)
        || other.is_some()
        || lead_label
        || (lb.starts_with("by ") || separated) && word_count(lb) <= 8 && before.len() <= 60;
    let updated = lb.contains("updated")
        || lb.contains("modified")
        || lb.contains("reviewed")
        || lb.contains("\u{66f4}\u{65b0}")
        || other == Some(DateLabel::Updated);
    (after_ok && labelled).then_some((dt, updated))
}

/// An upper-case place name as used in datelines ("GENEVA", "NEW YORK", "ST. PAUL, Minn.").
fn is_place(s: &str) -> bool {
    if s.len() < 2 || s.len() > 40 {
        return false;
    }
    // Desk labels in capitals that open a paragraph the way a place does ("EDITOR'S NOTE
    // - ...", "BREAKING - ...").
    const LABELS: [&str; 10] = [
        "NOTE", "NOTES", "EDITOR'S", "EDITORS", "EDITORS'", "BREAKING", "URGENT", "FLASH", "UPDATE",
        "ADVISORY",
    ];
    if s.split([' ', ','])
        .any(|w| LABELS.contains(&w.replace('\u{2019}', "'").as_str()))
    {
        return false;
    }
    let head = s.split(',').next().unwrap_or(s);
    head.bytes().filter(|c| c.is_ascii_uppercase()).count() >= 2
        && !head.chars().any(|c| c.is_lowercase())
        && s.chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | ',' | '.' | '\'' | '-'))
}

/// A dateline split off a first paragraph.
struct Dateline<'a> {
    /// The place ("GENEVA"; empty for "(Reuters) - ...").
    place: &'a str,
    /// The paragraph after it.
    rest: &'a str,
    /// The month and day it states ("GENEVA, Nov 24 (Reuters)"), without a year.
    day: Option<(u8, u8)>,
    /// The agency it credits ("Reuters", "dpa", "tca/dpa").
    credit: Option<&'a str>,
}

/// A paragraph that is nothing but a dateline: a place in capitals (perhaps with its
/// province in parentheses), a comma, the day, and the credit in parentheses ("PRIEGO DE
/// CÓRDOBA (CÓRDOBA), 2 (EUROPA PRESS)", "MADRID, 3 (EUROPA PRESS)"). Gives the place and
/// the credit.
fn dateline_alone(p: &str) -> Option<(&str, &str)> {
    if p.chars().count() > 90 {
        return None;
    }
    let inner = p.trim_end().strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let credit = inner[open + 1..].trim();
    let (place, day) = inner[..open].trim_end().rsplit_once(',')?;
    let day = day.trim();
    let place_core = place.split(" (").next().unwrap_or(place).trim();
    let is_day = (1..=2).contains(&day.len()) && day.bytes().all(|b| b.is_ascii_digit())
        || date::find_date(&format!("{day} 2000")).is_some_and(|(_, s, _)| s == 0);
    (agency_credit(credit) && is_day && is_place(place_core)).then_some((place_core, credit))
}

/// Whether a line is marked as a list item: a bullet ("- ", "* ", "• ", "– ") or a number
/// ("1. ", "2) ") before its words.
fn is_list_item(s: &str) -> bool {
    let s = s.trim_start();
    if ["- ", "* ", "\u{2022} ", "\u{2013} ", "\u{b7} "]
        .iter()
        .any(|b| s.starts_with(b))
    {
        return true;
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    (1..=2).contains(&digits) && (s[digits..].starts_with(". ") || s[digits..].starts_with(") "))
}

/// Whether a dateline's lead reads as a place name: one to four words, each capitalised
/// ("New York", "SAN JOSE, Calif."), so "The minister (Labour) - ..." is none.
fn names_a_place(lead: &str) -> bool {
    let words: Vec<&str> = lead.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    (1..=4).contains(&words.len()) && words.iter().all(|w| w.starts_with(char::is_uppercase))
}

/// Whether a paragraph opens with a dateline that names a place ("PARIS (AFP) - ...").
fn opens_with_dateline(p: &str) -> bool {
    split_dateline(p).is_some_and(|d| !d.place.is_empty())
}

/// Splits a dateline off the first paragraph: "GENEVA (Reuters) - Officials ..." gives
/// the place "GENEVA" and the rest "Officials ..."; "(Reuters) - The ..." an empty place.
fn split_dateline(p: &str) -> Option<Dateline<'_>> {
    split_dateline_once(p, true)
}

/// [`split_dateline`]; `credit_first`: a credit alone may be followed by the place's
/// dateline (read once, not again inside it).
fn split_dateline_once(p: &str, credit_first: bool) -> Option<Dateline<'_>> {
    if p.starts_with(caseless_letter)
        && let Some(d) = caseless_dateline(p)
    {
        return Some(d);
    }
    let head = prefix(p, 90);
    let starts_text = |rest: &str| {
        rest.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c == '"' || c.is_ascii_digit())
    };
    let (place, credit, rest) = match slash_credit(head).filter(|(_, _, end)| starts_text(&p[*end..])) {
        // "MOSCOW, January 21. /TASS/. The Kremlin ...", "København /ritzau/: En ...".
        Some((lead, ag, end)) => (lead, Some(ag), &p[end..]),
        None => {
            // EFE writes a full stop before its dash: "Bruselas, 16 ene (EFE).- La ...".
            let (sep_at, sep_len) = [" - ", " -- ", " \u{2014} ", " \u{2013} ", "\u{2014}", ").- "]
                .iter()
                .filter_map(|s| {
                    head.find(s).map(|i| match *s {
                        ").- " => (i + 1, s.len() - 1),
                        _ => (i, s.len()),
                    })
                })
                .min()?;
            let lead = p[..sep_at].trim();
            let rest = p[sep_at + sep_len..].trim_start();
            if !starts_text(rest) {
                return None;
            }
            // Optional agency in parentheses at the end of the lead.
            match lead
                .strip_suffix(')')
                .and_then(|l| l.rfind('(').map(|i| (&l[..i], &l[i + 1..])))
            {
                // "(Reuters)", "(AP)", and the agencies that write themselves in lower case
                // ("Berlin (dpa) - ...").
                Some((pl, ag)) if agency_credit(ag) => (pl.trim(), Some(ag.trim()), rest),
                // Kyodo credits itself without parentheses after the day: "SAITAMA, Japan,
                // Dec. 9 Kyodo - ...".
                _ => match bare_credit(lead) {
                    Some((pl, ag)) => (pl, Some(ag), rest),
                    None => (lead, None, rest),
                },
            }
        }
    };
    let agency = credit.is_some();
    // "MOSCOW, January 21. /TASS/.": the day's full stop is not the place's.
    let place = match place.strip_suffix('.') {
        Some(p) if p.ends_with(|c: char| c.is_ascii_digit()) => p,
        _ => place,
    };
    if place.is_empty() {
        // ANSA credits itself first: "(ANSA) - ROME, JUL 11 - Russian energy giant ...".
        if credit_first
            && agency
            && let Some(inner) =
                split_dateline_once(rest, false).filter(|d| d.credit.is_none() && !d.place.is_empty())
        {
            return Some(Dateline { credit, ..inner });
        }
        return agency.then_some(Dateline {
            place: "",
            rest,
            day: None,
            credit,
        });
    }
    // Reuters style: "GENEVA, Nov 24 (Reuters)": the month and day without a year.
    // A lead that is only a month and day ("Jan 3 (OPTA) - Results ...") names no place.
    // Without a credit, only a place in capitals before its comma ("ROME, JUL 11 - ..."):
    // a sentence's first words before a dash are no dateline.
    let (place_core, day) = match date::find_date(&format!("{place} 2000")) {
        Some((dt, s, _))
            if agency
                || place
                    .split_once(',')
                    .is_some_and(|(pl, _)| is_place(pl.trim()) && pl.len() <= s) =>
        {
            (
                place[..s.min(place.len())]
                    .trim()
                    .trim_end_matches(',')
                    .trim_end(),
                Some((dt.mo, dt.d)),
            )
        }
        _ => (place, None),
    };
    if place_core.is_empty() {
        return Some(Dateline {
            place: "",
            rest,
            day,
            credit,
        });
    }
    if is_place(place_core) || agency && place_core.len() <= 40 && word_count(place_core) <= 5 {
        return Some(Dateline {
            place: place_core,
            rest,
            day,
            credit,
        });
    }
    None
}

/// Whether the parenthesised end of a dateline's lead is an agency's credit: "(Reuters)",
/// "(AP)", or one of the agencies that write themselves in lower case ("(dpa)",
/// "(tca/dpa)").
fn agency_credit(ag: &str) -> bool {
    ag.len() <= 30 && ag.chars().next().is_some_and(char::is_uppercase)
        || ag.len() <= 12
            && ag.starts_with(|c: char| c.is_ascii_lowercase())
            && ag.chars().all(|c| c.is_ascii_lowercase() || c == '/')
}

/// A credit written without parentheses after a dateline's place in capitals and its day
/// ("SAITAMA, Japan, Dec. 9 Kyodo"): the lead before it and the credit.
fn bare_credit(lead: &str) -> Option<(&str, &str)> {
    let (before, word) = lead.rsplit_once(' ')?;
    let before = before.trim_end();
    let credit = word.len() <= 12
        && word.starts_with(|c: char| c.is_ascii_uppercase())
        && word.chars().all(char::is_alphabetic)
        && word.chars().skip(1).any(char::is_lowercase);
    let dated = before.ends_with(|c: char| c.is_ascii_digit())
        && before
            .split_once(',')
            .is_some_and(|(place, _)| is_place(place.trim()))
        && date::find_date(&format!("{before} 2000")).is_some();
    (credit && dated).then_some((before, word))
}

/// A credit between slashes after the lead of a dateline, then a full stop or a colon:
/// "MOSCOW, January 21. /TASS/. The ..." (TASS), "København /ritzau/: En ..." (Ritzau).
/// Gives the lead, the credit and where the text after it starts.
fn slash_credit(head: &str) -> Option<(&str, &str, usize)> {
    let open = head.find(" /")? + 1;
    let len = head[open + 1..].find('/')?;
    let credit = &head[open + 1..open + 1 + len];
    if !(2..=12).contains(&credit.len()) || !credit.chars().all(char::is_alphabetic) {
        return None;
    }
    let after = &head[open + len + 2..];
    let sep = after.strip_prefix(['.', ':']).unwrap_or(after);
    let text = sep.strip_prefix(' ')?;
    let lead = head[..open].trim();
    (!lead.is_empty()).then_some((lead, credit, head.len() - text.len()))
}

/// A dateline in a script without case, where no capitals mark the place and agencies
/// write no dash after their credit: the place, perhaps a full stop and the day, then the
/// credit in parentheses ("نیویارک۔05ستمبر(اے پی پی) سوئٹزرلینڈ کے ...", "لاہور (کلچرل
/// رپورٹر) ..."). The place is the lead up to a full stop, comma or dash; the day stays
/// unread. The paragraph is read, not cut: `rest` is all of it. Such a lead is not always
/// a dateline ("اسلام آباد (اے پی پی) کے کیمپ آفس ...", "APP's camp office in Islamabad",
/// reads the same way), and a paper that reprints an agency's text keeps its place and
/// credit, which copy detection counts (on counter-dev, cutting them lost two wholly derived
/// copies).
fn caseless_dateline(p: &str) -> Option<Dateline<'_>> {
    let head = &p[..p.char_indices().nth(60).map_or(p.len(), |(i, _)| i)];
    let close = head.find(')')?;
    let open = head[..close].rfind('(')?;
    let credit = head[open + 1..close].trim();
    let lead = head[..open].trim();
    if credit.is_empty()
        || credit.chars().count() > 30
        || word_count(credit) > 4
        || !credit.chars().all(|c| caseless_letter(c) || c == ' ' || c == '.')
        || lead.chars().count() > 40
        || word_count(lead) > 5
    {
        return None;
    }
    let place = lead
        .split(['\u{6d4}', '\u{60c}', ',', '-', '\u{2013}', '\u{2014}'])
        .next()
        .unwrap_or("")
        .trim();
    if place.is_empty() || word_count(place) > 3 || !place.chars().all(|c| caseless_letter(c) || c == ' ') {
        return None;
    }
    let after = p[close + 1..].trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '\u{2013}' | '\u{2014}' | ':' | '\u{6d4}')
    });
    after
        .starts_with(|c: char| caseless_letter(c) || c.is_ascii_digit() || c == '"')
        .then_some(Dateline {
            place,
            rest: p,
            day: None,
            credit: Some(credit),
        })
}

/// Whether a paragraph is an editor's note opening a text ("EDITOR'S NOTE - ...",
/// "Editor's note: ...").
fn editors_note(p: &str) -> bool {
    let head = prefix(p, 16).to_ascii_uppercase().replace('\u{2019}', "'");
    ["EDITOR'S NOTE", "EDITORS' NOTE", "EDITORS NOTE", "EDITOR NOTE"]
        .iter()
        .any(|n| head.starts_with(n))
}

/// How far (days) a full date in the text may be from a dateline's month and day to give
/// them their year.
const DATELINE_YEAR_DAYS: u32 = 31;

/// The longest prefix of `s` of at most `n` bytes that ends on a char boundary.
pub(crate) fn prefix(s: &str, n: usize) -> &str {
    &s[..s.floor_char_boundary(n)]
}

/// Lines of `s` (split on '\n'), found with memchr.
fn split_lines(s: &str) -> impl Iterator<Item = &str> {
    let mut start = 0usize;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match memchr::memchr(b'\n', &s.as_bytes()[start..]) {
            Some(k) => {
                let line = &s[start..start + k];
                start += k + 1;
                Some(line)
            }
            None => {
                done = true;
                Some(&s[start..])
            }
        }
    })
}

struct Line<'a> {
    text: &'a str,
    /// A blank line came before it.
    after_blank: bool,
}

/// Cleans `text` (any line endings): normalises, drops chrome, reads the header zone.
pub(crate) fn clean(text: &str, opts: Opts<'_>) -> Cleaned {
    let text = nfkc(text);
    let mut c = Cleaned {
        body: String::with_capacity(text.len() + 16),
        ..Default::default()
    };
    let title_norm = opts.title.map(normalize_short);
    let blank_separated = opts.plain && memchr::memmem::find(text.as_bytes(), b"\n\n").is_some()
        || memchr::memmem::find(text.as_bytes(), b"\n\r\n").is_some();

    let mut lines = split_lines(&text).scan(true, |blank, raw| {
        let t = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        let l = Line {
            text: t,
            after_blank: *blank,
        };
        *blank = t.is_empty();
        Some(l)
    });

    let mut header = true; // still before the first body paragraph
    let mut header_lines = 0usize;
    let mut first_para = true;
    // A standfirst or teaser may stand before the dateline's paragraph ("Dass ein Start-up
    // ... \n\nNew York (dpa) - Ein Chatbot ..."): the paragraph after the first may still
    // open with a dateline, one that credits an agency.
    let mut second_para = false;
    // The month and day of the first paragraph's dateline, when it states them.
    let mut dateline_day: Option<(u8, u8)> = None;
    let mut prev_start = usize::MAX; // where the previous kept paragraph starts in body
    let mut prev_loose = false; // previous kept line had no closing punctuation
    let mut prev_dropped_caption = false;
    let mut scratch = String::new();
    // A line stated twice that was all the body held so far (dropped as a caption pair).
    let mut only_pair: Option<String> = None;
    // The previous kept line opened a list ("The measures include:") or was an item of one.
    let mut in_list = false;

    for line in lines.by_ref() {
        let mut t = line.text;
        if t.is_empty() {
            continue;
        }
        // Bullets are formatting.
        t = t
            .trim_start_matches(['\u{2022}', '\u{25cf}', '\u{25aa}', '\u{b7}', '\u{25e6}'])
            .trim_start();
        if t.is_empty()
            || !opts.item
                && t.len() <= 2
                && t.chars().all(char::is_alphanumeric)
                && !t.chars().all(|c| c.is_ascii_digit())
        {
            continue;
        }
        let adjacent = !line.after_blank && blank_separated;
        scratch.clear();
        push_normalized(&mut scratch, t);
        let mut s: &str = &scratch;
        if !opts.item && is_chrome(s) {
            prev_dropped_caption = true;
            continue;
        }
        // A dateline that is a paragraph of its own (Europa Press: "PRIEGO DE CÓRDOBA
        // (CÓRDOBA), 2 (EUROPA PRESS)", the text in the next).
        if first_para
            && c.body.is_empty()
            && let Some((place, credit)) = dateline_alone(s)
        {
            c.dateline.get_or_insert_with(|| place.to_string());
            c.credit.get_or_insert_with(|| credit.to_string());
            first_para = false;
            second_para = false;
            continue;
        }
        if header && header_lines < 8 {
            header_lines += 1;
            // " date 2025-11-24 The United States ..." : a labelled date glued to the text.
            if let Some(rest) = s.strip_prefix("date ")
                && let Some(dt) = date::parse_iso(rest)
            {
                c.published.get_or_insert(dt);
                s = rest.get(10..).unwrap_or("").trim_start();
                if s.is_empty() {
                    continue;
                }
            }
            if let Some((dt, updated, place)) = date_line(s) {
                if updated {
                    c.modified.get_or_insert(dt);
                }
                if c.published.is_none() {
                    c.published = Some(dt);
                }
                if let Some(p) = place {
                    c.dateline.get_or_insert_with(|| p.to_string());
                }
                continue;
            }
            if let Some(by) = byline_of(s)
                && c.byline.is_none()
            {
                let (name, tail) = match by.find([',', '|', '\u{b7}']) {
                    Some(i) => (by[..i].trim(), &by[i..]),
                    None => (by, ""),
                };
                if let Some((dt, _, _)) = date::find_date(tail) {
                    c.published.get_or_insert(dt);
                }
                c.byline = Some(name.to_string());
                continue;
            }
            if let Some(tn) = &title_norm
                && s.eq_ignore_ascii_case(tn)
            {
                c.body.clear();
                prev_start = usize::MAX;
                continue;
            }
            let body_like = chars_at_least(s, 120)
                || word_count(s) >= 20
                || chars_at_least(s, 70) && ends_sentence(s) && !opts.detect_title;
            if !body_like {
                if opts.detect_title
                    && c.title.is_none()
                    && title_norm.is_none()
                    && header_lines <= 4
                    && c.body.len() < 200
                    && is_headline(s)
                {
                    // Whatever came before the headline (captions, chrome) is not the article.
                    c.title = Some(s.to_string());
                    c.body.clear();
                    prev_start = usize::MAX;
                    prev_loose = false;
                    continue;
                }
                // An item's short lead opening with its dateline ("CHATHAM, Mass. (AP) - A
                // lobster died.") is where its text starts.
                if opts.item && opens_with_dateline(s) {
                    header = false;
                }
            } else {
                header = false;
            }
        } else {
            header = false;
        }
        let loose = !ends_sentence(s) && s.len() < 250;
        // The same line twice in a row: an image's alt text and caption.
        if !opts.item && prev_start != usize::MAX && c.body[prev_start..] == *s {
            // Rendered HTML: a repeated paragraph is kept once. So is a text's opening
            // sentence stated twice (a plain text whose first line repeats its lede): a
            // caption pair is short, and dropping both copies of a lede loses the story's
            // first sentence.
            let opening_sentence = prev_start == 0 && chars_at_least(s, 70) && ends_sentence(s);
            if !opts.plain || opening_sentence {
                continue;
            }
            c.body.truncate(prev_start.saturating_sub(2));
            if c.body.is_empty() {
                only_pair = Some(s.to_string());
            }
            prev_start = usize::MAX;
            prev_dropped_caption = true;
            continue;
        }
        // The lines under a lead-in ending in ':', and lines marked as items ("- ", "1. "),
        // are a list: no caption lines, however short.
        let list_item = in_list && adjacent || is_list_item(s);
        // Loose lines glued to a caption or to each other (no blank line between) are captions.
        if !opts.item
            && blank_separated
            && adjacent
            && loose
            && !header
            && !list_item
            && (prev_dropped_caption || prev_loose)
        {
            if prev_loose && !prev_dropped_caption && prev_start != usize::MAX {
                c.body.truncate(prev_start.saturating_sub(2));
            }
            prev_start = usize::MAX;
            prev_dropped_caption = true;
            prev_loose = false;
            continue;
        }
        let later = second_para && !first_para;
        second_para = false;
        if (first_para || later) && !header {
            // An editor's note to readers that opens the text ("EDITOR'S NOTE - This is
            // part of an investigation ...") comes before the story's dateline.
            let note = editors_note(s);
            let found = split_dateline(s).filter(|d| !later || d.credit.is_some() && names_a_place(d.place));
            second_para = first_para && !note && found.is_none();
            first_para = note;
            if let Some(d) = found {
                if !d.place.is_empty() {
                    c.dateline.get_or_insert_with(|| d.place.to_string());
                }
                if let Some(credit) = d.credit {
                    c.credit.get_or_insert_with(|| credit.to_string());
                }
                dateline_day = d.day;
                s = d.rest;
            }
        }
        if !c.body.is_empty() {
            c.body.push_str("\n\n");
        }
        prev_start = c.body.len();
        c.body.push_str(s);
        prev_loose = loose && !list_item;
        prev_dropped_caption = false;
        in_list = list_item || s.ends_with(':');
    }
    // A text that was nothing but one line stated twice (a brief's sentence written as its
    // headline and again as its text) is that line, not a caption pair and nothing else.
    if c.body.is_empty()
        && let Some(line) = only_pair
    {
        c.body = line;
    }
    if c.published.is_none() && opts.plain {
        // Last resort: the first full date anywhere near the top (photo captions often carry
        // the only one). A dateline's month and day ("GENEVA, May 27 (Reuters)") are the
        // story's own: that date only gives them their year, and only when it is within a
        // month of them. A caption's date is the photo's ("FILE PHOTO: ..., July 9, 2025"),
        // often months older; with the day known and the year not, no date is better than a
        // wrong one (the pipeline then goes by the time the document was received).
        let full = text
            .lines()
            .take(60)
            .filter(|l| l.len() < 2000)
            .find_map(|l| date::find_date(l).map(|d| d.0));
        c.published = match (dateline_day, full) {
            (Some((mo, d)), Some(near)) => DateTime::month_day_near(mo, d, &near)
                .filter(|day| day.days().abs_diff(near.days()) <= DATELINE_YEAR_DAYS),
            _ => full,
        };
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Cleaned {
        clean(
            text,
            Opts {
                title: None,
                detect_title: true,
                plain: true,
                item: false,
            },
        )
    }

    #[test]
    fn twice_escaped_references_glued_to_words_are_decoded() {
        assert_eq!(
            nfkc("Oh&mldr; and the council&#8217;s plan"),
            "Oh... and the council\u{2019}s plan"
        );
        assert_eq!(nfkc("Rock&amp;Roll"), "Rock&Roll");
        // Shown on purpose, or not a reference: left as written.
        assert_eq!(
            nfkc("write &amp; for an ampersand"),
            "write &amp; for an ampersand"
        );
        assert_eq!(nfkc("Q&A; R&D; AT&T"), "Q&A; R&D; AT&T");
        assert_eq!(nfkc("?a=1&b=2;c"), "?a=1&b=2;c");
        assert_eq!(nfkc("x&unknownname;y"), "x&unknownname;y");
    }

    #[test]
    fn a_press_releases_header_lines_are_not_its_headline() {
        let c = run(
            "Source: Escola Aguia de Ouro\nMEDIA RELEASE PR67255\nSamba school parades with no feathers this year\n\n\
            SAO PAULO, Feb. 1, 2017 -- The samba school will present a theme on animal rights at this year's carnival, its director said on Wednesday.",
        );
        assert_eq!(
            c.title.as_deref(),
            Some("Samba school parades with no feathers this year")
        );
        // Its dateline is read like an agency's: place and day, no credit.
        assert_eq!(c.dateline.as_deref(), Some("SAO PAULO"));
        assert!(c.body.starts_with("The samba school"), "{}", c.body);
        for l in [
            "Contact: Jane Doe, +61 2 5555 0000",
            "FOR IMMEDIATE RELEASE",
            "Press Release 2017/04",
        ] {
            assert!(release_label(l), "{l}");
        }
        for l in [
            "Brexit: PM says talks go on",
            "Press release rules tightened for listed firms",
            "From Kyiv to Geneva: the road to talks",
        ] {
            assert!(!release_label(l), "{l}");
        }
    }

    #[test]
    fn chrome_lines() {
        for l in [
            "skip to main content",
            "Advertisement",
            "Read more: Explained: What is it?",
            "Watch: Rescue teams tackle fires",
            "Leave a Comment",
            "Your email address will not be published. Required fields are marked *",
            "Copyright 2025 NPR",
            "We need your consent to load this rte-player content. Manage Preferences",
            "KHARKIV, UKRAINE - NOVEMBER 24: A local woman walks along a street.",
            "Share this article",
            "Protesters march through the city centre on Friday. (AFP)",
        ] {
            assert!(is_chrome(l), "{l}");
        }
        for l in [
            "The plan would require Kyiv to cede more territory.",
            "Ukraine's allies plan talks on Tuesday",
            "Read the statement",
            // An agency's dateline, not its photo credit.
            "PARIS (AFP) - The rail strike ended on Friday.",
        ] {
            assert!(!is_chrome(l), "{l}");
        }
    }

    #[test]
    fn a_headline_in_a_script_without_case() {
        // Urdu: "Roger Federer reaches the US Open semi-final, keeping his winning run", a
        // line of 16 words and 150 bytes; the body's sentences end in the Urdu full stop.
        let head = "راجر فیڈرر فتوحات برقرار رکھتے ہوئے یو ایس اوپن ٹینس مینز سنگلز سیمی فائنل میں پہنچ گئے";
        let body = "فیڈرر نے کوارٹر فائنل میں حریف کو شکست دی۔ فیڈرر نے کوارٹر فائنل میں حریف کو شکست دی۔";
        let c = run(&format!("{head}\n\n{body}"));
        assert_eq!(c.title.as_deref(), Some(head));
        assert_eq!(c.body, body);
        // A short paragraph that ends in a full stop is text, not a headline.
        let c = run(&format!("فیڈرر نے کوارٹر فائنل میں حریف کو شکست دی۔\n\n{body}"));
        assert_eq!(c.title, None);
    }

    #[test]
    fn header_zone() {
        let c = run(
            "Caption of a photo that ends with a stop.\n\nThe Real Headline Of This Story\n\nBy Jane Doe\nGENEVA — Nov. 24, 2025\n\nThe first paragraph is long enough to count as body text for this test to work, clearly so.\n\nSecond.",
        );
        assert_eq!(c.title.as_deref(), Some("The Real Headline Of This Story"));
        assert_eq!(c.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(c.dateline.as_deref(), Some("GENEVA"));
        assert_eq!(
            c.published.map(|d| d.rfc3339()).as_deref(),
            Some("2025-11-24T00:00:00Z")
        );
        assert!(c.body.starts_with("The first paragraph"), "{}", c.body);
        assert!(c.body.ends_with("\n\nSecond."));
    }

    #[test]
    fn shown_dates() {
        let check = |line: &str, want: Option<(&str, bool)>| {
            let got = shown_date(line).map(|(d, u)| (d.rfc3339(), u));
            assert_eq!(got.as_ref().map(|(d, u)| (&d[..10], *u)), want, "{line}");
        };
        check("Last updated: Dec 12, 2025", Some(("2025-12-12", true)));
        check("Page updated: 12 November 2025", Some(("2025-11-12", true)));
        // Other languages' labels, weekdays and months.
        check("Datum: 22.12.2012, Rubrik: USA", Some(("2012-12-22", false)));
        check("Donnerstag, 15.2.2018, 19:51", Some(("2018-02-15", false)));
        check("am 20.06.2018", Some(("2018-06-20", false)));
        check("Ver\u{f6}ffentlicht am 3. Juli 2018", Some(("2018-07-03", false)));
        check("Stand: 09.10.2017, 01:40 Uhr", Some(("2017-10-09", true)));
        check("jeudi 13 juin 2019", Some(("2019-06-13", false)));
        check("Publi\u{e9} le 29 juin 2019", Some(("2019-06-29", false)));
        check("Mis \u{e0} jour le 1 ao\u{fb}t 2019", Some(("2019-08-01", true)));
        check("Publicado el 13 de junio de 2019", Some(("2019-06-13", false)));
        check("Pubblicato il 5 marzo 2021", Some(("2021-03-05", false)));
        check("Gepubliceerd op 7 mei 2020", Some(("2020-05-07", false)));
        check("Mittwochsrunde 3. Juli 2018", None);
        check(
            "Updated Dec 18, 2025 \u{b7} 12 min read",
            Some(("2025-12-18", true)),
        );
        check("February 4, 2025 - 11 minutes", Some(("2025-02-04", false)));
        check("By Dr. Jane Doe - Mar 27, 2024", Some(("2024-03-27", false)));
        check(
            "Jane Doe | Senior Writer | July 2, 2025",
            Some(("2025-07-02", false)),
        );
        check("Published: 03 Dec 2025", Some(("2025-12-03", false)));
        check("On 8 Oct 2022", Some(("2022-10-08", false)));
        // A label after a short lead and a separator.
        check("Essay - Published: 2025.12.17 |", Some(("2025-12-17", false)));
        check("News \u{b7} Updated: 2025.12.18", Some(("2025-12-18", true)));
        check("A long story of the harbour - Published: 2025.12.17", None);
        // Japanese labels: published, last updated.
        check(
            "\u{516c}\u{958b}\u{65e5}\u{ff1a}2019\u{5e74}4\u{6708}2\u{65e5}",
            Some(("2019-04-02", false)),
        );
        check(
            "\u{6700}\u{7d42}\u{66f4}\u{65b0}\u{65e5}\u{ff1a}2019\u{5e74}4\u{6708}2\u{65e5}",
            Some(("2019-04-02", true)),
        );
        check("GENEVA \u{2014} Nov. 24, 2025", None);
        check("The plan was agreed on March 3, 2025 after long talks", None);
        check("Sale ends March 3, 2025, while stocks last", None);
    }

    #[test]
    fn a_list_in_plain_text_is_no_caption() {
        // Short lines under a lead-in ending in ':', or marked as items, were dropped as
        // loose caption lines.
        let p = "The government announced on Monday a new package of measures to support households facing higher energy bills this winter.";
        let items =
            "A cap on unit prices\nA payment of 400 euros per household\nFree insulation for pensioners";
        let c = run(&format!("{p}\n\nThe measures include:\n{items}\n\n{p}"));
        for item in items.lines() {
            assert!(c.body.contains(item), "{item}: {}", c.body);
        }
        let c = run(&format!(
            "{p}\n\n- A cap on unit prices\n- A payment per household\n\n{p}"
        ));
        assert!(
            c.body
                .contains("- A cap on unit prices\n\n- A payment per household"),
            "{}",
            c.body
        );
        assert!(is_list_item("1. First") && is_list_item("12) Twelfth") && !is_list_item("2025. A year"));
    }

    #[test]
    fn datelines() {
        let c = run(
            "GENEVA \u{2014} Officials on Monday said progress was made in urgent weekend talks on amending the U.S. peace proposal for Ukraine.",
        );
        assert_eq!(c.dateline.as_deref(), Some("GENEVA"));
        assert_eq!(c.credit, None);
        assert!(c.body.starts_with("Officials on Monday"));
        let c = run(
            "LONDON, Nov 24 (Reuters) - Britain's economy grew more slowly than expected in the third quarter, official data showed on Monday.",
        );
        assert_eq!(c.dateline.as_deref(), Some("LONDON"));
        assert_eq!(c.credit.as_deref(), Some("Reuters"));
        assert!(c.body.starts_with("Britain's economy"), "{}", c.body);
        let c = run(
            "Berlin (dpa) - Die Grünen-Spitze zieht nach den Misserfolgen der Partei bei mehreren Wahlen in diesem Jahr personelle Konsequenzen.",
        );
        assert_eq!(c.dateline.as_deref(), Some("Berlin"));
        assert_eq!(c.credit.as_deref(), Some("dpa"));
        assert!(c.body.starts_with("Die Grünen-Spitze"), "{}", c.body);
        // A month and day before the agency is a day, not a place.
        let c = run(
            "Jan 3 (OPTA) - Results and fixtures for the Primeira Liga on Wednesday, with two games played in the evening.",
        );
        assert_eq!(c.dateline, None);
        assert!(c.body.starts_with("Results and fixtures"), "{}", c.body);
        // A desk label in capitals is no place.
        for label in ["EDITOR'S NOTE", "EDITOR\u{2019}S NOTE", "BREAKING"] {
            let c = run(&format!(
                "{label} \u{2014} This is part of an investigation into the hidden costs of green energy across the plains."
            ));
            assert_eq!(c.dateline, None, "{label}");
            assert!(c.body.starts_with(&label.replace('\u{2019}', "'")), "{}", c.body);
        }
        // After an editor's note, the story's own dateline.
        let c = run(
            "EDITOR'S NOTE - This is part of an investigation into the hidden costs of green energy across the plains.\n\n\
             ROSCOE, South Dakota (AP) - Robert Malsam nearly went broke in 1983 and has farmed the same land ever since.",
        );
        assert_eq!(c.dateline.as_deref(), Some("ROSCOE, South Dakota"));
        assert_eq!(c.credit.as_deref(), Some("AP"));
        assert!(c.body.contains("\n\nRobert Malsam"), "{}", c.body);
        // A lower-case agency credit of two agencies.
        let c = run(
            "San Diego (tca/dpa) - History says this wasn't a Super Bowl preview, and the numbers agree with it this time.",
        );
        assert_eq!(c.dateline.as_deref(), Some("San Diego"));
        assert_eq!(c.credit.as_deref(), Some("tca/dpa"));
        assert!(c.body.starts_with("History says"), "{}", c.body);
        // Credits between slashes, EFE's full stop before its dash, and a place and day
        // without a credit.
        for (text, place, credit, start) in [
            (
                "MOSCOW, January 21. /TASS/. The Kremlin does not support the decision of the European Union to introduce new sanctions against Russia, its spokesman said.",
                "MOSCOW",
                Some("TASS"),
                "The Kremlin",
            ),
            (
                "København /ritzau/: En 41-årig mand blev onsdag anholdt og sat i forbindelse med en mulig skudepisode nær en børnehave i det nordlige Stockholm.",
                "København",
                Some("ritzau"),
                "En 41-årig",
            ),
            (
                "Bruselas, 16 ene (EFE).- La Unión Europea reiteró hoy que está determinada a utilizar todos los instrumentos a su alcance para luchar contra el terrorismo.",
                "Bruselas",
                Some("EFE"),
                "La Unión",
            ),
            (
                "(ANSA) - ROME, JUL 11 - Russian energy giant Gazprom on Monday cut its gas supplies to Italy by a third, Eni said on Monday afternoon.",
                "ROME",
                Some("ANSA"),
                "Russian energy",
            ),
            (
                "WASHINGTON, D.C., Nov 24 (Reuters) - The Federal Reserve is set to cut interest rates again in December, officials said on Monday.",
                "WASHINGTON, D.C.",
                Some("Reuters"),
                "The Federal Reserve",
            ),
            (
                "ROME, JUL 11 - Russian energy giant Gazprom on Monday cut its gas supplies to Italy by a third, Italian fuels giant Eni said in a statement.",
                "ROME",
                None,
                "Russian energy",
            ),
        ] {
            let c = run(text);
            assert_eq!(
                (c.dateline.as_deref(), c.credit.as_deref()),
                (Some(place), credit),
                "{text}"
            );
            assert!(c.body.starts_with(start), "{}", c.body);
        }
        // A sentence's opening words before a dash, a date among them, are no dateline;
        // nor is a path.
        for text in [
            "Since March 3, 2024 - when the law took effect - prices rose by a third in most of the towns.",
            "The file is at /usr/local/ and it holds the list of every town that voted in the last election.",
        ] {
            let c = run(text);
            assert_eq!((c.dateline, c.credit), (None, None), "{text}");
            assert_eq!(c.body, text);
        }
        // A credit without a place.
        let c = run(
            "Dollar rises\n\n(Reuters) - The dollar rose on Monday as traders weighed the chances of a rate cut in December, and bonds fell.",
        );
        assert_eq!((c.dateline, c.credit.as_deref()), (None, Some("Reuters")));
        // Scripts without case: the place, a full stop and the day, the credit, no dash
        // (Urdu: "New York. 05 September (APP) Switzerland's famed star player ...").
        let sentence = "سوئٹزرلینڈ کے شہرہ آفاق سٹار پلیئر اور سترہ مرتبہ گرینڈ سلیم چیمپئن راجر فیڈرر سیمی فائنل میں پہنچ گئے۔";
        let c = run(&format!("نیویارک۔05ستمبر(اے پی پی) {sentence} {sentence}"));
        assert_eq!(c.dateline.as_deref(), Some("نیویارک"));
        assert_eq!(c.credit.as_deref(), Some("اے پی پی"));
        assert!(
            c.body.starts_with("نیویارک۔05ستمبر(اے پی پی) سوئٹزرلینڈ"),
            "{}",
            c.body
        );
        let c = run(&format!("لاہور ۔یکم جولائی (اے پی پی) {sentence}"));
        assert_eq!(c.dateline.as_deref(), Some("لاہور"));
        // A parenthesis further in is no dateline.
        let c = run(&format!("فیڈرر نے کہا کہ وہ جلد واپس آئینگے (میڈیا) {sentence}"));
        assert_eq!((c.dateline, c.credit), (None, None));
        let c = run(
            "SAITAMA, Japan, Dec. 9 Kyodo - Urawa Reds claimed their seventh Emperor's Cup on Sunday after defeating Vegalta Sendai 1-0 at Saitama Stadium.",
        );
        assert_eq!(
            (c.dateline.as_deref(), c.credit.as_deref()),
            (Some("SAITAMA, Japan"), Some("Kyodo"))
        );
        assert!(c.body.starts_with("Urawa Reds claimed"), "{}", c.body);
        // Without a day before it, a capitalised word is the sentence's.
        let c = run(
            "TOKYO Kyodo - Urawa Reds claimed their seventh Emperor's Cup on Sunday after defeating Vegalta Sendai 1-0 at Saitama Stadium.",
        );
        assert_eq!(c.credit, None);
        // A dateline that is a paragraph of its own.
        let story = "La Asociación para el Control de la Calidad celebra este viernes y sábado el I Campeonato Internacional de Catadores en la sede del consejo.";
        let c = run(&format!(
            "PRIEGO DE CÓRDOBA (CÓRDOBA), 2 (EUROPA PRESS)\n\n{story}"
        ));
        assert_eq!(
            (c.dateline.as_deref(), c.credit.as_deref()),
            (Some("PRIEGO DE CÓRDOBA"), Some("EUROPA PRESS"))
        );
        assert_eq!(c.body, story);
        let c = run(&format!("Our reporter, 2 (left)\n\n{story}"));
        assert_eq!((c.dateline, c.credit), (None, None));
        // A teaser before the dateline's paragraph (dpa): the second paragraph's credited
        // dateline is read; an uncredited one there, or one in the third, is text.
        let teaser = "Dass ein Start-up aus China sein KI-Modell günstig trainierte, löste einen Kursrutsch in den USA aus. Für Experten ist es ein Zeichen, dass KI schneller kommt.";
        let story = "Ein Chatbot aus China schockt die Wall Street: Panische Anleger haben den Börsenwert des Chipkonzerns Nvidia an einem Tag um fast 600 Milliarden Dollar verringert.";
        let more = "Auslöser war die Erkenntnis, dass Software mit Künstlicher Intelligenz möglicherweise mit viel weniger Rechenleistung trainiert werden kann.";
        let c = run(&format!("{teaser}\n\nNew York (dpa) - {story}\n\n{more}"));
        assert_eq!(
            (c.dateline.as_deref(), c.credit.as_deref()),
            (Some("New York"), Some("dpa"))
        );
        assert_eq!(c.body, format!("{teaser}\n\n{story}\n\n{more}"));
        let c = run(&format!("{teaser}\n\nROME, JUL 11 - {story}"));
        assert_eq!((c.dateline, c.credit), (None, None));
        let c = run(&format!("{teaser}\n\n{more}\n\nNew York (dpa) - {story}"));
        assert_eq!((c.dateline, c.credit), (None, None));
        let c = run(&format!("{teaser}\n\nThe minister (Labour) - {story}"));
        assert_eq!((c.dateline, c.credit), (None, None));
    }

    #[test]
    fn a_datelines_day_beats_a_photo_captions_date() {
        // The publication day read, as YYYY-MM-DD.
        let day = |c: &Cleaned| c.published.map(|d| d.rfc3339()[..10].to_string());
        let story = "DREHYND, May 27 (Bloomberg) - The city council approved the new budget on Tuesday after a long and heated debate in the chamber, officials said.\n\nThe vote was close, officials said.";
        // The caption's date only says which year the dateline's day is in, and only when it
        // is within a month of it; a file photo's date says nothing.
        for (caption, want) in [
            (
                "PHOTO: The mayor in Drehynd, May 17, 2025. PA/Photographer",
                Some("2025-05-27"),
            ),
            (
                "PHOTO: The mayor in Drehynd, June 20, 2025. PA/Photographer",
                Some("2025-05-27"),
            ),
            (
                "FILE PHOTO: The council chamber in Drehynd, July 9, 2025. UPI/Photographer",
                None,
            ),
            (
                "FILE PHOTO: The mayor in Drehynd, December 21, 2024. PA/Photographer",
                None,
            ),
        ] {
            let c = run(&format!(
                "{story}\n\n{caption}\n\nMore text of the story follows here, long enough to be a paragraph of its own."
            ));
            assert_eq!(day(&c).as_deref(), want, "{caption}");
        }
        // Across the new year: "Jan 3" near a date of late December is in the next year.
        let c = run(
            "LONDON, Jan 3 (Reuters) - Markets across Europe opened higher on the first trading day of the new year, traders and analysts in the city said.\n\nPHOTO: Traders in London, December 30, 2025. Reuters/Photographer",
        );
        assert_eq!(day(&c).as_deref(), Some("2026-01-03"));
        // No dateline day: the first full date is all there is.
        let c = run(
            "LONDON (Reuters) - Markets opened higher, traders said on the first trading day.\n\nPHOTO: Traders in London, December 30, 2025. Reuters/Photographer",
        );
        assert_eq!(day(&c).as_deref(), Some("2025-12-30"));
        // No full date anywhere: a day without a year is not a date.
        let c = run(
            "LONDON, Jan 3 (Reuters) - Markets across Europe opened higher on the first trading day of the new year, traders and analysts in the city said.",
        );
        assert_eq!(c.published, None);
    }

    #[test]
    fn normalises() {
        let c = run(
            "\u{201c}Quoted\u{201d} \u{2014} it\u{2019}s  \u{fb01}ne\u{a0}text, long enough to be body text in this test of normalisation rules.",
        );
        assert_eq!(
            c.body,
            "\"Quoted\" - it's fine text, long enough to be body text in this test of normalisation rules."
        );
    }

    #[test]
    fn captions_and_duplicates() {
        let c = run(
            "A long first paragraph of body text that is clearly the article and not a caption at all, really, as it goes on and on.\n\nA caption line\nA caption line\n\nA photo title\nA man walks past a building in the city\n\nSubhead stands alone\n\nLast paragraph.",
        );
        assert_eq!(
            c.body,
            "A long first paragraph of body text that is clearly the article and not a caption at all, really, as it goes on and on.\n\nSubhead stands alone\n\nLast paragraph."
        );
        // A text whose opening sentence is stated twice (its first line repeats its lede)
        // keeps it once: losing both copies would lose the story's first sentence.
        let lede = "On Saturday, the 26-year-old was handed the keys to the Tardis when he was unveiled as the 11th Doctor, \
                    replacing David Tennant, who steps down later this year.";
        let next = "Matt, who has stage and television credits, will take up the role in 2010, the BBC said.";
        let c = run(&format!(
            "{lede}\n\n{lede}\n{next}\n\nA caption line\nA caption line\n\nLast paragraph."
        ));
        assert_eq!(c.body, format!("{lede}\n\n{next}\n\nLast paragraph."));
    }
}
