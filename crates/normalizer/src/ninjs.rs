//! Reading IPTC ninjs (1.x and 2.x) JSON into an article record. Only the fields wirefold
//! uses are read; unknown fields are ignored, as ninjs allows extensions. An HTML body
//! (`body_html`) goes through the extractor's text cleanup.

use serde::Deserialize;
use wirefold_wire::{Article, PubStatus, SCHEMA_VERSION};

use crate::NormalizeError;

#[derive(Deserialize)]
struct Ninjs {
    uri: Option<String>,
    guid: Option<String>,
    version: Option<serde_json::Value>,
    headline: Option<String>,
    #[serde(default)]
    headlines: Vec<Text>,
    byline: Option<String>,
    firstcreated: Option<String>,
    versioncreated: Option<String>,
    pubstatus: Option<String>,
    language: Option<String>,
    located: Option<String>,
    body_text: Option<String>,
    body_html: Option<String>,
    #[serde(default)]
    bodies: Vec<Text>,
}

#[derive(Deserialize)]
struct Text {
    value: Option<String>,
    contenttype: Option<String>,
}

/// Parses a ninjs document.
pub fn parse(bytes: &[u8], url: Option<&str>) -> Result<Article, NormalizeError> {
    let n: Ninjs = serde_json::from_slice(bytes).map_err(|e| NormalizeError::BadNinjs(e.to_string()))?;
    let version = match &n.version {
        Some(serde_json::Value::Number(v)) => v.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let pubstatus = match n.pubstatus.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("canceled" | "cancelled") => PubStatus::Canceled,
        Some("withheld") => PubStatus::Withheld,
        _ => PubStatus::Usable,
    };
    let html = n.body_html.or_else(|| {
        n.bodies
            .iter()
            .find(|b| b.contenttype.as_deref().is_some_and(|c| c.contains("html")))
            .and_then(|b| b.value.clone())
    });
    let text = n.body_text.or_else(|| {
        n.bodies
            .iter()
            .find(|b| b.contenttype.as_deref().is_none_or(|c| c.contains("plain")))
            .and_then(|b| b.value.clone())
    });
    let body = match (text, html) {
        (Some(t), _) if !t.trim().is_empty() => wirefold_extract::extract_text(&t, None)
            .map(|e| e.body)
            .unwrap_or_default(),
        (_, Some(h)) if !h.trim().is_empty() => {
            let input = wirefold_extract::Input {
                bytes: h.as_bytes(),
                content_type: Some("text/html"),
                url,
            };
            wirefold_extract::extract(&input)
                .map(|e| e.body)
                .unwrap_or_default()
        }
        _ => String::new(),
    };
    let headline = n
        .headline
        .or_else(|| n.headlines.into_iter().find_map(|h| h.value));
    Ok(Article {
        schema: SCHEMA_VERSION,
        uri: n.uri.or(n.guid).unwrap_or_default(),
        version,
        pubstatus,
        headline,
        byline: n.byline,
        firstcreated: n.firstcreated,
        versioncreated: n.versioncreated,
        language: n.language,
        located: n.located,
        body_text: body,
        ..Default::default()
    })
}
