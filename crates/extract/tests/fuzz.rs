//! Property tests: arbitrary bytes and HTML-shaped soup never panic, and what comes back
//! keeps the record's invariants (paragraph separators, RFC 3339 dates).

use proptest::prelude::*;
use wirefold_extract::{Input, extract, extract_item_html, extract_item_text, extract_text, language_tag};

fn check_record(e: &wirefold_extract::Extracted) {
    assert!(!e.body.contains("\n\n\n"), "three newlines in body");
    assert_eq!(e.body.trim(), e.body, "untrimmed body");
    if let Some(p) = &e.published {
        let b = p.as_bytes();
        assert!(
            b.len() >= 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T',
            "bad date {p}"
        );
    }
}

fn html_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<p>".to_string()),
        Just("</p>".to_string()),
        Just("<div class=\"article-body\">".to_string()),
        Just("</div>".to_string()),
        Just("<a href=\"/x\">".to_string()),
        Just("</a>".to_string()),
        Just("<script>".to_string()),
        Just("</script>".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        Just("<h1>".to_string()),
        Just("<table><tr><td>".to_string()),
        Just("</td><td>".to_string()),
        Just("</tr></table>".to_string()),
        Just("<br/>".to_string()),
        Just("<figure>".to_string()),
        Just("<time datetime=\"2025-11-24T10:00:00Z\">".to_string()),
        Just("<meta property=\"article:published_time\" content=\"2025-11-24\">".to_string()),
        Just(
            "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"headline\":\"H\",".to_string()
        ),
        Just("&amp;&#x2014;&nbsp;&".to_string()),
        Just("GENEVA (Reuters) - ".to_string()),
        Just("By Jane Doe".to_string()),
        Just("Updated November 24, 2025 at 3:34 PM EST".to_string()),
        "[a-zA-Z ,.]{0,80}",
        "\\PC{0,20}",
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2000), ct in prop::option::of("[a-z/;= -]{0,30}")) {
        if let Ok(e) = extract(&Input { bytes: &bytes, content_type: ct.as_deref(), url: Some("https://x.org/a") }) {
            check_record(&e);
        }
    }

    #[test]
    fn html_shaped(s in html_soup()) {
        if let Ok(e) = extract(&Input { bytes: s.as_bytes(), content_type: None, url: None }) {
            check_record(&e);
        }
    }

    #[test]
    fn plain_text(s in "(\\PC{0,60}\n{0,3}){0,30}", title in prop::option::of("\\PC{0,40}")) {
        if let Ok(e) = extract_text(&s, title.as_deref()) {
            check_record(&e);
        }
        if let Ok(e) = extract_item_text(&s, title.as_deref()) {
            check_record(&e);
        }
    }

    #[test]
    fn item_html(s in html_soup(), title in prop::option::of("[a-zA-Z ]{0,40}")) {
        if let Ok(e) = extract_item_html(&s, title.as_deref()) {
            check_record(&e);
        }
    }

    #[test]
    fn language_tags_are_canonical_and_bounded(s in "[a-zA-Z0-9_ -]{0,40}|\\PC{0,12}") {
        if let Some(t) = language_tag(&s) {
            prop_assert!(t.len() <= 35, "{t}");
            prop_assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'), "{t}");
            let again = language_tag(&t);
            prop_assert_eq!(again.as_deref(), Some(t.as_str()), "not idempotent");
            let primary = t.split('-').next().unwrap();
            prop_assert!((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase()), "{t}");
        }
    }
}
