//! A body POSTed to the push endpoint, all the way to an article record: what the endpoint
//! does with it (`push::documents`: binary sniffing, envelope, identity, a feed's items),
//! then what the normalizer does with each raw document (`normalize`: charset, ninjs,
//! HTML or text extraction). The first byte picks the content type among the four the endpoint accepts.
#![no_main]
use libfuzzer_sys::fuzz_target;

const TYPES: [&str; 4] = ["application/json", "application/xml", "text/html", "text/plain"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let ct = TYPES[pick as usize % TYPES.len()];
    match wirefold_fetcher::push::documents(body, ct, "partner".into()) {
        Ok(wirefold_fetcher::push::Pushed::One(doc)) => {
            // The raw document survives the wire round trip the normalizer reads it through.
            let encoded = wirefold_wire::encode(&*doc);
            let raw: wirefold_wire::RawDocument = wirefold_wire::decode(&encoded).expect("own encoding decodes");
            assert_eq!(raw.body.to_bytes().expect("own body decodes"), body);
            let _ = wirefold_normalizer::normalize(&raw, 1 << 20);
        }
        Ok(wirefold_fetcher::push::Pushed::Feed(docs)) => {
            for doc in docs {
                let raw: wirefold_wire::RawDocument =
                    wirefold_wire::decode(&wirefold_wire::encode(&doc)).expect("own encoding decodes");
                let _ = wirefold_normalizer::normalize(&raw, 1 << 20);
            }
        }
        Err(_) => {}
    }
});
