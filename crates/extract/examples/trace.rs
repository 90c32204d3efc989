//! Debug aid: `trace FILE NEEDLE` prints the ancestors of the text containing NEEDLE.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(needle)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: trace FILE NEEDLE");
        std::process::exit(2);
    };
    let html = std::fs::read_to_string(path).unwrap_or_default();
    print!("{}", wirefold_extract::debug_trace(&html, needle));
}
