//! `wirefold sources list|add|pause|resume|remove`: the run-time source registry in
//! JetStream KV, shared by every fetcher; changes take effect without a restart.

use std::process::ExitCode;

use wirefold_fetcher::{SourceSpec, SourceStatus, SourceType};

use super::NatsArgs;

/// Flags of `sources`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    nats: NatsArgs,
    #[command(subcommand)]
    action: Action,
}

/// What to do with the registry.
#[derive(Debug, Clone, clap::Subcommand)]
enum Action {
    /// List sources with their fetch counters, last success and next poll.
    List {
        /// One JSON object per line (declaration and fetch state) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Add a source.
    Add {
        /// Unique name: 1 to 64 of [A-Za-z0-9_-].
        name: String,
        /// feed, page or sitemap.
        #[arg(long, value_enum)]
        kind: Kind,
        /// The http(s) URL to poll.
        #[arg(long)]
        url: String,
        /// Shortest time between polls, seconds.
        #[arg(long)]
        min_interval_secs: Option<u64>,
        /// Longest time between polls, seconds.
        #[arg(long)]
        max_interval_secs: Option<u64>,
        /// Feeds: publish the summary of summary-only items instead of fetching the page.
        #[arg(long)]
        no_fetch_pages: bool,
        /// Add it paused.
        #[arg(long)]
        paused: bool,
    },
    /// Stop polling a source until it is resumed.
    Pause {
        /// Source name.
        name: String,
    },
    /// Resume a paused source.
    Resume {
        /// Source name.
        name: String,
    },
    /// Remove a source (its fetch state is kept: adding it back republishes nothing).
    Remove {
        /// Source name.
        name: String,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Kind {
    Feed,
    Page,
    Sitemap,
}

impl From<Kind> for SourceType {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Feed => SourceType::Feed,
            Kind::Page => SourceType::Page,
            Kind::Sitemap => SourceType::Sitemap,
        }
    }
}

/// Runs one registry action.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bus = args.nats.connect("wirefold-sources").await?;
    match args.action {
        Action::List { json } => {
            let list = wirefold_fetcher::sources_list(&bus).await?;
            if json {
                for s in &list {
                    // The seen-item fingerprints are bookkeeping, not status: count them.
                    let mut state = serde_json::to_value(&s.state)?;
                    if let Some(o) = state.as_object_mut() {
                        o.remove("seen");
                        o.insert("seen_items".into(), s.state.seen.len().into());
                    }
                    println!("{}", serde_json::json!({ "source": s.spec, "state": state }));
                }
            } else {
                println!("{}", SourceStatus::HEADER);
                for s in &list {
                    println!("{s}");
                }
            }
        }
        Action::Add {
            name,
            kind,
            url,
            min_interval_secs,
            max_interval_secs,
            no_fetch_pages,
            paused,
        } => {
            let spec = SourceSpec {
                name: name.clone(),
                kind: kind.into(),
                url,
                min_interval_secs,
                max_interval_secs,
                fetch_pages: !no_fetch_pages,
                paused,
            };
            wirefold_fetcher::sources_add(&bus, spec).await?;
            println!("added {name}");
        }
        Action::Pause { name } => {
            wirefold_fetcher::sources_pause(&bus, &name, true).await?;
            println!("paused {name}");
        }
        Action::Resume { name } => {
            wirefold_fetcher::sources_pause(&bus, &name, false).await?;
            println!("resumed {name}");
        }
        Action::Remove { name } => {
            wirefold_fetcher::sources_remove(&bus, &name).await?;
            println!("removed {name}");
        }
    }
    bus.drain().await;
    Ok(ExitCode::SUCCESS)
}
