//! NewsML-G2, NITF and ninjs envelopes of dropped and pushed documents
//! (`envelope::read`). The first byte picks the declared content type.
#![no_main]
use libfuzzer_sys::fuzz_target;

const TYPES: [&str; 4] = ["application/json", "application/xml", "text/plain", "text/html"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let _ = wirefold_fetcher::envelope::read(body, TYPES[pick as usize % TYPES.len()]);
});
