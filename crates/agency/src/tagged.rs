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
//!
//! The telex framing's other layout (AAP's `ZCZC` files) marks each header line with a
//! character instead of a tag, and what a character stands for differs between the
//! services that use it (`^` or `$` the headline, `:` the keyword or the place):
//!
//! ```text
//! ZCZC AAP
//! %A
//! #Legionella_BC1
//! $Legionella found in Qld hospital
//! :(BRISBANE)
//! &AAPIS\Huttonc
//! Legionella bacteria has been found in a regional southwest Queensland hospital.
//! NNNN
//! ```
//!
//! So the fields are read by what they hold: the `^` field, else the
//! first that reads as a headline (three words or more, lower-case letters, not in
//! parentheses) is the headline; the first single token with letters the slugline; a
//! place in capitals in parentheses the dateline's place; the lines after the header, to
//! `NNNN`, the text.

use crate::tree::line_paragraphs_of;
use crate::{Body, Document, Format, Item, apply_headline_signal, nonblank};

/// The characters that mark a header line of a `ZCZC` transmission.
const MARKS: &[u8] = b"%#$:&*@^=+~";

/// Field lines read at most before `TX#`.
const MAX_FIELDS: usize = 64;

/// Whether a decoded text (the sniffed prefix of a delivery) is a `ZCZC` transmission
/// with marked header lines, one of them a headline, and text after them.
pub fn looks_marked(text: &str) -> bool {
    marked_fields(text)
        .is_some_and(|(fields, body)| headline_of(&fields).is_some() && !body.trim().is_empty())
}

/// The marked header fields (mark, value) of a `ZCZC` transmission and the text after
/// them; `None` when the text is not one (no `ZCZC` first line, or fewer than two marked
/// lines before the text).
fn marked_fields(text: &str) -> Option<(Vec<(u8, &str)>, &str)> {
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    let first = rest.lines().next()?;
    let word = first.split_whitespace().next()?;
    if !word.eq_ignore_ascii_case("ZCZC") || first.split_whitespace().count() > 3 {
        return None;
    }
    rest = &rest[first.len()..];
    let mut fields = Vec::new();
    loop {
        let trimmed = rest.trim_start_matches(['\r', '\n']);
        let line = trimmed.lines().next().unwrap_or("");
        let b = line.as_bytes();
        match b {
            [m, next, ..]
                if MARKS.contains(m) && !next.is_ascii_whitespace() && fields.len() < MAX_FIELDS =>
            {
                fields.push((*m, line[1..].trim()));
                rest = &trimmed[line.len()..];
            }
            _ => {
                rest = trimmed;
                break;
            }
        }
    }
    (fields.len() >= 2).then_some((fields, rest))
}

/// The headline among marked fields: the `^` field, else the first that reads as one.
fn headline_of<'a>(fields: &[(u8, &'a str)]) -> Option<&'a str> {
    let reads_as_headline = |v: &str| {
        v.split_whitespace().count() >= 3
            && v.chars().any(char::is_lowercase)
            && !v.starts_with('(')
            && !v.contains('\\')
    };
    fields
        .iter()
        .find(|(m, v)| *m == b'^' && !v.is_empty())
        .or_else(|| fields.iter().find(|(_, v)| reads_as_headline(v)))
        .map(|(_, v)| *v)
}

/// Reads a `ZCZC` transmission with marked header lines (see the module docs).
fn read_marked(fields: &[(u8, &str)], body: &str) -> Document {
    let mut it = Item {
        headline: headline_of(fields).map(str::to_string),
        ..Item::default()
    };
    let token = |v: &str| {
        (3..=40).contains(&v.len())
            && !v.contains([' ', '\\', '(', ')'])
            && v.chars().any(char::is_alphabetic)
    };
    it.slugline = fields
        .iter()
        .find(|(_, v)| token(v) && Some(*v) != it.headline.as_deref())
        .map(|(_, v)| v.to_string());
    it.located = fields.iter().find_map(|(_, v)| {
        let place = v.strip_prefix('(')?.strip_suffix(')')?.trim();
        (!place.is_empty()
            && !place.chars().any(char::is_lowercase)
            && place.chars().any(char::is_alphabetic))
        .then(|| place.to_string())
    });
    // The text ends at the end-of-message line.
    let mut end = 0;
    for line in body.split_inclusive('\n') {
        if line.trim().eq_ignore_ascii_case("NNNN") {
            break;
        }
        end += line.len();
    }
    let paras = line_paragraphs_of(&body[..end]);
    let mut problems = Vec::new();
    if paras.is_empty() {
        it.incomplete = Some("the transmission carries no text after its header, only its headline".into());
    } else {
        it.body = Body::Text(paras.join("\n\n"));
    }
    if it.headline.is_none() && paras.is_empty() {
        problems.push("ZCZC transmission states neither a headline nor a text".to_string());
    }
    document(it, problems)
}

/// The document of one item read from either layout: no item when there are problems.
fn document(mut it: Item, problems: Vec<String>) -> Document {
    apply_headline_signal(&mut it);
    let items = if problems.is_empty() { vec![it] } else { Vec::new() };
    Document {
        format: Format::Tagged,
        items,
        problems,
    }
}

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

/// Reads a tagged-field transmission (see [`looks_like`] and [`looks_marked`]).
pub fn read(text: &str) -> Document {
    if let Some((fields, body)) = marked_fields(text) {
        return read_marked(&fields, body);
    }
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
    document(it, problems)
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
    fn marked_header_lines_are_read_by_what_they_hold() {
        let t = "ZCZC AAP\r\n%A\r\n#Legionella_BC1\r\n$Legionella found in Qld hospital\r\n:(BRISBANE)\r\n\
                 &AAPIS\\Huttonc\r\n*07000000\r\n@QLD\r\nLegionella bacteria has been found in a hospital.\r\n\r\n\
                 \x20  Routine testing returned positive results.\r\n\r\nAAP RTV\r\nNNNN\r\n";
        assert!(looks_marked(t));
        let d = read(t);
        let it = &d.items[0];
        assert_eq!(it.headline.as_deref(), Some("Legionella found in Qld hospital"));
        assert_eq!(it.slugline.as_deref(), Some("Legionella_BC1"));
        assert_eq!(it.located.as_deref(), Some("BRISBANE"));
        assert_eq!(
            it.body,
            Body::Text(
                "Legionella bacteria has been found in a hospital.\n\nRoutine testing returned positive results.\n\nAAP RTV"
                    .into()
            )
        );
        // The other services' marks: '^' is the headline even before a field that reads as one.
        let t =
            "ZCZC\n$A\n:Budget\n^Treasurer hands down budget\n=2nd take on the budget day\nThe text.\nNNNN";
        let it = read(t).items.remove(0);
        assert_eq!(it.headline.as_deref(), Some("Treasurer hands down budget"));
        assert_eq!(it.slugline.as_deref(), Some("Budget"));
    }

    #[test]
    fn only_a_tagged_transmission_is_one() {
        for text in [
            // Plain text, an ANPA-like ZCZC header, a tag line without a headline or text.
            "zczc is how the old telex messages began, and this text says so.\nTI#no",
            "ZCZC AAP\n%A\n#Legionella_BC1\n$Legionella found in Qld hospital\n",
            "ZCZC AAP\n%A\n#Legionella_BC1\n:(BRISBANE)\nA text but no headline field.\n",
            "zczc\nAN#1\nKN#News Bites\nTX#\nText.",
            "Headline\n\nTI#Text that mentions a tag.\nTX#",
        ] {
            assert!(!looks_like(text.as_bytes()) && !looks_marked(text), "{text}");
        }
        // A headline and no text: an item marked as such; neither: no item, said why.
        let d = read("zczc\nTI#Results due\nTX#\n");
        assert!(d.items[0].incomplete.is_some() && d.items[0].body.is_blank());
        let d = read("zczc\nAN#1\nTX#\n");
        assert!(d.items.is_empty() && d.problems[0].contains("neither"), "{d:?}");
    }
}
