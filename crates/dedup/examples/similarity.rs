//! Prints the anchor similarity of every pair of the given text files (diagnostics).
//!
//! usage: cargo run -p wirefold-dedup --example similarity -- A.txt B.txt [C.txt ...]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let texts = paths
        .iter()
        .map(std::fs::read_to_string)
        .collect::<Result<Vec<_>, _>>()?;
    let cfg = wirefold_dedup::Config::default();
    for i in 0..texts.len() {
        for j in i + 1..texts.len() {
            let s = wirefold_dedup::text_similarity(&cfg, &texts[i], &texts[j]);
            println!("{} {} {:?}", paths[i], paths[j], s);
        }
    }
    Ok(())
}
