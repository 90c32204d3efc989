//! RSS, Atom and JSON feeds as the fetcher parses them (`feeds::parse_feed`, feed-rs and
//! the item reading around it): never a panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = wirefold_fetcher::feeds::parse_feed(data, Some("https://news.example/feed"));
    let _ = wirefold_fetcher::feeds::parse_feed(data, None);
});
