//! `wirefold cluster` run as the binary, as a filter in a pipe: each article is answered
//! while the producer keeps its end open and waits for the answer.

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
