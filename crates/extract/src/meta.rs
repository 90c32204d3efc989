//! Article metadata from a parsed page: headline, byline, dates, canonical URL, language,
//! outlet. Sources in order of trust: JSON-LD (Article types first), OpenGraph / `<meta>`,
//! microdata and byline/date classes in the DOM, links to author pages, `<time>` elements,
//! then the URL.
//!
//! Does not look at the body text (the caller falls back to text dates itself) and does no
//! network or file IO.

use std::collections::HashMap;

use crate::date::{self, DateTime};
use crate::dom::{AttrKind, Dom, NONE, Tag};
use crate::json::{self, Json};
use crate::text::normalize_short;

/// What the page says about itself.
#[derive(Debug, Default)]
pub(crate) struct Meta {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<DateTime>,
    pub modified: Option<DateTime>,
    pub canonical: Option<String>,
    pub lang: Option<String>,
    pub site_name: Option<String>,
    /// JSON-LD or OpenGraph says this is an article.
    pub says_article: bool,
    /// OpenGraph says `website` (home pages, sections).
    pub says_website: bool,
    /// JSON-LD `articleBody`, when given.
    pub ld_body: Option<String>,
    /// Number of `<article>` elements on the page.
    pub article_elements: usize,
}

/// Host of an absolute URL, without `www.` or port.
pub(crate) fn host_of(url: &str) -> Option<&str> {
    let rest = match url.split_once("://") {
        Some((_, r)) => r,
        None => url.strip_prefix("//")?,
    };
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty() && host.contains('.')).then_some(host)
}

fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/", |i| &rest[i..])
}

const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "BlogPosting",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "ReviewNewsArticle",
    "LiveBlogPosting",
    "TechArticle",
    "ScholarlyArticle",
    "Report",
    "SocialMediaPosting",
    "DiscussionForumPosting",
    "Review",
    "Recipe",
    "HowTo",
    "SatiricalArticle",
    "MedicalScholarlyArticle",
    "AdvertiserContentArticle",
];

fn type_is_article(v: &Json) -> bool {
    v.get("@type").is_some_and(|t| {
        t.items().iter().filter_map(Json::as_str).any(|s| {
            let s = s.rsplit(['/', ':']).next().unwrap_or(s);
            ARTICLE_TYPES.contains(&s)
        })
    })
}

/// Names of the authors in `v` (a name, a person, or a list). A reference to another node
/// (`{"@id": ...}`, the way Yoast and other plugins link an article to the person in their
/// `@graph`) is looked up in `nodes`.
fn names_of(v: &Json, nodes: &HashMap<&str, &Json>, out: &mut Vec<String>) {
    for a in v.items() {
        let a = follow(a, nodes);
        match a {
            Json::Str(s) if !s.starts_with("http") && s.len() < 100 => {
                out.push(s.clone());
            }
            Json::Obj(_) => {
                let org = a
                    .get("@type")
                    .and_then(Json::as_str)
                    .is_some_and(|t| t.contains("Organization"));
                if org {
                    continue;
                }
                if let Some(n) = a.get("name").and_then(Json::as_str) {
                    if n.len() < 100 {
                        out.push(n.to_string());
                    }
                } else if let (Some(g), Some(f)) = (
                    a.get("givenName").and_then(Json::as_str),
                    a.get("familyName").and_then(Json::as_str),
                ) {
                    out.push(format!("{g} {f}"));
                }
            }
            _ => {}
        }
    }
}

#[derive(Default)]
struct Ld {
    headline: Option<String>,
    authors: Vec<String>,
    published: Option<String>,
    modified: Option<String>,
    publisher: Option<String>,
    body: Option<String>,
    lang: Option<String>,
    url: Option<String>,
    is_article: bool,
    any_published: Option<String>,
}

/// Visits the objects under `roots` (the last root first; within one, in document order,
/// including @graph and nested mainEntity), not descending under the keys in `skip`; at
/// most 10,000 values.
fn walk_objects<'a>(roots: impl Iterator<Item = &'a Json>, skip: &[&str], mut visit: impl FnMut(&'a Json)) {
    let mut stack: Vec<&Json> = roots.collect();
    let mut seen = 0usize;
    while let Some(v) = stack.pop() {
        seen += 1;
        if seen > 10_000 {
            break;
        }
        match v {
            Json::Arr(a) => stack.extend(a.iter().rev()),
            Json::Obj(m) => {
                visit(v);
                for (k, child) in m.iter().rev() {
                    if matches!(child, Json::Obj(_) | Json::Arr(_)) && !skip.contains(&k.as_str()) {
                        stack.push(child);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Objects with an `@id` (and more) in `values`, by id: the first of each.
fn ld_nodes(values: &[Vec<Json>]) -> HashMap<&str, &Json> {
    let mut nodes = HashMap::new();
    walk_objects(values.iter().flatten(), &[], |v| {
        if let (Some(id), Json::Obj(m)) = (v.get("@id").and_then(Json::as_str), v)
            && m.len() > 1
        {
            nodes.entry(id).or_insert(v);
        }
    });
    nodes
}

/// `v`, or the node it refers to when it is only a reference (`{"@id": ...}`, the way
/// Yoast and other plugins link an article to its author and publisher in their `@graph`).
fn follow<'a>(v: &'a Json, nodes: &HashMap<&str, &'a Json>) -> &'a Json {
    match v {
        Json::Obj(_) if v.get("name").is_none() && v.get("givenName").is_none() => v
            .get("@id")
            .and_then(Json::as_str)
            .and_then(|id| nodes.get(id).copied())
            .unwrap_or(v),
        _ => v,
    }
}

fn read_ld(dom: &Dom<'_>) -> Ld {
    let mut ld = Ld::default();
    let blocks: Vec<Vec<Json>> = dom.ld_json.iter().map(|b| json::parse_all(b)).collect();
    let nodes = ld_nodes(&blocks);
    for values in &blocks {
        walk_objects(values.iter(), &["author", "publisher"], |v| {
            if type_is_article(v) {
                if !ld.is_article {
                    ld.is_article = true;
                    ld.headline = None;
                    ld.authors.clear();
                    ld.published = None;
                }
                let s = |k: &str| v.get(k).and_then(Json::as_str).map(str::to_string);
                if ld.headline.is_none() {
                    ld.headline = s("headline").or_else(|| s("name"));
                }
                if ld.authors.is_empty()
                    && let Some(a) = v.get("author").or_else(|| v.get("creator"))
                {
                    names_of(a, &nodes, &mut ld.authors);
                }
                if ld.published.is_none() {
                    ld.published = s("datePublished").or_else(|| s("dateCreated"));
                }
                if ld.modified.is_none() {
                    ld.modified = s("dateModified");
                }
                if ld.body.is_none() {
                    ld.body = s("articleBody");
                }
                if ld.lang.is_none() {
                    ld.lang = s("inLanguage");
                }
                if ld.url.is_none() {
                    ld.url = s("url");
                }
                if ld.publisher.is_none() {
                    ld.publisher = v
                        .get("publisher")
                        .and_then(|p| p.items().iter().find_map(|p| follow(p, &nodes).get("name")))
                        .and_then(Json::as_str)
                        .map(str::to_string);
                }
            } else if ld.any_published.is_none() {
                ld.any_published = v.get("datePublished").and_then(Json::as_str).map(str::to_string);
            }
            if ld.publisher.is_none()
                && v.get("@type").and_then(Json::as_str) == Some("NewsMediaOrganization")
            {
                ld.publisher = v.get("name").and_then(Json::as_str).map(str::to_string);
            }
        });
    }
    ld
}

/// Lowercased class and id of an element, space separated.
pub(crate) fn class_id(dom: &Dom<'_>, id: u32) -> String {
    let mut s = String::new();
    if let Some(c) = dom.attr(id, AttrKind::Class) {
        s.push_str(&c);
    }
    if let Some(i) = dom.attr(id, AttrKind::Id) {
        s.push(' ');
        s.push_str(&i);
    }
    s.make_ascii_lowercase();
    s
}

/// Words of class or id that mark a byline or date block.
static CLASS_HINTS: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> = std::sync::LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["byline", "author", "date", "publish", "time", "meta"])
        .ok()
});

/// Whether the class or id of an element holds a byline or date word: a cheap test before
/// [`class_id`] allocates.
fn class_id_hints(dom: &Dom<'_>, id: u32) -> bool {
    let Some(ac) = CLASS_HINTS.as_ref() else {
        return true;
    };
    [AttrKind::Class, AttrKind::Id]
        .into_iter()
        .filter_map(|k| dom.attr(id, k))
        .any(|v| ac.is_match(v.as_ref()))
}

/// Whether an element is inside a reader comment (its or an ancestor's class or id says
/// "comment", not "commentary", an opinion desk's word): "by jdoe" there signs the
/// comment, not the article.
fn in_comments(dom: &Dom<'_>, id: u32) -> bool {
    let mut k = id;
    for _ in 0..16 {
        if class_id(dom, k).replace("commentar", "").contains("comment") {
            return true;
        }
        k = match dom.nodes.get(k as usize) {
            Some(n) if n.parent != NONE => n.parent,
            _ => return false,
        };
    }
    false
}

/// Path segments of an author's page.
const AUTHOR_PATHS: &[&str] = &[
    "author",
    "authors",
    "editor",
    "editors",
    "contributor",
    "contributors",
    "writer",
    "writers",
    "journalist",
    "journalists",
    "people",
    "staff",
    "profile",
    "profiles",
];

/// The page name of a link to an author's page: the path segment after one of
/// [`AUTHOR_PATHS`], without an extension, `_` read as `-` ("/author/jane-doe/",
/// "/authors/jane_doe.html": "jane-doe").
fn author_page(href: &str) -> Option<String> {
    let path = path_of(href);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut segs = path.split('/').filter(|s| !s.is_empty());
    // Every link of a page comes through here: no allocation until one matches.
    segs.find(|s| AUTHOR_PATHS.iter().any(|a| s.eq_ignore_ascii_case(a)))?;
    let page = segs.next()?;
    Some(
        page.rsplit_once('.')
            .map_or(page, |(stem, _)| stem)
            .replace('_', "-"),
    )
}

/// Whether an author page's name spells the link's text, a name of two words or more
/// ("jane-doe" for "Jane Doe").
fn names_page(page: &str, text: &str) -> bool {
    let text = text.trim();
    if text.len() < 4 || text.len() > 60 || !text.contains(' ') {
        return false;
    }
    let slug = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-");
    page.eq_ignore_ascii_case(&slug)
}

/// Removes a leading "By", trailing separators and whitespace from a byline.
fn clean_byline(s: &str) -> Option<String> {
    let s = if s.contains('&') {
        let mut d = String::new();
        crate::dom::decode_into(s, &mut d, false);
        normalize_short(&d)
    } else {
        normalize_short(s)
    };
    // Drop a date and anything after it ("Jane Doe Updated Jun 16, 2025"); a date in front
    // goes with its separator ("Dec. 19, 2025 · Jane Doe").
    let s = match date::find_date(&s) {
        Some((_, st, _)) if st > 0 => s[..st].to_string(),
        Some((_, _, en)) => s[en..]
            .trim_start_matches(|c: char| {
                c.is_whitespace() || "|,-\u{b7}\u{2022}\u{2013}\u{2014}".contains(c)
            })
            .to_string(),
        None => s,
    };
    // "Jane Doe on Friday", "Jane Doe on behalf of the Team", "Jane Doe says:" (a comment).
    let s = match s.find(" on ") {
        Some(i) => s[..i].to_string(),
        None => s,
    };
    let s = s.strip_suffix(" says:").map_or_else(|| s.clone(), str::to_string);
    let mut s = s.trim().to_string();
    for label in [
        "Written By",
        "Written by",
        "Authored by:",
        "Authored by",
        "Author:",
        "Posted by",
        "By:",
        "By",
    ] {
        if let Some(r) = s.strip_suffix(label) {
            s = r.trim().to_string();
        }
        if let Some(r) = s.strip_prefix(label) {
            s = r.trim().to_string();
        }
    }
    let mut t = s.trim();
    for p in BYLINE_LABELS {
        if t.len() > p.len() && t.is_char_boundary(p.len()) && t[..p.len()].eq_ignore_ascii_case(p) {
            t = t[p.len()..].trim();
        }
    }
    let mut t = t.trim_matches(|c: char| "|,-:\u{b7}\u{2022}".contains(c) || c.is_whitespace());
    // "Posted by Jane at <date>": the date went, its "at" or "on" goes too.
    for tail in [" at", " on", " |", " -"] {
        if let Some(r) = t.strip_suffix(tail) {
            t = r.trim_end();
        }
    }
    // "Jane Doe Last updated on <date>": the date's label goes with it.
    for label in [
        " last updated",
        " updated",
        " last modified",
        " published",
        " posted",
    ] {
        let cut = t
            .len()
            .checked_sub(label.len())
            .filter(|&k| t.is_char_boundary(k));
        if let Some(k) = cut
            && k > 0
            && t[k..].eq_ignore_ascii_case(label)
        {
            t = t[..k]
                .trim_end_matches(|c: char| "|,-:/\u{b7}\u{2022}\u{22c5}".contains(c) || c.is_whitespace());
        }
    }
    if t.is_empty()
        || t.len() > 150
        || t.starts_with("http")
        || t.contains('@') && !t.contains(' ')
        || date::date_words_only(t)
        || reading_time(t)
        || placeholder(t)
    {
        return None;
    }
    Some(t.to_string())
}

/// A template's empty value printed as text ("undefined", "null", "[object Object]").
fn placeholder(t: &str) -> bool {
    // Also a CMS's default account ("admin"), which signs for no one.
    [
        "undefined",
        "null",
        "none",
        "nan",
        "[object object]",
        "admin",
        "administrator",
        "webmaster",
    ]
    .iter()
    .any(|p| t.eq_ignore_ascii_case(p))
}

/// A reading-time note ("5 min read", "3 minute read", "Reading time: 4 minutes").
fn reading_time(t: &str) -> bool {
    let l = t.to_ascii_lowercase();
    t.len() < 40 && t.bytes().any(|b| b.is_ascii_digit()) && l.contains("min") && l.contains("read")
}

/// Labels in front of a byline, matched without regard to case.
const BYLINE_LABELS: [&str; 10] = [
    "By: ",
    "By ",
    "Author: ",
    "Written by ",
    "Words by ",
    "Posted by ",
    "Article by ",
    "Story by ",
    "Text by ",
    "Reporting by ",
];

/// Whether a byline reads as names ("Jane Doe", "JOSH HASKELL and DAVID CAPLAN", "Rui Ma,
/// Heba Ledwon & Suparn Patra", "高木浩光") rather than a sentence, a label, a user handle or
/// a date ("accessing this site, you agree", "See full bio", "janedoe99", "Jun 2"). The part
/// after a comma, a pipe or a bracket (roles, e-mail addresses) is not judged.
fn names_like(s: &str) -> bool {
    let head = s
        .split([',', '|', '(', ';', '\u{b7}'])
        .next()
        .unwrap_or("")
        .trim();
    if head.is_empty() || head.bytes().any(|b| b.is_ascii_digit()) || head.ends_with([':', '?', '!']) {
        return false;
    }
    // "Additionally, if you are thinking of": lower-case words after the comma make a sentence.
    let sentence = s.split([',', '|', '(', ';', '\u{b7}']).skip(1).any(|part| {
        part.split_whitespace()
            .filter(|w| {
                w.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && !NAME_PARTICLES.contains(w)
            })
            .count()
            >= 3
    });
    let words: Vec<&str> = head.split_whitespace().collect();
    !sentence
        && words.len() <= 12
        && words.iter().all(|w| {
            let c = w.chars().next().unwrap_or(' ');
            c.is_uppercase()
                || !c.is_alphabetic()
                || !c.is_ascii() && !c.is_lowercase()
                || NAME_PARTICLES.contains(w)
        })
}

/// Letters and digits in `t`: what two texts are compared by when spacing differs.
fn word_chars(t: &str) -> usize {
    t.chars().filter(|c| c.is_alphanumeric()).count()
}

/// Whether element `id` is a navigation block: `<nav>`, `<menu>`, or an element whose role
/// is navigation or a menu. (Class names are no guide here: "under-menu" marks the article
/// below a menu as readily as "dropdown-menu" marks a menu.)
fn navigation(dom: &Dom<'_>, id: u32, tag: Tag) -> bool {
    match tag {
        Tag::Nav | Tag::Menu => true,
        Tag::Text => false,
        _ => dom.attr(id, AttrKind::Role).is_some_and(|r| {
            ["navigation", "menu", "menubar"]
                .iter()
                .any(|w| r.trim().eq_ignore_ascii_case(w))
        }),
    }
}

/// The rest of a text that starts with a byline label ("By Jane Doe", "by: Jane Doe",
/// "Posted by Jane Doe"); the label alone ("Written by") gives an empty rest.
fn byline_label(t: &str) -> Option<&str> {
    let t = t.trim();
    // A heading "Author" over the name (never "Author Spotlight": a section).
    if t.eq_ignore_ascii_case("author") || t.eq_ignore_ascii_case("authors") {
        return Some("");
    }
    for p in BYLINE_LABELS {
        let p = p.trim_end();
        if t.len() >= p.len() && t.is_char_boundary(p.len()) && t[..p.len()].eq_ignore_ascii_case(p) {
            let rest = &t[p.len()..];
            // "By" must be a word of its own: not "Bye" or "Byron".
            if rest.is_empty() || rest.starts_with([' ', ':', '\u{a0}']) {
                return Some(rest.trim_start_matches([' ', ':', '\u{a0}']).trim());
            }
        }
    }
    None
}

/// "Doe, Jane" as "Jane Doe" (the order scholarly `citation_author` values often use).
fn first_last(v: &str) -> String {
    match v.split_once(", ") {
        Some((last, first)) if !first.contains(',') && !last.contains(' ') && !first.is_empty() => {
            format!("{first} {last}")
        }
        _ => v.to_string(),
    }
}

/// A metadata author written surname first, as Dublin Core and analytics tags often are
/// ("Gillman, Steve", "Doe, Jane A."), as "Steve Gillman"; `None` for anything else ("Jane
/// Doe, Senior Writer", "Reuters, AP", "Doe, Roe, Poe").
fn inverted_name(v: &str) -> Option<String> {
    let (last, first) = v.trim().split_once(", ")?;
    let name_word = |w: &str| {
        let mut c = w.chars();
        c.next().is_some_and(char::is_uppercase)
            && (w.len() == 2 && w.ends_with('.')
                || c.clone().any(char::is_lowercase) && c.all(|c| c.is_alphabetic() || "-'.".contains(c)))
    };
    let first_words: Vec<&str> = first.split_whitespace().collect();
    (!last.contains(' ')
        && name_word(last)
        && (1..=2).contains(&first_words.len())
        && first_words.iter().all(|w| name_word(w)))
    .then(|| format!("{first} {last}"))
}

/// Lower-case words inside names and lists of names.
const NAME_PARTICLES: [&str; 16] = [
    "and", "of", "de", "van", "der", "von", "da", "la", "le", "du", "del", "di", "y", "e", "bin", "den",
];

/// Legal forms that mark an organisation, not a person ("Example Media Inc.").
fn organisation_like(s: &str) -> bool {
    s.split_whitespace().next_back().is_some_and(|w| {
        let w = w.trim_end_matches(['.', ',']).to_ascii_lowercase();
        matches!(
            w.as_str(),
            "inc" | "llc" | "ltd" | "limited" | "gmbh" | "corp" | "corporation" | "plc" | "ag" | "co"
        )
    })
}

/// A credit a newsroom signs as a whole ("Us Weekly Staff", "TMZ STAFF", "HomeAdvisor Staff
/// Writer", "Web Desk", "The Editors"), not a reporter's name.
fn staff_credit(s: &str) -> bool {
    let words: Vec<String> = s
        .split_whitespace()
        .map(|w| w.trim_end_matches(['.', ',']).to_ascii_lowercase())
        .collect();
    match words.as_slice() {
        [.., last]
            if matches!(
                last.as_str(),
                "staff" | "staffers" | "newsroom" | "desk" | "editors"
            ) =>
        {
            true
        }
        [.., staff, role] => {
            staff == "staff" && matches!(role.as_str(), "writer" | "writers" | "reporter" | "reporters")
        }
        _ => false,
    }
}

/// The holder named in a copyright line ("© 2025 Jane Doe. All rights reserved." gives
/// "Jane Doe").
fn copyright_holder(t: &str) -> Option<&str> {
    let i = t
        .find('\u{a9}')
        .map(|i| i + '\u{a9}'.len_utf8())
        .or_else(|| t.find("Copyright").map(|j| j + "Copyright".len()))?;
    let lead = |c: char| {
        c.is_whitespace() || c.is_ascii_digit() || matches!(c, '-' | '\u{2013}' | ',' | '\u{a9}' | '(' | ')')
    };
    let mut rest = t[i..].trim_start_matches(lead);
    // "Copyright (c) Example Media 2022": the "(c)" spelled out.
    if let Some(r) = rest.strip_prefix("c)").or_else(|| rest.strip_prefix("C)")) {
        rest = r.trim_start_matches(lead);
    }
    let end = rest
        .find(['.', '|', '\u{b7}', '\n'])
        .or_else(|| rest.find(" All rights"))
        .unwrap_or(rest.len());
    let h = rest[..end].trim();
    (3..=60).contains(&h.len()).then_some(h)
}

/// The author of a site that is one person's own: the site's name, or the last part of the
/// document title, is two or three capitalised words that the copyright line names too
/// ("Post title | Jane Doe" with "© 2025 Jane Doe"; "Jane Doe's blog").
fn personal_site_author(site: Option<&str>, title: Option<&str>, holder: Option<&str>) -> Option<String> {
    let holder = norm_key(holder?);
    let last_segment = title.and_then(|t| {
        let parts = title_segments(t);
        (parts.len() >= 2).then(|| parts[parts.len() - 1])
    });
    for c in site.into_iter().chain(last_segment) {
        let c = c.trim();
        let c = c
            .strip_suffix("'s blog")
            .or_else(|| c.strip_suffix("\u{2019}s blog"))
            .unwrap_or(c);
        let words: Vec<&str> = c.split_whitespace().collect();
        let person = (2..=3).contains(&words.len())
            && words.iter().all(|w| {
                let mut ch = w.chars();
                ch.next().is_some_and(char::is_uppercase)
                    && ch.all(|c| c.is_alphabetic() && c.is_lowercase() || c == '-' || c == '\'')
            })
            && !organisation_like(c);
        if person && norm_key(c) == holder {
            return Some(c.to_string());
        }
    }
    None
}

/// Decodes character references left in a headline: JSON-LD values written with HTML
/// escapes ("Actuary&#8217;s") and doubly escaped attributes ("SQL &amp;#x26; AI").
fn unescape_twice_encoded(s: &str) -> String {
    let escaped = |s: &str| s.find('&').is_some_and(|i| s[i..].contains(';'));
    if !escaped(s) {
        return s.to_string();
    }
    let mut d = String::with_capacity(s.len());
    crate::dom::decode_into(s, &mut d, false);
    normalize_short(&d)
}

/// A headline without a date or a one-word label around it: "Dec 18 2025 Preparing a
/// transition" and "Blog: Best agencies" give the rest; `None` when there is neither.
fn undecorated(h: &str) -> Option<&str> {
    if let Some(core) = without_source(h) {
        return Some(core);
    }
    if let Some((_, st, en)) = date::find_date(h) {
        if st == 0 {
            return Some(h[en..].trim_start_matches([' ', ',', '-', '|', ':']).trim());
        }
        if en == h.len() {
            return Some(h[..st].trim_end_matches([' ', ',', '-', '|', ':']).trim());
        }
    }
    let (label, rest) = h.split_once(": ")?;
    (!label.contains(' ') && !rest.is_empty()).then_some(rest.trim())
}

/// One word and a colon ("Title:", "Headline:"): the label of a field, not its value.
fn is_field_label(s: &str) -> bool {
    s.strip_suffix(':')
        .is_some_and(|w| !w.is_empty() && w.chars().all(char::is_alphabetic))
}

/// A headline without the source domain and comment count a link aggregator shows after it:
/// "Grads find degrees no longer guarantee jobs (latimes.com) 87" gives the headline.
fn without_source(h: &str) -> Option<&str> {
    let t = h.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
    let open = t.strip_suffix(')')?.rfind('(')?;
    is_domain(&t[open + 1..t.len() - 1])
        .then(|| t[..open].trim_end())
        .filter(|core| core.split_whitespace().count() >= 2)
}

/// A headline without a trailing separator and the site's own name: "Best Exhibitions 2025 –
/// Artlyst" on Artlyst gives "Best Exhibitions 2025".
fn without_site_suffix(t: String, site: Option<&str>) -> String {
    let Some(site) = site.filter(|s| !s.is_empty()) else {
        return t;
    };
    for sep in TITLE_SEPARATORS {
        if let Some(i) = t.rfind(sep) {
            let (head, tail) = (&t[..i], &t[i + sep.len()..]);
            if tail.eq_ignore_ascii_case(site) && head.split_whitespace().count() >= 2 {
                return head.trim().to_string();
            }
        }
    }
    // The site's name glued on with a colon or an underscore, as titles in scripts written
    // without spaces do ("…\u{300c}Treeviz\u{300d}:phpspot\u{958b}\u{767a}\u{65e5}\u{8a8c}").
    if t.len() > site.len()
        && t.is_char_boundary(t.len() - site.len())
        && t[t.len() - site.len()..].eq_ignore_ascii_case(site)
    {
        let head = t[..t.len() - site.len()].trim_end();
        if let Some(core) = head.strip_suffix([':', '_', '\u{ff1a}', '\u{ff5c}'])
            && word_len(core) >= 2
        {
            return core.trim().to_string();
        }
    }
    t
}

/// What separates a headline from a site or section name in a document title.
const TITLE_SEPARATORS: [&str; 9] = [
    " | ",
    " - ",
    " \u{2013} ",
    " \u{2014} ",
    " :: ",
    " // ",
    " \u{b7} ",
    " \u{bb} ",
    " \u{2022} ",
];

/// The parts of a document title between separators.
fn title_segments(t: &str) -> Vec<&str> {
    let mut parts = vec![t];
    for sep in TITLE_SEPARATORS {
        parts = parts.into_iter().flat_map(|p| p.split(sep)).collect();
    }
    parts
}

/// Strips a site-name suffix or prefix from a document title.
fn strip_site(title: &str, site: Option<&str>) -> String {
    let t = title.trim();
    // "Site Name | site.example - The Headline": all up to a domain is the site.
    for sep in TITLE_SEPARATORS {
        for (p, _) in t.match_indices(sep) {
            let head = &t[..p];
            let tail = &t[p + sep.len()..];
            // A domain has a dot: a head without one holds none (most titles), and its
            // segments need not be cut.
            if !head.contains('.') || tail.split_whitespace().count() < 3 {
                continue;
            }
            let last = title_segments(head).last().copied().unwrap_or(head);
            if last != head && is_domain(last.trim()) {
                return strip_site(tail, site);
            }
        }
    }
    for sep in TITLE_SEPARATORS {
        if let Some(i) = t.rfind(sep) {
            let (head, tail) = (&t[..i], &t[i + sep.len()..]);
            let tail_is_site = site.is_some_and(|s| {
                tail.eq_ignore_ascii_case(s) || tail.to_lowercase().contains(&s.to_lowercase())
            }) || is_domain(tail)
                || tail.split_whitespace().count() <= 4 && head.split_whitespace().count() >= 3;
            if tail_is_site {
                return strip_site(head, site);
            }
        }
        if let Some(i) = t.find(sep) {
            let (head, tail) = (&t[..i], &t[i + sep.len()..]);
            if site.is_some_and(|s| head.eq_ignore_ascii_case(s)) || is_domain(head) {
                return strip_site(tail, site);
            }
        }
    }
    t.to_string()
}

/// A bare domain name ("example.com", "News.Example.co.uk").
fn is_domain(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|t| (2..=6).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphabetic()))
}

/// A title without its site's section or name: "The Agency | Machine Learning at Tech"
/// (a short lead before a pipe and a longer rest) gives the rest, and "example.com Vibe
/// Coding" on example.com gives "Vibe Coding".
fn strip_lead(t: String, site: Option<&str>, host: Option<&str>) -> String {
    let t = match host.and_then(|h| {
        let lead = t.split(' ').next()?;
        lead.strip_prefix("www.")
            .unwrap_or(lead)
            .eq_ignore_ascii_case(h)
            .then(|| t[lead.len()..].trim())
    }) {
        Some(rest) if rest.split_whitespace().count() >= 2 => rest.to_string(),
        _ => t,
    };
    // A pipe is a site or section separator, never part of a headline.
    if !t.contains(" | ") {
        return t;
    }
    let t = strip_site(&t, site);
    match t.split_once(" | ") {
        Some((lead, rest))
            if lead.split_whitespace().count() <= 3 && rest.split_whitespace().count() >= 4 =>
        {
            strip_site(rest, site)
        }
        _ => t,
    }
}

/// Repairs UTF-8 that was decoded as Latin-1 or Windows-1252 before it reached the page
/// ("Investor\u{e2}\u{80}\u{99}s" for "Investor\u{2019}s").
fn fix_mojibake(s: String) -> String {
    if !s.contains(['\u{c2}', '\u{c3}', '\u{e2}']) {
        return s;
    }
    let bytes: Option<Vec<u8>> = if s.chars().all(|c| (c as u32) < 0x100) {
        Some(s.chars().map(|c| c as u32 as u8).collect())
    } else {
        let (b, _, errors) = encoding_rs::WINDOWS_1252.encode(&s);
        (!errors).then(|| b.into_owned())
    };
    match bytes.map(String::from_utf8) {
        Some(Ok(fixed)) => normalize_short(&fixed),
        _ => s,
    }
}

/// Whether `t` is `clean` with a character or two replaced by "?" or U+FFFD here and there
/// ("Beginner? Guide" for "Beginner\u{2019}s Guide").
fn garbled_copy(t: &str, clean: &str) -> bool {
    let mut pieces = t.split(['?', '\u{fffd}']);
    let Some(first) = pieces.next() else {
        return false;
    };
    let Some(mut rest) = clean.strip_prefix(first) else {
        return false;
    };
    let mut replaced = 0;
    for piece in pieces {
        replaced += 1;
        let mut skip = rest.chars();
        let one = skip.next().map(|_| skip.as_str());
        let two = skip.next().map(|_| skip.as_str());
        match [one, two].into_iter().flatten().find(|r| r.starts_with(piece)) {
            Some(r) => rest = &r[piece.len()..],
            None => return false,
        }
    }
    replaced > 0 && rest.is_empty() && t != clean
}

/// Whether `t` is written in capitals only (two words or more, six letters of a script with
/// case or more, none lower case): a headline set in capitals for display ("BEGINNER
/// MARATHON PLAN"), not an acronym ("NHS").
fn shouted(t: &str) -> bool {
    if t.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .nth(1)
        .is_none()
    {
        return false;
    }
    let cased = t.chars().filter(|c| c.is_uppercase() || c.is_lowercase());
    let (mut upper, mut lower) = (0, 0);
    for c in cased {
        if c.is_uppercase() {
            upper += 1;
        } else {
            lower += 1;
        }
    }
    upper >= 6 && lower == 0
}

/// Whether metadata title `r` spells headline `t` better: `t` with characters garbled
/// ([`garbled_copy`]), or `t` set in capitals where `r` has the same words in their own
/// case ("Beginner Marathon Plan" for "BEGINNER MARATHON PLAN": a desk shows a headline,
/// and capitals would read as names to the story level).
fn spells_better(t: &str, r: &str) -> bool {
    garbled_copy(t, r) || shouted(t) && !shouted(r) && t.to_lowercase() == r.to_lowercase()
}

/// Words in a headline, counting two characters of a script written without spaces
/// (Chinese ideographs, Japanese kana) as one word. Korean is written with spaces.
fn word_len(s: &str) -> usize {
    let unspaced = s
        .chars()
        .filter(|&c| matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff))
        .count();
    s.split_whitespace().count() + unspaced / 2
}

/// Lowercase alphanumeric words of a string.
fn words_of(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn norm_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Reads the page's metadata.
pub(crate) fn read(dom: &Dom<'_>, url: Option<&str>) -> Meta {
    let mut m = Meta::default();
    let ld = read_ld(dom);

    // <meta> name/property -> content (first occurrence wins).
    let mut metas: Vec<(String, String)> = Vec::new();
    for &id in &dom.metas {
        let key = dom
            .attr(id, AttrKind::Property)
            .or_else(|| dom.attr(id, AttrKind::Name))
            .or_else(|| dom.attr(id, AttrKind::Itemprop));
        // `value` stands in for `content` on pages saved through a DOM round-trip.
        let content = dom
            .attr(id, AttrKind::Content)
            .or_else(|| dom.attr(id, AttrKind::Value));
        let (Some(key), Some(content)) = (key, content) else {
            if let (Some(h), Some(c)) = (dom.attr(id, AttrKind::HttpEquiv), dom.attr(id, AttrKind::Content)) {
                metas.push((h.to_ascii_lowercase(), c.into_owned()));
            }
            continue;
        };
        let content = content.trim();
        if content.is_empty() {
            continue;
        }
        metas.push((key.trim().to_ascii_lowercase(), content.to_string()));
    }
    // Link previews' labelled fields (Yoast writes `twitter:label1` "Written by" and
    // `twitter:data1` with the account that posted): a source of bylines after the page's
    // own (an editor may post a contributor's piece).
    let written_by: Vec<String> = (1..=4)
        .filter(|n| {
            let label = format!("twitter:label{n}");
            metas
                .iter()
                .any(|(k, v)| *k == label && v.trim().eq_ignore_ascii_case("written by"))
        })
        .filter_map(|n| {
            let data = format!("twitter:data{n}");
            metas.iter().find(|(k, _)| *k == data).map(|(_, v)| v.clone())
        })
        .collect();
    let meta = |keys: &[&str]| -> Option<&str> {
        keys.iter()
            .find_map(|k| metas.iter().find(|(mk, _)| mk == k).map(|(_, v)| v.as_str()))
    };

    m.site_name = meta(&[
        "og:site_name",
        "application-name",
        "al:android:app_name",
        "twitter:site",
    ])
    .map(|s| normalize_short(s.trim_start_matches('@')))
    .or_else(|| ld.publisher.as_deref().map(normalize_short))
    .or_else(|| url.and_then(host_of).map(str::to_string));
    let og_type = meta(&["og:type"]).unwrap_or("").to_ascii_lowercase();
    m.says_article = ld.is_article || og_type == "article" || meta(&["article:published_time"]).is_some();
    m.says_website = og_type == "website";
    m.ld_body = ld.body.clone();

    // One pass over elements: h1s, bylines, dates, canonical.
    let mut h1s: Vec<String> = Vec::new();
    // The first h2s: the headline on pages whose h1 is a pull quote or a tagline.
    let mut h2s: Vec<String> = Vec::new();
    // The first h2-h4s: an entry's headline under a site's masthead h1.
    let mut subheads: Vec<String> = Vec::new();
    let mut dom_authors: Vec<String> = Vec::new();
    let mut class_authors: Vec<String> = Vec::new();
    // Links to an author's page whose text is the name the page's address spells
    // ("<a href=/about/editors/jon-fingas/>Jon Fingas</a>").
    let mut link_authors: Vec<String> = Vec::new();
    let mut item_date: Option<DateTime> = None;
    let mut time_date: Option<DateTime> = None;
    let mut class_date: Option<DateTime> = None;
    // Short blocks that show a date ("April 8, 2024", "Last updated: Dec 12, 2025"), and
    // `<time datetime>`, in document order; nested blocks count once.
    let mut shown: Vec<Shown> = Vec::new();
    let mut shown_end = 0u32;
    let mut h1_nodes: Vec<u32> = Vec::new();
    let mut item_modified: Option<DateTime> = None;
    let mut text_bylines: Vec<String> = Vec::new();
    // End of the navigation block being walked (menus hold "Shop by" / "Solutions by" labels
    // whose next element is a category, never a byline).
    let mut nav_end = 0u32;
    // A date the text states as the original publication ("originally published on ...").
    let mut originally: Option<DateTime> = None;
    // The last copyright line's holder: the outlet, or the person whose site it is.
    let mut copyright: Option<String> = None;
    let n = dom.nodes.len() as u32;
    let mut i = 1u32;
    while i < n {
        let tag = dom.tag(i);
        if tag == Tag::Text {
            let t = dom.text(i);
            if t.len() < 300
                && (t.contains('\u{a9}') || t.contains("Copyright"))
                && let Some(h) = copyright_holder(t)
            {
                copyright = Some(h.to_string());
            }
            // A bare date between elements ("<legend>..</legend> 20 December 2025 <div>").
            if shown.len() < 32
                && i >= shown_end
                && (shown.is_empty() || h1_nodes.last().is_none_or(|&h| i <= h + NEAR_H1_NODES))
            {
                let t = dom.text(i).trim();
                if (8..=60).contains(&t.len())
                    && t.bytes().any(|b| b.is_ascii_digit())
                    && let Some((d, updated)) = crate::text::shown_date(t)
                {
                    shown.push(Shown {
                        node: i,
                        date: d,
                        updated,
                        published: labelled_published(t),
                    });
                }
            }
            // "This article was originally published on 26 Sep 2019": the page says when it
            // first appeared.
            if originally.is_none() && t.len() < 400 && t.contains("riginally published") {
                originally = original_publication(t);
            }
            i += 1;
            continue;
        }
        if tag == Tag::Article {
            m.article_elements += 1;
        }
        // Once past the last h1's reach with a date in hand, later dates can not be chosen.
        let shown_open = shown.len() < 32
            && i >= shown_end
            && (shown.is_empty() || h1_nodes.last().is_none_or(|&h| i <= h + NEAR_H1_NODES));
        if shown_open
            && matches!(
                tag,
                Tag::P
                    | Tag::Div
                    | Tag::Span
                    | Tag::Small
                    | Tag::Li
                    | Tag::Time
                    | Tag::Em
                    | Tag::Strong
                    | Tag::B
                    | Tag::Dd
                    | Tag::Address
            )
        {
            let end = dom.subtree_end(i);
            // A `<time datetime>` in a small block is read from its machine-readable value.
            let attr = (i..end)
                .take_while(|_| end - i <= 12)
                .find(|&k| dom.tag(k) == Tag::Time)
                .and_then(|k| dom.attr(k, AttrKind::Datetime))
                .and_then(|v| date::parse_any(&v))
                .map(|d| (d, false));
            // Cheap checks before building the text: a few nodes, short, with a digit.
            let found = attr.or_else(|| {
                let leafish = end - i <= 12 && {
                    let (mut len, mut digit) = (0usize, false);
                    for k in i + 1..end {
                        let t = dom.text(k);
                        len += t.len();
                        digit |= t.bytes().any(|b| b.is_ascii_digit());
                    }
                    digit && len <= 200
                };
                if !leafish {
                    return None;
                }
                let t = dom.inner_text(i, 130);
                (t.len() >= 8 && t.len() <= 120)
                    .then(|| crate::text::shown_date(&t))
                    .flatten()
            });
            if let Some((d, updated)) = found {
                shown.push(Shown {
                    node: i,
                    date: d,
                    updated,
                    published: labelled_published(&dom.inner_text(i, 60)),
                });
                shown_end = end;
            }
        }
        if i >= nav_end && navigation(dom, i, tag) {
            nav_end = dom.subtree_end(i);
        }
        if text_bylines.is_empty()
            && i >= nav_end
            && matches!(
                tag,
                Tag::P | Tag::Div | Tag::Span | Tag::Li | Tag::Address | Tag::H2 | Tag::H3 | Tag::H4
            )
        {
            let end = dom.subtree_end(i);
            let first = (i + 1..end)
                .map(|k| dom.text(k).trim_start())
                .find(|t| !t.is_empty())
                .unwrap_or("");
            if end - i <= 10 && byline_label(first).is_some() && !in_comments(dom, i) {
                let t = dom.inner_text(i, 120);
                // `None` when the label is glued to what follows it in this element's text
                // ("Written byJane Doe" from two spans): the label's own element says more.
                let rest = byline_label(&t);
                if rest == Some("") {
                    // A label of its own ("Written by") with the name in the next element
                    // of the same block. A button's text is a name only when it has two
                    // words or more (a link to the author's bio, not "Save" or "Share").
                    let parent = dom.nodes[i as usize].parent;
                    let block_end = if parent == crate::dom::NONE {
                        n
                    } else {
                        dom.subtree_end(parent)
                    };
                    let mut button_end = 0;
                    let name = (end..n.min(end + 8).min(block_end))
                        .filter_map(|k| {
                            if dom.tag(k) == Tag::Button {
                                button_end = dom.subtree_end(k);
                            }
                            let t = dom.text(k).trim();
                            // An avatar's initials ("JD") stand in for a photo, not the name.
                            let initials =
                                (1..=3).contains(&t.chars().count()) && t.chars().all(char::is_uppercase);
                            (dom.tag(k) == Tag::Text && !t.is_empty() && !initials).then_some((k, t))
                        })
                        .next()
                        .filter(|&(k, t)| k >= button_end || t.split_whitespace().nth(1).is_some())
                        .map(|(_, t)| t);
                    if let Some(name) = name
                        && name.len() < 80
                        && names_like(name)
                    {
                        text_bylines.push(name.to_string());
                    }
                } else if let Some(rest) = rest
                    && t.len() < 100
                    && names_like(&clean_byline(rest).unwrap_or_default())
                {
                    // "By Jane Doe", "Posted by Jane Doe at 11:15", "by: Jane Doe, Dec 17, 2025".
                    text_bylines.push(t);
                }
            }
        }
        if tag == Tag::H1 && h1s.len() < 8 {
            let t = dom.inner_text_skipping(i, 400, Some(Tag::Time));
            let end = dom.subtree_end(i);
            let logo = (i + 1..end).any(|k| {
                dom.tag(k) == Tag::A
                    && dom.attr(k, AttrKind::Href).is_some_and(|h| {
                        let h = h.trim();
                        h == "/"
                            || h == "./"
                            || host_of(h).is_some() && path_of(h).trim_end_matches('/').is_empty()
                    })
            });
            // A heading made of buttons ("Open Menu Close Menu": a menu toggle some
            // templates put in an h1) is a control, not a headline.
            let controls = {
                let mut chars = 0;
                let mut k = i + 1;
                while k < end {
                    if dom.tag(k) == Tag::Button {
                        chars += word_chars(&dom.inner_text(k, 400));
                        k = dom.subtree_end(k);
                    } else {
                        k += 1;
                    }
                }
                chars > 0 && chars >= word_chars(&t)
            };
            // A field label in an element of its own at the start ("<span>Title:</span>
            // AlignMerge ...", as preprint servers and catalogues write it) is not part of
            // the headline.
            let t = match (i + 1 < end).then(|| dom.inner_text(i + 1, 40)) {
                Some(label) if is_field_label(&label) && t.starts_with(label.as_str()) => {
                    t[label.len()..].trim_start().to_string()
                }
                _ => t,
            };
            // A heading the page marks as its category ("<h1 id=pagecategory>Events</h1>"
            // over the entry) names the section, not the story.
            let category = class_id(dom, i).contains("categor");
            if !t.is_empty() && !logo && !controls && !category {
                h1s.push(t);
                h1_nodes.push(i);
            }
        }
        if matches!(tag, Tag::H2 | Tag::H3 | Tag::H4) && subheads.len() < 12 {
            let t = dom.inner_text(i, 300);
            if !t.is_empty() {
                subheads.push(t);
            }
        }
        if tag == Tag::H2 && h2s.len() < 3 {
            // A date the heading shows in a `<time>` is not part of it.
            let t = dom.inner_text_skipping(i, 300, Some(Tag::Time));
            if !t.is_empty() {
                h2s.push(t);
            }
        }
        if let Some(ip) = dom.attr(i, AttrKind::Itemprop) {
            let ip = ip.to_ascii_lowercase();
            if ip.contains("author") || ip == "creator" {
                if let Some(c) = dom.attr(i, AttrKind::Content) {
                    if !c.starts_with("http") {
                        dom_authors.push(c.into_owned());
                    }
                } else {
                    // Prefer a nested itemprop=name.
                    let end = dom.subtree_end(i);
                    let name = (i + 1..end).find(|&k| {
                        dom.attr(k, AttrKind::Itemprop)
                            .is_some_and(|v| v.eq_ignore_ascii_case("name"))
                    });
                    let t = dom.inner_text(name.unwrap_or(i), 200);
                    if !t.is_empty() && t.len() < 150 {
                        dom_authors.push(t);
                    }
                }
            } else if ip == "datepublished" && item_date.is_none() {
                item_date = dom
                    .attr(i, AttrKind::Content)
                    .or_else(|| dom.attr(i, AttrKind::Datetime))
                    .and_then(|v| date::parse_any(&v))
                    .or_else(|| date::parse_any(&dom.inner_text(i, 200)));
            } else if ip == "datemodified" && item_modified.is_none() {
                item_modified = dom
                    .attr(i, AttrKind::Content)
                    .or_else(|| dom.attr(i, AttrKind::Datetime))
                    .and_then(|v| date::parse_any(&v));
            }
        }
        if tag == Tag::A
            && dom
                .attr(i, AttrKind::Rel)
                .is_some_and(|r| r.eq_ignore_ascii_case("author"))
        {
            let t = dom.inner_text(i, 200);
            if !t.is_empty() && t.len() < 100 {
                dom_authors.push(t);
            }
        }
        if tag == Tag::A && link_authors.len() < 4 && i >= nav_end {
            // Menus list the site's people, running text links people it cites and headings
            // name the people of a list or card; a byline is a short block outside those.
            let short_block = || {
                let p = dom.nodes.get(i as usize).map_or(NONE, |x| x.parent);
                p != NONE && !dom.tag(p).is_heading() && dom.inner_text(p, 200).len() < 150
            };
            if let Some(page) = dom.attr(i, AttrKind::Href).and_then(|h| author_page(&h)) {
                let t = dom.inner_text(i, 80);
                if names_page(&page, &t) && short_block() {
                    link_authors.push(t);
                }
            }
        }
        if tag == Tag::Time && time_date.is_none() {
            time_date = dom
                .attr(i, AttrKind::Datetime)
                .and_then(|v| date::parse_any(&v))
                .or_else(|| date::parse_any(&dom.inner_text(i, 120)));
        }
        if (class_authors.len() < 4 || class_date.is_none()) && class_id_hints(dom, i) {
            let ci = class_id(dom, i);
            if !ci.is_empty() {
                if class_authors.len() < 4
                    && !ci.contains("comment")
                    && (ci.contains("byline")
                        || ci.contains("author")
                            && !ci.contains("avatar")
                            && !ci.contains("bio")
                            && !ci.contains("image"))
                {
                    let t = dom.inner_text(i, 300);
                    if !t.is_empty() && t.len() < 120 && !in_comments(dom, i) {
                        class_authors.push(t);
                    }
                }
                if class_date.is_none()
                    && (ci.contains("date")
                        || ci.contains("publish")
                        || ci.contains("time")
                        || ci.contains("byline")
                        || ci.contains("meta"))
                    && !ci.contains("update")
                {
                    let t = dom.inner_text(i, 300);
                    if t.len() < 200 {
                        class_date = date::find_date(&t).map(|(d, _, _)| d);
                    }
                }
            }
        }
        i += 1;
    }

    // Headline.
    let title_tag = dom
        .title
        .as_deref()
        .map(normalize_short)
        .filter(|t| !t.is_empty());
    let og_title = meta(&[
        "og:title",
        "twitter:title",
        "sailthru.title",
        "parsely-title",
        "headline",
    ])
    .map(normalize_short);
    // A JSON-LD headline cut short (search engines' 110-character limit) where the og or
    // document title goes on is not the headline.
    let ld_title = ld.headline.as_deref().map(normalize_short).filter(|l| {
        let k = norm_key(l);
        ![&og_title, &title_tag].iter().any(|t| {
            t.as_deref()
                .map(norm_key)
                .is_some_and(|t| t.len() > k.len() && t.starts_with(&k) && k.len() >= 40)
        })
    });
    let refs: Vec<String> = [&ld_title, &og_title, &title_tag]
        .iter()
        .filter_map(|t| t.as_deref().map(norm_key))
        .collect();
    // The same titles without a site name: an h1 found only in the part stripped away is the
    // site's name ("The Southerner" on "A Guide to Skincare – The Southerner").
    let stripped: Vec<String> = [&ld_title, &og_title, &title_tag]
        .iter()
        .filter_map(|t| {
            t.as_deref()
                .map(|t| norm_key(&strip_site(t, m.site_name.as_deref())))
        })
        .collect();
    // Keys of the titles' separated parts ("Climate Change" in "Climate Change | Research
    // Service"): an h1 equal to one is a whole title, not a fragment of one.
    let segments: Vec<String> = [&ld_title, &og_title, &title_tag]
        .iter()
        .filter_map(|t| t.as_deref())
        .flat_map(|t| title_segments(t).into_iter().map(norm_key))
        .collect();
    let h1_match = h1s.iter().map(|h| normalize_short(h)).find(|h| {
        let k = norm_key(h);
        // An h1 inside a title must be most of it: "Index funds" is a section label on a
        // page titled "Index Funds: How to Invest | Vanguard".
        let inside = stripped
            .iter()
            .any(|r| r.contains(&k) && k.len() * 5 >= r.len() * 3);
        let covers = refs
            .iter()
            .chain(&stripped)
            .any(|r| k.contains(r.as_str()) && r.len() >= 8);
        k.len() >= 8 && (inside || covers)
    });
    // An h1 that is a metadata title plus a date or a "Label:" in front is that title
    // ("Dec 18 2025 Preparing a transition", "Blog: Best agencies of 2025").
    let h1_match = h1_match.map(|h| {
        let keys: Vec<&String> = refs.iter().chain(&stripped).collect();
        undecorated(&h)
            .filter(|core| {
                let k = norm_key(core);
                keys.iter().any(|r| **r == k)
            })
            .map_or(h.clone(), str::to_string)
    });
    // Otherwise the h1 sharing most words with the title/og/JSON-LD headline, if most do
    // (all of them for a short h1), site names left out.
    let ref_words: Vec<Vec<String>> = [&ld_title, &og_title, &title_tag]
        .iter()
        .filter_map(|t| {
            t.as_deref()
                .map(|t| words_of(&strip_site(t, m.site_name.as_deref())))
        })
        .collect();
    let h1_match = h1_match.or_else(|| {
        h1s.iter()
            .map(|h| {
                let w = words_of(h);
                let best = ref_words
                    .iter()
                    .map(|r| w.iter().filter(|x| r.contains(x)).count() as f32 / w.len().max(1) as f32)
                    .fold(0.0f32, f32::max);
                (best, h)
            })
            .filter(|(score, h)| {
                let words = h.split_whitespace().count();
                let k = norm_key(h);
                let fragment = !segments.contains(&k)
                    && stripped
                        .iter()
                        .any(|r| r.contains(&k) && k.len() * 5 < r.len() * 3);
                words >= 2 && !fragment && (*score >= 0.6 && words >= MIN_FREE_H1_WORDS || *score >= 1.0)
            })
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, h)| normalize_short(h))
    });
    // The visible headline: the first h1 that is not the site's name or logo text.
    let site_key = m.site_name.as_deref().map(norm_key).unwrap_or_default();
    let title_key = title_tag.as_deref().map(norm_key).unwrap_or_default();
    let title_site_key = title_tag
        .as_deref()
        .map(|t| {
            let stripped = strip_site(t, m.site_name.as_deref());
            norm_key(&t.replacen(&stripped, "", 1))
        })
        .unwrap_or_default();
    let h1_visible = h1s
        .iter()
        .map(|h| normalize_short(h))
        .find(|h| {
            let k = norm_key(h);
            k.len() >= 4
                && k != site_key
                && (title_site_key.is_empty() || k != title_site_key || k == title_key)
        })
        .filter(|h| {
            let words = word_len(h);
            // A short h1 that matches none of the metadata titles is mostly a section name or
            // a menu ("Our Blog", "Index funds"), one ending in a full stop a tagline, and one
            // ending in a colon a lead-in ("A message from our founder:"); the metadata title
            // is then better.
            let tagline = h.ends_with('.') && !h.ends_with("..") || h.ends_with(':');
            words <= 40 && (words >= MIN_FREE_H1_WORDS && !tagline || refs.is_empty())
        });
    let lone_h1 = (h1s.len() == 1)
        .then(|| normalize_short(&h1s[0]))
        .filter(|h| word_len(h) >= MIN_FREE_H1_WORDS || title_tag.is_none());
    // The metadata titles without the site's name or what follows a pipe, but with any other
    // tail: "What is Social Commerce - A guided introduction" is a headline and its subtitle,
    // where [`strip_site`] takes a short tail for a site name.
    let site_free: Vec<String> = [&ld_title, &og_title, &title_tag]
        .iter()
        .filter_map(|t| t.as_deref())
        .map(|t| {
            let t = without_site_suffix(t.to_string(), m.site_name.as_deref());
            // A pipe separates a site or section, never part of a headline.
            norm_key(t.rsplit_once(" | ").map_or(t.as_str(), |(head, _)| head))
        })
        .collect();
    // An h1 that matches no metadata title gives way to an h2 that spells one: the page shows
    // its declared headline there, and the h1 is a pull quote, a tagline or a section name.
    // An h2 that spells only part of a title ("What is social commerce?") is a section.
    let h2_match = h1_visible.as_ref().and_then(|_| {
        h2s.iter().map(|h| normalize_short(h)).find(|h| {
            let k = norm_key(h);
            k.len() >= 8 && site_free.contains(&k)
        })
    });
    // A page whose first h1 is one end of its document title and whose h2-h4 spells the
    // rest ("<title>Diary of X - The entry</title>", h1 "Diary of X", h3 "The entry") shows
    // the site's name as a masthead: that heading is the headline (blogs and diaries).
    let masthead_entry = title_tag.as_deref().zip(h1s.first()).and_then(|(t, h1)| {
        let (t, k) = (norm_key(t), norm_key(h1));
        // An h1 the og or JSON-LD title names is the headline ("Headline - Its subtitle").
        let named = [&ld_title, &og_title]
            .iter()
            .any(|r| r.as_deref().is_some_and(|r| norm_key(r) == k));
        if k.is_empty() || t.len() <= k.len() || named {
            return None;
        }
        let rest = t
            .strip_prefix(k.as_str())
            .or_else(|| t.strip_suffix(k.as_str()))?;
        // A headline and its site's name in the title: the headline is the longer part.
        if rest.len() <= k.len() * 3 / 2 {
            return None;
        }
        subheads
            .iter()
            .find(|h| {
                let hk = norm_key(h);
                hk.len() >= 8 && hk.len() * 2 >= rest.len() && (rest.starts_with(&hk) || rest.ends_with(&hk))
            })
            .map(|h| normalize_short(h))
    });
    m.title = masthead_entry
        .or(h1_match)
        .or(h2_match)
        .or(h1_visible)
        .or_else(|| ld_title.clone())
        .or_else(|| og_title.as_deref().map(|t| strip_site(t, m.site_name.as_deref())))
        .or(lone_h1)
        .or_else(|| {
            // A heading the document title starts or ends with is the title without a section
            // and site name in separators not known here ("Headline_Section_Site", "Site's
            // Home | Headline").
            h2s.iter()
                .map(|h| normalize_short(h))
                .find(|h| {
                    let k = norm_key(h);
                    k.len() >= 8
                        && k != title_key
                        && (title_key.starts_with(&k) || title_key.ends_with(&k))
                        && k.len() * 5 >= title_key.len() * 3
                })
                .map(|h| strip_site(&h, m.site_name.as_deref()))
        })
        .or_else(|| {
            title_tag
                .as_deref()
                .map(|t| strip_site(t, m.site_name.as_deref()))
        })
        .or_else(|| h1s.first().map(|h| normalize_short(h)))
        .map(|t| unescape_twice_encoded(&t))
        .map(|t| strip_lead(t, m.site_name.as_deref(), url.and_then(host_of)))
        .map(|t| without_site_suffix(t, m.site_name.as_deref()))
        .map(fix_mojibake)
        .map(|t| {
            // An h1 whose unreadable characters came out as "?" or U+FFFD ("Beginner? Guide"),
            // or set in capitals, gives way to the metadata title it otherwise spells.
            [&ld_title, &og_title, &title_tag]
                .iter()
                .filter_map(|r| r.as_deref())
                .map(|r| strip_site(r, m.site_name.as_deref()))
                .find(|r| spells_better(&t, r))
                .unwrap_or(t)
        })
        .filter(|t| !t.is_empty());

    // Byline.
    let site_key = m.site_name.as_deref().map(norm_key).unwrap_or_default();
    let publisher_key = ld.publisher.as_deref().map(norm_key).unwrap_or_default();
    // The holder a copyright line on the page names, else the one the metadata names.
    let copyright = copyright.or_else(|| {
        metas
            .iter()
            .filter(|(k, _)| k == "copyright" || k == "dcterms.rights")
            .find_map(|(_, v)| copyright_holder(v))
            .map(str::to_string)
    });
    let copyright_key = copyright.as_deref().map(norm_key).unwrap_or_default();
    // Organisations (the outlet itself, the copyright holder, a company) are a last resort
    // as authors.
    let personal = personal_site_author(m.site_name.as_deref(), title_tag.as_deref(), copyright.as_deref());
    // The outlet's names as words, to catch the group behind an edition ("Condé Nast" for
    // "© Condé Nast Japan").
    let outlet_words: Vec<Vec<String>> = [
        m.site_name.as_deref(),
        ld.publisher.as_deref(),
        copyright.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(words_of)
    .collect();
    let is_outlet = |a: &str| {
        let k = norm_key(a);
        let w = words_of(a);
        !k.is_empty() && (k == site_key || k == publisher_key || k == copyright_key)
            || w.len() >= 2
                && outlet_words
                    .iter()
                    .any(|o| o.len() > w.len() && o.starts_with(&w))
            || organisation_like(a)
    };
    // All values of the first author key that names a person, else of the first present:
    // scholarly pages list each author in a `citation_author` of its own, and a publisher
    // that signs `author` with its own name may name the reporter in `article:author`.
    let meta_authors: Vec<Vec<String>> = [
        "citation_author",
        "citation_authors",
        "author",
        "article:author",
        "parsely-author",
        "sailthru.author",
        "dc.creator",
        "byl",
        "dcterms.creator",
    ]
    .iter()
    .map(|k| {
        metas
            .iter()
            .filter(|(mk, v)| mk == k && !v.starts_with("http") && !v.starts_with('@'))
            .map(|(_, v)| {
                if k.starts_with("citation_") {
                    first_last(v)
                } else {
                    inverted_name(v).unwrap_or_else(|| v.clone())
                }
            })
            .collect::<Vec<String>>()
    })
    .filter(|v| !v.is_empty())
    .collect();
    let person = |a: &String| clean_byline(a).is_some_and(|c| names_like(&c) && !is_outlet(&c));
    let meta_author = meta_authors
        .iter()
        .find(|v| v.iter().any(person))
        .or(meta_authors.first())
        .cloned()
        .unwrap_or_default();
    // A newsroom's collective credit in the metadata gives way to the reporter the page's
    // own byline names ("Us Weekly Staff" against "By Megan French").
    let visible: Vec<&String> = dom_authors.iter().chain(&text_bylines).collect();
    let shown_person = visible.iter().any(|a| person(a))
        && !visible
            .iter()
            .any(|a| clean_byline(a).is_some_and(|c| staff_credit(&c)));
    let credit_only = |v: &Vec<String>| {
        shown_person
            && !v.is_empty()
            && v.iter()
                .all(|a| clean_byline(a).is_some_and(|c| staff_credit(&c)))
    };
    let ld_authors = if credit_only(&ld.authors) {
        Vec::new()
    } else {
        ld.authors.clone()
    };
    let meta_author = if credit_only(&meta_author) {
        Vec::new()
    } else {
        meta_author
    };
    // Sources in order of trust. The first with a person's name wins; then the first with any
    // name; then the first at all (a user handle is better than nothing).
    let sources = [
        &ld_authors,
        &meta_author,
        &dom_authors,
        &text_bylines,
        &written_by,
        &class_authors,
        &link_authors,
    ];
    let named = |a: &String| clean_byline(a).is_some_and(|c| names_like(&c));
    let authors: Vec<String> = sources
        .iter()
        .map(|v| v.iter().filter(|a| person(a)).cloned().collect::<Vec<_>>())
        .find(|v| !v.is_empty())
        .or_else(|| sources.iter().find(|v| v.iter().any(named)).map(|v| v.to_vec()))
        .or_else(|| {
            sources
                .iter()
                .find(|v| v.iter().any(|a| clean_byline(a).is_some()))
                .map(|v| v.to_vec())
        })
        .or_else(|| personal.clone().map(|p| vec![p]))
        .unwrap_or_default();
    let mut seen: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for a in authors.iter().filter_map(|a| clean_byline(a)) {
        let k = a.to_lowercase();
        if seen.iter().any(|s| s.contains(&k)) {
            continue;
        }
        seen.push(k);
        names.push(a);
        if names.len() >= 8 {
            break;
        }
    }
    // "A", "A and B", "A, B, C": a list of three or more is written as the list it came as.
    let by = match names.len() {
        2 => format!("{} and {}", names[0], names[1]),
        _ => names.join(", "),
    };
    m.byline = (!by.is_empty()).then_some(by);

    // Dates.
    let pick = |v: Option<&str>| v.and_then(date::parse_any);
    // The first of `keys` present with a readable date.
    let meta_date = |keys: &[&str]| -> Option<DateTime> {
        keys.iter().find_map(|k| {
            metas
                .iter()
                .filter(|(mk, _)| mk == k)
                .find_map(|(_, v)| date::parse_any(v))
        })
    };
    // article:published_time is right more often than JSON-LD on real pages (JSON-LD is often
    // generated per template and carries the page's or the site's date), so it goes first.
    // With whether the value was machine-readable (ISO 8601): hand-written template values
    // ("Jun 24, 2025") are often a CMS field other than the publish date.
    let graded = |v: Option<&str>| {
        v.and_then(|v| {
            date::parse_iso(v)
                .map(|d| (d, true))
                .or_else(|| pick(Some(v)).map(|d| (d, false)))
        })
    };
    let structured = graded(meta(&["article:published_time", "og:article:published_time"]))
        .or_else(|| graded(ld.published.as_deref()))
        .or_else(|| meta_date(PUBLISHED_KEYS).map(|d| (d, true)))
        .or(item_date.map(|d| (d, true)))
        .or_else(|| graded(ld.any_published.as_deref()));
    let modified = pick(ld.modified.as_deref())
        .or_else(|| meta_date(MODIFIED_KEYS))
        .or(item_modified);
    // The date shown by the headline: the closest to the headline's h1, counting distance
    // before it double.
    let headline_h1 = m
        .title
        .as_deref()
        .and_then(|t| h1s.iter().position(|h| normalize_short(h) == t))
        .or((!h1_nodes.is_empty()).then_some(0))
        .map(|k| h1_nodes[k]);
    let near = headline_h1.and_then(|h| {
        shown
            .iter()
            .filter_map(|s| {
                let d = if s.node > h { s.node - h } else { 2 * (h - s.node) };
                (d <= NEAR_H1_NODES).then_some((d, s))
            })
            .min_by_key(|(d, _)| *d)
            .map(|(_, s)| s)
    });
    let from_url = url.and_then(url_date);
    let h = headline_h1.unwrap_or(0);
    // Every publish date the metadata states, whichever field it is in.
    let claims: Vec<DateTime> = metas
        .iter()
        .filter(|(k, _)| PUBLISHED_KEYS.contains(&k.as_str()))
        .filter_map(|(_, v)| date::parse_any(v))
        .chain(item_date)
        .chain(pick(ld.published.as_deref()))
        .chain(pick(ld.any_published.as_deref()))
        .take(16)
        .collect();
    m.published = match (structured, near) {
        // Metadata and the page disagree. Machine-readable metadata wins (a shown date that
        // differs is mostly an update), unless it was hand-written into the template or the
        // URL agrees with the page (the metadata then is the same moment in another zone,
        // or a re-publication).
        (Some((p, machine)), Some(v)) if !p.same_day(&v.date) => {
            // A date right under the headline (or just above it, in a title bar), days before
            // the metadata's and not an update, is the original publication (the metadata
            // dates a migration or re-publication).
            let original = !v.updated
                && (v.node > h && v.node - h <= ORIGINAL_DATE_NODES
                    || v.node < h && h - v.node <= ORIGINAL_DATE_NODES / 4)
                && v.date.days() < p.earliest_local_day();
            // The page labels it as the publication ("Published August 13, 2025"), or another
            // publish-date field of the metadata says the same day: two sources against one.
            // A label is the outlet's own word for the day it printed, even when that is the
            // metadata's moment in another time zone; a second field is not.
            let elsewhere = (p.earliest_local_day()..=p.latest_local_day()).contains(&v.date.days());
            let corroborated = !v.updated && claims.iter().any(|c| c.same_day(&v.date));
            let stated = v.published || !elsewhere && corroborated;
            if !machine || original || stated || from_url.is_some_and(|u| u.same_day(&v.date)) {
                Some(v.date)
            } else {
                Some(p)
            }
        }
        (Some((p, _)), _) => Some(p),
        // A date labelled as an update gives way to an unlabelled one shown with it
        // ("December 22, 2022 Updated: January 02, 2026").
        (None, v) => v
            .map(|v| {
                // In the same small block: sharing a parent or a grandparent.
                let up = |k: u32| dom.nodes.get(k as usize).map_or(u32::MAX, |x| x.parent);
                let with_it = |s: &&Shown| {
                    s.node.abs_diff(v.node) <= ORIGINAL_DATE_NODES
                        && (up(s.node) == up(v.node) || up(up(s.node)) == up(up(v.node)))
                };
                if v.updated {
                    shown
                        .iter()
                        .filter(with_it)
                        .find(|s| !s.updated)
                        .map_or(v.date, |s| s.date)
                } else {
                    v.date
                }
            })
            .or(time_date)
            .or(class_date)
            .or_else(|| json_key_date(dom.source()))
            .or(from_url)
            .or_else(|| shown.first().map(|s| s.date))
            .or(modified),
    };
    // A numeric date read month first ("03/10/2023" as March 10) whose day and month are the
    // URL's the other way round was written day first: the URL settles the order.
    if let (Some(p), Some(u)) = (m.published, from_url)
        && p.mo != p.d
        && (p.y, p.mo, p.d) == (u.y, u.d, u.mo)
    {
        m.published = Some(u);
    }
    // A stated original publication beats every other source.
    m.published = originally.or(m.published);
    m.modified = modified;

    // Canonical URL.
    let canon = dom
        .links
        .iter()
        .find(|&&id| {
            dom.attr(id, AttrKind::Rel)
                .is_some_and(|r| r.eq_ignore_ascii_case("canonical"))
        })
        .and_then(|&id| dom.attr(id, AttrKind::Href))
        .map(|h| h.trim().to_string())
        .or_else(|| meta(&["og:url"]).map(str::to_string))
        .or_else(|| ld.url.clone());
    m.canonical = match (canon, url) {
        (Some(c), Some(u)) if c.starts_with('/') && !c.starts_with("//") => {
            let scheme_host = u
                .find("://")
                .and_then(|p| u[p + 3..].find('/').map(|q| &u[..p + 3 + q]))
                .unwrap_or(u);
            Some(format!("{scheme_host}{c}"))
        }
        (Some(c), _) if c.starts_with("http") || c.starts_with("//") => Some(c),
        (_, u) => u.map(str::to_string),
    };

    // Language.
    m.lang = dom
        .html_lang
        .clone()
        .or_else(|| ld.lang.clone())
        .or_else(|| meta(&["content-language", "og:locale", "language", "dc.language"]).map(str::to_string))
        // The language alone: a page's region is most often its template's default.
        .and_then(|l| crate::language_tag(&l))
        .map(|t| t.split('-').next().unwrap_or_default().to_string());
    m
}

/// How far after the first h1 (in DOM nodes) a shown date still belongs to the headline;
/// a quarter of it before the h1.
const NEAR_H1_NODES: u32 = 600;

/// How far after the h1 (in DOM nodes) a shown date counts as the headline's own dateline.
const ORIGINAL_DATE_NODES: u32 = 40;

/// Fewest words of an h1 taken as the headline when it matches no metadata title.
const MIN_FREE_H1_WORDS: usize = 4;

/// `<meta>` names of a publish date, after `article:published_time` and JSON-LD.
const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "published-date",
    "published",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "publishdate",
    "publish_date",
    "publish-date",
    "pubdate",
    "article.published",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "dc.date.created",
    "date",
    "citation_publication_date",
    "citation_date",
    "article:published",
    "release_date",
    "cxenseparse:recs:publishtime",
];

/// `<meta>` names of a modification date.
const MODIFIED_KEYS: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
];

/// A date shown in a short block of the page.
#[derive(Debug, Clone, Copy)]
struct Shown {
    /// The block's node.
    node: u32,
    date: DateTime,
    /// Labelled as an update ("Updated", "Last modified").
    updated: bool,
    /// Labelled as the publication ("Published August 13, 2025", "Posted on ...").
    published: bool,
}

/// Whether a block showing a date labels it as the publication date: "Published August 13,
/// 2025", "First published: ...", "Posted on ...". A block that also says "updated" is not.
fn labelled_published(t: &str) -> bool {
    let l = t.trim_start().to_ascii_lowercase();
    [
        "published",
        "first published",
        "originally published",
        "posted on",
        "date published",
    ]
    .iter()
    .any(|p| l.starts_with(p))
        && !l.contains("updated")
        || t.find(|c: char| c.is_ascii_digit()).is_some_and(|i| {
            crate::text::other_date_label(t[..i].trim().trim_end_matches(','))
                == Some(crate::text::DateLabel::Published)
        })
}

/// The date after "originally published" in a note about the page itself ("This article was
/// originally published on 26 Sep 2019 at 4:12pm but has been updated", "Originally
/// published March 3, 2020"), not in a sentence about something it cites ("the study,
/// originally published on ...").
fn original_publication(t: &str) -> Option<DateTime> {
    let l = t.trim_start().to_lowercase();
    let about_page = l.starts_with("originally published")
        || [
            "this article",
            "this post",
            "this story",
            "this piece",
            "this blog",
            "this column",
            "this essay",
            "this page",
            "this guide",
        ]
        .iter()
        .any(|p| l.contains(p));
    if !about_page {
        return None;
    }
    let at = t.find("riginally published")?;
    let rest = t.get(at..)?;
    let (d, st, _) = date::find_date(rest)?;
    // The date belongs to the phrase: "originally published on <date>", a few words on.
    (rest[..st].split_whitespace().count() <= 4).then_some(d)
}

/// A publish date under a well-known key in scripts' JSON (Next.js and similar state blobs).
fn json_key_date(src: &str) -> Option<DateTime> {
    const KEYS: [&str; 9] = [
        "\"datePublished\":\"",
        // The same state written HTML-escaped into an attribute (`data-props="{&quot;...`).
        "&quot;datePublished&quot;:&quot;",
        "\"publishedAt\":\"",
        "\"publishedDate\":\"",
        "\"published_at\":\"",
        "\"publishDate\":\"",
        "\"publish_date\":\"",
        "\"firstPublishedAt\":\"",
        "\"datePublished\": \"",
    ];
    let b = src.as_bytes();
    KEYS.iter()
        .filter_map(|k| memchr::memmem::find(b, k.as_bytes()).map(|i| i + k.len()))
        .min()
        .and_then(|at| src.get(at..(at + 40).min(src.len())))
        .and_then(date::parse_iso)
}

/// A date in the URL path: `/2025/11/24/`, `/2025-11-24-`, `/20251124/`, `alert20251124.html`,
/// `/2025/november/24/`, and the day of a `/2015/08/` month from a slug that opens with the
/// same date written `YYMMDD` (`/2015/08/150803-slug`). A number running on after the day
/// (`/2015/08/150803`) is not a day.
pub(crate) fn url_date(url: &str) -> Option<DateTime> {
    let path = path_of(url).split(['?', '#']).next().unwrap_or("");
    let p = path.as_bytes();
    let digit_at = |k: usize| p.get(k).is_some_and(u8::is_ascii_digit);
    let mut i = 0;
    while i + 8 <= p.len() {
        if p[i..].starts_with(b"20") && (i == 0 || !digit_at(i - 1)) {
            let sep = p.get(i + 4).copied();
            // `2025/11/24`, `2025-11-24`: the same separator twice, the day ending there.
            if matches!(sep, Some(b'/' | b'-' | b'_'))
                && p.get(i + 7).copied() == sep
                && !digit_at(i + 10)
                && let Some(d) = std::str::from_utf8(&p[i..(i + 10).min(p.len())])
                    .ok()
                    .and_then(date::parse_iso)
            {
                return Some(d);
            }
            // `20251124` as a whole number, also glued to a word (`alert20251124.html`).
            if (i..i + 8).all(digit_at)
                && !digit_at(i + 8)
                && let Some(d) = std::str::from_utf8(&p[i..i + 8]).ok().and_then(date::parse_iso)
            {
                return Some(d);
            }
        }
        i += 1;
    }
    let segs: Vec<&str> = path.split('/').collect();
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    segs.windows(3).find_map(|w| {
        let (y, mo, d) = (w[0], w[1], w[2]);
        if !digits(y, 4..=4) {
            return None;
        }
        // The month written as a word: `/2023/october/03/`, `/2023/oct/03/`.
        if digits(d, 1..=2) && mo.bytes().all(|b| b.is_ascii_alphabetic()) {
            return date::from_parts(y.parse().ok()?, date::month_of(mo)?, d.parse().ok()?);
        }
        // `/2015/08/150803-slug`: the slug repeats year and month, then gives the day.
        if digits(mo, 2..=2) {
            let lead = d.as_bytes();
            let six = lead.len() >= 6 && lead[..6].iter().all(u8::is_ascii_digit);
            if six && !lead.get(6).is_some_and(u8::is_ascii_digit) && d[..4] == format!("{}{mo}", &y[2..]) {
                return date::from_parts(y.parse().ok()?, mo.parse().ok()?, d[4..6].parse().ok()?);
            }
        }
        None
    })
}

/// Whether the URL path looks like a listing (root, tag, category, author, search, page N).
pub(crate) fn listing_url(url: &str) -> bool {
    let p = path_of(url)
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_ascii_lowercase();
    if p == "/" || p.is_empty() || p == "/index.html" || p == "/index.php" {
        return true;
    }
    let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    segs.first().is_some_and(|s| {
        matches!(
            *s,
            "tag"
                | "tags"
                | "category"
                | "categories"
                | "topic"
                | "topics"
                | "author"
                | "authors"
                | "search"
                | "section"
        )
    }) && segs.len() <= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            host_of("https://www.example.co.uk:8080/a/b?c"),
            Some("example.co.uk")
        );
        assert_eq!(host_of("nonsense"), None);
        assert_eq!(
            url_date("https://x.com/2025/09/04/slug/")
                .map(|d| d.rfc3339())
                .as_deref(),
            Some("2025-09-04T00:00:00Z")
        );
        assert_eq!(
            url_date("https://x.com/news/20251124-slug"),
            url_date("https://x.com/2025-11-24/slug")
        );
        assert!(url_date("https://x.com/id/12345678").is_none());
        assert_eq!(
            url_date("https://x.com/blog/2023/october/03/slug"),
            url_date("https://x.com/2023/10/03/slug")
        );
        assert!(url_date("https://x.com/2023/october/slug").is_none());
        // A date glued to a word; a number running on after the day is not a date.
        assert_eq!(
            url_date("https://x.com/topics/alert20190402.html"),
            url_date("https://x.com/2019/04/02/")
        );
        assert!(url_date("https://x.com/a/201904021").is_none());
        assert!(url_date("https://x.com/2015/08/1508").is_none());
        // A month path and a slug opening with the same date as YYMMDD give the day.
        assert_eq!(
            url_date("https://x.com/energy/2015/08/150803-gender-bias/"),
            url_date("https://x.com/2015/08/03/")
        );
        assert!(url_date("https://x.com/energy/2015/08/160803-slug/").is_none());
        assert!(listing_url("https://x.com/"));
        assert!(listing_url("https://x.com/tag/ukraine/"));
        assert!(!listing_url("https://x.com/news/world/ukraine-talks-123"));
    }

    #[test]
    fn metadata_sources() {
        let html = r#"<html lang="en-GB"><head><title>Big News Happens Today | The Paper</title>
            <meta property="og:site_name" content="The Paper">
            <link rel="canonical" href="/news/big">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"x"},
              {"@type":"NewsArticle","headline":"Big news happens today","datePublished":"2025-11-24T10:00:00+01:00",
               "author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"John Roe"}]}]}</script>
            </head><body><h1>Big News Happens Today</h1><p>x</p></body></html>"#;
        let dom = Dom::parse(html);
        let m = read(&dom, Some("https://www.paper.com/news/big?x=1"));
        assert_eq!(m.title.as_deref(), Some("Big News Happens Today"));
        assert_eq!(m.byline.as_deref(), Some("Jane Doe and John Roe"));
        assert_eq!(
            m.published.map(|d| d.rfc3339()).as_deref(),
            Some("2025-11-24T10:00:00+01:00")
        );
        assert_eq!(m.site_name.as_deref(), Some("The Paper"));
        assert_eq!(m.canonical.as_deref(), Some("https://www.paper.com/news/big"));
        assert_eq!(m.lang.as_deref(), Some("en"));
        assert!(m.says_article);
    }

    /// Publish day chosen for a page with `head` in `<head>` and `body` in `<body>`.
    fn published(head: &str, body: &str, url: &str) -> Option<String> {
        let html = format!("<html><head>{head}</head><body>{body}</body></html>");
        let m = read(&Dom::parse(&html), Some(url));
        m.published.map(|d| d.rfc3339()[..10].to_string())
    }

    const NAV: &str = "<nav><ul><li><a href=/a>Older post</a> <span>January 3, 2021</span></li></ul></nav>";
    const TEXT: &str = "<p>A paragraph of body text that is long enough to be the article itself.</p>";

    #[test]
    fn shown_dates() {
        let check = |head: &str, body: &str, url: &str, want: Option<&str>| {
            assert_eq!(published(head, body, url).as_deref(), want, "{head} {body}");
        };
        let url = "https://site.example/blog/some-post";
        // No metadata: the date under the headline, not the first date on the page.
        check(
            "",
            &format!(
                "{NAV}<h1>Some post title</h1><div><span>Last updated:</span> <span>Dec 12, 2025</span></div>{TEXT}"
            ),
            url,
            Some("2025-12-12"),
        );
        // A date labelled as an update gives way to the unlabelled one shown with it.
        check(
            "",
            &format!(
                "{NAV}<div><span>DECEMBER 22, 2022</span><span>Updated: JANUARY 02, 2026</span></div><h1>Some post title</h1>{TEXT}"
            ),
            url,
            Some("2022-12-22"),
        );
        // Just above the headline counts too.
        check(
            "",
            &format!(
                "{NAV}<header><p>February 4, 2025 - 11 minutes</p><h1>Some post title</h1></header>{TEXT}"
            ),
            url,
            Some("2025-02-04"),
        );
        // A bare text node between elements.
        check(
            "",
            &format!(
                "<h1>Some post title</h1><fieldset><legend>Week 2</legend> 20 December 2025 <div>{TEXT}</div></fieldset>"
            ),
            url,
            Some("2025-12-20"),
        );
        // `<time datetime>` is read from its machine-readable value.
        check(
            "",
            &format!(
                "<h1>Some post title</h1><div><time datetime=\"2024-12-20\">last winter</time></div>{TEXT}"
            ),
            url,
            Some("2024-12-20"),
        );
        // Machine-readable metadata beats a shown update.
        check(
            r#"<meta property="article:published_time" content="2024-09-06T13:12:36+00:00">"#,
            &format!("<h1>Some post title</h1><p>Updated November 14, 2025</p>{TEXT}"),
            url,
            Some("2024-09-06"),
        );
        // A hand-written JSON-LD date loses to the page.
        check(
            r#"<script type="application/ld+json">{"@type":"BlogPosting","datePublished":"Jun 24, 2025"}</script>"#,
            &format!(
                "<h1>Some post title</h1><div class=meta><div>Jane Doe</div><div>August 25, 2024</div></div>{TEXT}"
            ),
            url,
            Some("2024-08-25"),
        );
        // Shown under the headline, days before the metadata: the original publication.
        check(
            r#"<meta property="article:published_time" content="2022-10-24T12:40:59+00:00">"#,
            &format!("<h1>Some post title</h1><span><span>On</span> <time>8 Oct 2022</time></span>{TEXT}"),
            url,
            Some("2022-10-08"),
        );
        // ... or just above it, in a title bar; further above is not the headline's.
        check(
            r#"<meta property="article:published_time" content="2024-07-05T14:20:08+00:00">"#,
            &format!(
                r#"<section class=title-bar><time datetime="2024-03-01 05:00:00">March 1, 2024</time></section><h1>Some post title</h1>{TEXT}"#
            ),
            url,
            Some("2024-03-01"),
        );
        check(
            r#"<meta property="article:published_time" content="2024-07-05T14:20:08+00:00">"#,
            &format!(
                r#"<section class=title-bar><time datetime="2024-03-01 05:00:00">March 1, 2024</time></section><nav>{}</nav><h1>Some post title</h1>{TEXT}"#,
                "<a href=/x>Section</a>".repeat(10)
            ),
            url,
            Some("2024-07-05"),
        );
        // The URL and the page agree against metadata written in another zone.
        check(
            r#"<meta property="article:published_time" content="2025-12-19T02:41:41+00:00">"#,
            &format!("<h1>Some post title</h1><p>December 18, 2025</p>{TEXT}"),
            "https://site.example/2025/12/18/some-post/",
            Some("2025-12-18"),
        );
        // A date the page labels as the publication beats the metadata's.
        check(
            r#"<meta property="article:published_time" content="2025-08-08T00:00:00-04:00">"#,
            &format!("<h1>Some post title</h1><p>Published August 13, 2025</p>{TEXT}"),
            url,
            Some("2025-08-13"),
        );
        // ... even when it is the metadata's moment printed in the outlet's own zone.
        check(
            r#"<meta property="article:published_time" content="2016-12-23T00:47:31Z">"#,
            &format!("<h1>Some post title</h1><p>Published: Dec. 22, 2016, 6:47 p.m.</p>{TEXT}"),
            url,
            Some("2016-12-22"),
        );
        // A shown date that a second metadata field states too beats JSON-LD alone ...
        check(
            r#"<meta name="date" content="November 25, 2025"><script type="application/ld+json">{"@type":"Article","datePublished":"2024-08-29T10:00:00+00:00"}</script>"#,
            &format!("<h1>Some post title</h1><p>By Jane Doe | Nov 25, 2025</p>{TEXT}"),
            url,
            Some("2025-11-25"),
        );
        // ... but not when the two are one moment in two time zones.
        check(
            r#"<meta property="article:published_time" content="2025-07-05T00:04:00Z"><meta name="date" content="2025-07-04T20:04:00-04:00">"#,
            &format!("<h1>Some post title</h1><p>July 4, 2025</p>{TEXT}"),
            url,
            Some("2025-07-05"),
        );
        // A day under the headline before the metadata's moment anywhere on earth is the
        // original publication, though only one calendar day earlier.
        check(
            r#"<meta property="article:published_time" content="2025-12-19T22:02:58Z">"#,
            &format!("<h1>Some post title</h1><p>Dec 18, 2025</p>{TEXT}"),
            url,
            Some("2025-12-18"),
        );
        // The text says when the article first appeared.
        check(
            r#"<meta property="article:published_time" content="2022-09-30T11:07:00Z">"#,
            &format!(
                "<h1>Some post title</h1>{TEXT}<p>This article was originally published on 26 Sep 2019 at 4:12pm but has been updated.</p>"
            ),
            url,
            Some("2019-09-26"),
        );
        // ... but not a date of something the article cites.
        check(
            r#"<meta property="article:published_time" content="2022-09-30T11:07:00Z">"#,
            &format!(
                "<h1>Some post title</h1>{TEXT}<p>The study, originally published on 26 Sep 2019 in a journal, found more.</p>"
            ),
            url,
            Some("2022-09-30"),
        );
        // A numeric date read month first gives way to the URL that has it day first.
        check(
            "",
            &format!("<h1>Some post title</h1><div><span>03/10/2023</span></div>{TEXT}"),
            "https://site.example/blog/2023/october/03/some-post",
            Some("2023-10-03"),
        );
        // A state blob written HTML-escaped into an attribute.
        check(
            "",
            &format!(
                "<div data-props=\"{{&quot;datePublished&quot;:&quot;2025-11-17T09:00:00-05:00&quot;}}\"></div><h1>Some post title</h1>{TEXT}"
            ),
            url,
            Some("2025-11-17"),
        );
        // Other metadata names, citation dates, and the modification date as a last resort.
        check(
            r#"<meta name="published-date" content="2021-02-16">"#,
            TEXT,
            url,
            Some("2021-02-16"),
        );
        check(
            r#"<meta name="citation_publication_date" content="2023 Jan 7">"#,
            TEXT,
            url,
            Some("2023-01-07"),
        );
        check(
            r#"<meta property="article:modified_time" content="2023-06-12T10:39:42+00:00">"#,
            TEXT,
            url,
            Some("2023-06-12"),
        );
    }

    #[test]
    fn site_names_leave_document_titles() {
        // A site's name and its domain before the headline, in either order of separators.
        assert_eq!(
            strip_site(
                "Daily Example | dailyexample.com - Rates rise again across the region",
                None
            ),
            "Rates rise again across the region"
        );
        assert_eq!(
            strip_site("dailyexample.com :: Rates rise again across the region", None),
            "Rates rise again across the region"
        );
        // A dot that is no domain keeps the title whole; a named site goes at either end.
        assert_eq!(
            strip_site(
                "U.S. rates rise - and the whole region waits for the next move",
                None
            ),
            "U.S. rates rise - and the whole region waits for the next move"
        );
        assert_eq!(
            strip_site(
                "Rates rise again across the region | The Daily Example",
                Some("The Daily Example")
            ),
            "Rates rise again across the region"
        );
        assert_eq!(
            strip_site(
                "The Daily Example - Rates rise again across the whole region",
                Some("The Daily Example")
            ),
            "Rates rise again across the whole region"
        );
    }

    #[test]
    fn headline_choice() {
        let check = |head: &str, body: &str, url: &str, want: &str| {
            let html = format!("<html><head>{head}</head><body>{body}{TEXT}</body></html>");
            let m = read(&Dom::parse(&html), Some(url));
            assert_eq!(m.title.as_deref(), Some(want), "{head} {body}");
        };
        let url = "https://site.example/guides/funds";
        // A short h1 that is a section label, or only part of the title, gives way to it.
        check(
            "<title>Index Funds: How to Invest | Big Bank</title>",
            "<h1>Index funds</h1>",
            url,
            "Index Funds: How to Invest",
        );
        check(
            "<title>Planting Beans in Spring</title>",
            "<h1>Our Blog</h1>",
            url,
            "Planting Beans in Spring",
        );
        // An h1 holding the site's name ("... - The Southerner") is not the headline.
        check(
            r#"<meta property="og:title" content="A Guide to Skincare"><title>A Guide to Skincare - The Southerner</title>"#,
            "<h1>The Southerner</h1>",
            url,
            "A Guide to Skincare",
        );
        // A blog's or diary's masthead h1, the entry's headline in an h3 and the title both:
        // the entry's headline. A headline h1 with its subtitle in the title stays.
        check(
            "<title>Jane's Garden Diary - Frost came early to the allotments this year</title>",
            "<h1>Jane's Garden Diary</h1><h2>11 February 2019</h2><h3>Frost came early to the allotments this year</h3>",
            url,
            "Frost came early to the allotments this year",
        );
        check(
            r#"<meta property="og:title" content="What Comes Next?"><title>What Comes Next? - From the old economy to the next one</title>"#,
            "<h1>What Comes Next?</h1><h2>From the old economy to the next one</h2>",
            url,
            "What Comes Next?",
        );
        check(
            "<title>Rates rise again across the region - The Daily Example</title>",
            "<h1>Rates rise again across the region</h1><h2>The Daily Example</h2>",
            url,
            "Rates rise again across the region",
        );
        // A field label in its own element in front of the h1's text is not the headline's.
        check(
            "<title>[2512.16245] AlignMerge - Model Merging via Geometric Constraints</title>",
            r#"<h1 class="title"><span class="descriptor">Title:</span>AlignMerge - Model Merging via Geometric Constraints</h1>"#,
            url,
            "AlignMerge - Model Merging via Geometric Constraints",
        );
        // ... but a word of the headline itself stays ("Breaking: ..." is not in an element
        // of its own here).
        check(
            r#"<meta property="og:title" content="Update: The Harbour Bridge Reopens">"#,
            "<h1>Update: The Harbour Bridge Reopens</h1>",
            url,
            "Update: The Harbour Bridge Reopens",
        );
        // An h1 ending in a colon is a lead-in, not the headline.
        check(
            r#"<meta property="og:title" content="How the Harbour Was Rebuilt">"#,
            "<h1>A note from our editor-in-chief, Jane Doe:</h1>",
            url,
            "How the Harbour Was Rebuilt",
        );
        // An h1 that matches no metadata title (a pull quote, a section) gives way to an h2
        // that spells the declared headline.
        check(
            "<title>What do readers like about the river walk? | Town Blog</title>",
            "<h2>What do readers like about the river walk?</h2><p>Intro.</p><h1>But what they love is the quiet on weekday mornings</h1>",
            url,
            "What do readers like about the river walk?",
        );
        // An h2 that spells only the part of a title before a subtitle is a section; the h1
        // stays.
        check(
            r#"<meta property="og:title" content="What is Social Commerce - A guided introduction">"#,
            "<h1>An introduction to social commerce: what brands need to know</h1><p>Intro.</p><h2>What is social commerce?</h2>",
            url,
            "An introduction to social commerce: what brands need to know",
        );
        // A heading the document title starts with, when nothing else names the headline.
        check(
            "<title>Rivers rise across the valley after a week of rain_News_Valley Daily</title>",
            "<h1>Valley Daily</h1><h2>Rivers rise across the valley after a week of rain</h2>",
            url,
            "Rivers rise across the valley after a week of rain",
        );
        // A long h1 with other words than the metadata still wins.
        check(
            "<title>Best Funds 2025 | Big Bank</title>",
            "<h1>How we picked the funds we would buy this year</h1>",
            url,
            "How we picked the funds we would buy this year",
        );
        // A date or a one-word label in front of the h1 is decoration.
        check(
            r#"<meta property="og:title" content="Preparing a transition in Debusine">"#,
            "<h1>Dec 18 2025 Preparing a transition in Debusine</h1>",
            url,
            "Preparing a transition in Debusine",
        );
        check(
            "<title>Best Advertising Agencies in 2025 (Ranked) | Some Agency</title>",
            "<h1>Blog: Best Advertising Agencies in 2025 (Ranked)</h1>",
            url,
            "Best Advertising Agencies in 2025 (Ranked)",
        );
        // Pipes separate sections and sites, a bullet too; a leading domain is the site.
        check(
            "<title>How to help babies sleep through the night | Patient Education | Kids Hospital</title>",
            "<h1>How to help babies sleep through the night | Patient Education | Kids Hospital</h1>",
            url,
            "How to help babies sleep through the night",
        );
        check(
            "<title>The Agency | Machine Learning at the Institute of Technology</title>",
            "",
            url,
            "Machine Learning at the Institute of Technology",
        );
        check(
            "<title>A brief intro to git \u{2022} Jane Doe</title>",
            "",
            url,
            "A brief intro to git",
        );
        check("<title>site.example Vibe Coding</title>", "", url, "Vibe Coding");
        check(
            "<title>blog.example.org - The Five Best Headphones of the Year</title>",
            "",
            url,
            "The Five Best Headphones of the Year",
        );
        // A JSON-LD headline cut at a length limit gives way to the full og title.
        check(
            r#"<script type="application/ld+json">{"@type":"Article","headline":"Weekend Fixes: Three Readers Ask How to Light a Long Narrow Hall (Including"}</script>
            <meta property="og:title" content="Weekend Fixes: Three Readers Ask How to Light a Long Narrow Hall (Including One Lamp Trick) - Jo Bloggs">"#,
            "",
            url,
            "Weekend Fixes: Three Readers Ask How to Light a Long Narrow Hall (Including One Lamp Trick)",
        );
        // An aggregator's source domain and comment count after the h1 are not the headline.
        check(
            "<title>Rivers Rise Across the Valley After Week of Rain - Link Board</title>",
            "<h1>Rivers Rise Across the Valley After Week of Rain (news.example.com) 42</h1>",
            url,
            "Rivers Rise Across the Valley After Week of Rain",
        );
        // The site's own name after a separator is dropped from an h1 too.
        check(
            r#"<meta property="og:site_name" content="Gallery Post"><title>Best Shows of 2025 - Gallery Post - Gallery Post</title>"#,
            "<h1>Best Shows of 2025 \u{2013} Gallery Post</h1>",
            url,
            "Best Shows of 2025",
        );
        // The site's name glued on with a colon.
        check(
            "<meta property=\"og:site_name\" content=\"\u{958b}\u{767a}\u{65e5}\u{8a8c}\"><title>\u{30c4}\u{30ea}\u{30fc}\u{3092}\u{63cf}\u{753b}\u{3067}\u{304d}\u{308b}:\u{958b}\u{767a}\u{65e5}\u{8a8c}</title>",
            "",
            url,
            "\u{30c4}\u{30ea}\u{30fc}\u{3092}\u{63cf}\u{753b}\u{3067}\u{304d}\u{308b}",
        );
        // Chinese and Japanese h1s count two characters a word: a headline, not a label.
        check(
            "<title>\u{65b0}\u{805e}\u{3082}\u{5bb6}\u{5177}\u{3082}\u{7c21}\u{5358}\u{306b}\u{56fa}\u{5b9a} | Site</title>",
            "<h1>\u{5bb6}\u{5177}\u{306e}\u{56fa}\u{5b9a}\u{3082}\u{7c21}\u{5358}\u{3067}\u{3059}</h1>",
            url,
            "\u{5bb6}\u{5177}\u{306e}\u{56fa}\u{5b9a}\u{3082}\u{7c21}\u{5358}\u{3067}\u{3059}",
        );
        // Korean is written with spaces: a two-word h1 is a section label there too.
        check(
            "<title>\u{c5d8}\u{c81c}\u{c774}-\u{b958}\u{d654}\u{c601} \u{c9c4}\u{d759}\u{d0d5} \u{c2f8}\u{c6c0}, \u{acf5}\u{c801}\u{c778} \u{c0ac}\u{c548}</title>",
            "<h1>\u{c5d4}\u{d130} \u{bbf8}\u{b514}\u{c5b4}</h1>",
            url,
            "\u{c5d8}\u{c81c}\u{c774}-\u{b958}\u{d654}\u{c601} \u{c9c4}\u{d759}\u{d0d5} \u{c2f8}\u{c6c0}, \u{acf5}\u{c801}\u{c778} \u{c0ac}\u{c548}",
        );
        // A menu toggle in an h1 is a control: the metadata title is the headline. An h1
        // with a button beside its own words is still the headline.
        check(
            "<title>Yosemite Webcams (U.S. National Park Service)</title>",
            "<h1><button aria-label=\"Open Menu\"><span>Open</span> Menu <span>Close</span> \
             Menu</button></h1><h1>Webcams</h1>",
            url,
            "Yosemite Webcams (U.S. National Park Service)",
        );
        check(
            "<title>Rivers | Site</title>",
            "<h1>Rivers rise across the valley after a week of rain <button aria-label=\"Share\">\
             <i class=icon></i></button></h1>",
            url,
            "Rivers rise across the valley after a week of rain",
        );
        // An h1 the page marks as its category names the section ("Seminars"): the
        // metadata's title is the headline.
        check(
            "<title>\u{30bb}\u{30ad}\u{30e5}\u{30ea}\u{30c6}\u{30a3}\u{5354}\u{4f1a}</title>\
             <meta value=\"Spring Forum 2026 \u{300c}\u{65e9}\u{671f}\u{767a}\u{898b}\u{300d}\" name=\"og:title\">",
            "<h1 id=\"pagecategory\">\u{30bb}\u{30df}\u{30ca}\u{30fc}\u{60c5}\u{5831}</h1><h2>Spring Forum 2026</h2>",
            url,
            "Spring Forum 2026 \u{300c}\u{65e9}\u{671f}\u{767a}\u{898b}\u{300d}",
        );
        // A domain after a separator is the site, however short the headline.
        check(
            "<title>GAME NIGHT | Shop.example.com</title>",
            "",
            url,
            "GAME NIGHT",
        );
        // Escapes left in metadata and UTF-8 read as Latin-1 are repaired.
        check(
            r#"<script type="application/ld+json">{"@type":"Article","headline":"Actuary&#8217;s Industry Choice Explained"}</script>"#,
            "",
            url,
            "Actuary's Industry Choice Explained",
        );
        check(
            r#"<meta property="og:title" content="Tools for 2026: Python, SQL &amp;#x26; AI">"#,
            "",
            url,
            "Tools for 2026: Python, SQL & AI",
        );
        check(
            "<title>A DIY Investor\u{e2}\u{80}\u{99}s Guide to Calculators</title>",
            "",
            url,
            "A DIY Investor's Guide to Calculators",
        );
    }

    #[test]
    fn graph_references_are_followed() {
        // Yoast and other plugins give the article's publisher and author as references to
        // nodes elsewhere in the graph.
        let html = r##"<html><head><script type="application/ld+json">{"@graph":[
            {"@type":"NewsArticle","headline":"Rivers rise","author":{"@id":"#jd"},"publisher":{"@id":"#org"}},
            {"@type":"Organization","@id":"#org","name":"The Valley Paper"},
            {"@type":"Person","@id":"#jd","name":"Jane Doe"}]}</script></head>
            <body><h1>Rivers rise</h1></body></html>"##;
        let m = read(&Dom::parse(html), Some("https://paper.example/news/rivers"));
        assert_eq!(m.site_name.as_deref(), Some("The Valley Paper"));
        assert_eq!(m.byline.as_deref(), Some("Jane Doe"));
    }

    #[test]
    fn byline_choice() {
        let check = |head: &str, body: &str, want: Option<&str>| {
            let html = format!(
                "<html><head>{head}</head><body><h1>Rivers rise across the valley</h1>{body}{TEXT}</body></html>"
            );
            let m = read(&Dom::parse(&html), Some("https://paper.example/news/rivers"));
            assert_eq!(m.byline.as_deref(), want, "{head} {body}");
        };
        // `<meta value>` (pages saved through a DOM round-trip) reads like `content`.
        check(r#"<meta name="author" value="Jane Doe">"#, "", Some("Jane Doe"));
        // A publisher that signs `author` with its group's name ("© Example Media Japan"),
        // the reporter in `article:author`: the first author key that names a person.
        check(
            r#"<meta name="author" content="Example Media"><meta name="article:author" content="Jane Doe">"#,
            "<footer>\u{a9} Example Media Japan</footer>",
            Some("Jane Doe"),
        );
        // A copyright given only in the metadata, "(c)" spelled out, names the outlet too.
        check(
            r#"<meta name="author" content="Rivers Daily Group"><meta name="copyright" content="Copyright (c) Rivers Daily Group Ltd 2022"><meta name="dc.creator" content="Jane Doe">"#,
            "",
            Some("Jane Doe"),
        );
        // The newsroom's collective credit gives way to the reporter the page's byline names,
        // and stays when the byline shows the credit too (or nothing else names anyone).
        check(
            r#"<meta name="author" content="Rivers Daily Staff">"#,
            "<div class=\"content-byline\">By <a href=\"/author/megan-french/\" rel=\"author\">Megan French</a></div>",
            Some("Megan French"),
        );
        check(
            r#"<meta name="author" content="Rivers Daily Staff">"#,
            "",
            Some("Rivers Daily Staff"),
        );
        check(
            r#"<meta name="author" content="Web Desk">"#,
            "<p class=\"byline\">By Web Desk</p>",
            Some("Web Desk"),
        );
        // A link preview's "Written by" field names the author when the page names no one
        // itself; the page's own byline comes first (an editor may post a contributor's
        // piece). A CMS's default account signs for no one.
        let written_by = r#"<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Nawaz Dhandala"><meta name="twitter:label2" content="Est. reading time"><meta name="twitter:data2" content="4 minutes">"#;
        check(written_by, "", Some("Nawaz Dhandala"));
        check(
            written_by,
            "<p class=\"byline\">By Duncan Bell</p>",
            Some("Duncan Bell"),
        );
        check(r#"<meta name="author" content="admin">"#, "", None);
        // An author given as a reference to a person elsewhere in the graph (Yoast).
        check(
            r#"<script type="application/ld+json">{"@graph":[{"@type":"Article","author":{"@id":"https://x.example/#/person/1"}},{"@type":"Person","@id":"https://x.example/#/person/1","name":"Jane Doe"}]}</script>"#,
            "",
            Some("Jane Doe"),
        );
        // A link to the author's own page, in a short block of its own.
        check(
            "",
            "<div class=th><a href=\"https://paper.example/about/editors/jon-fingas/\">Jon Fingas</a>, @jon</div>",
            Some("Jon Fingas"),
        );
        check(
            "",
            "<p>Posted by <a href=/blog/author/jane_doe.html>Jane Doe</a></p>",
            Some("Jane Doe"),
        );
        // Not a person the text cites, nor a card's heading, nor a menu of the staff, nor a
        // link whose address is someone else's page.
        let cites = format!(
            "<p>The review, {}, includes experts such as <a href=/profile/lewis-ziska>Lewis Ziska</a> of Columbia. {}</p>",
            "published in a leading journal after two years of work by many hands around the world",
            "Its authors call for new practices on farms."
        );
        check("", &cites, None);
        check("", "<h3><a href=/profile/lewis-ziska>Lewis Ziska</a></h3>", None);
        check(
            "",
            "<nav><ul><li><a href=/people/jane-doe>Jane Doe</a></li></ul></nav>",
            None,
        );
        check("", "<div><a href=/author/jane-doe>John Roe</a></div>", None);
        // An opinion desk's "commentary" is no reader comment.
        check(
            "",
            "<div class=commentary-article><p class=author-line>By Jane Doe</p></div>",
            Some("Jane Doe"),
        );
        // "by" in a reader comment signs the comment, not the article.
        check(
            "",
            "<span class=story-byline>Posted by <a href=https://social.example/in/jdoe>JaneD</a> \
             <time datetime=\"on Friday December 19, 2025 @08:00PM\">on Friday December 19, 2025 \
             @08:00PM from the when-it-rains-it-pours-across-the-whole-valley dept.</time></span>\
             <ul id=commentlisting><li class=\"comment full\"><div class=details><span class=by>\
             <span class=byby>by </span><a href=/~marsh>Marsh_de_lake</a> <span class=uid>\
             <a href=/~marsh>( 4242 )</a></span></span></div></li></ul>",
            Some("JaneD"),
        );
        // An author class inside a comment thread names a commenter; the owner's handle is
        // the byline.
        check(
            "",
            "<div class=gist-meta><a class=author href=/jdoe>jdoe</a></div>\
             <div class=\"TimelineItem js-comment-container\"><strong>\
             <a class=\"author Link--primary\" href=/marsh>Marsh Lake</a></strong></div>",
            Some("jdoe"),
        );
        // A date's label goes with the date ("Last updated on ...", "... ⋅ Updated ...").
        check(
            "",
            "<div class=author_cont><h3><a href=/u/jdoe>Jane Doe</a></h3>\
             <p class=\"date no_marg\">Last updated on 17 December 2025</p></div>",
            Some("Jane Doe"),
        );
        check(
            "",
            "<div class=byline>Jane Doe \u{22c5} Review Editor \u{22c5} Updated Jan 5, 2026</div>",
            Some("Jane Doe \u{22c5} Review Editor"),
        );
        // A reading time is no name either, nor a template's empty value.
        check("", "<div class=byline><span>5 min read</span></div>", None);
        check(
            r#"<script type="application/ld+json">{"@type":"Article","author":{"@type":"Person","name":"undefined"}}</script>"#,
            "",
            None,
        );
        // A byline block that holds only a date: its weekday or label is no name.
        check("", "<div class=byline>Sat, 20 Dec, 2025 - 06:36</div>", None);
        check(
            "",
            "<div class=\"author-line\">Updated: December 04, 2025</div>",
            None,
        );
        check(
            "",
            "<div class=byline>Sat, 20 Dec, 2025 - 06:36</div><div class=author>Jane Doe</div>",
            Some("Jane Doe"),
        );
        // A consent sentence that starts with "By" is not a byline; the real one is.
        check(
            "",
            "<p>By signing up, you agree to our privacy policy.</p><div>By Jane Doe</div>",
            Some("Jane Doe"),
        );
        // Lower-case labels, a date after the name, "Posted by ... at".
        check("", "<p>by: Jane Doe, Dec 17, 2025</p>", Some("Jane Doe"));
        check(
            "",
            "<p>Posted by Jane Doe at December 16, 2025 11:15 AM</p>",
            Some("Jane Doe"),
        );
        // A date in front of the name, and what the author did "on behalf of".
        check(
            "",
            "<div class=\"publish-date-author\">Dec. 19, 2025 \u{b7} Jane Doe on behalf of the Docs Team</div>",
            Some("Jane Doe"),
        );
        // Menus are no bylines: "Solutions by" over a category list.
        check(
            "",
            "<nav><div><h4>By Event Type</h4><ul><li>Conferences</li></ul></div></nav>\
             <div role=\"menu\"><h4>By</h4><span>Grape Type</span></div>\
             <p>By Jane Doe</p>",
            Some("Jane Doe"),
        );
        // A label with the name in the next element.
        check(
            "",
            "<div><div>Written by</div><div>Jane Doe</div></div>",
            Some("Jane Doe"),
        );
        // A heading "Author" over the name, past an avatar's initials; not "Author Spotlight".
        check(
            "",
            "<div><h3>Author</h3><span>JD</span><p>Jane Doe</p></div>",
            Some("Jane Doe"),
        );
        check("", "<div><h2>Author Spotlight</h2><p>Spotlight</p></div>", None);
        // ... also inside a button that opens the author's bio, but never past the label's
        // block (a "Save" button after it).
        check(
            "",
            "<div><span>Written by</span><span><button>Jane Doe</button></span></div>",
            Some("Jane Doe"),
        );
        check(
            "",
            "<div><span>Written by</span><span>Travel Desk, SMT</span><p></p></div>\
             <div><button><span role=status>Save</span></button></div>",
            Some("Travel Desk, SMT"),
        );
        check(
            "",
            "<div><span>Written by</span><p></p></div><div><button><span role=status>Save</span></button></div>",
            None,
        );
        // A user handle in the metadata gives way to the name shown on the page.
        check(
            r#"<meta name="author" content="janedoe99">"#,
            "<span class=\"byline\">Jane Doe</span>",
            Some("Jane Doe"),
        );
        // The copyright holder and companies are outlets, not authors, when a person is named.
        check(
            r#"<meta name="author" content="Big Media Group">"#,
            "<a rel=\"author\" href=\"/people/jd\">Jane Doe</a><footer>\u{a9} 2025 Big Media Group. All rights reserved.</footer>",
            Some("Jane Doe"),
        );
        check(
            r#"<meta name="author" content="Example Media Inc.">"#,
            "<span class=\"byline\">Jane Doe</span>",
            Some("Jane Doe"),
        );
        // ... and still the author when nobody else is named.
        check(
            r#"<meta name="author" content="Example Media Inc.">"#,
            "",
            Some("Example Media Inc."),
        );
        // Comment authors are not the article's.
        check("", "<div class=\"comment-author\">Sam Reader says:</div>", None);
        // Scholarly pages list each author; "Doe, Jane" is read as "Jane Doe". Lists of three
        // or more are joined with commas, two with "and".
        check(
            r#"<meta name="citation_author" content="Doe, Jane"><meta name="citation_author" content="Roe, John"><meta name="citation_author" content="Poe, Ann">"#,
            "",
            Some("Jane Doe, John Roe, Ann Poe"),
        );
        check(
            r#"<meta name="citation_author" content="Jane Doe"><meta name="citation_author" content="John Roe">"#,
            "",
            Some("Jane Doe and John Roe"),
        );
        // A personal site: the title's last part is a person's name that the copyright line
        // names too.
        let html = format!(
            "<html><head><title>Go ahead, self-host it | Jane Doe</title></head><body><h1>Go ahead, self-host it</h1>{TEXT}<footer>\u{a9} 2025 Jane Doe.</footer></body></html>"
        );
        let m = read(&Dom::parse(&html), Some("https://jane.example/notes/self-host"));
        assert_eq!(m.byline.as_deref(), Some("Jane Doe"));
        // A site named like a team is not a person.
        let html = format!(
            "<html><head><title>Go ahead, self-host it | Hosting Team</title></head><body><h1>Go ahead, self-host it</h1>{TEXT}<footer>\u{a9} 2025 Example Ltd.</footer></body></html>"
        );
        assert_eq!(read(&Dom::parse(&html), None).byline, None);
    }

    #[test]
    fn inverted_names() {
        assert_eq!(inverted_name("Gillman, Steve").as_deref(), Some("Steve Gillman"));
        assert_eq!(inverted_name("Doe, Jane A.").as_deref(), Some("Jane A. Doe"));
        assert_eq!(inverted_name("Jane Doe, Senior Writer"), None);
        assert_eq!(inverted_name("Reuters, AP"), None);
        assert_eq!(inverted_name("Doe, Roe, Poe"), None);
        // The metadata's "Last, First" reads as the name.
        let html = format!(
            "<html><head><meta name=\"dcterms.creator\" content=\"Gillman, Steve\"></head><body><h1>Rivers rise across the valley</h1>{TEXT}</body></html>"
        );
        assert_eq!(
            read(&Dom::parse(&html), None).byline.as_deref(),
            Some("Steve Gillman")
        );
    }

    #[test]
    fn byline_names() {
        for (s, want) in [
            ("Jane Doe", true),
            ("JOSH HASKELL, DAVID CAPLAN and PATRICK REEVELL", true),
            ("Ludwig van Beethoven", true),
            ("Mike Cason | mcason@al.com", true),
            ("Jane Doe, Senior Writer", true),
            ("\u{9ad8}\u{6728}\u{6d69}\u{5149}", true),
            ("accessing this website, you agree", false),
            ("See full bio", false),
            ("janedoe99", false),
            ("Jun 2", false),
            ("Additionally, if you are thinking of it", false),
        ] {
            assert_eq!(names_like(s), want, "{s}");
        }
    }

    #[test]
    fn garbled_headlines() {
        assert!(garbled_copy("A Beginner? Guide", "A Beginner\u{2019}s Guide"));
        assert!(garbled_copy("Caf\u{fffd} culture", "Caf\u{e9} culture"));
        assert!(!garbled_copy("Is it over?", "Is it over?"));
        assert!(!garbled_copy("What now? A guide", "What now: the full guide"));
        // The h1 gives way to the title it spells.
        let html = format!(
            "<html><head><meta property=\"og:title\" content=\"Event Planning: A Beginner\u{2019}s Guide\"></head><body><h1>Event Planning? A Beginner? Guide</h1>{TEXT}</body></html>"
        );
        let m = read(&Dom::parse(&html), None);
        assert_eq!(m.title.as_deref(), Some("Event Planning: A Beginner's Guide"));
        // An h1 set in capitals gives way to the title that has its words in their own case;
        // with no title in another case, the h1 stays.
        assert!(shouted("BEGINNER MARATHON PLAN") && !shouted("Beginner Marathon Plan") && !shouted("NHS"));
        let caps = |title: &str| {
            let html = format!(
                "<html><head><meta property=\"og:title\" content=\"{title}\"></head><body><h1>BEGINNER MARATHON PLAN</h1>{TEXT}</body></html>"
            );
            read(&Dom::parse(&html), None).title
        };
        assert_eq!(
            caps("Beginner Marathon Plan").as_deref(),
            Some("Beginner Marathon Plan")
        );
        assert_eq!(
            caps("BEGINNER MARATHON PLAN").as_deref(),
            Some("BEGINNER MARATHON PLAN")
        );
        let html = format!("<html><body><h1>BEGINNER MARATHON PLAN</h1>{TEXT}</body></html>");
        assert_eq!(
            read(&Dom::parse(&html), None).title.as_deref(),
            Some("BEGINNER MARATHON PLAN")
        );
        // A sidebar's h1 gives way to the h2 that spells the og title, its `<time>` left out.
        let html = format!(
            "<html><head><meta property=\"og:title\" content=\"The loveliest end of the world: Montauk\"></head><body>\
             <h1>Now or never, girls</h1><h2><time datetime=\"2019-06-17\">Jun 17</time>The loveliest end of the world: Montauk</h2>{TEXT}</body></html>"
        );
        let m = read(&Dom::parse(&html), None);
        assert_eq!(
            m.title.as_deref(),
            Some("The loveliest end of the world: Montauk")
        );
        // No h1, no metadata: the h2 the document title ends with, not the site before it.
        let html = format!(
            "<html><head><title>Jane Roe's Digital Home | Porting a large codebase to a new language</title></head>\
             <body><h2>Porting a large codebase to a new language</h2>{TEXT}</body></html>"
        );
        let m = read(&Dom::parse(&html), None);
        assert_eq!(
            m.title.as_deref(),
            Some("Porting a large codebase to a new language")
        );
    }

    #[test]
    fn title_fallbacks() {
        assert_eq!(
            strip_site("Talks narrow gaps - Reuters", Some("Reuters")),
            "Talks narrow gaps"
        );
        assert_eq!(
            strip_site("The Paper | Talks narrow gaps", Some("The Paper")),
            "Talks narrow gaps"
        );
        assert_eq!(strip_site("Talks narrow gaps", None), "Talks narrow gaps");
        // Everything up to a domain is the site.
        assert_eq!(
            strip_site("The Review | thereview.com - The Five Best Speakers", None),
            "The Five Best Speakers"
        );
    }
}
