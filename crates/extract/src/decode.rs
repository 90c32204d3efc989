//! Bytes to text: binary sniffing and charset resolution.
//!
//! Order: byte-order mark, then the `charset` parameter of the declared content type, then a
//! `<meta charset>` / `http-equiv` declaration in the first 16 KiB, then detection with
//! chardetng (valid UTF-8 wins outright). A `<meta>` declaration of a legacy charset
//! (single-byte or multi-byte) is overridden when the bytes are valid UTF-8 with non-ASCII
//! content, the most common mislabelling on the web. Decoding never fails: malformed sequences become U+FFFD.
//! This module does no HTML parsing beyond the charset prescan.

use crate::ExtractError;
use encoding_rs::{Encoding, UTF_8};
use std::borrow::Cow;

/// Resolves the charset of `bytes` and decodes them.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
    url: Option<&str>,
) -> Result<Cow<'a, str>, ExtractError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Ok(text);
    }
    sniff_binary(bytes)?;
    let declared = content_type
        .and_then(charset_param)
        .and_then(|l| Encoding::for_label(l.as_bytes()));
    let enc = match declared {
        Some(enc) => enc,
        None => match meta_charset(bytes) {
            Some(enc) if enc == UTF_8 => UTF_8,
            // Valid UTF-8 with non-ASCII content is UTF-8 whatever the page says: legacy
            // text, single-byte or multi-byte (Shift_JIS, EUC-JP, GBK), is almost never valid
            // UTF-8 by chance, and pages re-saved as UTF-8 keep their old declaration.
            Some(_) if !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() => UTF_8,
            Some(enc) => enc,
            None => detect(bytes, url),
        },
    };
    // UTF-16 labels in a <meta> are bogus by definition (the prescan read ASCII).
    let enc = if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        UTF_8
    } else {
        enc
    };
    if enc == UTF_8 {
        return Ok(match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => Cow::Owned(String::from_utf8_lossy(bytes).into_owned()),
        });
    }
    let (text, _, _) = enc.decode(bytes);
    Ok(text)
}

/// Rejects files that are not text: NUL bytes, well-known binary signatures, or a high share
/// of control characters in the first KiB.
fn sniff_binary(bytes: &[u8]) -> Result<(), ExtractError> {
    const MAGIC: [&[u8]; 10] = [
        b"%PDF-",
        b"\x89PNG",
        b"GIF8",
        b"\xff\xd8\xff",
        b"PK\x03\x04",
        b"\x1f\x8b",
        b"\x7fELF",
        b"RIFF",
        b"\x00\x00\x00",
        b"BZh",
    ];
    if MAGIC.iter().any(|m| bytes.starts_with(m)) {
        return Err(ExtractError::Binary);
    }
    let head = &bytes[..bytes.len().min(1024)];
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    if head.contains(&0) || controls * 20 > head.len().max(1) {
        return Err(ExtractError::Binary);
    }
    Ok(())
}

/// The `charset=` parameter of a media type.
fn charset_param(ct: &str) -> Option<String> {
    let lower = ct.to_ascii_lowercase();
    let pos = lower.find("charset")?;
    let rest = lower[pos + 7..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace())
        .unwrap_or(rest.len());
    let v = &rest[..end];
    (!v.is_empty()).then(|| v.to_string())
}

/// Looks for `<meta charset=...>` or `<meta http-equiv=content-type content="...charset=...">`.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(16 * 1024)];
    let mut from = 0;
    while let Some(k) = memchr::memmem::find(&head[from..], b"<meta") {
        let start = from + k + 5;
        let end = memchr::memchr(b'>', &head[start..]).map_or(head.len(), |e| start + e);
        let tag = String::from_utf8_lossy(&head[start..end]).to_ascii_lowercase();
        if let Some(p) = tag.find("charset") {
            let rest = tag[p + 7..].trim_start();
            if let Some(rest) = rest.strip_prefix('=') {
                let rest = rest.trim_start().trim_start_matches(['"', '\'']);
                let e = rest
                    .find(|c: char| c == '"' || c == '\'' || c == ';' || c == '/' || c.is_whitespace())
                    .unwrap_or(rest.len());
                if let Some(enc) = Encoding::for_label(&rest.as_bytes()[..e]) {
                    return Some(enc);
                }
            }
        }
        from = end.min(head.len());
        if from >= head.len() {
            break;
        }
    }
    None
}

/// Guesses the charset of undeclared bytes.
fn detect(bytes: &[u8], url: Option<&str>) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &bytes[..bytes.len().min(256 * 1024)];
    det.feed(sample, sample.len() == bytes.len());
    let tld = url.and_then(tld_of);
    det.guess(tld.as_deref().map(str::as_bytes), chardetng::Utf8Detection::Allow)
}

fn tld_of(url: &str) -> Option<String> {
    let host = crate::meta::host_of(url)?;
    let tld = host.rsplit('.').next()?;
    (tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic())).then(|| tld.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], ct: Option<&str>, want: &str) {
        let got = decode(bytes, ct, None)
            .map(|c| c.into_owned())
            .unwrap_or_else(|e| format!("error: {e}"));
        assert!(got.contains(want), "{got:?} lacks {want:?}");
    }

    #[test]
    fn charsets() {
        // KOI8-R "привет" declared in the header.
        check(
            b"<p>\xd0\xd2\xc9\xd7\xc5\xd4</p>",
            Some("text/html; charset=koi8-r"),
            "привет",
        );
        // windows-1252 declared in a meta tag.
        check(b"<meta charset=\"windows-1252\"><p>caf\xe9</p>", None, "café");
        // http-equiv form.
        check(
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-2\"><p>\xb3\xf3d\xbc</p>",
            None,
            "łódź",
        );
        // Mislabelled: meta says latin-1, bytes are UTF-8.
        check("<meta charset=iso-8859-1><p>café</p>".as_bytes(), None, "café");
        // Mislabelled multi-byte: meta says Shift_JIS, bytes are UTF-8 (a page re-saved).
        check(
            "<meta charset=shift_jis><p>日本語のテキストです。</p>".as_bytes(),
            None,
            "日本語のテキスト",
        );
        // Declared Shift_JIS that is Shift_JIS stays so.
        let mut sjis = b"<meta charset=shift_jis>".to_vec();
        sjis.extend_from_slice(&encoding_rs::SHIFT_JIS.encode("<p>日本語のテキストです。</p>").0);
        check(&sjis, None, "日本語のテキスト");
        // BOM wins.
        check(
            b"\xef\xbb\xbf<p>caf\xc3\xa9</p>",
            Some("text/html; charset=latin1"),
            "café",
        );
        // Undeclared Shift_JIS, detected.
        check(
            &encoding_rs::SHIFT_JIS
                .encode("<p>日本語のテキストです。これはテストです。</p>")
                .0,
            None,
            "日本語",
        );
        // Unknown label falls back to detection.
        check(b"<meta charset=x-unknown-thing><p>plain</p>", None, "plain");
    }

    #[test]
    fn binary_is_rejected() {
        for b in [
            &b"%PDF-1.7 ..."[..],
            b"\x89PNG\r\n\x1a\n",
            b"ab\x00cd<html>",
            b"\x1f\x8b\x08\x00",
        ] {
            assert!(
                matches!(decode(b, None, None), Err(ExtractError::Binary)),
                "{b:?}"
            );
        }
    }
}
