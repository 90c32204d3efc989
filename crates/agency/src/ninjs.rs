//! IPTC ninjs 1.x, 2.x and 3.x. Keys are read in both spellings (1.x/2.x lower case,
//! 3.x camelCase: `versioncreated`/`versionCreated`). Headline: `headline` (1.x),
//! `headlines[]` (2.x/3.x; the `main` role, else the first), `headline_main` (the 1.6
//! documentation's extension). Body: `body_text`, `body_main`, `bodies[]` (plain text
//! first, then NITF, then HTML), `body_html`, `body_xhtml`, `body_richtext` (and TT's
//! `body_html5`, `body_richhtml5`), each with its lines and paragraphs as sent. Byline:
//! `byline`, `by`, `bylines[]`. The 2.0 drafts (IPTC's `examples/2.0`) wrote the lists
//! under the singular keys with `name` for the role and `text` for a headline's value:
//! `"headline": [{"name": "main", "text": ...}]`, `"body": [{"name": "xhtml", "value": ...}]`;
//! they are read as `headlines[]` and `bodies[]`.
//!
//! A known field with the wrong JSON type (a number for `headline`, an object for
//! `type`) or a `type` that ninjs does not define is an error, not a guess. Identity:
//! `uri`, else `guid`, else none (the caller keeps the delivery's identity).
//!
//! An API response that wraps ninjs items (a search result's `item` list, a feed page's
//! `items`, AP's media API `data.item` and `data.items[].item`) gives each item; an item
//! that is not usable (a wrong type, no body) is a problem of its own, and the others go on.

use serde_json::{Map, Value};

use crate::tree::paragraphs;
use crate::{
    AgencyError, Body, Document, Format, Item, ItemType, apply_headline_signal, date, nitf, nonblank,
    pubstatus,
};

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

struct Obj<'a>(&'a Map<String, Value>);

impl Obj<'_> {
    fn get<'k>(&self, keys: &[&'k str]) -> Option<(&'k str, &Value)> {
        keys.iter()
            .find_map(|k| self.0.get(*k).map(|v| (*k, v)))
            .filter(|(_, v)| !v.is_null())
    }

    fn string(&self, keys: &[&str]) -> Result<Option<String>, AgencyError> {
        match self.get(keys) {
            None => Ok(None),
            Some((_, Value::String(s))) => Ok(nonblank(Some(s.clone()))),
            Some((k, v)) => Err(wrong(k, "a string", v)),
        }
    }

    /// A text field (a body, a description): like [`Obj::string`], but its lines and
    /// paragraphs are kept (only the ends are trimmed), for the text reader to read.
    fn text(&self, keys: &[&str]) -> Result<Option<String>, AgencyError> {
        match self.get(keys) {
            None => Ok(None),
            Some((_, Value::String(s))) => Ok(Some(s.trim().to_string()).filter(|t| !t.is_empty())),
            Some((k, v)) => Err(wrong(k, "a string", v)),
        }
    }

    /// A string or a number (ninjs 1.x writes `version` and `urgency` either way).
    fn number(&self, keys: &[&str]) -> Result<Option<u64>, AgencyError> {
        match self.get(keys) {
            None => Ok(None),
            Some((_, Value::Number(n))) => Ok(n.as_u64()),
            Some((k, Value::String(s))) => match s.trim() {
                "" => Ok(None),
                t => t.parse().map(Some).map_err(|_| {
                    AgencyError::Ninjs(format!("field `{k}` must be a whole number, found \"{t}\""))
                }),
            },
            Some((k, v)) => Err(wrong(k, "a number", v)),
        }
    }

    fn array(&self, keys: &[&str]) -> Result<Vec<Obj<'_>>, AgencyError> {
        match self.get(keys) {
            None => Ok(Vec::new()),
            Some((k, Value::Array(a))) => a
                .iter()
                .map(|v| match v {
                    Value::Object(o) => Ok(Obj(o)),
                    other => Err(wrong(k, "an array of objects", other)),
                })
                .collect(),
            Some((k, v)) => Err(wrong(k, "an array", v)),
        }
    }
}

/// Who supplied the item: its `copyrightholder`, the `provider` AP's ninjs names, the first
/// named `infosources` entry, else the name in its `copyrightnotice`. Display metadata: a
/// field shaped another way (an object with a `name` is read too) is passed over, never a
/// reason to refuse the item.
fn provider(o: &Obj<'_>) -> Option<String> {
    let name_of = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => m.get("name").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    let field = |keys: &[&str]| match o.get(keys) {
        Some((_, Value::Array(a))) => a.iter().find_map(name_of),
        Some((_, v)) => name_of(v),
        None => None,
    };
    crate::first_provider([
        field(&["copyrightholder", "copyrightHolder"]).as_deref(),
        field(&["provider"]).as_deref(),
        field(&["infosources", "infosource"]).as_deref(),
        field(&["copyrightnotice", "copyrightNotice"]).as_deref(),
    ])
}

fn wrong(key: &str, want: &str, found: &Value) -> AgencyError {
    AgencyError::Ninjs(format!("field `{key}` must be {want}, found {}", kind(found)))
}

/// Keys only ninjs uses; a JSON object with none of them is not ninjs.
const NINJS_KEYS: &[&str] = &[
    "uri",
    "guid",
    "type",
    "headline",
    "headlines",
    "body_text",
    "body_html",
    "bodies",
    "versioncreated",
    "versionCreated",
    "pubstatus",
    "pubStatus",
    "body_xhtml",
    "body_main",
    // dpa digitalwires
    "article_html",
    "version_created",
];

/// Reads a ninjs document. `Ok(None)`: JSON, but nothing about it is ninjs.
///
/// Besides one item or one API response around items, a delivery may hold many: a JSON
/// array of them, or JSON lines (one item per line, as archive exports and streaming APIs
/// write them; several documents written one after the other read the same way). Each is
/// read on its own: one that is not usable is a problem of its own, the others go on. A
/// line that is not JSON is such a problem too (named by its line number), so one bad line
/// costs one item.
pub fn read(text: &str) -> Result<Option<Document>, AgencyError> {
    let malformed = |e: serde_json::Error| AgencyError::Ninjs(format!("malformed json: {e}"));
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let first = match values.next() {
        Some(v) => v.map_err(malformed)?,
        None => return Err(AgencyError::Ninjs("malformed json: no JSON value".into())),
    };
    let Some(second) = values.next() else {
        return match &first {
            Value::Object(map) => read_object(map),
            Value::Array(a) => read_many(a.iter().map(Ok), "element"),
            v => Err(AgencyError::Ninjs(format!(
                "a ninjs document is an object or an array of them, found {}",
                kind(v)
            ))),
        };
    };
    // More than one JSON value: documents one after the other. When they all parse they
    // are read in turn; when one does not, the text is read as JSON lines instead.
    let rest: Result<Vec<Value>, _> = std::iter::once(second).chain(values).collect();
    match rest {
        Ok(rest) => read_many(std::iter::once(first).chain(rest).map(Ok), "document"),
        Err(_) => read_many(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str::<Value>(l).map_err(|e| format!("malformed json: {e}"))),
            "line",
        ),
    }
}

/// One JSON object: an item, or an API response around items.
fn read_object(map: &Map<String, Value>) -> Result<Option<Document>, AgencyError> {
    if is_item(map) {
        let (items, problems) = match item(map)? {
            Ok(it) => (vec![it], Vec::new()),
            Err(problem) => (Vec::new(), vec![problem]),
        };
        return Ok(Some(Document {
            format: Format::Ninjs,
            items,
            problems,
        }));
    }
    // An API response around ninjs items: `item` / `items` (a search result, a feed page),
    // under `data` too (AP's media API: `data.item`, `data.items[].item`). Each item is read
    // on its own: one that is not usable is a problem of its own, the others go on.
    let mut found = Vec::new();
    envelope(map, 0, &mut found);
    if found.is_empty() {
        return Ok(None);
    }
    let mut items = Vec::new();
    let mut problems = Vec::new();
    if found.len() >= MAX_WRAPPED {
        problems.push(format!(
            "{MAX_WRAPPED} items or more in the response: any past {MAX_WRAPPED} left out"
        ));
    }
    for (k, m) in found.into_iter().enumerate() {
        match item(m) {
            Ok(Ok(it)) => items.push(it),
            Ok(Err(problem)) => problems.push(problem),
            Err(e) => problems.push(format!("item {} of the response: {e}", k + 1)),
        }
    }
    Ok(Some(Document {
        format: Format::Ninjs,
        items,
        problems,
    }))
}

/// Many documents (an array's elements, JSON lines): each read as one, their items and
/// problems together, at most [`MAX_WRAPPED`] items. `Ok(None)` when none of them is ninjs;
/// an error when none is and some are not even JSON objects.
fn read_many<V: std::borrow::Borrow<Value>>(
    values: impl Iterator<Item = Result<V, String>>,
    what: &str,
) -> Result<Option<Document>, AgencyError> {
    let mut doc = Document {
        format: Format::Ninjs,
        items: Vec::new(),
        problems: Vec::new(),
    };
    let mut ninjs = false;
    let mut malformed = None;
    for (k, v) in values.enumerate() {
        if doc.items.len() >= MAX_WRAPPED {
            doc.problems.push(format!(
                "more than {MAX_WRAPPED} items: {what} {} on left out",
                k + 1
            ));
            break;
        }
        // Not JSON, or JSON that is no object: nothing here could be an item.
        let mut not_an_item = |e: String| {
            malformed.get_or_insert_with(|| format!("{what} {}: {e}", k + 1));
            Err(e)
        };
        let read = match v {
            Err(e) => not_an_item(e),
            Ok(v) => match v.borrow() {
                // A ninjs item with a field of the wrong kind: ninjs, unusable.
                Value::Object(map) => read_object(map).map_err(|e| {
                    ninjs = true;
                    e.to_string()
                }),
                other => not_an_item(format!("a ninjs item is an object, found {}", kind(other))),
            },
        };
        match read {
            Ok(Some(d)) => {
                ninjs = true;
                doc.items.extend(d.items);
                doc.problems
                    .extend(d.problems.into_iter().map(|p| format!("{what} {}: {p}", k + 1)));
            }
            Ok(None) => doc.problems.push(format!("{what} {}: not a ninjs item", k + 1)),
            Err(e) => doc.problems.push(format!("{what} {}: {e}", k + 1)),
        }
    }
    match malformed {
        // Nothing ninjs in it, and some of it not even JSON: malformed, as one bad document.
        Some(e) if !ninjs => Err(AgencyError::Ninjs(e)),
        _ => Ok(ninjs.then_some(doc)),
    }
}

/// Items one delivery gives at most (the rest are left out, with a dead letter that says
/// so). The document's size limit bounds them first for any real item (10,000 items in the
/// default 4 MB is 400 bytes each): this only stops a delivery of empty shells.
const MAX_WRAPPED: usize = 10_000;

fn is_item(m: &Map<String, Value>) -> bool {
    NINJS_KEYS.iter().any(|k| m.contains_key(*k))
}

/// The ninjs items under an API response's `data`, `item` and `items` keys, a few levels
/// deep at most.
fn envelope<'a>(m: &'a Map<String, Value>, depth: usize, out: &mut Vec<&'a Map<String, Value>>) {
    if depth > 3 {
        return;
    }
    for key in ["data", "item", "items"] {
        let values: &[Value] = match m.get(key) {
            Some(Value::Array(a)) => a,
            Some(v @ Value::Object(_)) => std::slice::from_ref(v),
            _ => continue,
        };
        for v in values {
            if out.len() >= MAX_WRAPPED {
                return;
            }
            if let Value::Object(o) = v {
                if is_item(o) {
                    out.push(o);
                } else {
                    envelope(o, depth + 1, out);
                }
            }
        }
    }
}

/// One ninjs item: the item, or why it gives none (no body, no caption); an error for a
/// field of the wrong kind.
fn item(map: &Map<String, Value>) -> Result<Result<Item, String>, AgencyError> {
    let o = Obj(map);
    // ninjs requires `uri`; senders that write only `guid` are read too, and an item that
    // names itself in neither keeps the identity of its delivery (the caller's fallback).
    let uri = o
        .string(&["uri"])?
        .or(o.string(&["guid"])?)
        .or(o.string(&["urn"])?);
    // dpa's digitalwires (ninjs-shaped, `"format": "digitalwires@..."`) calls a text with
    // associated media a composite: it is the text.
    let digitalwires = o
        .string(&["format"])?
        .is_some_and(|f| f.starts_with("digitalwires"));
    let mut assumed_text = None;
    let item_type = match o.string(&["type"])? {
        None => ItemType::Text,
        // ... unless it has no text and is the media item it associates with itself (a
        // picture or audio with its caption).
        Some(t) if digitalwires && t == "composite" => {
            let own_media = o
                .array(&["associations"])?
                .iter()
                .filter(|a| a.string(&["urn"]).ok().flatten() == uri)
                .find_map(|a| a.string(&["type"]).ok().flatten())
                .and_then(|t| ItemType::from_name(if t == "image" { "picture" } else { &t }));
            match own_media {
                Some(kind) if o.string(&["article_html"])?.is_none() => kind,
                _ => ItemType::Text,
            }
        }
        // ninjs 2.2 and 3.x also carry events and planning items: not news, not read.
        Some(t) if matches!(t.as_str(), "event" | "planning") => {
            return Ok(Err(format!(
                "ninjs {t} item {} is not a news item, not used",
                uri.as_deref().unwrap_or_default()
            )));
        }
        // Senders' own names for a text (BBC's ninjs says `story`): read as a text, and
        // marked as a best effort below, since the type was assumed.
        Some(t) if text_alias(&t) => {
            assumed_text = Some(t);
            ItemType::Text
        }
        Some(t) => ItemType::from_name(&t)
            .filter(|_| !t.contains(':'))
            .ok_or_else(|| {
                AgencyError::Ninjs(format!(
                    "`type` \"{t}\" is not a ninjs type (text, picture, graphic, video, audio, composite)"
                ))
            })?,
    };
    let mut it = Item {
        uri,
        item_type,
        version: o.number(&["version"])?,
        urgency: o.number(&["urgency"])?.and_then(|u| u8::try_from(u).ok()),
        pubstatus: o.string(&["pubstatus", "pubStatus"])?.and_then(|p| pubstatus(&p)),
        slugline: o.string(&["slugline"])?,
        located: o
            .string(&["located"])?
            .or(o.string(&["dateline"])?.and_then(|d| crate::nitf::place(&d))),
        language: o.string(&["language"])?,
        firstcreated: o
            .string(&["firstcreated", "firstCreated"])?
            .and_then(|d| date(&d)),
        versioncreated: o
            .string(&["versioncreated", "versionCreated", "version_created"])?
            .and_then(|d| date(&d)),
        embargoed: o.string(&["embargoed"])?.and_then(|d| date(&d)),
        ednote: o.string(&["ednote", "edNote"])?,
        description_text: o.text(&["description_text", "teaser"])?.or(
            // digitalwires: `descriptions[]`, the caption first.
            o.array(&["descriptions"])?
                .iter()
                .filter_map(|d| {
                    let role = d.string(&["role"]).ok().flatten().unwrap_or_default();
                    Some((
                        role.ends_with("caption"),
                        d.string(&["description"]).ok().flatten()?,
                    ))
                })
                .max_by_key(|(caption, _)| *caption)
                .map(|(_, text)| text),
        ),
        ..Default::default()
    };
    it.provider = provider(&o);
    // Headline: a string, or (2.x, and the 2.0 drafts under `headline`) a list.
    let headline_list = matches!(o.get(&["headline"]), Some((_, Value::Array(_))));
    if !headline_list {
        it.headline = o.string(&["headline"])?;
    }
    if it.headline.is_none() {
        let hs = o.array(if headline_list {
            &["headline"]
        } else {
            &["headlines"]
        })?;
        let mut best = None;
        for h in &hs {
            let value = h.string(&["value", "text"])?;
            let role = h.string(&["role", "name"])?;
            if value.is_some() && (best.is_none() || role.as_deref() == Some("main")) {
                let main = role.as_deref() == Some("main");
                best = value;
                if main {
                    break;
                }
            }
        }
        it.headline = best;
    }
    if it.headline.is_none() {
        it.headline = o.string(&["headline_main"])?;
    }
    // Byline.
    it.byline = match o.string(&["byline"])? {
        Some(b) => Some(b),
        None => match o.get(&["by"]) {
            Some((_, Value::String(s))) => nonblank(Some(s.clone())),
            Some((k, v @ Value::Array(_))) => {
                let _ = (k, v);
                None
            }
            Some((k, v)) => return Err(wrong(k, "a string", v)),
            None => None,
        },
    };
    if it.byline.is_none() {
        for b in o.array(&["bylines"])? {
            if let Some(s) = b.string(&["byline", "name"])? {
                it.byline = Some(s);
                break;
            }
        }
    }
    if it.description_text.is_none() {
        for d in o.array(&["descriptions"])? {
            let ct = d.string(&["contenttype", "contentType"])?.unwrap_or_default();
            if let Some(v) = d.text(&["value"])? {
                it.description_text = Some(if ct.contains("html") { strip_html(&v) } else { v });
                break;
            }
        }
    }
    // Body.
    let mut text = o.text(&["body_text"])?.or(o.text(&["body_main"])?);
    let mut nitf_body = None;
    let mut html = None;
    let bodies = if matches!(o.get(&["body"]), Some((_, Value::Array(_)))) {
        o.array(&["body"])?
    } else {
        o.array(&["bodies"])?
    };
    for b in bodies {
        // The 2.0 drafts name the kind of body instead of a content type.
        let role = b
            .string(&["role", "name"])?
            .unwrap_or_default()
            .to_ascii_lowercase();
        let ct = b
            .string(&["contenttype", "contentType"])?
            .unwrap_or_else(|| match role.as_str() {
                "xhtml" | "html" => "text/html".into(),
                _ => "text/plain".into(),
            })
            .to_ascii_lowercase();
        let Some(v) = b.text(&["value"])? else { continue };
        if ct.contains("nitf") || role == "nitf" {
            nitf_body.get_or_insert(v);
        } else if ct.contains("html") || ct.contains("xml") {
            html.get_or_insert(v);
        } else if text.is_none() {
            text = Some(v);
        }
    }
    if text.is_none()
        && let Some(n) = nitf_body
    {
        let root = crate::tree::parse(n.trim_start_matches('\u{feff}').trim_start())
            .map_err(|e| AgencyError::Ninjs(format!("NITF body is not readable: {e}")))?;
        let mut tmp = Item::default();
        nitf::fill(&root, &mut tmp);
        if let Body::Text(t) = tmp.body {
            text = Some(t);
        }
    }
    let html = html.or(o.text(&[
        "body_html",
        "body_xhtml",
        "body_richtext",
        "article_html",
        // TT's ninjs
        "body_html5",
        "body_richhtml5",
    ])?);
    it.body = match (text, html) {
        (Some(t), _) => Body::Text(t),
        (None, Some(h)) => Body::Html(h),
        (None, None) => Body::None,
    };
    apply_headline_signal(&mut it);
    if it.body.is_blank()
        && it.item_type != ItemType::Text
        && it.pubstatus != Some(crate::PubStatus::Canceled)
    {
        // A picture or video: its caption is its text.
        if let Some(c) = it.description_text.clone().or(it.headline.clone()) {
            it.body = Body::Text(c);
        }
    }
    if it.body.is_blank()
        && it.item_type == ItemType::Text
        && it.pubstatus != Some(crate::PubStatus::Canceled)
    {
        // A text item without a body (NTB's 2.0 items carry the text as a description): a
        // best-effort item marked as such, its description standing for the text, or its
        // headline alone, as for a NITF document without body.
        if let Some(d) = it.description_text.clone() {
            it.body = Body::Text(d);
            it.incomplete = Some("the ninjs item carries no body, only its description".into());
        } else if it.headline.is_some() {
            it.incomplete = Some("the ninjs item carries no body text, only its headline".into());
        }
    }
    if it.body.is_blank() && it.pubstatus != Some(crate::PubStatus::Canceled) && it.incomplete.is_none() {
        return Ok(Err(format!(
            "ninjs {} item {} has no body (body_text, body_html, bodies)",
            it.item_type.as_str(),
            it.uri.as_deref().unwrap_or("(no uri)")
        )));
    }
    if let Some(t) = assumed_text
        && it.incomplete.is_none()
    {
        it.incomplete = Some(format!("`type` \"{t}\" is not a ninjs type; read as a text"));
    }
    Ok(Ok(it))
}

/// A `type` some senders give their texts instead of ninjs's `text` (BBC: `story`).
fn text_alias(t: &str) -> bool {
    matches!(
        t.trim().to_ascii_lowercase().as_str(),
        "story" | "article" | "news" | "newsitem" | "news_item"
    )
}

/// Text of a small HTML fragment (a description), through the XML tree when it is
/// well-formed, else with tags dropped.
fn strip_html(s: &str) -> String {
    match crate::tree::parse(&format!("<div>{s}</div>")) {
        Ok(el) => paragraphs(&el),
        Err(_) => crate::tree::collapse(&crate::tree::drop_tags(s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_item(uri: &str, headline: &str) -> String {
        format!(
            r#"{{"uri":"{uri}","type":"text","headline":"{headline}","body_text":"The council said on Monday that {headline} after a vote."}}"#
        )
    }

    #[test]
    fn json_lines_and_arrays_give_every_item_and_one_problem_per_bad_one() {
        let lines = [
            text_item("urn:t:1", "the bridge reopens"),
            text_item("urn:t:2", "the ferry timetable changes"),
            r#"{"uri":"urn:t:3","type":"text","headline":"cut off"#.to_string(),
            r#"{"foo":"bar"}"#.to_string(),
            r#"{"uri":"urn:t:4","type":42,"headline":"A number for a type"}"#.to_string(),
            String::new(),
            text_item("urn:t:5", "the harbour closes"),
        ]
        .join("\n");
        let d = read(&lines).unwrap().expect("ninjs");
        let uris: Vec<_> = d
            .items
            .iter()
            .map(|i| i.uri.clone().unwrap_or_default())
            .collect();
        assert_eq!(uris, ["urn:t:1", "urn:t:2", "urn:t:5"]);
        assert_eq!(d.problems.len(), 3, "{:?}", d.problems);
        assert!(
            d.problems[0].starts_with("line 3: malformed json"),
            "{:?}",
            d.problems
        );
        assert_eq!(d.problems[1], "line 4: not a ninjs item");
        assert!(
            d.problems[2].starts_with("line 5: ") && d.problems[2].contains("type"),
            "{:?}",
            d.problems
        );

        // An array of items, and documents written one after the other (pretty-printed).
        let arr = format!(
            "[{}, {}, 7]",
            text_item("urn:a:1", "one"),
            text_item("urn:a:2", "two")
        );
        let d = read(&arr).unwrap().expect("ninjs");
        assert_eq!(d.items.len(), 2);
        assert_eq!(
            d.problems,
            ["element 3: a ninjs item is an object, found a number"]
        );
        let pretty = format!(
            "{}\n\n{}",
            text_item("urn:p:1", "one"),
            text_item("urn:p:2", "two")
        )
        .replace(',', ",\n  ");
        assert_eq!(read(&pretty).unwrap().expect("ninjs").items.len(), 2);

        // JSON that is not ninjs stays not ninjs; JSON lines none of which are JSON are malformed.
        assert!(read(r#"[{"foo":1},{"bar":2}]"#).unwrap().is_none());
        assert!(read("{\"foo\":1}\n{\"bar\":2}").unwrap().is_none());
        assert!(matches!(read("{\"a\":\n{\"b\":"), Err(AgencyError::Ninjs(_))));
        assert!(matches!(read("[1, 2]"), Err(AgencyError::Ninjs(_))));
        // Items none of which is usable: ninjs, each with its reason.
        let bad = read("{\"uri\":\"a\",\"type\":1}\n{\"uri\":\"b\",\"headline\":[]}")
            .unwrap()
            .expect("ninjs");
        assert_eq!(
            (bad.items.len(), bad.problems.len()),
            (0, 2),
            "{:?}",
            bad.problems
        );
    }

    #[test]
    fn many_items_in_one_delivery_are_bounded() {
        let lines: Vec<String> = (0..MAX_WRAPPED + 5)
            .map(|i| text_item(&format!("urn:m:{i}"), "the bridge reopens"))
            .collect();
        let d = read(&lines.join("\n")).unwrap().expect("ninjs");
        assert_eq!(d.items.len(), MAX_WRAPPED);
        assert_eq!(
            d.problems,
            [format!(
                "more than {MAX_WRAPPED} items: document {} on left out",
                MAX_WRAPPED + 1
            )]
        );
    }

    #[test]
    fn a_body_keeps_its_lines_and_paragraphs() {
        let body = |fields: &str| {
            let doc = format!(r#"{{"uri":"u","type":"text","headline":"H",{fields}}}"#);
            read(&doc).unwrap().unwrap().items[0].body.clone()
        };
        assert_eq!(
            body(r#""body_text":"  First paragraph.\n\nSecond one.\nIts next line.  ""#),
            Body::Text("First paragraph.\n\nSecond one.\nIts next line.".into())
        );
        assert_eq!(
            body(r#""bodies":[{"contentType":"text/plain","value":"One.\n\nTwo."}]"#),
            Body::Text("One.\n\nTwo.".into())
        );
        // TT's ninjs states its text as HTML5 only.
        assert_eq!(
            body(r#""body_html5":"<html><body><p>One.</p>\n<p>Two.</p></body></html>""#),
            Body::Html("<html><body><p>One.</p>\n<p>Two.</p></body></html>".into())
        );
        // A description standing for a missing body keeps its paragraphs too.
        assert_eq!(
            body(r#""description_text":"One.\n\nTwo.""#),
            Body::Text("One.\n\nTwo.".into())
        );
    }

    #[test]
    fn a_provider_shaped_any_way_never_refuses_the_item() {
        let provider = |extra: &str| {
            let doc = format!(r#"{{"uri":"u","type":"text","headline":"H","body_text":"Body.",{extra}}}"#);
            read(&doc).unwrap().unwrap().items[0].provider.clone()
        };
        assert_eq!(provider(r#""copyrightholder":"NTB""#).as_deref(), Some("NTB"));
        assert_eq!(
            provider(r#""copyrightHolder":{"name":"TT"}"#).as_deref(),
            Some("TT")
        );
        assert_eq!(
            provider(r#""infosources":[{"name":"dpa","role":"origprov"}]"#).as_deref(),
            Some("dpa")
        );
        assert_eq!(
            provider(r#""copyrightholder":42,"provider":"AP""#).as_deref(),
            Some("AP")
        );
        assert_eq!(
            provider(r#""copyrightholder":[1,2],"copyrightnotice":true"#),
            None
        );
    }

    #[test]
    fn versions_and_wrong_types() {
        let d = read(r#"{"uri":"u1","version":"4","type":"text","headlines":[{"value":"Sub","role":"sub"},{"value":"Main","role":"main"}],
            "by":"Ann","pubStatus":"canceled","versionCreated":"2024-01-02T10:00:00+0100","bodies":[{"contentType":"text/plain","value":"Body."}]}"#)
            .unwrap()
            .unwrap();
        let it = &d.items[0];
        assert_eq!((it.uri.as_deref(), it.version), (Some("u1"), Some(4)));
        assert_eq!(it.headline.as_deref(), Some("Main"));
        assert_eq!(it.byline.as_deref(), Some("Ann"));
        assert_eq!(it.pubstatus, Some(crate::PubStatus::Canceled));
        assert_eq!(it.versioncreated.as_deref(), Some("2024-01-02T10:00:00+01:00"));
        assert_eq!(it.body, Body::Text("Body.".into()));
        for (bad, says) in [
            (
                r#"{"uri":"u","headline":42,"body_text":"x"}"#,
                "`headline` must be a string, found a number",
            ),
            (
                r#"{"uri":"u","type":{"a":1},"body_text":"x"}"#,
                "`type` must be a string, found an object",
            ),
            (
                r#"{"uri":"u","type":"sandwich","body_text":"x"}"#,
                "not a ninjs type",
            ),
            (r#"{"uri":"u","version":"v2","body_text":"x"}"#, "whole number"),
            (r#"[1,2]"#, "element 1: a ninjs item is an object, found a number"),
            (r#""text""#, "found a string"),
        ] {
            let e = read(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
        assert_eq!(read(r#"{"title":"a feed","items":[]}"#).unwrap(), None);
        assert_eq!(
            read(r#"{"title":"a feed","items":[{"id":"1","content_text":"x"}]}"#).unwrap(),
            None
        );
        // API responses around ninjs items: each item on its own.
        let list = read(
            r#"{"total":3,"item":[{"uri":"a","type":"text","headline":"A","body_text":"Text A."},
            {"uri":"b","type":"advisory","headline":"B","body_text":"x"},{"uri":"c","type":"text","slugline":"c"}]}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(list.items.len(), 1);
        assert_eq!(list.items[0].headline.as_deref(), Some("A"));
        assert_eq!(list.problems.len(), 2, "{:?}", list.problems);
        assert!(list.problems[0].contains("item 2") && list.problems[0].contains("not a ninjs type"));
        assert!(
            list.problems[1].contains("text item c has no body"),
            "{:?}",
            list.problems
        );
        // An item that names itself nowhere is said to be so.
        let nameless = read(r#"{"item":[{"type":"text","slugline":"c"}]}"#)
            .unwrap()
            .unwrap();
        assert!(
            nameless.problems[0].contains("text item (no uri) has no body"),
            "{:?}",
            nameless.problems
        );
        // A sender's own name for a text (BBC's `story`): read as a text, marked as a best
        // effort; without a body it is a headline-only text like any other.
        let story = read(
            r#"{"total":2,"item":[{"uri":"s","type":"story","headline":"abcdef","body_text":"Text S."},
            {"uri":"t","type":"Story","headline":"No body"}]}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(story.items.len(), 2);
        let s = &story.items[0];
        assert_eq!(
            (s.item_type, s.headline.as_deref()),
            (ItemType::Text, Some("abcdef"))
        );
        assert_eq!(s.body, Body::Text("Text S.".into()));
        assert!(
            s.incomplete
                .as_deref()
                .is_some_and(|r| r.contains("\"story\" is not a ninjs type; read as a text")),
            "{:?}",
            s.incomplete
        );
        assert!(
            story.items[1]
                .incomplete
                .as_deref()
                .is_some_and(|r| r.contains("only its headline"))
        );
        // A text item without body: its description stands for it, or its headline alone;
        // either way marked incomplete.
        let described = read(
            r#"{"uri":"n","type":"text","headlines":[{"role":"main","value":"Google buys land"}],
            "descriptions":[{"role":"text","contenttype":"text/plain","value":"Google has bought a plot in Skien."}]}"#,
        )
        .unwrap()
        .unwrap();
        let it = &described.items[0];
        assert_eq!(it.body, Body::Text("Google has bought a plot in Skien.".into()));
        assert!(
            it.incomplete
                .as_deref()
                .is_some_and(|r| r.contains("only its description"))
        );
        let bare = read(r#"{"uri":"h","type":"text","headline":"Only a headline"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(bare.items[0].body, Body::None);
        assert!(
            bare.items[0]
                .incomplete
                .as_deref()
                .is_some_and(|r| r.contains("only its headline"))
        );
        let event = read(r#"{"uri":"e1","type":"event","headline":"Press conference"}"#)
            .unwrap()
            .unwrap();
        assert!(event.items.is_empty());
        assert_eq!(
            event.problems,
            ["ninjs event item e1 is not a news item, not used"]
        );
        let ap = read(
            r#"{"api_version":"2","data":{"items":[{"item":{"uri":"p","type":"picture","headline":"Pic",
            "description_text":"A caption."}}]}}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(ap.items[0].item_type, ItemType::Picture);
        assert_eq!(ap.items[0].body, Body::Text("A caption.".into()));
        // The 2.0 drafts: lists under the singular keys, `name` and `text`.
        let draft = read(r#"{"uri":"u2","type":"composite","headline":[{"name":"sub","text":"Sub"},{"name":"main","text":"Draft main"}],
            "body":[{"name":"xhtml","value":"<p>One.</p>"},{"name":"text","value":"One."}]}"#)
            .unwrap()
            .unwrap();
        assert_eq!(draft.items[0].headline.as_deref(), Some("Draft main"));
        assert_eq!(draft.items[0].body, Body::Text("One.".into()));
        let html_only = read(r#"{"uri":"u3","headline":[{"name":"main","text":"H"}],"body":[{"name":"xhtml","value":"<p>One.</p>"}]}"#)
            .unwrap()
            .unwrap();
        assert_eq!(html_only.items[0].body, Body::Html("<p>One.</p>".into()));
        let e = read(r#"{"uri":"u","headline":[1],"body_text":"x"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`headline` must be an array of objects"), "{e}");
        let anonymous = read(r#"{"headline":"H","body_text":"x"}"#).unwrap().unwrap();
        assert_eq!(anonymous.items[0].uri, None);
    }

    #[test]
    fn dpa_digitalwires_documents_are_read() {
        let d = read(
            r#"{"format":"digitalwires@0.9.1","type":"composite","urn":"urn:newsml:dpa.com:20090101:241006-99-1",
            "version":"3","version_created":"2024-10-06T21:30:20+02:00","embargoed":"2024-10-07T06:00:00+02:00","language":"de","headline":"Ergebnisse",
            "teaser":"Der Spieltag.","article_html":"<section class=\"main\"><p>Augsburg - Gladbach 2:1</p></section>"}"#,
        )
        .unwrap()
        .unwrap();
        let it = &d.items[0];
        assert_eq!(it.item_type, ItemType::Text);
        assert_eq!(it.uri.as_deref(), Some("urn:newsml:dpa.com:20090101:241006-99-1"));
        assert_eq!(
            (it.version, it.versioncreated.as_deref()),
            (Some(3), Some("2024-10-06T21:30:20+02:00"))
        );
        assert_eq!(it.description_text.as_deref(), Some("Der Spieltag."));
        assert_eq!(it.embargoed.as_deref(), Some("2024-10-07T06:00:00+02:00"));
        assert!(
            matches!(&it.body, Body::Html(h) if h.contains("Augsburg")),
            "{:?}",
            it.body
        );
        // The place of its dateline; a picture that associates with itself, without text,
        // is that picture with its caption.
        let d = read(
            r#"{"format":"digitalwires@1.0","type":"composite","urn":"urn:x:1","headline":"Kennedy","dateline":"Newport News (dpa) - ",
            "article_html":null,"descriptions":[{"role":"drol:alternativeText","description":"Alt"},{"role":"drol:caption","description":"Caroline Kennedy at the ceremony."}],
            "associations":[{"type":"image","urn":"urn:x:1"}]}"#,
        )
        .unwrap()
        .unwrap();
        let it = &d.items[0];
        assert_eq!(it.item_type, ItemType::Picture);
        assert_eq!(it.located.as_deref(), Some("Newport News"));
        assert_eq!(it.body, Body::Text("Caroline Kennedy at the ceremony.".into()));
    }
}
