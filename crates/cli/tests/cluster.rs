//! `wirefold cluster` and `explain` run as the binary: `cluster` as a filter in a pipe
//! (each article answered while the producer keeps its end open and waits for the answer),
//! `explain` over files of both kinds (one stream of lines, an oversized file refused).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const WIREFOLD: &str = env!("CARGO_BIN_EXE_wirefold");

#[test]
fn answers_each_line_while_the_pipe_stays_open() {
    let mut child = Command::new(WIREFOLD)
        .arg("cluster")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run wirefold cluster");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let article = |id: &str| {
        let text = "The bridge over the river reopened on Monday after months of repairs to its main span.";
        format!("{}\n", serde_json::json!({"id": id, "text": text}))
    };
    // One line at a time, each answered before the next is written: a producer that waits
    // for its answer must get it, not wait for more input or for the end.
    for id in ["a", "b"] {
        stdin.write_all(article(id).as_bytes()).unwrap();
        stdin.flush().unwrap();
        let answer = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no answer for {id} while the pipe is open"));
        let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(v["id"], id);
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
}

#[test]
fn explain_streams_its_files_and_refuses_an_oversized_one() {
    let dir = tempfile::tempdir().unwrap();
    let text = "The bridge over the river reopened on Monday after months of repairs to its main span.";
    let a = dir.path().join("a.txt");
    std::fs::write(&a, text).unwrap();
    // A JSONL file whose last line has no end, then a plain-text file: two articles.
    let b = dir.path().join("b.jsonl");
    std::fs::write(&b, serde_json::json!({"id": "b", "text": text}).to_string()).unwrap();
    let out = Command::new(WIREFOLD)
        .arg("explain")
        .arg(&b)
        .arg(&a)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["b", "a.txt"]);
    assert_eq!(
        lines[0]["copy"], lines[1]["copy"],
        "the same text is one copy cluster"
    );
    // A plain-text file over the document limit is refused, not read whole.
    let big = dir.path().join("big.txt");
    std::fs::write(&big, "word ".repeat(100)).unwrap();
    let out = Command::new(WIREFOLD)
        .args(["explain", "--max-document-bytes", "100"])
        .arg(&big)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than the 100 byte limit"));
}
