//! Date and time parsing for publish dates: ISO 8601 / RFC 3339 values from metadata,
//! RFC 2822 values, and dates written in text ("Updated November 24, 2025 at 3:34 PM EST",
//! "24th November, 2025", "Nov. 24, 2025", "2025-11-24"), with the month names of English,
//! German, French, Spanish, Italian, Portuguese and Dutch ("3. Juli 2018", "13 de junio de
//! 2019"; `OTHER_MONTHS`).
//!
//! Times keep the offset they were written with (no conversion to UTC), so the calendar day
//! is the one the outlet printed. No time zone database: a fixed table of common
//! abbreviations. Values outside 1990..=2100 are rejected as noise.

/// A calendar date with optional wall-clock time and UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateTime {
    pub y: u16,
    pub mo: u8,
    pub d: u8,
    pub h: u8,
    pub mi: u8,
    pub s: u8,
    /// Minutes east of UTC, when known.
    pub off: Option<i16>,
}

impl DateTime {
    fn new(y: u32, mo: u32, d: u32) -> Option<DateTime> {
        if !(1990..=2100).contains(&y) || !(1..=12).contains(&mo) || d == 0 || d > days_in(y, mo) {
            return None;
        }
        Some(DateTime {
            y: y as u16,
            mo: mo as u8,
            d: d as u8,
            h: 0,
            mi: 0,
            s: 0,
            off: None,
        })
    }

    /// Month `mo`, day `d` in the year that puts it nearest to `near` (the year before,
    /// the same or the next): a dateline's "May 27" dated by a full date elsewhere in the
    /// text ("December 28, 2025" near "Jan 3" is 2026-01-03).
    pub(crate) fn month_day_near(mo: u8, d: u8, near: &DateTime) -> Option<DateTime> {
        let y = u32::from(near.y);
        [y.saturating_sub(1), y, y + 1]
            .into_iter()
            .filter_map(|y| DateTime::new(y, mo.into(), d.into()))
            .min_by_key(|c| c.days().abs_diff(near.days()))
    }

    /// Same calendar day as written (offsets ignored).
    pub(crate) fn same_day(&self, other: &DateTime) -> bool {
        (self.y, self.mo, self.d) == (other.y, other.mo, other.d)
    }

    /// Days since 1990-01-01 of the calendar day as written.
    pub(crate) fn days(&self) -> u32 {
        let y = self.y as u32;
        let leap_before = |y: u32| (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400;
        let mut n = (y - 1990) * 365 + leap_before(y) - leap_before(1990);
        for mo in 1..self.mo as u32 {
            n += days_in(y, mo);
        }
        n + self.d as u32 - 1
    }

    /// The earliest calendar day this moment can be anywhere (UTC-12): the day written for a
    /// time with an offset, else a day before the day written (the zone is unknown).
    pub(crate) fn earliest_local_day(&self) -> u32 {
        match self.off {
            Some(off) => {
                let minutes = i64::from(self.days()) * 1440 + i64::from(self.h) * 60 + i64::from(self.mi)
                    - i64::from(off)
                    - 12 * 60;
                u32::try_from(minutes.div_euclid(1440)).unwrap_or(0)
            }
            None => self.days().saturating_sub(1),
        }
    }

    /// The latest calendar day this moment can be anywhere (UTC+14); see
    /// [`DateTime::earliest_local_day`].
    pub(crate) fn latest_local_day(&self) -> u32 {
        match self.off {
            Some(off) => {
                let minutes = i64::from(self.days()) * 1440 + i64::from(self.h) * 60 + i64::from(self.mi)
                    - i64::from(off)
                    + 14 * 60;
                u32::try_from(minutes.div_euclid(1440)).unwrap_or(0)
            }
            None => self.days() + 1,
        }
    }

    /// RFC 3339, `Z` when the offset is unknown or zero.
    pub(crate) fn rfc3339(&self) -> String {
        fn two(out: &mut String, v: u32) {
            out.push(char::from(b'0' + (v / 10 % 10) as u8));
            out.push(char::from(b'0' + (v % 10) as u8));
        }
        let mut s = String::with_capacity(25);
        two(&mut s, self.y as u32 / 100);
        two(&mut s, self.y as u32 % 100);
        s.push('-');
        two(&mut s, self.mo as u32);
        s.push('-');
        two(&mut s, self.d as u32);
        s.push('T');
        two(&mut s, self.h as u32);
        s.push(':');
        two(&mut s, self.mi as u32);
        s.push(':');
        two(&mut s, self.s as u32);
        match self.off {
            None | Some(0) => s.push('Z'),
            Some(o) => {
                s.push(if o < 0 { '-' } else { '+' });
                let o = o.unsigned_abs() as u32;
                two(&mut s, o / 60);
                s.push(':');
                two(&mut s, o % 60);
            }
        }
        s
    }
}

fn days_in(y: u32, mo: u32) -> u32 {
    match mo {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |a, &c| a * 10 + (c - b'0') as u32))
}

/// Parses an ISO 8601 / RFC 3339-like value at the start of `s` (`2025-11-24`,
/// `2025-11-24T15:34:00.123-05:00`, `2025-11-24 15:34 UTC`, `2025/11/24`, `20251124`).
pub(crate) fn parse_iso(s: &str) -> Option<DateTime> {
    let s = s.trim();
    let b = s.as_bytes();
    let (mut dt, mut i) = if b.len() >= 10 && (b[4] == b'-' || b[4] == b'/' || b[4] == b'.') && b[7] == b[4] {
        (DateTime::new(num(&b[..4])?, num(&b[5..7])?, num(&b[8..10])?)?, 10)
    } else if b.len() >= 8
        && b[..8].iter().all(u8::is_ascii_digit)
        && b.get(8).is_none_or(|c| !c.is_ascii_digit())
    {
        (DateTime::new(num(&b[..4])?, num(&b[4..6])?, num(&b[6..8])?)?, 8)
    } else {
        return None;
    };
    if i < b.len() && (b[i] == b'T' || b[i] == b't' || b[i] == b' ') && b.len() >= i + 6 {
        let t = &b[i + 1..];
        if t.len() >= 5
            && t[2] == b':'
            && let (Some(h), Some(mi)) = (num(&t[..2]), num(&t[3..5]))
            && h < 24
            && mi < 60
        {
            dt.h = h as u8;
            dt.mi = mi as u8;
            i += 6;
            if b.len() >= i + 3
                && b[i] == b':'
                && let Some(sec) = num(&b[i + 1..i + 3])
            {
                dt.s = sec.min(59) as u8;
                i += 3;
            }
            while i < b.len() && (b[i] == b'.' || b[i] == b',' || b[i].is_ascii_digit()) {
                i += 1;
            }
            dt.off = parse_offset(&s[i..]);
        }
    }
    Some(dt)
}

/// `Z`, `+05:30`, `-0500`, `+01`, ` UTC`, ` GMT`, ` EST` ... at the start of `s`.
fn parse_offset(s: &str) -> Option<i16> {
    let t = s.trim_start();
    let b = t.as_bytes();
    match b.first()? {
        b'Z' | b'z' => Some(0),
        c @ (b'+' | b'-') => {
            let sign: i16 = if *c == b'-' { -1 } else { 1 };
            let digits: Vec<u8> = b[1..]
                .iter()
                .copied()
                .take(5)
                .filter(u8::is_ascii_digit)
                .collect();
            let (h, m) = match digits.len() {
                2 => (num(&digits[..2])?, 0),
                3 => (num(&digits[..1])?, num(&digits[1..3])?),
                4.. => (num(&digits[..2])?, num(&digits[2..4])?),
                _ => return None,
            };
            (h <= 14 && m < 60).then(|| sign * (h * 60 + m) as i16)
        }
        _ => {
            let word: String = t.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            let base = tz_abbrev(&word)?;
            let rest = &t[word.len()..];
            // "GMT+2", "UTC-05:00".
            if rest.starts_with(['+', '-']) {
                return parse_offset(rest).map(|o| o + base).or(Some(base));
            }
            Some(base)
        }
    }
}

/// Offsets of common time zone abbreviations, in minutes.
fn tz_abbrev(w: &str) -> Option<i16> {
    let mut buf = [0u8; 5];
    if w.len() > 5 || w.len() < 2 {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(w.bytes()) {
        *d = s.to_ascii_uppercase();
    }
    Some(match &buf[..w.len()] {
        b"UTC" | b"GMT" | b"UT" | b"Z" | b"WET" => 0,
        b"EST" => -300,
        b"EDT" => -240,
        b"ET" => -300,
        b"CST" => -360,
        b"CDT" => -300,
        b"CT" => -360,
        b"MST" => -420,
        b"MDT" => -360,
        b"PST" => -480,
        b"PDT" => -420,
        b"PT" => -480,
        b"AKST" => -540,
        b"AKDT" => -480,
        b"HST" => -600,
        b"BST" | b"CET" | b"WEST" => 60,
        b"CEST" | b"EET" | b"SAST" => 120,
        b"EEST" | b"MSK" => 180,
        b"IST" => 330,
        b"PKT" => 300,
        b"SGT" | b"HKT" | b"AWST" => 480,
        b"JST" | b"KST" => 540,
        b"AEST" => 600,
        b"AEDT" => 660,
        b"NZST" => 720,
        b"NZDT" => 780,
        _ => return None,
    })
}

/// A calendar date from its year, month and day, when they make one (1990..=2100).
pub(crate) fn from_parts(y: u32, mo: u32, d: u32) -> Option<DateTime> {
    DateTime::new(y, mo, d)
}

/// The month a name or abbreviation stands for ("October", "oct", "Sept.").
pub(crate) fn month_of(w: &str) -> Option<u32> {
    let w = w.trim_end_matches('.');
    if w.len() < 3 || w.len() > 9 {
        return None;
    }
    let mut buf = [0u8; 9];
    for (d, s) in buf.iter_mut().zip(w.bytes()) {
        *d = s.to_ascii_lowercase();
    }
    let w = &buf[..w.len()];
    const MONTHS: [&[u8]; 12] = [
        b"january",
        b"february",
        b"march",
        b"april",
        b"may",
        b"june",
        b"july",
        b"august",
        b"september",
        b"october",
        b"november",
        b"december",
    ];
    for (i, m) in MONTHS.iter().enumerate() {
        if w == *m || (w.len() == 3 && m.starts_with(w)) || (w == b"sept" && i == 8) {
            return Some(i as u32 + 1);
        }
    }
    None
}

/// Month names of the other languages newsrooms read most (German, French, Spanish,
/// Italian, Portuguese, Dutch), lower case, with their month: full names and the
/// abbreviations their sites print. English ones are [`month_of`]'s.
const OTHER_MONTHS: &[(&str, u32)] = &[
    ("januar", 1),
    ("j\u{e4}nner", 1),
    ("j\u{e4}n", 1),
    ("janvier", 1),
    ("janv", 1),
    ("enero", 1),
    ("ene", 1),
    ("gennaio", 1),
    ("janeiro", 1),
    ("januari", 1),
    ("februar", 2),
    ("f\u{e9}vrier", 2),
    ("f\u{e9}vr", 2),
    ("febrero", 2),
    ("febbraio", 2),
    ("fevereiro", 2),
    ("fev", 2),
    ("februari", 2),
    ("m\u{e4}rz", 3),
    ("m\u{e4}r", 3),
    ("mrz", 3),
    ("mars", 3),
    ("marzo", 3),
    ("mar\u{e7}o", 3),
    ("maart", 3),
    ("mrt", 3),
    ("avril", 4),
    ("avr", 4),
    ("abril", 4),
    ("abr", 4),
    ("aprile", 4),
    ("mai", 5),
    ("mayo", 5),
    ("maggio", 5),
    ("mag", 5),
    ("maio", 5),
    ("mei", 5),
    ("juni", 6),
    ("juin", 6),
    ("junio", 6),
    ("giugno", 6),
    ("giu", 6),
    ("junho", 6),
    ("juli", 7),
    ("juillet", 7),
    ("juil", 7),
    ("julio", 7),
    ("luglio", 7),
    ("lug", 7),
    ("julho", 7),
    ("ao\u{fb}t", 8),
    ("agosto", 8),
    ("ago", 8),
    ("augustus", 8),
    ("septembre", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("settembre", 9),
    ("setembro", 9),
    ("oktober", 10),
    ("okt", 10),
    ("octobre", 10),
    ("octubre", 10),
    ("ottobre", 10),
    ("ott", 10),
    ("outubro", 10),
    ("d\u{e9}cembre", 12),
    ("d\u{e9}c", 12),
    ("dezember", 12),
    ("dez", 12),
    ("diciembre", 12),
    ("dic", 12),
    ("dicembre", 12),
    ("dezembro", 12),
    ("novembre", 11),
    ("noviembre", 11),
    ("novembro", 11),
];

/// Weekday names of the same languages, lower case (full names only).
const OTHER_WEEKDAYS: &[&str] = &[
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonnabend",
    "sonntag",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "lunes",
    "martes",
    "mi\u{e9}rcoles",
    "jueves",
    "viernes",
    "s\u{e1}bado",
    "domingo",
    "luned\u{ec}",
    "marted\u{ec}",
    "mercoled\u{ec}",
    "gioved\u{ec}",
    "venerd\u{ec}",
    "sabato",
    "domenica",
    "segunda-feira",
    "ter\u{e7}a-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];

/// `w` lower-cased into `buf` (at most 16 bytes; `None` when longer).
fn lower_into<'b>(w: &str, buf: &'b mut [u8; 16]) -> Option<&'b str> {
    let mut n = 0;
    for c in w.chars().flat_map(char::to_lowercase) {
        let l = c.len_utf8();
        if n + l > buf.len() {
            return None;
        }
        c.encode_utf8(&mut buf[n..]);
        n += l;
    }
    std::str::from_utf8(&buf[..n]).ok()
}

/// [`month_of`] in English, else in the languages of [`OTHER_MONTHS`] ("Juli", "déc.",
/// "março").
pub(crate) fn month_any(w: &str) -> Option<u32> {
    if let Some(m) = month_of(w) {
        return Some(m);
    }
    let w = w.trim_end_matches('.');
    let mut buf = [0u8; 16];
    let l = lower_into(w, &mut buf)?;
    OTHER_MONTHS.iter().find(|(n, _)| *n == l).map(|&(_, m)| m)
}

/// Whether a word names a day of the week ("Saturday", "sat", "Sat.", "Tues").
pub(crate) fn is_weekday(w: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let w = w.trim_end_matches(['.', ',']);
    w.len() >= 3
        && (DAYS.iter().any(|d| {
            d.len() >= w.len() && d.is_char_boundary(w.len()) && d[..w.len()].eq_ignore_ascii_case(w)
        }) || {
            let mut buf = [0u8; 16];
            lower_into(w, &mut buf).is_some_and(|l| OTHER_WEEKDAYS.contains(&l))
        })
}

/// Words that go with a date in a byline or date line: labels ("Updated", "Published on"),
/// weekdays, months, numbers and separators. A byline left with nothing else once its date
/// is cut ("Sat," of "Sat, 20 Dec, 2025", "Updated" of "Updated: Dec 4, 2025", "Jun 2") holds no
/// name.
pub(crate) fn date_words_only(s: &str) -> bool {
    const LABELS: [&str; 11] = [
        "updated",
        "published",
        "posted",
        "modified",
        "created",
        "date",
        "dated",
        "last",
        "first",
        "on",
        "at",
    ];
    let mut any = false;
    for w in s.split(|c: char| c.is_whitespace() || ",:|-/\u{b7}\u{2022}\u{2013}\u{2014}".contains(c)) {
        if w.is_empty() {
            continue;
        }
        any = true;
        let ok = w.bytes().all(|b| b.is_ascii_digit())
            || is_weekday(w)
            || month_any(w).is_some()
            || LABELS.iter().any(|l| l.eq_ignore_ascii_case(w));
        if !ok {
            return false;
        }
    }
    any
}

/// A token of a text line: a run of letters (with a trailing '.') or digits.
#[derive(Clone, Copy)]
struct Tok<'a> {
    s: &'a str,
    start: usize,
    end: usize,
}

/// A letter of a Latin-script word beyond ASCII ("ä" of "März", "é" of "décembre"): part
/// of a word token. Other scripts' letters stay separators (CJK dates read their units).
fn latin_letter_at(s: &str, i: usize) -> usize {
    match s.get(i..).and_then(|r| r.chars().next()) {
        Some(c) if !c.is_ascii() && (c as u32) < 0x250 && c.is_alphabetic() => c.len_utf8(),
        _ => 0,
    }
}

fn tokens(s: &str, max: usize) -> Vec<Tok<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() && out.len() < max {
        let c = b[i];
        if c.is_ascii_alphanumeric() || c >= 0x80 && latin_letter_at(s, i) > 0 {
            let st = i;
            let digit = c.is_ascii_digit();
            while let Some(&x) = b.get(i) {
                let step = if x.is_ascii_alphanumeric() && (x.is_ascii_digit() == digit || !digit) {
                    1
                } else if !digit && x >= 0x80 {
                    latin_letter_at(s, i)
                } else {
                    0
                };
                if step == 0 {
                    break;
                }
                i += step;
            }
            // Ordinal suffixes stay with their number: "24th".
            if digit && i + 2 <= b.len() && !b.get(i + 2).is_some_and(u8::is_ascii_alphanumeric) {
                let suf = [b[i].to_ascii_lowercase(), b[i + 1].to_ascii_lowercase()];
                // French "1er" (août).
                if matches!(&suf, b"st" | b"nd" | b"rd" | b"th") || &suf == b"er" && &b[st..i] == b"1" {
                    i += 2;
                }
            }
            out.push(Tok {
                s: &s[st..i],
                start: st,
                end: i,
            });
        } else if c == b':' || c == b'-' || c == b'/' || c == b'+' {
            out.push(Tok {
                s: &s[i..i + 1],
                start: i,
                end: i + 1,
            });
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

fn ordinal_day(t: &str) -> Option<u32> {
    let t = t
        .strip_suffix("st")
        .or(t.strip_suffix("nd"))
        .or(t.strip_suffix("rd"))
        .or(t.strip_suffix("th"))
        .or(t.strip_suffix("er"))
        .unwrap_or(t);
    let d = num(t.as_bytes())?;
    (1..=31).contains(&d).then_some(d)
}

/// Whether `b` holds four ASCII digits in a row. Every such run covers exactly one index
/// `i` with `i % 4 == 3`, so only those are inspected, and only a digit there is expanded:
/// most lines of text are passed over reading a quarter of their bytes.
fn has_digit_run4(b: &[u8]) -> bool {
    let mut i = 3;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let left = b[..i]
                .iter()
                .rev()
                .take(3)
                .take_while(|c| c.is_ascii_digit())
                .count();
            let right = b[i + 1..]
                .iter()
                .take(3)
                .take_while(|c| c.is_ascii_digit())
                .count();
            if left + 1 + right >= 4 {
                return true;
            }
        }
        i += 4;
    }
    false
}

/// Finds the first date written in `s`; returns it with the byte range it spans.
pub(crate) fn find_date(s: &str) -> Option<(DateTime, usize, usize)> {
    // Every pattern has a four-digit year: skip lines without one.
    if !has_digit_run4(s.as_bytes()) {
        return None;
    }
    let toks = tokens(s, 80);
    for k in 0..toks.len() {
        let t = toks[k];
        // ISO date inside text.
        if t.s.len() == 4
            && t.s.as_bytes()[0].is_ascii_digit()
            && let Some(dt) = parse_iso(&s[t.start..])
        {
            let end = (t.start + 10).min(s.len());
            let mut dt2 = dt;
            // Keep a time only if parse_iso consumed one right here.
            if s.as_bytes().get(t.start + 10).is_some_and(|&c| c == b'T') {
                return Some((dt2, t.start, s.len()));
            }
            dt2.h = 0;
            dt2.mi = 0;
            dt2.s = 0;
            dt2.off = None;
            return Some((dt2, t.start, end));
        }
        // YYYY年M月D日 (Japanese and Chinese), YYYY년 M월 D일 (Korean).
        if t.s.len() == 4
            && t.s.as_bytes()[0].is_ascii_digit()
            && let Some(dt) = cjk_date(s, &toks, k)
        {
            return Some(dt);
        }
        // YYYY Month D ("2023 Jan 7", citation metadata).
        if t.s.len() == 4
            && let Some(y) = num(t.s.as_bytes())
            && let Some(mo) = toks.get(k + 1).and_then(|x| month_any(x.s))
            && let Some(d) = toks.get(k + 2).and_then(|x| ordinal_day(x.s))
            && !toks
                .get(k + 3)
                .is_some_and(|x| x.s.len() == 4 && x.s.as_bytes()[0].is_ascii_digit())
            && let Some(dt) = DateTime::new(y, mo, d)
        {
            return Some(with_time(s, &toks, k + 3, dt, t.start));
        }
        if let Some(mo) = month_any(t.s) {
            // Month D, YYYY
            if let (Some(d), Some(y)) = (
                toks.get(k + 1).and_then(|x| ordinal_day(x.s)),
                toks.get(k + 2)
                    .and_then(|x| num(x.s.as_bytes()).filter(|_| x.s.len() == 4)),
            ) && let Some(dt) = DateTime::new(y, mo, d)
            {
                return Some(with_time(s, &toks, k + 3, dt, t.start));
            }
            // D Month YYYY, with an optional "of" ("4th of August"), or Spanish and
            // Portuguese "de" before the month and the year ("13 de junio de 2019").
            let linking = |x: &Tok<'_>| ["of", "de", "del"].iter().any(|w| x.s.eq_ignore_ascii_case(w));
            let day_tok = if k >= 2 && linking(&toks[k - 1]) {
                k.checked_sub(2)
            } else {
                k.checked_sub(1)
            };
            let year_tok = if toks.get(k + 1).is_some_and(linking) {
                k + 2
            } else {
                k + 1
            };
            if let Some(dk) = day_tok
                && let (Some(d), Some(y)) = (
                    ordinal_day(toks[dk].s),
                    toks.get(year_tok)
                        .and_then(|x| num(x.s.as_bytes()).filter(|_| x.s.len() == 4)),
                )
                && let Some(dt) = DateTime::new(y, mo, d)
            {
                return Some(with_time(s, &toks, year_tok + 1, dt, toks[dk].start));
            }
        }
        // Numeric D/M/Y or M/D/Y and D.M.Y
        if t.s.len() <= 2 && t.s.as_bytes()[0].is_ascii_digit() {
            let b = s.as_bytes();
            let sep = b.get(t.end).copied();
            if matches!(sep, Some(b'/') | Some(b'.') | Some(b'-')) {
                let digits_at = |pos: usize, max: usize| -> Option<(u32, usize)> {
                    let j = toks.iter().position(|x| x.start == pos)?;
                    let x = toks[j];
                    (x.s.len() <= max && x.s.as_bytes()[0].is_ascii_digit())
                        .then(|| (num(x.s.as_bytes()).unwrap_or(0), j))
                };
                if let Some((m2, _)) = digits_at(t.end + 1, 2) {
                    let mid_end = t.end
                        + 1
                        + toks
                            .iter()
                            .find(|x| x.start == t.end + 1)
                            .map_or(0, |x| x.s.len());
                    if b.get(mid_end).copied() == sep
                        && let Some((y, yj)) = digits_at(mid_end + 1, 4).filter(|(y, _)| *y >= 1990)
                    {
                        let a = num(t.s.as_bytes()).unwrap_or(0);
                        // Slashes are American (M/D/Y) unless the first field cannot be a month.
                        let (mo, d) = if sep == Some(b'/') && a <= 12 {
                            (a, m2)
                        } else {
                            (m2, a)
                        };
                        if let Some(dt) = DateTime::new(y, mo, d) {
                            return Some(with_time(s, &toks, yj + 1, dt, t.start));
                        }
                    }
                }
            }
        }
    }
    None
}

/// A date written with CJK unit characters from the year token `toks[k]` on:
/// "2019年4月2日", "2019年04月02日", "2019년 4월 2일". Returns it with its byte range.
fn cjk_date(s: &str, toks: &[Tok<'_>], k: usize) -> Option<(DateTime, usize, usize)> {
    let units: [[&str; 3]; 2] = [
        ["\u{5e74}", "\u{6708}", "\u{65e5}"],
        ["\u{b144}", "\u{c6d4}", "\u{c77c}"],
    ];
    let (y, mo, d) = (toks.get(k)?, toks.get(k + 1)?, toks.get(k + 2)?);
    // Each number is followed by its unit, with at most a space between.
    let unit_after = |t: &Tok<'_>, u: &str| s[t.end..].trim_start_matches(' ').starts_with(u);
    let [_, mu, du] = units.into_iter().find(|[yu, _, _]| unit_after(y, yu))?;
    if !unit_after(mo, mu) || !unit_after(d, du) || mo.s.len() > 2 || d.s.len() > 2 {
        return None;
    }
    let dt = DateTime::new(num(y.s.as_bytes())?, num(mo.s.as_bytes())?, num(d.s.as_bytes())?)?;
    let end = d.end + s[d.end..].find(du)? + du.len();
    Some((dt, y.start, end))
}

/// Reads an optional time after a date: `at 3:34 PM EST`, `, 15:34 GMT`, `- 10:02 a.m. ET`.
fn with_time(
    s: &str,
    toks: &[Tok<'_>],
    mut k: usize,
    mut dt: DateTime,
    start: usize,
) -> (DateTime, usize, usize) {
    let mut end = toks.get(k.wrapping_sub(1)).map_or(s.len(), |t| t.end);
    if toks
        .get(k)
        .is_some_and(|t| t.s.eq_ignore_ascii_case("at") || t.s == "-")
    {
        k += 1;
    }
    let (Some(h), Some(colon), Some(mi)) = (toks.get(k), toks.get(k + 1), toks.get(k + 2)) else {
        return (dt, start, end);
    };
    if colon.s != ":" || h.end + 1 != mi.start {
        return (dt, start, end);
    }
    let (Some(mut hh), Some(mm)) = (
        num(h.s.as_bytes()),
        num(mi.s.as_bytes()).filter(|_| mi.s.len() == 2),
    ) else {
        return (dt, start, end);
    };
    if hh > 23 || mm > 59 {
        return (dt, start, end);
    }
    end = mi.end;
    let mut k = k + 3;
    if toks.get(k).is_some_and(|t| t.s == ":") {
        k += 2;
        end = toks.get(k - 1).map_or(end, |t| t.end);
    }
    let mut rest = &s[end..];
    let lower = rest.trim_start().to_ascii_lowercase();
    let pm = lower.starts_with("pm") || lower.starts_with("p.m");
    let am = lower.starts_with("am") || lower.starts_with("a.m");
    if pm || am {
        let skip = rest.len() - rest.trim_start().len()
            + if lower.starts_with("p.m.") || lower.starts_with("a.m.") {
                4
            } else {
                2
            };
        rest = &rest[skip.min(rest.len())..];
        end = s.len() - rest.len();
        if pm && hh < 12 {
            hh += 12;
        } else if am && hh == 12 {
            hh = 0;
        }
    }
    let _ = k;
    dt.h = hh as u8;
    dt.mi = mm as u8;
    let r = rest.trim_start_matches([' ', '(', ',']);
    if let Some(off) = parse_offset(r) {
        dt.off = Some(off);
        let w = r.find([')', ' ', ',']).unwrap_or(r.len());
        end = s.len() - r.len() + w;
    }
    (dt, start, end)
}

/// RFC 2822 (`Mon, 24 Nov 2025 15:34:00 GMT`) or any text date.
pub(crate) fn parse_any(s: &str) -> Option<DateTime> {
    if let Some(dt) = parse_iso(s) {
        return Some(dt);
    }
    let s = s.trim();
    if s.len() > 200 {
        return None;
    }
    find_date(s).map(|(dt, _, _)| dt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, want: Option<&str>) {
        assert_eq!(parse_any(input).map(|d| d.rfc3339()).as_deref(), want, "{input}");
    }

    #[test]
    fn weekdays_and_date_words() {
        for w in ["Sat", "sat.", "Saturday", "Tues", "thu,", "SUNDAY"] {
            assert!(is_weekday(w), "{w}");
        }
        for w in ["Sa", "Satan", "Sundays", "", "Mo"] {
            assert!(!is_weekday(w), "{w}");
        }
        for s in [
            "Sat,",
            "Updated",
            "Last updated:",
            "Jun 2",
            "Posted on Monday",
            "12 | 2025",
        ] {
            assert!(date_words_only(s), "{s}");
        }
        for s in [
            "",
            " , ",
            "Jane Doe",
            "Sat Reporter",
            "Reuters",
            "Updated by Jane",
        ] {
            assert!(!date_words_only(s), "{s}");
        }
    }

    #[test]
    fn digit_run_prefilter_agrees_with_a_plain_scan() {
        let plain = |b: &[u8]| b.windows(4).any(|w| w.iter().all(u8::is_ascii_digit));
        let samples = [
            "",
            "1",
            "123",
            "1234",
            "a1234",
            "ab1234",
            "abc1234",
            "12a34",
            "123 4567",
            "x 12 345 6789",
            "page 7 of 12",
            "24 November 2025",
            "tel. 555-0123",
            "é2025é",
            "abc123",
            "abcd123x4567",
        ];
        for s in samples {
            assert_eq!(has_digit_run4(s.as_bytes()), plain(s.as_bytes()), "{s:?}");
        }
        // Every position of a run in a longer line.
        for pad in 0..9 {
            for len in 0..6 {
                let s = format!("{}{}{}", "x".repeat(pad), "7".repeat(len), "y".repeat(5));
                assert_eq!(has_digit_run4(s.as_bytes()), len >= 4, "{s:?}");
            }
        }
    }

    #[test]
    fn other_languages_months() {
        check("3. Juli 2018", Some("2018-07-03T00:00:00Z"));
        check("14. M\u{e4}rz 2021", Some("2021-03-14T00:00:00Z"));
        check("Juli 12, 2017", Some("2017-07-12T00:00:00Z"));
        check("13 d\u{e9}c. 2019", Some("2019-12-13T00:00:00Z"));
        check("1er ao\u{fb}t 2019", Some("2019-08-01T00:00:00Z"));
        check("13 de junio de 2019", Some("2019-06-13T00:00:00Z"));
        check("2 de mar\u{e7}o de 2020 15:04", Some("2020-03-02T15:04:00Z"));
        check("27 giugno 2019", Some("2019-06-27T00:00:00Z"));
        check("7 mei 2020", Some("2020-05-07T00:00:00Z"));
        // A NBSP between the parts is a space, and CJK dates keep their units.
        check("24\u{a0}November\u{a0}2025", Some("2025-11-24T00:00:00Z"));
        check("2019\u{5e74}4\u{6708}2\u{65e5}", Some("2019-04-02T00:00:00Z"));
        for w in ["Donnerstag", "jeudi", "s\u{e1}bado", "Zondag"] {
            assert!(is_weekday(w), "{w}");
        }
        assert!(!is_weekday("Donner"));
    }

    #[test]
    fn formats() {
        check("2025-11-24", Some("2025-11-24T00:00:00Z"));
        check("2025-11-24T15:34:00-05:00", Some("2025-11-24T15:34:00-05:00"));
        check("2025-11-24T15:34:00.000+0000", Some("2025-11-24T15:34:00Z"));
        check("2025-11-24 15:34:12 +0530", Some("2025-11-24T15:34:12+05:30"));
        check("2025/11/24", Some("2025-11-24T00:00:00Z"));
        check(
            "Updated November 24, 2025 at 3:34 PM EST",
            Some("2025-11-24T15:34:00-05:00"),
        );
        check("24th November, 2025", Some("2025-11-24T00:00:00Z"));
        check("Nov. 24, 2025", Some("2025-11-24T00:00:00Z"));
        check("GENEVA — Nov. 24, 2025", Some("2025-11-24T00:00:00Z"));
        check("Mon, 24 Nov 2025 15:34:00 GMT", Some("2025-11-24T15:34:00Z"));
        check(
            "Monday 24 November 2025 10:02 a.m. ET",
            Some("2025-11-24T10:02:00-05:00"),
        );
        check("Published: 11/24/2025", Some("2025-11-24T00:00:00Z"));
        check("24.11.2025", Some("2025-11-24T00:00:00Z"));
        check("the 1st of May 2024", Some("2024-05-01T00:00:00Z"));
        check("2023 Jan 7", Some("2023-01-07T00:00:00Z"));
        check("2024 June 30", Some("2024-06-30T00:00:00Z"));
        check(
            "\u{6700}\u{7d42}\u{66f4}\u{65b0}\u{65e5}\u{ff1a}2019\u{5e74}4\u{6708}2\u{65e5}",
            Some("2019-04-02T00:00:00Z"),
        );
        check(
            "2019\u{5e74}04\u{6708}11\u{65e5} 10:30",
            Some("2019-04-11T00:00:00Z"),
        );
        check("2019\u{b144} 4\u{c6d4} 2\u{c77c}", Some("2019-04-02T00:00:00Z"));
        check("2019\u{5e74}4\u{6708}", None);
        check("2019\u{5e74}13\u{6708}2\u{65e5}", None);
        check("February 30, 2025", None);
        check("May I help", None);
        check("version 1.2.3", None);
        check("", None);
    }
}
