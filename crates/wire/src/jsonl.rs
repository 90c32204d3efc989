//! JSON lines as the commands that take them read them (`cluster`, `explain`, `extract
//! --jsonl`): one way to frame a stream into lines, with a bound on a line's size and no
//! line able to end the stream.
//!
//! - A line longer than the bound is read through without being kept, and reported as
//!   [`Line::TooLong`] with its size: a 2 GB line costs its reading time, not 2 GB.
//! - Bytes that are not UTF-8 are replaced (U+FFFD) in that line only, so an article with
//!   one mis-encoded byte is still an article and the lines after it are still read.
//! - `\n` ends a line; a `\r` before it is dropped; the last line needs no end.

use std::io::{self, BufRead};

/// What [`Reader::next_line`] read.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// A line's text, without its end.
    Text(&'a str),
    /// A line over the bound, with its size in bytes (without its end); nothing of it is
    /// kept.
    TooLong(u64),
}

/// How many times a document's size limit a JSON line carrying it may take: a text
/// written with `\u` escapes takes six bytes for two.
pub const LINE_PER_DOCUMENT: usize = 6;

/// Reads JSON lines from `input`, at most `max_line_bytes` bytes kept per line.
#[derive(Debug)]
pub struct Reader<R> {
    input: R,
    max_line_bytes: usize,
    /// The line last returned (its bytes are read into this buffer, then checked as
    /// UTF-8 in place).
    text: String,
    lossy: u64,
    /// The line last returned took the last byte the input had buffered.
    drained: bool,
}

impl<R: BufRead> Reader<R> {
    /// A reader that keeps lines of at most `max_line_bytes` bytes.
    pub fn new(input: R, max_line_bytes: usize) -> Self {
        Reader {
            input,
            max_line_bytes,
            text: String::new(),
            lossy: 0,
            drained: true,
        }
    }

    /// A reader for lines that each carry a document of at most `max_document_bytes`
    /// ([`LINE_PER_DOCUMENT`] times that per line).
    pub fn for_documents(input: R, max_document_bytes: usize) -> Self {
        Self::new(input, max_document_bytes.saturating_mul(LINE_PER_DOCUMENT))
    }

    /// The most bytes of a line kept.
    pub fn max_line_bytes(&self) -> usize {
        self.max_line_bytes
    }

    /// The next line, `None` at the end of the input. Only an error of the input itself
    /// (not the line's content) is an error.
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        // The last line's buffer, reused.
        let mut buf = std::mem::take(&mut self.text).into_bytes();
        buf.clear();
        let mut total: u64 = 0;
        let mut any = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                if !any {
                    return Ok(None);
                }
                break;
            }
            any = true;
            let (part, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (&chunk[..i], i + 1),
                None => (chunk, chunk.len()),
            };
            total += part.len() as u64;
            if total <= self.max_line_bytes as u64 {
                buf.extend_from_slice(part);
            } else if !buf.is_empty() {
                // Over the bound: keep nothing of it from here on.
                buf = Vec::new();
            }
            let ended = done > part.len();
            self.drained = done == chunk.len();
            self.input.consume(done);
            if ended {
                break;
            }
        }
        if total > self.max_line_bytes as u64 {
            return Ok(Some(Line::TooLong(total)));
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        self.text = String::from_utf8(buf).unwrap_or_else(|e| {
            self.lossy += 1;
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        });
        Ok(Some(Line::Text(&self.text)))
    }

    /// Lines so far whose bytes were not all UTF-8 (and were replaced).
    pub fn lossy_lines(&self) -> u64 {
        self.lossy
    }

    /// Whether the line last returned took the last byte the input had buffered, so the
    /// next read may wait for the producer: the moment a filter in a pipe flushes its
    /// answers (never blocks; a file's reader says so once per buffer).
    pub fn drained(&self) -> bool {
        self.drained
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], max: usize) -> Vec<Result<String, u64>> {
        // A small buffer, so lines span several reads.
        let mut r = Reader::new(io::BufReader::with_capacity(4, input), max);
        let mut out = Vec::new();
        while let Some(line) = r.next_line().unwrap() {
            out.push(match line {
                Line::Text(t) => Ok(t.to_string()),
                Line::TooLong(n) => Err(n),
            });
        }
        out
    }

    #[test]
    fn frames_lines_with_or_without_a_last_end() {
        let ok = |s: &str| Ok::<String, u64>(s.to_string());
        assert_eq!(all(b"a\nbb\r\n\nccc", 10), [ok("a"), ok("bb"), ok(""), ok("ccc")]);
        assert_eq!(all(b"a\n", 10), [ok("a")]);
        assert!(all(b"", 10).is_empty());
    }

    #[test]
    fn a_line_over_the_bound_is_read_through_and_sized() {
        let input = format!("{}\nshort\n{}", "x".repeat(50), "y".repeat(11));
        let got = all(input.as_bytes(), 10);
        assert_eq!(got, [Err(50), Ok("short".into()), Err(11)]);
        // Exactly at the bound is a line.
        assert_eq!(all(b"0123456789\n", 10), [Ok("0123456789".into())]);
    }

    #[test]
    fn says_when_the_buffered_input_is_used_up_without_waiting() {
        // Two lines in one read, then a third: drained after the second and the third only.
        let input = io::Read::chain(io::BufReader::with_capacity(64, &b"a\nb\n"[..]), &b"c\n"[..]);
        let mut r = Reader::new(input, 10);
        r.next_line().unwrap();
        assert!(!r.drained());
        r.next_line().unwrap();
        assert!(r.drained());
        r.next_line().unwrap();
        assert!(r.drained());
    }

    #[test]
    fn bad_bytes_cost_that_line_its_bytes_only() {
        let mut r = Reader::new(&b"{\"t\":\"caf\xe9\"}\nnext\n"[..], 100);
        assert_eq!(
            r.next_line().unwrap(),
            Some(Line::Text("{\"t\":\"caf\u{fffd}\"}"))
        );
        assert_eq!(r.next_line().unwrap(), Some(Line::Text("next")));
        assert_eq!(r.lossy_lines(), 1);
        assert_eq!(r.next_line().unwrap(), None);
    }
}
