//! Story index behaviour: determinism, snapshots, lifecycle, bad input, and accuracy floors
//! on the shared dev data (read through `WIREFOLD_DATA`).

use wirefold_dedup::story::{Config, StoryIndex, Text};

fn text(body: &str) -> Text<'_> {
    Text {
        title: "",
        body,
        lang: None,
    }
}

const QUAKE: &str = "A magnitude 6.1 earthquake struck near the town of Bam in southern Iran on \
Friday, killing at least 40 people and injuring hundreds, the Iranian Red Crescent said. \
Rescue teams from Kerman province searched collapsed buildings through the night.";

#[test]
fn same_text_twice_is_similar() {
    let mut ix = StoryIndex::new(Config::default());
    let a = ix.place(1, &text(QUAKE), 0);
    let b = ix.place(2, &text(QUAKE), 1000);
    eprintln!("{a:?} {b:?}");
    assert!(a.created && !b.created);
    assert!(b.similarity > 0.9, "{b:?}");
}
