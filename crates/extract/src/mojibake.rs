//! Repair of UTF-8 text that was decoded once too often: a CMS or a feed stored the UTF-8
//! bytes of "’" as Windows-1252 (or Latin-1) characters, so readers see "â€™", "Ã©" for
//! "é", "Â " for a no-break space, "Ð¿Ñ€Ð¸" for Russian. Such text reaches us as valid
//! UTF-8, so no charset rule catches it; left alone it puts junk in headlines and bodies
//! and breaks copy detection (a republisher's broken copy shares no shingles with the
//! original where the punctuation was).
//!
//! A run of characters that map back to single Windows-1252 bytes (U+0080..U+00FF, the
//! Windows-1252 punctuation, and the C1 controls a Latin-1 decoder leaves) and whose bytes
//! form one valid UTF-8 sequence is a candidate. Text is only repaired when it is evidently
//! mojibake: one *strong* candidate (a three- or four-byte sequence such as "â€™", or a
//! two-byte one led by "Â" or "Ã"), or two or more *weak* ones (other two-byte sequences,
//! kept only when they decode to Latin, Greek, Cyrillic, Hebrew or Arabic letters). So
//! German "Fuß“" (which would decode to an NKo letter) and a lone "Ä»" stay as written.
//! Text mangled twice is repaired twice. No IO; borrowed when nothing changes.

use std::borrow::Cow;

/// The Windows-1252 byte a character stands for, when it is one of 0x80..=0xFF.
fn cp1252_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if (0x80..=0xFF).contains(&u) {
        return Some(u as u8);
    }
    Some(match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    })
}

/// A candidate: the characters it spans (byte range in the text) and what they stand for.
struct Candidate {
    start: usize,
    end: usize,
    fixed: char,
    strong: bool,
}

/// Letters a weak (two-byte) candidate may decode to.
fn plausible_two_byte(c: char) -> bool {
    matches!(c as u32, 0x00A0..=0x024F | 0x0370..=0x03FF | 0x0400..=0x04FF | 0x05D0..=0x05EA | 0x0620..=0x064A)
}

/// The candidate starting at byte `at` of `s` (whose first character is `first`).
fn candidate(s: &str, at: usize, first: char) -> Option<Candidate> {
    let lead = cp1252_byte(first)?;
    let len = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut bytes = [lead, 0, 0, 0];
    let mut end = at + first.len_utf8();
    let mut rest = s[end..].chars();
    for b in bytes.iter_mut().take(len).skip(1) {
        let c = rest.next()?;
        let x = cp1252_byte(c).filter(|x| (0x80..=0xBF).contains(x))?;
        *b = x;
        end += c.len_utf8();
    }
    let fixed = std::str::from_utf8(&bytes[..len]).ok()?.chars().next()?;
    let strong = len > 2 || matches!(lead, 0xC2 | 0xC3);
    if !strong && !plausible_two_byte(fixed) {
        return None;
    }
    if fixed.is_control() || ('\u{E000}'..='\u{F8FF}').contains(&fixed) {
        return None;
    }
    Some(Candidate {
        start: at,
        end,
        fixed,
        strong,
    })
}

/// One pass: every candidate of `s`, when `s` is evidently mojibake.
fn repair_once(s: &str) -> Option<String> {
    // Every lead character is U+00C2..U+00F4, two bytes in UTF-8 starting 0xC3.
    if !s.as_bytes().contains(&0xC3) {
        return None;
    }
    let mut found = Vec::new();
    let mut it = s.char_indices();
    while let Some((at, c)) = it.next() {
        if !('\u{C2}'..='\u{F4}').contains(&c) {
            continue;
        }
        if let Some(k) = candidate(s, at, c) {
            // Go on after it.
            while it.as_str().len() > s.len() - k.end {
                it.next();
            }
            found.push(k);
        }
    }
    let strong = found.iter().filter(|k| k.strong).count();
    if strong == 0 && found.len() < 2 {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for k in &found {
        out.push_str(&s[last..k.start]);
        out.push(k.fixed);
        last = k.end;
    }
    out.push_str(&s[last..]);
    Some(out)
}

/// `s` with double-decoded UTF-8 repaired (see the module docs); borrowed when it has none.
pub(crate) fn repair(s: &str) -> Cow<'_, str> {
    let Some(mut fixed) = repair_once(s) else {
        return Cow::Borrowed(s);
    };
    // Mangled twice ("Ã¢â‚¬â„¢"): once more, at most twice.
    for _ in 0..2 {
        match repair_once(&fixed) {
            Some(again) => fixed = again,
            None => break,
        }
    }
    Cow::Owned(fixed)
}

#[cfg(test)]
mod tests {
    use super::repair;

    #[test]
    fn windows_1252_mojibake_is_repaired() {
        assert_eq!(repair("It didnâ€™t rain"), "It didn’t rain");
        assert_eq!(
            repair("â€œQuotedâ€\u{9d} and a dash â€” here"),
            "“Quoted” and a dash — here"
        );
        assert_eq!(repair("CafÃ© au lait"), "Café au lait");
        assert_eq!(repair("for cats.Â\u{a0}The"), "for cats.\u{a0}The");
        assert_eq!(repair("Â£5 and Â®"), "£5 and ®");
        // What would decode to a control character is left as it is.
        assert_eq!(repair("Â\u{80} and Â®"), "Â\u{80} and ®");
    }

    #[test]
    fn latin_1_mojibake_with_c1_controls_is_repaired() {
        // What a Latin-1 decoder leaves: the bytes 0x80..0x9F as C1 controls.
        assert_eq!(repair("debt\u{e2}\u{80}\u{94}nearly"), "debt—nearly");
    }

    #[test]
    fn cyrillic_and_emoji_mojibake() {
        assert_eq!(repair("Ð¿Ñ€Ð¸Ð²ÐµÑ‚"), "привет");
        assert_eq!(repair("done ðŸ‘\u{8d}"), "done 👍");
    }

    #[test]
    fn twice_mangled_text_is_repaired_twice() {
        assert_eq!(repair("didnÃ¢â‚¬â„¢t"), "didn’t");
    }

    #[test]
    fn real_text_is_left_alone() {
        for s in [
            "plain ASCII",
            "Café, naïve, São Paulo, CHÂTEAU, Ærøskøbing",
            "der Fuß“ und groß…",
            "Ä» alone",
            "Größe – „Anführung“",
            "привет, 東京, مرحبا, שלום",
            "voilà…»",
        ] {
            assert!(matches!(repair(s), std::borrow::Cow::Borrowed(_)), "{s}");
        }
    }
}
