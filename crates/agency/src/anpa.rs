//! ANPA 1312 and IPTC 7901 transmissions (AP, dpa and others), which no maintained crate
//! reads.
//!
//! Layout: `SOH`, a header (service and selector codes; priority, category and the
//! keyword or slug line with its version and `MM-DD` date on AP's wire, a `Topic/sub/`
//! keyword line on dpa's), `STX`, the text, `ETX`, a trailer, `EOT`. In the text:
//! - AP marks heading lines with `^` and ends lines with `<` (or `=` for byline lines):
//!   the keyword line again (`^BC-US--Giant Lobster Death, 1st Ld-Writethru,127<`), the
//!   headline, photo notes, `^Eds:` notes, the byline; paragraphs start with a tab.
//! - IPTC 7901 (dpa) puts version words (`REFILE`, `1ST LEAD`, `EXTRA`), the headline and
//!   the byline in the first lines, the last of them ending in ` =`; paragraphs are
//!   separated by blank lines and hard-wrapped.
//!
//! Versions: `Writethru`, `n-th Ld` (version n+1), `REFILE`, `n-TH LEAD` are updates,
//! `Correction`/`Corrects` corrections, `Kill`/`Elimination`/`Withdrawal` withdrawals.
//! Identity is `urn:anpa:<keyword>:<MM-DD>` when the header gives both (writethrus of a
//! story keep keyword and date), else none (the caller falls back to the file). A
//! transmission without `ETX` was cut short: its item is marked
//! [`Item::incomplete`](crate::Item::incomplete).

use crate::tree::collapse;
use crate::{Body, Document, Format, Item, PubStatus, Signal};
use wirefold_extract::{line_paragraphs, widest_line};

const SOH: char = '\u{1}';
const STX: char = '\u{2}';
const ETX: char = '\u{3}';
const EOT: char = '\u{4}';

/// Whether bytes look like an ANPA / IPTC 7901 transmission: `SOH` in the first bytes
/// (after optional `SYN` or `DEL` fill) and `STX` soon after.
pub fn looks_like(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64)];
    let Some(soh) = head.iter().position(|&b| b == 0x01) else {
        return false;
    };
    // SYN or DEL fill, line ends (SDA's transmissions open with DEL, CR LF, DEL).
    head[..soh]
        .iter()
        .all(|&b| b == 0x16 || b == 0x7f || b.is_ascii_whitespace())
        && bytes[soh..bytes.len().min(soh + 4096)].contains(&0x02)
}

/// Whether a text is an AP transmission whose control characters were stripped on the
/// way (a mail or file gateway): a header line with a `BC-` or `--` keyword and an `MM-DD`
/// date, then, within the next lines, the `^` keyword line ending in `<`. Both must be
/// there: a `^` or a date alone is ordinary text. A header of the full ANPA shape
/// (priority and category letters, keyword, `MM-DD`, four-digit word count: "r e
/// AP-Top-Entertainment-Hea 02-09 0121") may have any keyword; a `^` line ending in `<`
/// must still follow.
pub fn looks_stripped(text: &str) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(12)
        .collect();
    // IPTC 7901 (dpa): its header line, then the heading lines, the last ending in '='.
    if lines.first().is_some_and(|l| header_7901(l)) && lines[1..].iter().take(8).any(|l| l.ends_with('=')) {
        return true;
    }
    let Some((h, full)) = lines.iter().enumerate().find_map(|(i, l)| {
        let words: Vec<&str> = l.split_whitespace().collect();
        if full_header(&words) {
            Some((i, true))
        } else {
            (words.iter().any(|w| is_mm_dd(w))
                && words.iter().any(|w| w.starts_with("BC-") || w.contains("--")))
            .then_some((i, false))
        }
    }) else {
        return false;
    };
    lines[h + 1..].iter().any(|l| {
        l.strip_prefix('^').is_some_and(|k| {
            let first = k.split(',').next().unwrap_or_default();
            (full || first.starts_with("BC-") || first.contains("--")) && k.trim_end().ends_with('<')
        })
    })
}

/// An IPTC 7901 header line as dpa and SDA send it: service letters and a number, the
/// priority, category letters, the word count ("eca0003 3 i 380  dpa 0045", "bsf037 4 su
/// 174 gef 1388").
fn header_7901(line: &str) -> bool {
    let w: Vec<&str> = line.split_whitespace().collect();
    let letters = w
        .first()
        .map_or(0, |id| id.bytes().take_while(u8::is_ascii_alphabetic).count());
    w.len() >= 4
        && letters >= 1
        && letters < w[0].len()
        && w[0].bytes().skip(letters).all(|b| b.is_ascii_digit())
        && w[1].len() == 1
        && w[1].bytes().all(|b| b.is_ascii_alphanumeric())
        && (1..=3).contains(&w[2].len())
        && w[2].bytes().all(|b| b.is_ascii_alphabetic())
        && w[3].bytes().all(|b| b.is_ascii_digit())
}

/// Where the text of an IPTC 7901 transmission stripped of its control characters starts:
/// after its header line and the keyword lines under it (`Topic/sub/`).
fn text_start_7901(text: &str) -> Option<usize> {
    let mut at = 0;
    let mut header = false;
    for line in text.split_inclusive('\n') {
        let l = line.trim();
        if !l.is_empty() {
            if !header {
                header = header_7901(l);
                if !header {
                    return None;
                }
            } else if !is_keyword_path(l) {
                return Some(at);
            }
        }
        at += line.len();
    }
    None
}

/// A 7901 keyword line: topics joined by '/' and ending in one ("Switzerland/migration/UN/",
/// "/politics/Britain/EU/").
fn is_keyword_path(l: &str) -> bool {
    l.ends_with('/') && !l.contains(' ')
}

/// An ANPA header line of the full shape: priority and category letters, keyword, `MM-DD`
/// date, four-digit word count ("r e AP-Top-Entertainment-Hea 02-09 0121").
fn full_header(w: &[&str]) -> bool {
    let letter = |x: &str| x.len() == 1 && x.bytes().all(|b| b.is_ascii_alphabetic());
    w.len() == 5
        && letter(w[0])
        && letter(w[1])
        && is_mm_dd(w[3])
        && w[4].len() == 4
        && w[4].bytes().all(|b| b.is_ascii_digit())
}

fn clean(line: &str) -> String {
    line.chars()
        .filter(|c| *c == '\t' || !c.is_control())
        .collect::<String>()
}

/// Version from a label such as "1st Ld-Writethru", "2nd Ld", "1ST LEAD", "Writethru".
fn version_label(label: &str) -> Option<(Option<u64>, Signal)> {
    let l = label.to_ascii_lowercase();
    let l = l.trim();
    if l.is_empty() {
        return None;
    }
    if ["correction", "corrects", "corrected", "correcting"]
        .iter()
        .any(|w| l.contains(w))
    {
        return Some((None, Signal::Correction));
    }
    let nth = l
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find_map(|w| {
            let d: String = w.chars().take_while(char::is_ascii_digit).collect();
            let suffix = &w[d.len()..];
            (!d.is_empty() && ["st", "nd", "rd", "th"].contains(&suffix)).then(|| d.parse::<u64>().ok())
        })
        .flatten();
    let lead = l.contains("ld") && (l.contains("writethru") || nth.is_some()) || l.contains("lead");
    if lead {
        return Some((nth.map(|n| n + 1).or(Some(2)), Signal::Update));
    }
    if l.contains("writethru") || l.contains("refile") || l.contains("update") || l.contains("sub ") {
        return Some((nth.map(|n| n + 1), Signal::Update));
    }
    None
}

fn is_kill(label: &str) -> bool {
    let l = label.to_ascii_lowercase();
    ["kill", "elimination", "withdraw", "mandatory outs"]
        .iter()
        .any(|w| l.contains(w))
}

/// Version words that IPTC 7901 senders put on lines of their own.
fn is_version_line(l: &str) -> bool {
    let u = l.trim().to_ascii_uppercase();
    matches!(
        u.as_str(),
        "REFILE"
            | "EXTRA"
            | "URGENT"
            | "FLASH"
            | "BULLETIN"
            | "CORRECTION"
            | "CORRECTED"
            | "UPDATE"
            | "SUMMARY"
    ) || u.ends_with(" LEAD") && u.split_whitespace().count() <= 3
        // A take label: an ordinal and a word ("3RD NET", "2ND ADD").
        || u.split_whitespace().count() == 2
            && u == l.trim()
            && u.split_whitespace().next().is_some_and(|w| {
                let d = w.bytes().take_while(u8::is_ascii_digit).count();
                d > 0 && ["ST", "ND", "RD", "TH"].contains(&&w[d..])
            })
        || u.contains("WRITETHRU")
        || is_kill(&u) && u.split_whitespace().count() <= 3
}

/// Reads a transmission; never fails (what cannot be read is marked incomplete).
pub fn read(text: &str) -> Document {
    let mut it = Item::default();
    let soh = text.find(SOH).map_or(0, |i| i + 1);
    let after = &text[soh..];
    let (header, rest, framed) = match after.find(STX) {
        Some(i) => (&after[..i], Some(&after[i + 1..]), true),
        // No framing at all (stripped on the way): the text starts at the first `^` line,
        // and nothing tells whether it arrived whole.
        None => match (soh == 0 && looks_stripped(text))
            .then(|| first_caret_line(after).or_else(|| text_start_7901(after)))
            .flatten()
        {
            Some(i) => (&after[..i], Some(&after[i..]), false),
            None => (after, None, true),
        },
    };
    let (body_part, cut) = match rest {
        // Without `ETX`, AP's trailer line ("AP-WF-08-29-16 1626GMT") ends the text.
        Some(r) if !framed => (
            r.rfind("AP-")
                .filter(|&t| is_trailer(&r[t..]))
                .map_or(r, |t| &r[..t]),
            false,
        ),
        Some(r) => match r.find(ETX) {
            Some(e) => (&r[..e], false),
            None => (r.split(EOT).next().unwrap_or(r), true),
        },
        None => ("", true),
    };
    // Header: AP's keyword line carries the date and word count; dpa's keyword ends in '/'.
    let mut date: Option<String> = None;
    let mut keyword: Option<String> = None;
    let mut iptc7901 = false;
    for (k, line) in header
        .lines()
        .map(clean)
        .filter(|l| !l.trim().is_empty())
        .enumerate()
    {
        let l = line.trim();
        if k == 0 && header_7901(l) {
            iptc7901 = true;
            continue;
        }
        let words: Vec<&str> = l.split_whitespace().collect();
        if let Some(i) = words.iter().position(|w| is_mm_dd(w)) {
            // The keyword: a `BC-` or `--` word, or the third word of a header of the full
            // shape ("r e AP-Top-Entertainment-Hea 02-09 0121").
            let kw = words
                .iter()
                .find(|w| w.contains("--") || w.starts_with("BC-"))
                .or_else(|| full_header(&words).then(|| &words[2]));
            if let Some(kw) = kw {
                keyword = Some(kw.to_string());
                let label = words[..i]
                    .iter()
                    .skip_while(|w| *w != kw)
                    .skip(1)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                apply_label(&mut it, &label);
            }
            date = Some(words[i].to_string());
        } else if is_keyword_path(l) {
            it.slugline = Some(l.trim_matches('/').to_string());
        } else if iptc7901 && it.slugline.is_none() && l.chars().count() <= 80 {
            // SDA's keyword line under a 7901 header is words ("Notes de frais GE").
            it.slugline = Some(l.to_string());
        }
    }
    let lines: Vec<String> = body_part.lines().map(clean).collect();
    let caret = lines.iter().any(|l| l.starts_with('^'));
    let mut head_lines: Vec<String> = Vec::new();
    let mut i = 0;
    if caret {
        while i < lines.len() {
            let l = &lines[i];
            if l.trim().is_empty() {
                i += 1;
                continue;
            }
            let Some(h) = l.strip_prefix('^') else { break };
            if h.len() > 240 {
                // A closed caret line this long is the story's summary (AP's), not a
                // heading; an open one is text.
                match h.trim_end().strip_suffix('<') {
                    Some(summary) if it.description_text.is_none() => {
                        it.description_text = Some(dashes(&collapse(summary)));
                        i += 1;
                        continue;
                    }
                    _ => break,
                }
            }
            // One line may hold several caret fields ("^*9006< ^AP-Top-...,0176<"); a
            // field of a `*` code is a routing selector, not a heading.
            for f in h.split(" ^").map(str::trim) {
                if !f.starts_with('*') {
                    head_lines.push(f.to_string());
                }
            }
            i += 1;
        }
    } else {
        // IPTC 7901: heading lines up to the first one ending in '=' within the first few.
        let nonblank: Vec<usize> = (0..lines.len())
            .filter(|&k| !lines[k].trim().is_empty())
            .take(8)
            .collect();
        // Kyodo ends its headline with '+' instead, under the keyword line.
        let end = nonblank
            .iter()
            .copied()
            .find(|&k| lines[k].trim_end().ends_with('='))
            .or_else(|| {
                nonblank
                    .iter()
                    .take(3)
                    .copied()
                    .find(|&k| lines[k].trim_end().ends_with('+') && !lines[k].starts_with([' ', '\t']))
            });
        match end {
            Some(e) => {
                // A note in parentheses may run over several lines ("(Berichtigung: In
                // einer früheren Version ...\n... 1997.)"): one heading line.
                let mut open: Option<String> = None;
                for l in lines[..=e].iter().filter(|l| !l.trim().is_empty()) {
                    match open.take() {
                        Some(mut note) => {
                            note.push(' ');
                            note.push_str(l.trim());
                            if l.trim_end().trim_end_matches(['=', ' ']).ends_with(')') {
                                head_lines.push(note);
                            } else {
                                open = Some(note);
                            }
                        }
                        None if l.trim_start().starts_with('(') && !l.contains(')') => {
                            open = Some(l.trim().to_string());
                        }
                        None => head_lines.push(l.clone()),
                    }
                }
                head_lines.extend(open);
                if let Some(last) = head_lines.last_mut()
                    && let Some(h) = last.trim_end().strip_suffix('+')
                {
                    *last = h.to_string();
                }
                i = e + 1;
            }
            None => {
                if let Some(&f) = nonblank.first()
                    && lines[f].len() < 200
                    && !lines[f].starts_with([' ', '\t'])
                {
                    head_lines.push(lines[f].clone());
                    i = f + 1;
                }
            }
        }
    }
    let mut extra = Vec::new();
    for h in head_lines {
        let h = h.trim().trim_end_matches(['<', '=']).trim().to_string();
        if h.is_empty() {
            continue;
        }
        let lower = h.to_ascii_lowercase();
        // "Eds: ..." or, in parentheses, "(Eds: ...)".
        let bare = h
            .strip_prefix('(')
            .and_then(|b| b.strip_suffix(')'))
            .unwrap_or(&h);
        if let Some(note) = bare
            .strip_prefix("Eds:")
            .or_else(|| bare.strip_prefix("EDS:"))
            .or_else(|| bare.strip_prefix("Eds."))
        {
            it.ednote = Some(note.trim().to_string());
            // Only an upper-case order withdraws ("Eds: KILL", "ELIMINATION"), not a note
            // that mentions a killing.
            if note
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|w| matches!(w, "KILL" | "KILLED" | "ELIMINATION" | "WITHDRAWAL" | "WITHDRAWN"))
            {
                it.pubstatus = Some(PubStatus::Canceled);
            }
        } else if !caret && bare.len() < h.len() {
            // A note in parentheses on dpa's wire: a priority mark ("(Eil)"), a correction
            // notice ("(Berichtigung: ...)", "(KORR-Bericht)") or a note to editors
            // ("(Foto Produktion)"): never the headline.
            let note = collapse(bare);
            let lower = note.to_lowercase();
            if lower.starts_with("berichtigung") || lower.starts_with("korr") || lower.starts_with("correct")
            {
                it.signal = Some(Signal::Correction);
            }
            if !(lower.is_empty() || lower == "eil" || lower == "blitz") {
                match it.ednote.as_mut() {
                    Some(n) => {
                        n.push_str("; ");
                        n.push_str(&note);
                    }
                    None => it.ednote = Some(note),
                }
            }
        } else if keyword_line(&h, keyword.as_deref()) {
            // "BC-US--Giant Lobster Death, 1st Ld-Writethru,127": keyword, version, words.
            let mut parts = h.split(',').map(str::trim);
            let kw = parts.next().unwrap_or_default();
            keyword = Some(kw.to_string());
            it.slugline = Some(kw.to_string());
            let label: Vec<&str> = parts.filter(|p| !p.chars().all(|c| c.is_ascii_digit())).collect();
            apply_label(&mut it, &label.join(" "));
        } else if !caret && is_version_line(&h) {
            apply_label(&mut it, &h);
            if it.signal.is_none() && h.eq_ignore_ascii_case("REFILE") {
                it.signal = Some(Signal::Update);
            }
        } else if lower.starts_with("by ") || !caret && it.headline.is_some() && lower.starts_with("von ") {
            // ("Von Marco Krefting und Sunrita Sen, dpa" under a dpa headline.)
            it.byline = Some(h);
        } else if lower.starts_with("ap photo")
            || lower.starts_with("with ap photo")
            || lower.starts_with("photo")
        {
        } else if it.headline.is_none() {
            it.headline = Some(collapse(&h));
        } else if let Some(head) = it.headline.as_mut().filter(|hl| {
            !caret
                && it.byline.is_none()
                && (hl.ends_with([':', ',', '-']) || h.starts_with(char::is_lowercase))
        }) {
            // A 7901 headline run over two lines ("Notes de frais GE:\nL'affaire ... =").
            head.push(' ');
            head.push_str(&collapse(&h));
        } else if let Some(by) = it
            .byline
            .as_mut()
            .filter(|b| !b.contains(',') && !b.ends_with("Press") && affiliation(&h))
        {
            // An affiliation line under the byline ("AP Sports Writer"), joined as NITF's
            // byline reads: "By CHARLES ODUM, AP Sports Writer".
            by.push_str(", ");
            by.push_str(&collapse(&h));
        } else if it.byline.is_some() {
        } else {
            extra.push(h);
        }
    }
    if let Some(h) = &it.headline {
        let (sig, status) = crate::headline_signal(h);
        it.signal = it.signal.or(sig);
        if status.is_some() {
            it.pubstatus = status;
        }
    }
    // Body: a paragraph starts after a blank line or at an indented line; within one, lines
    // are joined where the text was wrapped (see `wirefold_extract::line_paragraphs`).
    let mut paras: Vec<String> = extra;
    let mut body: Vec<&str> = Vec::new();
    for l in &lines[i..] {
        // dpa's notepad closes the text (`# Notizblock`, `# Notebook` on its English
        // service): desk information, part of it marked not for publication.
        if !caret
            && ["# Notizblock", "# Notebook"]
                .iter()
                .any(|n| l.trim().eq_ignore_ascii_case(n))
        {
            break;
        }
        body.push(l);
    }
    let width = widest_line(body.iter().copied());
    let mut block: Vec<&str> = Vec::new();
    for l in body {
        let t = l.trim_end().trim_end_matches('<');
        if t.trim().is_empty() || l.starts_with('\t') || l.starts_with("   ") {
            paras.extend(line_paragraphs(block.drain(..), width));
        }
        if !t.trim().is_empty() {
            block.push(t.trim_start_matches('^'));
        }
    }
    paras.extend(line_paragraphs(block, width));
    if !paras.is_empty() {
        it.body = Body::Text(dashes(&paras.join("\n\n")));
    }
    if it.slugline.is_none() {
        it.slugline = keyword.clone();
    }
    if let (Some(k), Some(d)) = (&keyword, &date) {
        let k: String = k
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        it.uri = Some(format!("urn:anpa:{k}:{d}"));
    }
    let mut problems = Vec::new();
    if cut {
        it.incomplete = Some(if rest.is_none() {
            "anpa transmission cut short: no start-of-text (STX) mark".into()
        } else {
            "anpa transmission cut short: no end-of-text (ETX) mark".into()
        });
    }
    let items = if it.body.is_blank() && it.pubstatus != Some(PubStatus::Canceled) {
        problems.push(match &it.incomplete {
            Some(why) => format!("{why}, and no text arrived"),
            None => "anpa transmission holds no text".into(),
        });
        Vec::new()
    } else {
        vec![it]
    };
    Document {
        format: Format::Anpa,
        items,
        problems,
    }
}

fn apply_label(it: &mut Item, label: &str) {
    if is_kill(label) {
        it.pubstatus = Some(PubStatus::Canceled);
    }
    if let Some((v, s)) = version_label(label) {
        if v.is_some() {
            it.version = v;
        }
        if it.signal != Some(Signal::Correction) {
            it.signal = Some(s);
        }
    }
}

/// Whether `rest` starts with AP's trailer line ("AP-WF-08-29-16 1626GMT<") and nothing
/// but blanks follows it.
fn is_trailer(rest: &str) -> bool {
    let mut lines = rest.lines();
    let first = lines.next().unwrap_or_default().trim().trim_end_matches('<');
    first.starts_with("AP-")
        && first.ends_with("GMT")
        && first.len() < 40
        && lines.all(|l| l.trim().is_empty())
}

/// Byte offset of the first line that starts with `^` (after blanks).
fn first_caret_line(text: &str) -> Option<usize> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with('^') {
            return Some(at + (line.len() - line.trim_start().len()));
        }
        at += line.len();
    }
    None
}

fn is_mm_dd(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 5 && b[2] == b'-' && b[..2].iter().chain(&b[3..]).all(u8::is_ascii_digit)
}

/// Whether a heading line is the keyword line ("BC-US--Giant Lobster Death, ...").
fn keyword_line(h: &str, keyword: Option<&str>) -> bool {
    let first = h.split(',').next().unwrap_or("").trim();
    if first.contains("--") && !first.contains("  ") && first.len() < 80 {
        return true;
    }
    keyword.is_some_and(|k| {
        let squeeze = |s: &str| {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
        };
        let (a, b) = (squeeze(first), squeeze(k));
        !b.is_empty() && (a.starts_with(&b) || b.starts_with(&a)) && a.len() >= 6
    })
}

/// ANPA's character set has no dash: AP writes one as a spaced underscore ("ATLANTA (AP)
/// _ Luol Deng ...", "season highs _ and", a standings row's "Boston 66 59 .528 _"). Read
/// as the em dash it stands for, so that the dateline is recognised and the text reads as
/// printed.
fn dashes(text: &str) -> String {
    let mut out = text.replace(" _ ", " \u{2014} ").replace(" _\n", " \u{2014}\n");
    if out.ends_with(" _") {
        out.truncate(out.len() - 1);
        out.push('\u{2014}');
    }
    out
}

/// Whether a line under a byline is the writer's affiliation ("AP Sports Writer",
/// "Associated Press"), not a heading of the text.
fn affiliation(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    line.len() <= 60
        && [
            "writer",
            "press",
            "correspondent",
            "editor",
            "reporter",
            "columnist",
        ]
        .iter()
        .any(|w| l.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AP: &str = "\u{16}\u{16}\u{1}G7787\u{1f}glbsm\r\nr d\u{13}\u{11} BC-US--GiantLobsterDeath 1stLd-Writethru   08-29 0590\r\n\u{2}^BC-US--Giant Lobster Death, 1st Ld-Writethru,127<\r\n^$210 lobster is found dead<\r\n^Eds: APNewsNow. Changes short headline.<\r\n^By JANE DOE=\r\n^Associated Press=\r\n\t   CHATHAM, Mass. (AP) _ A lobster died.\r\n\r\n\t   It was large.<\r\n\u{3}AP-WF-08-29-16 1626GMT<\r\n\u{4}";

    #[test]
    fn a_transmission_stripped_of_its_control_characters_reads_the_same() {
        let stripped: String = AP
            .chars()
            .filter(|c| *c == '\t' || *c == '\n' || !c.is_control())
            .collect();
        assert!(!looks_like(stripped.as_bytes()) && looks_stripped(&stripped));
        let (a, b) = (read(AP), read(&stripped));
        let (a, b) = (&a.items[0], &b.items[0]);
        assert_eq!(b.headline.as_deref(), Some("$210 lobster is found dead"));
        assert_eq!(
            (&b.uri, b.version, &b.byline, &b.ednote),
            (&a.uri, a.version, &a.byline, &a.ednote)
        );
        assert_eq!(b.incomplete, None);
        assert_eq!(b.body, a.body, "the same text, without the trailer line");
        let paren = read(&AP.replace(
            "^Eds: APNewsNow. Changes short headline.<",
            "^(Eds: APNewsNow. Changes short headline.)<",
        ));
        assert_eq!(paren.items[0].ednote, a.ednote);
        // A caret or a date alone is ordinary text.
        assert!(!looks_stripped(
            "Markets 11-24 close\n^ up 2% on the day<\nMore text."
        ));
        assert!(!looks_stripped(
            "BC-US--Talks 11-24 0412\nNo caret line follows.\n"
        ));
        // A header of the full ANPA shape with a keyword of another form.
        let top = "V4644-----\nr e AP-Top-Entertainment-Hea     02-09 0121\n^*9006< ^AP-Top-Entertainment-Headlines,0176<\n\
                   ^AP Top Entertainment News at 11:23 p.m. EST<\n^Ex-bodyguard testifies<\n^Nielsen's top programs<\n";
        assert!(looks_stripped(top));
        assert!(!looks_stripped(
            "r e Something 02-09 0121\nNo caret line follows.\n"
        ));
        let framed = format!("\u{16}\u{16}\u{1}{}", top.replacen("\n^", "\n\u{2}^", 1));
        assert!(looks_like(framed.as_bytes()));
        for t in [top.to_string(), framed] {
            let it = read(&t).items.remove(0);
            assert_eq!(
                it.headline.as_deref(),
                Some("AP Top Entertainment News at 11:23 p.m. EST")
            );
            assert_eq!(it.slugline.as_deref(), Some("AP-Top-Entertainment-Headlines"));
            assert!(
                matches!(&it.body, Body::Text(b) if b.starts_with("Ex-bodyguard testifies")),
                "{:?}",
                it.body
            );
        }
    }

    #[test]
    fn ap_writethru() {
        assert!(looks_like(AP.as_bytes()));
        let d = read(AP);
        let it = &d.items[0];
        assert_eq!(it.headline.as_deref(), Some("$210 lobster is found dead"));
        assert_eq!(it.slugline.as_deref(), Some("BC-US--Giant Lobster Death"));
        assert_eq!(it.ednote.as_deref(), Some("APNewsNow. Changes short headline."));
        assert_eq!(it.byline.as_deref(), Some("By JANE DOE, Associated Press"));
        assert_eq!((it.version, it.signal), (Some(2), Some(Signal::Update)));
        assert_eq!(it.uri.as_deref(), Some("urn:anpa:bc-us--giantlobsterdeath:08-29"));
        assert_eq!(
            it.body,
            Body::Text("CHATHAM, Mass. (AP) \u{2014} A lobster died.\n\nIt was large.".into())
        );
        assert_eq!(it.incomplete, None);
        // Cut mid-transmission: the item is kept, marked incomplete.
        let cut = read(&AP[..AP.find("It was").unwrap()]);
        assert!(cut.items[0].incomplete.as_deref().unwrap().contains("ETX"));
        assert!(matches!(&cut.items[0].body, Body::Text(t) if t.starts_with("CHATHAM")));
        // Cut before any text: no item, a problem.
        let empty = read(&AP[..AP.find('\u{2}').unwrap()]);
        assert!(
            empty.items.is_empty() && empty.problems[0].contains("STX"),
            "{:?}",
            empty.problems
        );
    }

    #[test]
    fn kills_are_orders_not_mentions() {
        let kill = AP.replace(
            "^Eds: APNewsNow. Changes short headline.<",
            "^Eds: KILL. The story is withdrawn.<",
        );
        assert_eq!(read(&kill).items[0].pubstatus, Some(PubStatus::Canceled));
        let mention = AP.replace(
            "^Eds: APNewsNow. Changes short headline.<",
            "^Eds: Updates with the kill of a suspect.<",
        );
        assert_eq!(read(&mention).items[0].pubstatus, None);
    }

    #[test]
    fn iptc7901_lead() {
        let t = "\u{1}eca0003 3 i 380  dpa 0045\r\n\r\nSwitzerland/migration/UN/\r\n\u{2}REFILE\n1ST LEAD\nSwitzerland joins list\nBy dpa correspondents =\r\n\r\nGeneva (dpa) - Switzerland is joining a growing number of countries\r\nthat refuse to sign the list.\r\n\r\nSecond para.\r\n\u{3}";
        let d = read(t);
        let it = &d.items[0];
        assert_eq!(it.headline.as_deref(), Some("Switzerland joins list"));
        assert_eq!(it.byline.as_deref(), Some("By dpa correspondents"));
        assert_eq!(it.slugline.as_deref(), Some("Switzerland/migration/UN"));
        assert_eq!((it.version, it.signal), (Some(2), Some(Signal::Update)));
        assert_eq!(
            it.body,
            Body::Text(
                "Geneva (dpa) - Switzerland is joining a growing number of countries that refuse to sign the list.\n\nSecond para."
                    .into()
            )
        );
        assert_eq!(it.uri, None);
    }

    #[test]
    fn iptc7901_without_control_characters_with_fill_or_with_other_heading_marks() {
        // dpa's 7901 as a mail gateway delivers it: no SOH/STX/ETX, the header line, the
        // keyword path, take labels, the headline, the byline ending in '='.
        let t = "eca00075 3 i 510    dpa 1003\n\n/politics/Britain/EU/\n2ND LEAD\n3RD NET\n\
                 Top EU court: Britain can reverse Brexit\nBy Jane Doe, dpa  =\n \n\
                 Luxembourg (dpa) - Britain could unilaterally decide not to leave the\n\
                 European Union, the bloc's top court ruled on Monday.\n\nSecond para.\n";
        assert!(looks_stripped(t));
        let it = read(t).items.remove(0);
        assert_eq!(
            it.headline.as_deref(),
            Some("Top EU court: Britain can reverse Brexit")
        );
        assert_eq!(it.byline.as_deref(), Some("By Jane Doe, dpa"));
        assert_eq!(it.slugline.as_deref(), Some("politics/Britain/EU"));
        assert_eq!((it.version, it.signal), (Some(3), Some(Signal::Update)));
        assert_eq!(
            it.body,
            Body::Text(
                "Luxembourg (dpa) - Britain could unilaterally decide not to leave the European Union, the bloc's top court ruled on Monday.\n\nSecond para."
                    .into()
            )
        );
        // A header line alone, or a '=' line without one, is ordinary text.
        assert!(!looks_stripped(
            "eca00075 3 i 510 dpa 1003\nNo heading follows.\n"
        ));
        assert!(!looks_stripped("Results\nA 2 = B 2 =\nMore.\n"));
        // SDA: DEL fill before SOH, a keyword line in the header, a headline over two lines.
        let t = "\u{7f}\r\n\u{7f}\u{1}bsf037 4 su 174 gef 1388\r\n\r\nNotes de frais GE\r\n\
                 \u{2}Notes de frais GE: \r\nL'affaire a marqué l'exécutif = \r\n\r\n\
                 Genève (ats) Le scandale a provoqué un séisme.\r\n\u{3}211005 jan 19";
        assert!(looks_like(t.as_bytes()));
        let it = read(t).items.remove(0);
        assert_eq!(
            it.headline.as_deref(),
            Some("Notes de frais GE: L'affaire a marqué l'exécutif")
        );
        assert_eq!(it.slugline.as_deref(), Some("Notes de frais GE"));
        assert_eq!(
            it.body,
            Body::Text("Genève (ats) Le scandale a provoqué un séisme.".into())
        );
        // Kyodo: the keyword line, the headline ending in '+', indented paragraphs.
        let t = "\u{1}a0105KYODO\u{1f}koko-\r\nu s\u{13}\u{11} BC-Soccer-Cup   09-12 0344\r\n\
                 \u{2}BC-Soccer-Cup\r\nSoccer: Urawa Reds claim the Cup+\r\n\
                 \x20    SAITAMA, Japan, Dec. 9 Kyodo - Urawa Reds claimed the Cup.\r\n\
                 \x20    They won 1-0.\r\n==Kyodo\r\n\u{3}";
        let it = read(t).items.remove(0);
        assert_eq!(it.headline.as_deref(), Some("Soccer: Urawa Reds claim the Cup"));
        assert_eq!(it.slugline.as_deref(), Some("BC-Soccer-Cup"));
        assert!(
            matches!(&it.body, Body::Text(b) if b.starts_with("SAITAMA, Japan, Dec. 9 Kyodo - Urawa")),
            "{:?}",
            it.body
        );
    }

    #[test]
    fn wrapped_lines_are_joined_and_rows_kept_apart() {
        // Prose wrapped at the wire's width is one paragraph; results and standings lines,
        // each ending well short of the width although the next word would have fitted,
        // stay lines; AP's "_" (no games behind) is a dash at a row's end too.
        let t = "\u{1}bdt0001 3 sp 120  dpa 0001\r\n\r\nFussball/Bundesliga/\r\n\u{2}Ergebnisse =\r\n\r\n\
                 Berlin (dpa) - Die Ergebnisse der Fussball-Bundesliga vom sechsten\r\n\
                 Spieltag am Wochenende und die Tabelle im Ueberblick nach allen\r\n\
                 neun Spielen.\r\n\r\n\
                 FC Augsburg - Bor. Moenchengladbach 2:1 (1:0)\r\n\
                 Bayer Leverkusen - Holstein Kiel 2:2 (2:1)\r\n\r\n\
                 Tabelle:\r\n1. Bayern Muenchen      6  4  2  0  20:7  14\r\n\
                 2. RB Leipzig           6  4  2  0   9:2  _\r\n\u{3}";
        let it = &read(t).items[0];
        assert_eq!(it.headline.as_deref(), Some("Ergebnisse"));
        assert_eq!(
            it.body,
            Body::Text(
                "Berlin (dpa) - Die Ergebnisse der Fussball-Bundesliga vom sechsten Spieltag am \
                 Wochenende und die Tabelle im Ueberblick nach allen neun Spielen.\n\n\
                 FC Augsburg - Bor. Moenchengladbach 2:1 (1:0)\n\nBayer Leverkusen - Holstein Kiel 2:2 (2:1)\n\n\
                 Tabelle:\n\n1. Bayern Muenchen 6 4 2 0 20:7 14\n\n2. RB Leipzig 6 4 2 0 9:2 \u{2014}"
                    .into()
            )
        );
    }

    #[test]
    fn dpa_notes_in_parentheses_are_no_headline_and_the_notepad_is_no_text() {
        let t = "\u{1}bdt0000 3 vm 831  dpa 0000\r\n\r\nGesundheit/Deutschland/\r\n\u{2}(Berichtigung: In einer\r\nfrüheren Version stand 1992.)\r\n(KORR-Bericht)\r\nMythos und Kommerz\r\nVon Marco Krefting, dpa\r\n(Foto Produktion) =\r\n\r\nWaghäusel (dpa) - Die meisten Kundinnen bestellen nur einmal, Rezensionen\r\ngibt es kaum.\r\n\r\n# Notizblock\r\n\r\nDie folgenden Informationen sind nicht zur Veröffentlichung bestimmt\r\nKontakt: +49 30 000\r\n\u{3}";
        let it = &read(t).items[0];
        assert_eq!(it.headline.as_deref(), Some("Mythos und Kommerz"));
        assert_eq!(it.byline.as_deref(), Some("Von Marco Krefting, dpa"));
        assert_eq!(it.signal, Some(Signal::Correction));
        assert_eq!(
            it.ednote.as_deref(),
            Some("Berichtigung: In einer früheren Version stand 1992.; KORR-Bericht; Foto Produktion")
        );
        assert_eq!(
            it.body,
            Body::Text(
                "Waghäusel (dpa) - Die meisten Kundinnen bestellen nur einmal, Rezensionen gibt es kaum."
                    .into()
            )
        );
        // A flash: the priority mark is no headline.
        let t = "\u{1}bdt0000 2 pl 41  dpa 0000\r\n\r\nPartei/Deutschland/\r\n\u{2}(Eil \u{7}\u{7})\r\nGrünen-Spitze tritt ab =\r\n\r\nBerlin (dpa) - Die Grünen-Spitze tritt ab.\r\n\u{3}";
        let it = &read(t).items[0];
        assert_eq!(it.headline.as_deref(), Some("Grünen-Spitze tritt ab"));
        assert_eq!(it.ednote, None);
        // The English service's notebook closes the text too.
        let t = "\u{1}bdt0000 3 spo 400  dpa 0000\r\n\r\nFootball/Germany/\r\n\u{2}Football mourns a striker legend\r\nBy Jane Roe, dpa =\r\n\r\nMunich (dpa) - Football generations past and present mourned on Wednesday.\r\n\r\n# Notebook\r\n\r\nThe following information is not intended for publication\r\nContact: +49 30 000\r\n\u{3}";
        let it = &read(t).items[0];
        assert_eq!(
            it.body,
            Body::Text("Munich (dpa) - Football generations past and present mourned on Wednesday.".into())
        );
    }
}
