//! A small, lenient JSON reader for JSON-LD blocks (no serde in this crate's dependencies).
//!
//! Accepts what pages actually ship: HTML comment or CDATA wrappers, raw control characters
//! inside strings, trailing commas, several top-level values. Nesting deeper than
//! [`MAX_NEST`] is cut off (the rest of that value is skipped), so hostile input cannot
//! overflow the stack. Numbers are kept as their source text.

/// Deepest nesting read.
const MAX_NEST: usize = 48;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// Member of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// String content, or the first string of an array.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            Json::Arr(a) => a.iter().find_map(Json::as_str),
            _ => None,
        }
    }

    /// Items of an array, or the value itself as a one-item list.
    pub(crate) fn items(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            other => std::slice::from_ref(other),
        }
    }
}

/// Parses every top-level value in `s`; garbage between values is skipped.
pub(crate) fn parse_all(s: &str) -> Vec<Json> {
    let mut p = Parser {
        b: s.as_bytes(),
        i: 0,
    };
    let mut out = Vec::new();
    while p.i < p.b.len() {
        p.ws();
        match p.b.get(p.i) {
            Some(b'{') | Some(b'[') => match p.value(0) {
                Some(v) => out.push(v),
                None => break,
            },
            Some(_) => p.i += 1,
            None => break,
        }
    }
    out
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && (self.b[self.i].is_ascii_whitespace() || self.b[self.i] == b',') {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        self.ws();
        let c = *self.b.get(self.i)?;
        match c {
            b'{' | b'[' if depth >= MAX_NEST => {
                self.skip_nested();
                Some(Json::Null)
            }
            b'{' => {
                self.i += 1;
                let mut m = Vec::new();
                loop {
                    self.ws();
                    match self.b.get(self.i) {
                        None => return Some(Json::Obj(m)),
                        Some(b'}') => {
                            self.i += 1;
                            return Some(Json::Obj(m));
                        }
                        Some(b'"') | Some(b'\'') => {
                            let k = self.string()?;
                            self.ws();
                            if self.b.get(self.i) == Some(&b':') {
                                self.i += 1;
                            }
                            let v = self.value(depth + 1)?;
                            m.push((k, v));
                        }
                        Some(_) => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut a = Vec::new();
                loop {
                    self.ws();
                    match self.b.get(self.i) {
                        None => return Some(Json::Arr(a)),
                        Some(b']') => {
                            self.i += 1;
                            return Some(Json::Arr(a));
                        }
                        Some(_) => a.push(self.value(depth + 1)?),
                    }
                }
            }
            b'"' | b'\'' => self.string().map(Json::Str),
            _ => {
                let st = self.i;
                while self.i < self.b.len()
                    && !matches!(self.b[self.i], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
                {
                    self.i += 1;
                }
                let w = std::str::from_utf8(&self.b[st..self.i]).ok()?;
                match w {
                    "" => None,
                    "null" => Some(Json::Null),
                    "true" => Some(Json::Bool(true)),
                    "false" => Some(Json::Bool(false)),
                    w => Some(Json::Num(w.to_string())),
                }
            }
        }
    }

    fn skip_nested(&mut self) {
        let mut depth = 0usize;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'"' => {
                    let _ = self.string();
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.i += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    fn string(&mut self) -> Option<String> {
        let q = self.b[self.i];
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        while self.i < self.b.len() {
            let c = self.b[self.i];
            self.i += 1;
            if c == q {
                return Some(String::from_utf8_lossy(&out).into_owned());
            }
            if c != b'\\' {
                out.push(c);
                continue;
            }
            let e = *self.b.get(self.i)?;
            self.i += 1;
            match e {
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'r' => out.push(b'\r'),
                b'b' | b'f' => out.push(b' '),
                b'u' => {
                    let mut cp = self.hex4()?;
                    if (0xD800..0xDC00).contains(&cp) && self.b.get(self.i..self.i + 2) == Some(b"\\u") {
                        self.i += 2;
                        let lo = self.hex4()?;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                    }
                    let ch = char::from_u32(cp).unwrap_or('\u{fffd}');
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                other => out.push(other),
            }
        }
        Some(String::from_utf8_lossy(&out).into_owned())
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.b.get(self.i..self.i + 4)?;
        self.i += 4;
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient() {
        let v = parse_all(
            "<!--\n{\"@type\":\"NewsArticle\",\"headline\":\"A \\u00e9 \\\"b\\\"\",\"n\":1.5,\"a\":[1,2,],}\n-->",
        );
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].get("headline").and_then(Json::as_str), Some("A é \"b\""));
        assert_eq!(v[0].get("a").map(|a| a.items().len()), Some(2));
    }

    #[test]
    fn deep_and_broken() {
        let deep = "[".repeat(100_000);
        let _ = parse_all(&deep);
        let _ = parse_all("{\"a\": \"unterminated");
        let _ = parse_all("{\"a\" 1 2 3 }}}]]");
        assert_eq!(parse_all("garbage"), Vec::<Json>::new());
    }
}
