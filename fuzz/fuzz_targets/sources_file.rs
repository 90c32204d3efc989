//! The TOML sources file (`SourcesFile::parse`: TOML, unknown fields refused, every source
//! validated).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = wirefold_fetcher::config::SourcesFile::parse(text, "fuzz.toml");
    }
});
