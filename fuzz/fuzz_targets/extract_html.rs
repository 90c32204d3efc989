//! HTML (and other) pages through the extractor (`wirefold_extract::extract`), and the same
//! bytes as plain text (`extract_text`). The first byte picks the declared content type.
#![no_main]
use libfuzzer_sys::fuzz_target;

const TYPES: [Option<&str>; 5] = [
    Some("text/html"),
    Some("text/html; charset=windows-1252"),
    Some("application/xhtml+xml"),
    Some("text/plain"),
    None,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let input = wirefold_extract::Input {
        bytes: body,
        content_type: TYPES[pick as usize % TYPES.len()],
        url: Some("https://news.example/2026/01/02/story.html"),
    };
    let _ = wirefold_extract::extract(&input);
    let text = String::from_utf8_lossy(body);
    let _ = wirefold_extract::extract_text(&text, None);
});
