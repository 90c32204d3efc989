//! Tagged-field text (AAP's News Bites service): a plain-text transmission that opens with
//! `zczc` and states each field on a line of its own behind a two-letter tag and `#`:
//!
//! ```text
//! zczc
//! AN#26945219
//! KN#News Bites
//! PD#06 June 2016 14:00:00
//! BY#
//! KY#ACNB Comnews UGL.AX
//! TI#UGL continues project delay negotiation
//! AB#UGL's construction of the Ichthys projects continues to experience delays ...
//! TX#
//! UGL's construction of the Ichthys SMP and CCPP projects ...
//! ```
//!
//! `TI` is the headline, `AB` the summary (`description_text`), `BY` the byline, `KY` the
//! keywords (the slugline), `KN` the service that supplied it, and the lines after `TX#`
//! (up to an `NNNN` end of message) are the text, a paragraph a line. The publication time
//! states no time zone, so it is not read (the pipeline goes by the time received). Nothing
//! names the item, so the delivery's identity stands.

use crate::{Body, Document, Format, Item, apply_headline_signal, nonblank};

/// Field lines read at most before `TX#`.
const MAX_FIELDS: usize = 64;

/// Whether `bytes` is a tagged-field transmission: `zczc` (any case) on its first line,
/// then tag lines, with a `TI#` headline and a `TX#` text among the first 64.
pub fn looks_like(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(16 * 1024)];
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|l| !l.is_empty());
    if !lines.next().is_some_and(|l| l.eq_ignore_ascii_case(b"zczc")) {
        return false;
    }
    let (mut title, mut text) = (false, false);
    for l in lines.take(MAX_FIELDS) {
        let Some((tag, _)) = tag(l) else { return false };
        title |= tag == *b"TI";
        if tag == *b"TX" {
            text = true;
            break;
        }
    }
    title && text
}

/// The tag of a field line (`TI#...` gives `TI`) and its value.
fn tag(line: &[u8]) -> Option<([u8; 2], &[u8])> {
    match line {
        [a, b, b'#', rest @ ..] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Some(([*a, *b], rest)),
        _ => None,
    }
}

/// Reads a tagged-field transmission (see [`looks_like`]).
pub fn read(text: &str) -> Document {
    let mut it = Item::default();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty()).skip(1);
    let mut body: Vec<&str> = Vec::new();
    for l in lines.by_ref().take(MAX_FIELDS) {
        let Some((t, _)) = tag(l.as_bytes()) else { break };
        let value = || nonblank(Some(l[3..].to_string()));
        match &t {
            b"TI" => it.headline = value(),
            b"AB" => it.description_text = value(),
            b"BY" => it.byline = value(),
            b"KY" => it.slugline = value(),
            b"KN" => it.provider = value(),
            b"TX" => {
                body.extend(value().is_some().then_some(l[3..].trim()));
                break;
            }
            _ => {}
        }
    }
    body.extend(lines.take_while(|l| !l.eq_ignore_ascii_case("NNNN")));
    let mut problems = Vec::new();
    if body.is_empty() {
        if it.headline.is_none() {
            problems.push("tagged-field text states neither a headline (TI#) nor a text (TX#)".to_string());
        } else {
            it.incomplete = Some("the transmission carries no text after TX#, only its headline".into());
        }
    } else {
        it.body = Body::Text(body.join("\n\n"));
    }
    apply_headline_signal(&mut it);
    let items = if problems.is_empty() { vec![it] } else { Vec::new() };
    Document {
        format: Format::Tagged,
        items,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BITES: &str = "zczc\r\nAN#26945219\r\nKN#News Bites\r\nPD#06 June 2016 14:00:00\r\nCO#UGL.AX\r\n\
        BY#\r\nKY#ACNB Comnews UGL.AX\r\nTI#UGL continues project delay negotiation\r\n\
        AB#The projects continue to experience substantial delays.\r\nTX#\r\n\
        The construction of the two projects continues to experience substantial delays.\r\n\
        Substantial claims have been raised on both projects.\r\nNNNN\r\n";

    #[test]
    fn fields_and_text() {
        assert!(looks_like(BITES.as_bytes()));
        let d = read(BITES);
        assert_eq!((d.format, d.items.len()), (Format::Tagged, 1), "{:?}", d.problems);
        let it = &d.items[0];
        assert_eq!(
            it.headline.as_deref(),
            Some("UGL continues project delay negotiation")
        );
        assert_eq!(
            it.description_text.as_deref(),
            Some("The projects continue to experience substantial delays.")
        );
        assert_eq!(
            (it.byline.as_deref(), it.slugline.as_deref()),
            (None, Some("ACNB Comnews UGL.AX"))
        );
        assert_eq!(it.provider.as_deref(), Some("News Bites"));
        assert_eq!(
            it.body,
            Body::Text(
                "The construction of the two projects continues to experience substantial delays.\n\n\
                 Substantial claims have been raised on both projects."
                    .into()
            )
        );
        assert_eq!((it.uri.as_deref(), it.firstcreated.as_deref()), (None, None));
    }

    #[test]
    fn only_a_tagged_transmission_is_one() {
        for text in [
            // Plain text, an ANPA-like ZCZC header, a tag line without a headline or text.
            "zczc is how the old telex messages began, and this text says so.\nTI#no",
            "ZCZC AAP\n%A\n#Legionella_BC1\n$Legionella found in Qld hospital\n",
            "zczc\nAN#1\nKN#News Bites\nTX#\nText.",
            "Headline\n\nTI#Text that mentions a tag.\nTX#",
        ] {
            assert!(!looks_like(text.as_bytes()), "{text}");
        }
        // A headline and no text: an item marked as such; neither: no item, said why.
        let d = read("zczc\nTI#Results due\nTX#\n");
        assert!(d.items[0].incomplete.is_some() && d.items[0].body.is_blank());
        let d = read("zczc\nAN#1\nTX#\n");
        assert!(d.items.is_empty() && d.problems[0].contains("neither"), "{d:?}");
    }
}
