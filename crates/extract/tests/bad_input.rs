//! Hostile and broken inputs: each must give a clear error or a best-effort record, quickly,
//! without panicking or overflowing the stack.

use wirefold_extract::{ExtractError, Input, extract, extract_text};

fn html(bytes: &[u8]) -> Result<wirefold_extract::Extracted, ExtractError> {
    extract(&Input {
        bytes,
        content_type: Some("text/html"),
        url: Some("https://example.com/news/a-story"),
    })
}

const ARTICLE: &str = "<html><head><title>Talks narrow gaps | Paper</title></head><body><nav><a href=/>Home</a></nav>\
    <article><h1>Talks narrow gaps</h1><p>The United States and Ukraine sought on Monday to narrow the gaps in a peace plan, \
    officials said, after talks in Geneva that both sides described as productive.</p><p>European allies, who were not \
    involved in drafting the original plan, released a counter-proposal on Sunday, diplomats said.</p></article></body></html>";

#[test]
fn truncated_html_gives_best_effort() {
    for cut in [10, 100, 200, 300, 350, 400, ARTICLE.len() - 20] {
        let r = html(&ARTICLE.as_bytes()[..cut]);
        assert!(
            r.is_ok() || matches!(r, Err(ExtractError::Empty)),
            "cut {cut}: {r:?}"
        );
    }
    let r = html(&ARTICLE.as_bytes()[..ARTICLE.len() - 20])
        .map(|e| e.body)
        .unwrap_or_default();
    assert!(r.contains("narrow the gaps"), "{r}");
}

#[test]
fn deep_nesting_does_not_overflow() {
    for tag in ["div", "b", "table", "li", "span", "blockquote", "a", "p"] {
        let mut s = String::with_capacity(1_000_000);
        for _ in 0..100_000 {
            s.push('<');
            s.push_str(tag);
            s.push('>');
        }
        s.push_str(
            "The text at the bottom of a very deep tree, long enough to count as a paragraph of prose.",
        );
        let r = html(s.as_bytes());
        assert!(r.is_ok() || matches!(r, Err(ExtractError::Empty)), "{tag}: {r:?}");
        // A wire item's HTML goes the item path: the same tree, read whole.
        let r = wirefold_extract::extract_item_html(&s, None);
        assert!(
            r.is_ok() || matches!(r, Err(ExtractError::Empty)),
            "item {tag}: {r:?}"
        );
    }
}

#[test]
fn huge_input_is_refused_or_bounded() {
    let big = vec![b'a'; wirefold_extract::MAX_INPUT_BYTES + 1];
    assert!(matches!(html(&big), Err(ExtractError::TooLarge { .. })));
    // A 50 MB page of tags: refused with a clear error, not processed for minutes.
    let page = "<div><p>word</p></div>".repeat(50 * 1024 * 1024 / 22);
    assert!(matches!(
        html(page.as_bytes()),
        Err(ExtractError::TooLarge { .. })
    ));
    assert!(matches!(
        wirefold_extract::extract_item_html(&page, None),
        Err(ExtractError::TooLarge { .. })
    ));
    // Just under the limit still works.
    let page = "<div><p>word word word, word.</p></div>".repeat(8 * 1024 * 1024 / 39);
    assert!(html(page.as_bytes()).is_ok());
}

#[test]
fn binary_posing_as_html() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0";
    assert!(matches!(html(png), Err(ExtractError::Binary)));
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert!(matches!(html(&noise), Err(ExtractError::Binary)));
}

#[test]
fn unknown_charset_falls_back() {
    let r = extract(&Input {
        bytes: ARTICLE.as_bytes(),
        content_type: Some("text/html; charset=x-no-such-charset"),
        url: None,
    });
    assert!(r.map(|e| e.body.contains("Geneva")).unwrap_or(false));
}

#[test]
fn empty_and_whitespace() {
    for b in [
        &b""[..],
        b"   \n\t ",
        b"<html></html>",
        b"<!-- only a comment -->",
    ] {
        assert!(matches!(html(b), Err(ExtractError::Empty)), "{b:?}");
    }
    assert!(matches!(extract_text("\n\n  \n", None), Err(ExtractError::Empty)));
}

#[test]
fn garbled_markup() {
    let cases = [
        "<<<>>><p<p<p>>>text</p</p>",
        "<div class=\"unterminated><p>text",
        "<script>never closed <p>text",
        "<p>&#xFFFFFFFF; &#0; &#55296; &bogus; &amp</p>",
        "</div></div></p></body></html><p>after the end, still some text here for the record.</p>",
        "<svg><p>inside svg</p>",
        "<table><td><td><tr><p>cell</p></table></table>",
        "<!DOCTYPE html><html><body><p>\u{0}\u{1}\u{2} control</p>",
    ];
    for c in cases {
        let _ = html(c.as_bytes());
    }
}
