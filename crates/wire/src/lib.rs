//! Wire types: the JSON documents that travel between wirefold workers over NATS, and the
//! subject and stream names they travel on.
//!
//! This crate is the only place that defines a serialized format. Every type carries a
//! `schema` number; a reader rejects a schema it does not know rather than guessing. The
//! crate does no IO of its own (its JSON-lines [`jsonl::Reader`] reads what the caller
//! hands it) and knows nothing about NATS clients: it only names subjects.
//!
//! Field names of [`Article`] follow IPTC ninjs where ninjs has one (`uri`, `version`,
//! `headline`, `byline`, `firstcreated`, `versioncreated`, `language`, `body_text`,
//! `located`, `pubstatus`).

pub mod agencies;
pub mod jsonl;
pub mod subjects;
pub mod time;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Schema version written into every document this crate defines.
pub const SCHEMA_VERSION: u32 = 1;

/// Errors from decoding a wire document.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The bytes are not the JSON document expected.
    #[error("malformed {kind} document: {source}")]
    Malformed {
        /// Which document type was being decoded.
        kind: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The document declares a schema this build does not understand.
    #[error("unsupported {kind} schema {found} (this build reads {SCHEMA_VERSION})")]
    UnsupportedSchema {
        /// Which document type was being decoded.
        kind: &'static str,
        /// The schema number found in the document.
        found: u32,
    },
    /// A base64 body did not decode.
    #[error("raw document body is not valid base64: {0}")]
    BadBase64(#[from] base64::DecodeError),
}

/// Where a raw document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A file or directory handed to `wirefold ingest`.
    File,
    /// An item of an RSS, Atom or JSON feed.
    Feed,
    /// An article page fetched over HTTP(S).
    Page,
    /// An entry of a news sitemap.
    Sitemap,
    /// A file picked up from a watched wire drop folder.
    Drop,
    /// A document POSTed to the push endpoint.
    Push,
}

impl SourceKind {
    /// The subject token for this kind (`wirefold.raw.<kind>`).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::File => "file",
            SourceKind::Feed => "feed",
            SourceKind::Page => "page",
            SourceKind::Sitemap => "sitemap",
            SourceKind::Drop => "drop",
            SourceKind::Push => "push",
        }
    }
}

/// The bytes of a raw document. Text stays readable in the stream; anything else
/// (an HTML page in windows-1251, a binary posing as HTML) travels as base64 so the
/// normalizer, not the fetcher, decides what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawBody {
    /// The body was valid UTF-8.
    Text(String),
    /// The body was not valid UTF-8; standard base64 with padding.
    Base64(String),
}

impl RawBody {
    /// Wraps bytes, keeping them as text when they are UTF-8.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(s) => RawBody::Text(s),
            Err(e) => RawBody::Base64(base64::engine::general_purpose::STANDARD.encode(e.as_bytes())),
        }
    }

    /// The original bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, WireError> {
        match self {
            RawBody::Text(s) => Ok(s.as_bytes().to_vec()),
            RawBody::Base64(b) => Ok(base64::engine::general_purpose::STANDARD.decode(b)?),
        }
    }

    /// About the first `max` bytes of the original (for an excerpt): text as it is, base64
    /// decoded only as far as they need; empty when that base64 is broken.
    pub fn prefix(&self, max: usize) -> std::borrow::Cow<'_, [u8]> {
        match self {
            RawBody::Text(s) => std::borrow::Cow::Borrowed(&s.as_bytes()[..s.len().min(max)]),
            RawBody::Base64(b) => {
                // Four base64 characters are three bytes.
                let chars = (max.div_ceil(3) * 4).min(b.len());
                std::borrow::Cow::Owned(
                    base64::engine::general_purpose::STANDARD
                        .decode(&b[..chars - chars % 4])
                        .unwrap_or_default(),
                )
            }
        }
    }

    /// Length of the original bytes (approximate for base64 before decoding).
    pub fn len(&self) -> usize {
        match self {
            RawBody::Text(s) => s.len(),
            RawBody::Base64(b) => b.len() / 4 * 3,
        }
    }

    /// Whether the body holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A document as a fetcher received it, before any interpretation.
/// Published on `wirefold.raw.<kind>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawDocument {
    /// Schema version of this document ([`SCHEMA_VERSION`]).
    pub schema: u32,
    /// Deterministic id of this document version: a hash of source, item id and version or
    /// content. Also the `Nats-Msg-Id` it was published with, so a retried publish is
    /// stored once.
    pub id: String,
    /// Stable identity of the item across versions: feed guid, NewsML-G2/ninjs uri, or URL.
    /// A later document with the same `uri` is a newer version of the same item.
    pub uri: String,
    /// Version of the item when the source states one (NewsML-G2/ninjs `version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// What kind of source produced it.
    pub kind: SourceKind,
    /// Name of the configured source, or the outlet when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where the document can be read: an http(s) URL or, for files, a `file://` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Media type as declared by the source or guessed from the file name
    /// (`text/html`, `text/plain`, `application/json`, `application/xml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// RFC 3339 time the fetcher received it.
    pub received: String,
    /// Hints a feed or wire envelope gave about the item (headline, dates, byline,
    /// pubstatus); the normalizer prefers what it extracts from the body where the
    /// body has it.
    #[serde(default, skip_serializing_if = "ItemHints::is_empty")]
    pub hints: ItemHints,
    /// The bytes themselves.
    pub body: RawBody,
}

/// Metadata about an item that came with it from a feed or a wire envelope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemHints {
    /// Headline from the feed item or envelope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Byline from the feed item or envelope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// RFC 3339 first publication time from the feed item or envelope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firstcreated: Option<String>,
    /// RFC 3339 time of this version from the feed item or envelope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioncreated: Option<String>,
    /// Language tag from the feed or envelope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// ninjs `pubstatus` (`usable`, `withheld`, `canceled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pubstatus: Option<PubStatus>,
    /// Set when the body is a feed item's own text, not a page: the item's full content,
    /// or only its summary. Such a body is the item (a brief is short), so the normalizer
    /// does not ask whether it is an article page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_body: Option<FeedBody>,
}

/// What of a feed item a raw document's body is, when it is not the item's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedBody {
    /// The item's full content (`content:encoded`, Atom `content`, JSON Feed
    /// `content_html`).
    Content,
    /// Only the item's summary or description (or its title): its page was not read.
    Summary,
}

impl ItemHints {
    /// True when no hint is set.
    pub fn is_empty(&self) -> bool {
        *self == ItemHints::default()
    }
}

/// ninjs publication status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PubStatus {
    /// Ready to be used.
    #[default]
    Usable,
    /// Temporarily not to be used.
    Withheld,
    /// Withdrawn: remove it.
    Canceled,
}

/// A clean article record, as the normalizer publishes it on `wirefold.articles`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Schema version of this document ([`SCHEMA_VERSION`]).
    pub schema: u32,
    /// Id of this article version (the raw document id it was made from).
    pub id: String,
    /// Stable item identity across versions (ninjs `uri`).
    pub uri: String,
    /// Item version, when known (ninjs `version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// ninjs `pubstatus`.
    #[serde(default)]
    pub pubstatus: PubStatus,
    /// Headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Byline as printed ("By Jane Doe and John Roe").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// RFC 3339 first publication time with offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firstcreated: Option<String>,
    /// RFC 3339 time of this version with offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioncreated: Option<String>,
    /// RFC 3339 time before which the item must not be published, as the agency stated it
    /// (ninjs `embargoed`; NewsML-G2 `embargoed`, NITF `date.release`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embargoed: Option<String>,
    /// Dateline place ("GENEVA"), kept out of the body (ninjs `located`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub located: Option<String>,
    /// BCP 47 language tag ("en").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Outlet or configured source name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where the article was read (http(s) or file URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Canonical URL declared by the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_url: Option<String>,
    /// ninjs `type` of a wire item (`text`, `picture`, `graphic`, `video`, `audio`,
    /// `composite`); absent for web pages and plain text, which are text.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub item_type: Option<String>,
    /// The agency's slugline or keyword ("BC-US--Giant Lobster Death"), never the headline
    /// (ninjs `slugline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slugline: Option<String>,
    /// Editorial urgency, 1 (most urgent) to 9 (ninjs `urgency`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<u8>,
    /// Caption of a picture or video, or the agency's summary (ninjs `description_text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_text: Option<String>,
    /// Editorial note to editors (`Eds:`, NewsML-G2 `edNote`; ninjs `ednote`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ednote: Option<String>,
    /// What this version says about the one before it, when the agency says it:
    /// `update` (writethru, new lead, `UPDATE n-`) or `correction` (`CORRECTED-`,
    /// NewsML-G2 `sig:correction`). Withdrawals are `pubstatus: canceled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// The wire format the item was read from (`newsml-g2`, `nitf`, `newsml-1`, `anpa`,
    /// `ninjs`, `xml` for an in-house layout that names its parts plainly, `email`, or
    /// `tagged` for telex-framed text: tagged fields or marked `ZCZC` header lines); absent
    /// for web pages and plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Set when the item was read only in part (a transmission cut short, a text item
    /// without body) or on an assumption (a ninjs `type` that is a sender's own name for a
    /// text): what is missing or assumed. The article is a best-effort record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
    /// Body text: paragraphs separated by a blank line, NFKC, quotes and whitespace normalised.
    #[serde(default)]
    pub body_text: String,
    /// RFC 3339 time the raw document was received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
}

/// What happened to a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterEventKind {
    /// A new cluster with its first member.
    Created,
    /// A new article joined the cluster.
    MemberAdded,
    /// A newer version of a member replaced the older one.
    MemberUpdated,
    /// A member was withdrawn or expired.
    MemberRemoved,
    /// Another cluster was merged into this one.
    Merged,
}

impl ClusterEventKind {
    /// The subject token (`wirefold.clusters.<kind>.<cluster-id>`).
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterEventKind::Created => "created",
            ClusterEventKind::MemberAdded => "member_added",
            ClusterEventKind::MemberUpdated => "member_updated",
            ClusterEventKind::MemberRemoved => "member_removed",
            ClusterEventKind::Merged => "merged",
        }
    }
}

/// An article as cluster events describe it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArticleRef {
    /// Article (version) id.
    pub id: String,
    /// Stable item identity.
    pub uri: String,
    /// Headline (ninjs `headline`; `title` is read too, as schema 1 events before stories
    /// wrote it).
    #[serde(default, alias = "title", skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Outlet or source name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where it can be read (`file://` for ingested files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// RFC 3339 first publication time (ninjs `firstcreated`; `published` is read too, as
    /// events written before the wire took ninjs names throughout called it).
    #[serde(default, alias = "published", skip_serializing_if = "Option::is_none")]
    pub firstcreated: Option<String>,
}

/// A member of a cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterMember {
    /// The article.
    #[serde(flatten)]
    pub article: ArticleRef,
    /// Similarity to the canonical member, 0 to 1 (1 for the canonical member itself).
    pub similarity: f32,
}

/// A change to a copy cluster, published on `wirefold.clusters.<kind>.<cluster-id>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterEvent {
    /// Schema version of this document ([`SCHEMA_VERSION`]).
    pub schema: u32,
    /// What happened.
    pub kind: ClusterEventKind,
    /// The cluster, stable for its lifetime.
    pub cluster_id: String,
    /// Per-cluster version; grows by one with every event of this cluster.
    pub version: u64,
    /// The article that caused the event.
    pub cause: ArticleRef,
    /// Id of the canonical member (the original: earliest published, then most complete).
    pub canonical: String,
    /// Current members after the event, canonical first.
    pub members: Vec<ClusterMember>,
    /// For `merged`: the clusters folded into this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<String>,
    /// Why the event happened when it is not obvious (merge reason, withdrawal, expiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The story the cluster belongs to after the event (none when the cluster is gone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story_id: Option<String>,
}

impl ClusterEvent {
    /// The id this event is published with (`Nats-Msg-Id`): a replayed event is stored once.
    pub fn msg_id(&self) -> String {
        format!("{}:{}", self.cluster_id, self.version)
    }
}

/// What happened to a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoryEventKind {
    /// A new story with its first copy cluster.
    Created,
    /// A new copy cluster joined the story.
    ClusterAdded,
    /// A copy cluster left the story (its last member was withdrawn); a story that lost its
    /// last cluster is gone after this event.
    ClusterRemoved,
    /// Other stories were merged into this one (because their copy clusters merged).
    Merged,
    /// A copy cluster of the story changed: a new member, a new version, a withdrawn
    /// member, a new canonical or headline.
    Updated,
}

impl StoryEventKind {
    /// The subject token (`wirefold.stories.<kind>.<story-id>`).
    pub fn as_str(self) -> &'static str {
        match self {
            StoryEventKind::Created => "created",
            StoryEventKind::ClusterAdded => "cluster_added",
            StoryEventKind::ClusterRemoved => "cluster_removed",
            StoryEventKind::Merged => "merged",
            StoryEventKind::Updated => "updated",
        }
    }
}

/// A copy cluster as story events describe it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoryCluster {
    /// Copy cluster id.
    pub id: String,
    /// Version of the copy cluster (its last cluster event).
    pub version: u64,
    /// The cluster's canonical article.
    pub canonical: ArticleRef,
    /// Articles in the cluster.
    pub member_count: u64,
}

/// A change to a story, published on `wirefold.stories.<kind>.<story-id>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryEvent {
    /// Schema version of this document ([`SCHEMA_VERSION`]).
    pub schema: u32,
    /// What happened.
    pub kind: StoryEventKind,
    /// The story, stable for its lifetime.
    pub story_id: String,
    /// Per-story version; grows by one with every event of this story.
    pub version: u64,
    /// The article that caused the event.
    pub cause: ArticleRef,
    /// The copy cluster of that article.
    pub cause_cluster: String,
    /// Headline of the story: the canonical headline of its largest copy cluster (most
    /// members, then earliest first seen, then lowest id), skipping clusters whose
    /// canonical has no headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// RFC 3339 time of the story's first article (event time).
    pub first_seen: String,
    /// RFC 3339 time of the story's latest article (event time).
    pub updated: String,
    /// Languages of its copy clusters (BCP 47 as the normalizer found them), sorted.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Copy clusters in the story, largest first, at most 64 (see `cluster_count`).
    pub clusters: Vec<StoryCluster>,
    /// Copy clusters in the story, all of them.
    pub cluster_count: u64,
    /// Articles in the story's copy clusters.
    pub article_count: u64,
    /// For `merged`: the stories folded into this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<String>,
    /// Why the event happened when it is not obvious.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl StoryEvent {
    /// The id this event is published with (`Nats-Msg-Id`): a replayed event is stored once.
    pub fn msg_id(&self) -> String {
        format!("{}:{}", self.story_id, self.version)
    }
}

/// A record of input that could not be processed, on `wirefold.dlq.<stage>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// Schema version of this document ([`SCHEMA_VERSION`]).
    pub schema: u32,
    /// The stage that gave up (`fetcher`, `normalizer`, `dedup`).
    pub stage: String,
    /// Why, in words an operator can act on.
    pub reason: String,
    /// Subject the input arrived on, when it came from NATS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Id of the input document, when one could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_id: Option<String>,
    /// Where the input came from (URL or path), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Size of the input in bytes.
    pub input_bytes: u64,
    /// The first bytes of the input, lossily decoded, for a human to look at.
    pub excerpt: String,
    /// RFC 3339 time of the failure.
    pub at: String,
}

impl DeadLetter {
    /// The one way to build a dead letter: `stage` gave up on `input` for `reason`, now.
    /// Add what else is known with the `with_*` methods.
    pub fn new(stage: &str, reason: impl Into<String>, input: &[u8]) -> Self {
        DeadLetter {
            schema: SCHEMA_VERSION,
            stage: stage.to_string(),
            reason: reason.into(),
            subject: None,
            input_id: None,
            origin: None,
            input_bytes: input.len() as u64,
            excerpt: excerpt(input, EXCERPT_BYTES),
            at: time::now_rfc3339(),
        }
    }

    /// The subject the input arrived on.
    pub fn with_subject(mut self, subject: &str) -> Self {
        self.subject = Some(subject.to_string());
        self
    }

    /// The input's id, when one could be read.
    pub fn with_input_id(mut self, id: Option<&str>) -> Self {
        self.input_id = id.map(str::to_string);
        self
    }

    /// Where the input came from (URL or path).
    pub fn with_origin(mut self, origin: Option<&str>) -> Self {
        self.origin = origin.map(str::to_string);
        self
    }

    /// The input's size, when `new` was given only its first bytes (a file read in part).
    pub fn with_input_size(mut self, bytes: u64) -> Self {
        self.input_bytes = bytes;
        self
    }

    /// The excerpt from the document inside the input, when the input is an envelope
    /// around it (a raw document's JSON): what a person reading the dead letter wants to
    /// see is the document's first bytes, not the envelope's.
    pub fn with_excerpt_of(mut self, document: &[u8]) -> Self {
        self.excerpt = excerpt(document, EXCERPT_BYTES);
        self
    }
}

/// Decodes a wire document and checks its schema.
pub fn decode<T: Versioned + for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, WireError> {
    let doc: T = serde_json::from_slice(bytes).map_err(|source| WireError::Malformed {
        kind: T::KIND,
        source,
    })?;
    if doc.schema() != SCHEMA_VERSION {
        return Err(WireError::UnsupportedSchema {
            kind: T::KIND,
            found: doc.schema(),
        });
    }
    Ok(doc)
}

/// Encodes a wire document.
pub fn encode<T: Serialize>(doc: &T) -> Vec<u8> {
    // Serializing these plain structs cannot fail: no maps with non-string keys, no
    // fallible Serialize impls.
    serde_json::to_vec(doc).expect("wire types always serialize")
}

/// A wire document with a schema number.
pub trait Versioned {
    /// Name used in error messages.
    const KIND: &'static str;
    /// The document's schema number.
    fn schema(&self) -> u32;
}

macro_rules! versioned {
    ($($t:ty => $name:literal),* $(,)?) => {$(
        impl Versioned for $t {
            const KIND: &'static str = $name;
            fn schema(&self) -> u32 { self.schema }
        }
    )*};
}
versioned!(RawDocument => "raw document", Article => "article", ClusterEvent => "cluster event", StoryEvent => "story event", DeadLetter => "dead letter");

/// Bytes of input a dead letter's excerpt keeps.
pub const EXCERPT_BYTES: usize = 512;

/// The first `max` bytes of `bytes`, lossily decoded, for dead-letter excerpts.
pub fn excerpt(bytes: &[u8], max: usize) -> String {
    let cut = &bytes[..bytes.len().min(max)];
    String::from_utf8_lossy(cut).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_body_prefixes_and_dead_letter_excerpts_of_the_document() {
        let text = RawBody::from_bytes(b"<nitf>hello</nitf>".to_vec());
        assert_eq!(&*text.prefix(6), b"<nitf>");
        assert_eq!(&*text.prefix(100), b"<nitf>hello</nitf>");
        let bytes: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let binary = RawBody::from_bytes(bytes.clone());
        for max in [0, 1, 2, 3, 4, 511, 512, 513, 5000] {
            let p = binary.prefix(max);
            assert!(p.len() >= max.min(bytes.len()), "{max}: {}", p.len());
            assert_eq!(&*p, &bytes[..p.len()], "{max}");
        }
        let dl = DeadLetter::new("normalizer", "bad", br#"{"schema":1,"body":{"text":"<nitf>"}}"#)
            .with_excerpt_of(b"<nitf>");
        assert_eq!((dl.excerpt.as_str(), dl.input_bytes), ("<nitf>", 37));
    }

    #[test]
    fn raw_body_keeps_text_and_round_trips_binary() {
        let text = RawBody::from_bytes(b"hello".to_vec());
        assert_eq!(text, RawBody::Text("hello".into()));
        let bin = RawBody::from_bytes(vec![0xff, 0xfe, 0x00, 0x41]);
        assert!(matches!(bin, RawBody::Base64(_)));
        assert_eq!(bin.to_bytes().unwrap(), vec![0xff, 0xfe, 0x00, 0x41]);
    }

    #[test]
    fn decode_rejects_unknown_schema_and_garbage() {
        let mut a = Article {
            schema: 2,
            id: "a".into(),
            uri: "u".into(),
            ..Default::default()
        };
        let err = decode::<Article>(&encode(&a)).unwrap_err();
        assert!(
            matches!(err, WireError::UnsupportedSchema { found: 2, .. }),
            "{err}"
        );
        a.schema = SCHEMA_VERSION;
        assert_eq!(decode::<Article>(&encode(&a)).unwrap(), a);
        assert!(matches!(
            decode::<Article>(b"{not json").unwrap_err(),
            WireError::Malformed { .. }
        ));
    }

    #[test]
    fn cluster_event_json_shape() {
        let ev = ClusterEvent {
            schema: SCHEMA_VERSION,
            kind: ClusterEventKind::MemberAdded,
            cluster_id: "c1".into(),
            version: 2,
            cause: ArticleRef {
                id: "a2".into(),
                uri: "u2".into(),
                ..Default::default()
            },
            canonical: "a1".into(),
            members: vec![ClusterMember {
                article: ArticleRef {
                    id: "a1".into(),
                    uri: "u1".into(),
                    firstcreated: Some("2025-11-24T06:12:00Z".into()),
                    ..Default::default()
                },
                similarity: 1.0,
            }],
            merged_from: vec![],
            reason: None,
            story_id: Some("s1".into()),
        };
        let v: serde_json::Value = serde_json::from_slice(&encode(&ev)).unwrap();
        assert_eq!(v["kind"], "member_added");
        assert_eq!(v["members"][0]["id"], "a1");
        // ninjs names on the wire, as in the article records.
        assert_eq!(v["members"][0]["firstcreated"], "2025-11-24T06:12:00Z");
        assert!(v["members"][0].get("published").is_none());
        assert_eq!(ev.msg_id(), "c1:2");
        assert_eq!(v["story_id"], "s1");
        // Events written before stories named the headline `title`, and before the wire
        // took ninjs names throughout, `published`.
        let old = r#"{"schema":1,"kind":"created","cluster_id":"c","version":1,
            "cause":{"id":"a","uri":"u","title":"Old","published":"2025-11-24T06:12:00Z"},
            "canonical":"a","members":[]}"#;
        let old: ClusterEvent = decode(old.as_bytes()).unwrap();
        assert_eq!(old.cause.headline.as_deref(), Some("Old"));
        assert_eq!(old.cause.firstcreated.as_deref(), Some("2025-11-24T06:12:00Z"));
        assert_eq!(old.story_id, None);
    }

    #[test]
    fn story_event_json_shape() {
        let ev = StoryEvent {
            schema: SCHEMA_VERSION,
            kind: StoryEventKind::ClusterAdded,
            story_id: "s1".into(),
            version: 3,
            cause: ArticleRef {
                id: "a2".into(),
                uri: "u2".into(),
                ..Default::default()
            },
            cause_cluster: "c2".into(),
            headline: Some("Talks in Geneva".into()),
            first_seen: "2025-11-24T10:00:00Z".into(),
            updated: "2025-11-24T11:00:00Z".into(),
            languages: vec!["en".into()],
            clusters: vec![StoryCluster {
                id: "c1".into(),
                version: 2,
                canonical: ArticleRef {
                    id: "a1".into(),
                    uri: "u1".into(),
                    ..Default::default()
                },
                member_count: 2,
            }],
            cluster_count: 2,
            article_count: 3,
            merged_from: vec![],
            reason: None,
        };
        let v: serde_json::Value = serde_json::from_slice(&encode(&ev)).unwrap();
        assert_eq!(v["kind"], "cluster_added");
        assert_eq!(v["clusters"][0]["canonical"]["id"], "a1");
        assert_eq!(v["clusters"][0]["member_count"], 2);
        assert!(v.get("merged_from").is_none());
        assert_eq!(ev.msg_id(), "s1:3");
        assert_eq!(decode::<StoryEvent>(&encode(&ev)).unwrap(), ev);
    }
}
