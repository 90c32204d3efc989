//! Keeps the read model up to date: one ordered reader per stream (stories, clusters,
//! articles), each applying what it reads to the model and announcing new events to the
//! live streams. A reader that fails reads again from where it stopped. Readiness: the
//! model has caught up when every stream is read up to the last sequence it held at start.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use tokio::sync::{RwLock, broadcast, watch};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};
use wirefold_bus::{Bus, BusError};
use wirefold_wire::subjects;

use crate::model::{Logged, Model};

/// Which stream a reader follows.
#[derive(Debug, Clone, Copy)]
enum Feed {
    Articles,
    Clusters,
    Stories,
}

impl Feed {
    fn stream(self) -> (&'static str, &'static str) {
        match self {
            Feed::Articles => (subjects::ARTICLES_STREAM, subjects::ARTICLES_ALL),
            Feed::Clusters => (subjects::CLUSTERS_STREAM, subjects::CLUSTERS_ALL),
            Feed::Stories => (subjects::STORIES_STREAM, subjects::STORIES_ALL),
        }
    }
}

/// Starts the readers; `ready` turns true once all three caught up with what the streams
/// held when they started.
pub async fn start(
    bus: &Bus,
    model: Arc<RwLock<Model>>,
    live: broadcast::Sender<Logged>,
    ready: watch::Sender<bool>,
    shutdown: CancellationToken,
) -> Result<(), BusError> {
    let mut targets = Vec::new();
    for feed in [Feed::Articles, Feed::Clusters, Feed::Stories] {
        targets.push((feed, bus.stream_state(feed.stream().0).await?.last_seq));
    }
    let (caught_tx, mut caught_rx) = tokio::sync::mpsc::channel::<()>(3);
    for (feed, target) in targets {
        let (bus, model, live, shutdown, caught) = (
            bus.clone(),
            model.clone(),
            live.clone(),
            shutdown.clone(),
            caught_tx.clone(),
        );
        tokio::spawn(async move { follow(bus, feed, target, model, live, caught, shutdown).await });
    }
    drop(caught_tx);
    tokio::spawn(async move {
        for _ in 0..3 {
            if caught_rx.recv().await.is_none() {
                return;
            }
        }
        let _ = ready.send(true);
    });
    Ok(())
}

async fn follow(
    bus: Bus,
    feed: Feed,
    target: u64,
    model: Arc<RwLock<Model>>,
    live: broadcast::Sender<Logged>,
    caught: tokio::sync::mpsc::Sender<()>,
    shutdown: CancellationToken,
) {
    let (stream, filter) = feed.stream();
    let mut next = 1u64;
    let mut announced = false;
    if target == 0 {
        let _ = caught.send(()).await;
        announced = true;
    }
    loop {
        let mut messages = match bus.read_ordered(stream, filter, next).await {
            Ok(m) => m,
            Err(e) => {
                warn!(stream, error = %e, "cannot read, retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                }
            }
        };
        loop {
            let m = tokio::select! {
                _ = shutdown.cancelled() => return,
                m = messages.next() => m,
            };
            let m = match m {
                Some(Ok(m)) => m,
                Some(Err(e)) => {
                    debug!(stream, error = %e, "reader ended, reading again");
                    break;
                }
                None => break,
            };
            if m.sequence < next {
                continue;
            }
            next = m.sequence + 1;
            {
                let mut md = model.write().await;
                let before = md.undecodable;
                let logged = match feed {
                    Feed::Articles => {
                        md.apply_article(m.sequence, &m.payload);
                        None
                    }
                    Feed::Clusters => md.apply_cluster(m.sequence, &m.payload),
                    Feed::Stories => md.apply_story(m.sequence, &m.payload),
                };
                if md.undecodable > before {
                    metrics::counter!(crate::metric::UNDECODABLE, "stream" => stream).increment(1);
                    warn!(stream, seq = m.sequence, "message not decodable, skipped");
                }
                // Announced under the lock, so live streams see events in log order. No
                // receiver is fine: nobody is streaming.
                if let Some(l) = logged {
                    let _ = live.send(l);
                }
            }
            if !announced && m.sequence >= target {
                let _ = caught.send(()).await;
                announced = true;
            }
        }
    }
}
