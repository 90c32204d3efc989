//! Subject, stream, consumer and bucket names: the whole NATS namespace of wirefold in one
//! place, so README, ARCHITECTURE.md and the code cannot drift apart.

use crate::{ClusterEventKind, SourceKind, StoryEventKind};

/// Prefix of every wirefold subject.
pub const PREFIX: &str = "wirefold";

/// Stream of raw documents (`wirefold.raw.>`).
pub const RAW_STREAM: &str = "WIREFOLD_RAW";
/// Stream of normalized articles (`wirefold.articles.>`).
pub const ARTICLES_STREAM: &str = "WIREFOLD_ARTICLES";
/// Stream of cluster events (`wirefold.clusters.>`).
pub const CLUSTERS_STREAM: &str = "WIREFOLD_CLUSTERS";
/// Stream of story events (`wirefold.stories.>`).
pub const STORIES_STREAM: &str = "WIREFOLD_STORIES";
/// Stream of dead letters (`wirefold.dlq.>`).
pub const DLQ_STREAM: &str = "WIREFOLD_DLQ";

/// Filter of the raw stream.
pub const RAW_ALL: &str = "wirefold.raw.>";
/// Filter of the articles stream.
pub const ARTICLES_ALL: &str = "wirefold.articles.>";
/// Filter of the clusters stream.
pub const CLUSTERS_ALL: &str = "wirefold.clusters.>";
/// Filter of the stories stream.
pub const STORIES_ALL: &str = "wirefold.stories.>";
/// Filter of the dead-letter stream.
pub const DLQ_ALL: &str = "wirefold.dlq.>";

/// Durable consumer of the normalizer on the raw stream.
pub const NORMALIZER_CONSUMER: &str = "normalizer";

/// KV bucket holding leases (dedup leader election).
pub const LEASES_BUCKET: &str = "wirefold_leases";
/// Object store bucket holding dedup index snapshots.
pub const SNAPSHOT_BUCKET: &str = "wirefold_dedup_snapshots";
/// KV bucket holding the run-time source registry.
pub const SOURCES_BUCKET: &str = "wirefold_sources";
/// KV bucket holding per-source fetch state (validators, seen items).
pub const FETCH_STATE_BUCKET: &str = "wirefold_fetch_state";

/// `wirefold.raw.<kind>`.
pub fn raw(kind: SourceKind) -> String {
    format!("{PREFIX}.raw.{}", kind.as_str())
}

/// `wirefold.articles.<lang>`: the language subtag of the article's tag (`en` for `en`,
/// `en-GB` and `en-US` alike, so one subscription gets a language); `und` when the
/// language is unknown.
pub fn article(language: Option<&str>) -> String {
    let lang = language
        .and_then(|l| l.split(['-', '_']).next())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .unwrap_or("und");
    format!("{PREFIX}.articles.{}", token(&lang.to_ascii_lowercase()))
}

/// `wirefold.clusters.<kind>.<cluster-id>`.
pub fn cluster(kind: ClusterEventKind, cluster_id: &str) -> String {
    format!("{PREFIX}.clusters.{}.{}", kind.as_str(), token(cluster_id))
}

/// `wirefold.stories.<kind>.<story-id>`.
pub fn story(kind: StoryEventKind, story_id: &str) -> String {
    format!("{PREFIX}.stories.{}.{}", kind.as_str(), token(story_id))
}

/// `wirefold.dlq.<stage>`.
pub fn dead_letter(stage: &str) -> String {
    format!("{PREFIX}.dlq.{}", token(stage))
}

/// Makes a string safe as one subject token: no dots, wildcards or whitespace.
pub fn token(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if t.is_empty() { "_".into() } else { t }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_single_tokens() {
        assert_eq!(
            cluster(ClusterEventKind::Created, "c.1 *>"),
            "wirefold.clusters.created.c_1___"
        );
        assert_eq!(article(None), "wirefold.articles.und");
        // One subject per language, whatever the region.
        for tag in ["en", "en-GB", "en-US", "EN"] {
            assert_eq!(article(Some(tag)), "wirefold.articles.en", "{tag}");
        }
        assert_eq!(article(Some("zh-Hant-TW")), "wirefold.articles.zh");
        assert_eq!(article(Some("")), "wirefold.articles.und");
        assert_eq!(
            story(StoryEventKind::ClusterAdded, "s00ff"),
            "wirefold.stories.cluster_added.s00ff"
        );
        assert_eq!(raw(SourceKind::Drop), "wirefold.raw.drop");
        assert_eq!(dead_letter("normalizer"), "wirefold.dlq.normalizer");
    }
}
