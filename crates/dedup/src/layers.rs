//! How the story level follows the copy level: the one routing from a copy-cluster
//! [`Event`] to the [`StoryIndex`] call it implies, shared by the deduplicator worker, the
//! `wirefold cluster` command and the benchmarks.
//!
//! | copy event | story index | step |
//! |---|---|---|
//! | `Created` | [`StoryIndex::place`] | `Created` (a new story), `ClusterAdded`, or `Merged` when one-cluster stories folded into the story it joined ([`crate::story::Placement::absorbed`]) |
//! | `MemberAdded`, `MemberUpdated` | [`StoryIndex::touch`], or `place` when the story expired | `Updated` (or as for `Created`) |
//! | `MemberRemoved`, cluster still there | - | `Updated` |
//! | `MemberRemoved`, cluster gone | [`StoryIndex::remove_cluster`] | `ClusterRemoved` (a story left with no cluster is gone after it) |
//! | `Merged` | [`StoryIndex::merge_clusters`] | `Merged` when stories were folded in, else `Updated` |
//!
//! Every step bumps the story's version once, so story versions only grow and one story
//! event follows each step.

use crate::story::{StoryId, StoryIndex, Text};
use crate::{Event, EventKind};

/// What a copy event did to a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// A new story with its first copy cluster.
    Created,
    /// A new copy cluster joined the story.
    ClusterAdded,
    /// A copy cluster left it (its last member was withdrawn).
    ClusterRemoved,
    /// Other stories were folded into it: their copy clusters merged, or a new copy
    /// cluster joined it and one-cluster stories now match it (`absorbed` lists them).
    Merged,
    /// One of its copy clusters changed.
    Updated,
}

/// One story-level step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// What happened.
    pub kind: StepKind,
    /// The story.
    pub story: StoryId,
    /// Its version after the step.
    pub version: u64,
    /// For [`StepKind::Merged`], the stories folded in.
    pub absorbed: Vec<StoryId>,
}

/// Applies copy event `ev`, caused by an article with `text` at event time `t_ms`, to the
/// story index. `None` when the event concerns a cluster the story level does not know
/// and cannot place (a removal from a cluster whose story already expired).
pub fn follow(stories: &mut StoryIndex, ev: &Event, text: &Text<'_>, t_ms: i64) -> Option<Step> {
    let c = ev.cluster.0;
    let place = |stories: &mut StoryIndex| {
        let p = stories.place(c, text, t_ms);
        let kind = if p.created {
            StepKind::Created
        } else if p.absorbed.is_empty() {
            StepKind::ClusterAdded
        } else {
            StepKind::Merged
        };
        (kind, p.story, p.absorbed)
    };
    let (kind, story, absorbed) = match ev.kind {
        EventKind::Created => place(stories),
        EventKind::MemberAdded | EventKind::MemberUpdated => match stories.touch(c, t_ms) {
            Some(s) => (StepKind::Updated, s, Vec::new()),
            None => place(stories),
        },
        EventKind::MemberRemoved if ev.member_count == 0 => {
            let s = stories.story_of(c)?;
            // The version is taken before the removal: the story may be gone after it.
            let version = stories.next_version(s);
            stories.remove_cluster(c);
            return Some(Step {
                kind: StepKind::ClusterRemoved,
                story: s,
                version,
                absorbed: Vec::new(),
            });
        }
        EventKind::MemberRemoved => (StepKind::Updated, stories.story_of(c)?, Vec::new()),
        EventKind::Merged => {
            let from: Vec<u64> = ev.merged_from.iter().map(|f| f.0).collect();
            match stories.merge_clusters(c, &from, t_ms) {
                Some(m) if m.absorbed.is_empty() => (StepKind::Updated, m.story, Vec::new()),
                Some(m) => (StepKind::Merged, m.story, m.absorbed),
                None => place(stories),
            }
        }
    };
    let version = stories.next_version(story);
    Some(Step {
        kind,
        story,
        version,
        absorbed,
    })
}
