//! `wirefold tail [--stories] [SUBJECT]`: prints cluster or story events as JSON lines, live
//! or from the start of their stream, until interrupted.

use std::io::Write as _;
use std::process::ExitCode;

use futures::StreamExt as _;
use wirefold_wire::subjects;

use super::{NatsArgs, shutdown_on_signals};

/// Flags of `tail`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    nats: NatsArgs,
    /// Replay every stored event first, then follow.
    #[arg(long)]
    from_start: bool,
    /// Follow story events (`wirefold.stories.>`) instead of cluster events.
    #[arg(long)]
    stories: bool,
    /// Subject filter, e.g. `wirefold.clusters.created.>`, `wirefold.clusters.*.<cluster-id>`
    /// or `wirefold.stories.*.<story-id>`. Default: every cluster event, or with `--stories`
    /// every story event.
    subject: Option<String>,
}

/// The stream holding `subject`'s events.
fn stream_of(subject: &str) -> anyhow::Result<&'static str> {
    let prefix = |all: &str| all.trim_end_matches('>').to_string();
    if subject.starts_with(&prefix(subjects::STORIES_ALL)) {
        Ok(subjects::STORIES_STREAM)
    } else if subject.starts_with(&prefix(subjects::CLUSTERS_ALL)) {
        Ok(subjects::CLUSTERS_STREAM)
    } else {
        anyhow::bail!(
            "{subject} is neither under {} nor under {}",
            subjects::CLUSTERS_ALL,
            subjects::STORIES_ALL
        )
    }
}

/// Runs until interrupted.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let subject = args.subject.clone().unwrap_or_else(|| {
        if args.stories {
            subjects::STORIES_ALL.to_string()
        } else {
            subjects::CLUSTERS_ALL.to_string()
        }
    });
    let stream = stream_of(&subject)?;
    let bus = args.nats.connect("wirefold-tail").await?;
    let shutdown = shutdown_on_signals();
    let mut out = std::io::stdout().lock();
    if args.from_start {
        let mut msgs = bus.ordered_from(stream, &subject, 1).await?;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                m = msgs.next() => match m {
                    Some(Ok(m)) => { out.write_all(&m.payload)?; out.write_all(b"\n")?; out.flush()?; }
                    Some(Err(e)) => anyhow::bail!("reading {stream}: {e}"),
                    None => break,
                }
            }
        }
    } else {
        let mut sub = bus.subscribe(&subject).await?;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                m = sub.next() => match m {
                    Some(m) => { out.write_all(&m.payload)?; out.write_all(b"\n")?; out.flush()?; }
                    None => break,
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_name_their_stream() {
        assert_eq!(stream_of("wirefold.stories.>").unwrap(), subjects::STORIES_STREAM);
        assert_eq!(
            stream_of("wirefold.stories.*.s1").unwrap(),
            subjects::STORIES_STREAM
        );
        assert_eq!(
            stream_of("wirefold.clusters.created.>").unwrap(),
            subjects::CLUSTERS_STREAM
        );
        assert!(stream_of("wirefold.articles.en").is_err());
    }
}
