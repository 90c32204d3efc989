//! Prints what the agency readers make of each file given: format, items (type, uri,
//! version, status, headline, slugline, byline, provider, body start) and problems.
//! `cargo run -p wirefold-agency --example dump -- FILE...`

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                println!("{path}: cannot read: {e}");
                continue;
            }
        };
        match wirefold_agency::read(&bytes) {
            Ok(None) => println!("{path}: not an agency format"),
            Err(e) => println!("{path}: error: {e}"),
            Ok(Some(d)) => {
                println!("{path}: {} ({} items)", d.format.as_str(), d.items.len());
                for it in &d.items {
                    let body = match &it.body {
                        wirefold_agency::Body::Text(t) | wirefold_agency::Body::Html(t) => {
                            t.chars().take(90).collect::<String>()
                        }
                        wirefold_agency::Body::None => String::new(),
                    };
                    println!(
                        "  {} uri={:?} v={:?} st={:?} sig={:?}\n    hl={:?}\n    slug={:?} by={:?} from={:?} loc={:?} lang={:?} urg={:?} fc={:?} vc={:?} inc={:?}\n    body={body:?}",
                        it.item_type.as_str(),
                        it.uri,
                        it.version,
                        it.pubstatus,
                        it.signal,
                        it.headline,
                        it.slugline,
                        it.byline,
                        it.provider,
                        it.located,
                        it.language,
                        it.urgency,
                        it.firstcreated,
                        it.versioncreated,
                        it.incomplete
                    );
                }
                for p in &d.problems {
                    println!("  problem: {p}");
                }
            }
        }
    }
}
