//! News sitemaps and sitemap indexes (`sitemap::parse_sitemap`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = wirefold_fetcher::sitemap::parse_sitemap(data);
});
