//! A small XML walker over quick-xml for the metadata the fetcher reads itself (sitemaps;
//! agency envelopes are read by `wirefold-agency`): element starts with local names and attributes, text
//! with entities resolved, element ends. Namespace prefixes are dropped; malformed XML is
//! an error. It builds no tree and keeps no body text beyond what callers collect.

use quick_xml::events::Event;

/// One step of the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// An element start (also emitted for empty elements, followed by an [`Node::End`]).
    Start {
        /// Local name, prefix dropped.
        name: String,
        /// Attributes as (local name, unescaped value).
        attrs: Vec<(String, String)>,
    },
    /// Text or CDATA content.
    Text(String),
    /// An element end.
    End(String),
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_string()
}

/// Walks `text`, calling `f` for each node; stops early when `f` returns false.
pub fn walk(text: &str, mut f: impl FnMut(Node) -> bool) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))?;
        let node = match ev {
            Event::Start(s) | Event::Empty(s) if depth == 0 && seen_root => {
                let _ = s;
                return Err("more than one root element".into());
            }
            Event::Start(s) => {
                depth += 1;
                seen_root = true;
                Node::Start {
                    name: local(s.name().as_ref()),
                    attrs: wirefold_agency::tree::attrs(&s)?,
                }
            }
            Event::Empty(s) => {
                seen_root = true;
                let name = local(s.name().as_ref());
                if !f(Node::Start {
                    name: name.clone(),
                    attrs: wirefold_agency::tree::attrs(&s)?,
                }) {
                    return Ok(());
                }
                Node::End(name)
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                Node::End(local(e.name().as_ref()))
            }
            Event::Text(t) => {
                if depth == 0 {
                    if t.xml10_content().trim().is_empty() {
                        continue;
                    }
                    return Err("text outside the root element".into());
                }
                Node::Text(t.xml10_content().into_owned())
            }
            Event::CData(c) => Node::Text(c.xml10_content().into_owned()),
            Event::GeneralRef(r) => {
                let s = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match &*r.xml10_content() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => format!("&{other};"),
                    },
                };
                Node::Text(s)
            }
            Event::Eof => {
                if depth != 0 {
                    return Err("unexpected end of document".into());
                }
                if !seen_root {
                    return Err("no root element".into());
                }
                return Ok(());
            }
            _ => continue,
        };
        if !f(node) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_and_refuses_malformed() {
        let mut seen = Vec::new();
        walk(
            "<?xml version=\"1.0\"?><a:x k='1 &amp; 2'><y/>t&amp;u<![CDATA[<c>]]></a:x>",
            |n| {
                seen.push(n);
                true
            },
        )
        .unwrap();
        assert_eq!(
            seen[0],
            Node::Start {
                name: "x".into(),
                attrs: vec![("k".into(), "1 & 2".into())]
            }
        );
        let text: String = seen
            .iter()
            .filter_map(|n| {
                if let Node::Text(t) = n {
                    Some(t.as_str())
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(text, "t&u<c>");
        for bad in ["", "<a><b></a>", "<a>", "text", "<a/><b/>"] {
            assert!(walk(bad, |_| true).is_err(), "{bad:?}");
        }
    }
}
