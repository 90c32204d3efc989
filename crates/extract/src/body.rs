//! Main-content selection on the parsed page, readability-style: boilerplate subtrees are
//! dropped by tag, role, visibility and class/id words; text-bearing blocks score their
//! ancestors (length, commas, link density, class hints); the best ancestor and its
//! qualifying siblings are rendered to paragraphs, with link-heavy sub-blocks left out.
//!
//! All passes are loops over the arena in index (document) order or reverse order: no
//! recursion. Returns raw paragraphs; chrome lines and normalisation are `text`'s job.

use crate::dom::{AttrKind, Dom, NONE, Tag, push_collapsed};
use crate::meta::class_id;

/// Class/id words that mark boilerplate wherever they appear, content words or not.
const ALWAYS_NEG: &[&str] = &[
    "comment",
    "disqus",
    "cookie",
    "consent",
    "gdpr",
    "outbrain",
    "taboola",
    "caption",
    "credit",
    "sr-only",
    "visually-hidden",
    "visuallyhidden",
    "screen-reader",
    "skip-link",
    "skiplink",
    "byline",
    "jp-relatedposts",
];

/// Class/id words that mark boilerplate unless a content word comes with them and the
/// element holds real paragraphs.
const STRONG_NEG: &[&str] = &[
    "toc-",
    "-toc",
    "table-of-contents",
    "disclaimer",
    "author-box",
    "authorbox",
    "about-author",
    "about-the-author",
    "author-info",
    "bio-box",
    "biobox",
    "cta-",
    "-cta",
    "share",
    "sharing",
    "social",
    "popup",
    "modal",
    "subscribe",
    "newsletter",
    "subscription",
    "signup",
    "breadcrumb",
    "recirc",
    "author-bio",
    "authorbio",
    "related",
    "advert",
    "sponsor",
    "promo",
    "paywall",
    "recommend",
    "trending",
    "most-read",
    "mostread",
    "most-popular",
    "read-more",
    "readmore",
    "more-stories",
    "tags",
    "tag-list",
    "taglist",
    "sidebar",
    "toolbar",
    "print-only",
    "dateline",
    "timestamp",
    "article-meta",
    "post-meta",
    "entry-meta",
];

/// Weaker words: boilerplate unless the same class/id also carries a content word.
const WEAK_NEG: &[&str] = &[
    "nav",
    "menu",
    "footer",
    "header",
    "masthead",
    "banner",
    "combx",
    "contact",
    "meta",
    "pagination",
    "pager",
    "skyscraper",
    "shopping",
    "extra",
    "aside",
    "links",
    "author",
    "date",
    "login",
    "overlay",
    "utility",
];

/// Content words.
const POS: &[&str] = &[
    "article",
    "body",
    "content",
    "entry",
    "hentry",
    "main",
    "post",
    "text",
    "blog",
    "story",
    "prose",
    "rich-text",
    "richtext",
];

/// Which word lists a class/id string hits.
#[derive(Clone, Copy, Default)]
struct Hits {
    always: bool,
    strong: bool,
    weak: bool,
    pos: bool,
}

/// One automaton over all class words; pattern ids map back to their list.
static CLASS_WORDS: std::sync::LazyLock<Option<(aho_corasick::AhoCorasick, Vec<u8>)>> =
    std::sync::LazyLock::new(|| {
        let mut pats: Vec<&str> = Vec::new();
        let mut kind: Vec<u8> = Vec::new();
        for (k, list) in [(0u8, ALWAYS_NEG), (1, STRONG_NEG), (2, WEAK_NEG), (3, POS)] {
            for w in list {
                pats.push(w);
                kind.push(k);
            }
        }
        // Building from these fixed patterns cannot fail; if it ever did, no class word matches.
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(&pats)
            .ok()?;
        Some((ac, kind))
    });

fn hits(ci: &str) -> Hits {
    let mut h = Hits::default();
    let Some((ac, kind)) = &*CLASS_WORDS else {
        return h;
    };
    for m in ac.find_overlapping_iter(ci) {
        match kind.get(m.pattern().as_usize()) {
            Some(0) => h.always = true,
            Some(1) => h.strong = true,
            Some(2) => h.weak = true,
            Some(3) => h.pos = true,
            _ => {}
        }
    }
    h
}

/// Advertising class words, matched as whole words of a class/id ("ad-slot", "ads_top").
const AD_WORDS: &[&str] = &[
    "ad",
    "ads",
    "adv",
    "advert",
    "adslot",
    "adunit",
    "adbox",
    "adwrap",
    "adcontainer",
    "dfp",
    "gpt",
];

fn has_ad_word(ci: &str) -> bool {
    ci.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| AD_WORDS.contains(&w))
}

/// Class weight as readability computes it: +25 for content words, -25 for boilerplate.
fn class_weight(ci: &str) -> f32 {
    if ci.is_empty() {
        return 0.0;
    }
    let h = hits(ci);
    let mut w = 0.0;
    if h.always || h.strong || h.weak {
        w -= 25.0;
    }
    if h.pos {
        w += 25.0;
    }
    w
}

/// How sure the pre-pass is that a node is boilerplate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Keep,
    /// Drop, whatever it holds.
    Hard,
    /// Drop unless it holds most of the page.
    Soft,
    /// Boilerplate word next to a content word: drop only without real paragraphs.
    SoftWithContent,
}

/// Why a node is boilerplate before any scoring.
fn is_boilerplate(dom: &Dom<'_>, id: u32, tag: Tag) -> Verdict {
    match tag {
        Tag::Nav
        | Tag::Aside
        | Tag::Footer
        | Tag::Button
        | Tag::Select
        | Tag::Option
        | Tag::Input
        | Tag::Dialog
        | Tag::Menu
        | Tag::Figcaption
        | Tag::Iframe
        | Tag::Object
        | Tag::Embed
        | Tag::Audio
        | Tag::Video
        | Tag::Canvas
        | Tag::Label => return Verdict::Hard,
        _ => {}
    }
    if dom.has_attr(id, AttrKind::Hidden) && !streamed_segment(dom, id) {
        return Verdict::Hard;
    }
    if dom
        .attr(id, AttrKind::AriaHidden)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Verdict::Hard;
    }
    if let Some(st) = dom.attr(id, AttrKind::Style) {
        let st = st.to_ascii_lowercase().replace(' ', "");
        if st.contains("display:none") || st.contains("visibility:hidden") {
            return Verdict::Hard;
        }
    }
    if let Some(role) = dom.attr(id, AttrKind::Role)
        && matches!(
            role.to_ascii_lowercase().as_str(),
            "navigation"
                | "complementary"
                | "banner"
                | "contentinfo"
                | "dialog"
                | "alert"
                | "alertdialog"
                | "menu"
                | "menubar"
                | "search"
                | "toolbar"
        )
    {
        return Verdict::Hard;
    }
    if let Some(ip) = dom.attr(id, AttrKind::Itemprop)
        && (ip.eq_ignore_ascii_case("articleBody") || ip.eq_ignore_ascii_case("text"))
    {
        return Verdict::Keep;
    }
    let ci = class_id(dom, id);
    if ci.is_empty() {
        return Verdict::Keep;
    }
    let h = hits(&ci);
    if h.always {
        return Verdict::Hard;
    }
    let pos = h.pos;
    if h.strong || has_ad_word(&ci) {
        return if pos {
            Verdict::SoftWithContent
        } else {
            Verdict::Soft
        };
    }
    if h.weak && !pos {
        Verdict::Soft
    } else {
        Verdict::Keep
    }
}

/// A `hidden` segment that a streaming renderer (React's `<div hidden id="S:0">`) fills in
/// on the server and a script moves into place: visible article text, not hidden chrome.
fn streamed_segment(dom: &Dom<'_>, id: u32) -> bool {
    dom.attr(id, AttrKind::Id).is_some_and(|v| {
        v.strip_prefix("S:")
            .is_some_and(|r| !r.is_empty() && r.len() <= 8)
    })
}

/// Per-node figures for one page.
struct Stats {
    end: Vec<u32>,
    dead: Vec<bool>,
    text: Vec<u32>,
    links: Vec<u32>,
    commas: Vec<u32>,
    block_child: Vec<bool>,
    /// Visible length of each text node, `u32::MAX` until measured.
    text_measured: Vec<u32>,
    /// Commas of each text node.
    commas_measured: Vec<u32>,
    /// Text in paragraphs of 80+ characters.
    long_p: Vec<u32>,
    /// Text in leaf blocks of 40+ characters that are not mostly links.
    good: Vec<u32>,
    /// Link text inside `good` blocks (inline links in prose).
    good_links: Vec<u32>,
    /// Text in shorter leaf blocks that are not mostly links (headings, labels, one-liners).
    short: Vec<u32>,
}

fn visible_len(s: &str) -> u32 {
    s.split_whitespace().map(|w| w.len() as u32 + 1).sum()
}

fn count_commas(s: &str) -> u32 {
    s.bytes().filter(|&b| b == b',').count() as u32
}

impl Stats {
    fn new(dom: &Dom<'_>) -> Stats {
        let n = dom.nodes.len();
        let mut end = vec![0u32; n];
        for i in (0..n).rev() {
            let lc = dom.nodes[i].last_child;
            end[i] = if lc == NONE {
                i as u32 + 1
            } else {
                end[lc as usize]
            };
        }
        let mut s = Stats {
            end,
            dead: vec![false; n],
            text: vec![0; n],
            links: vec![0; n],
            commas: vec![0; n],
            block_child: vec![false; n],
            long_p: vec![0; n],
            text_measured: vec![u32::MAX; n],
            commas_measured: vec![0; n],
            good: vec![0; n],
            good_links: vec![0; n],
            short: vec![0; n],
        };
        // Raw text sizes, to protect the main wrapper from a stray class word.
        s.aggregate(dom);
        let total_long = s.long_p[0];
        // Inside <pre> or <code>: class names are syntax highlighting ("hljs-comment"), and
        // every character is the listing's.
        let mut in_code = vec![false; n];
        for i in 1..n {
            let node = &dom.nodes[i];
            if node.tag == Tag::Text {
                s.dead[i] = s.dead[node.parent as usize];
                continue;
            }
            if s.dead[node.parent as usize] {
                s.dead[i] = true;
                continue;
            }
            if in_code[node.parent as usize] {
                in_code[i] = true;
                continue;
            }
            in_code[i] = matches!(node.tag, Tag::Pre | Tag::Code);
            // Never drop most of the page's real paragraphs for a class word (layout wrappers).
            let big = s.long_p[i] * 2 > total_long && s.long_p[i] >= 200 && s.links[i] * 3 < s.text[i];
            let structural = matches!(node.tag, |Tag::Button| Tag::Select
                | Tag::Option
                | Tag::Input
                | Tag::Label
                | Tag::Figcaption
                | Tag::Dialog
                | Tag::Menu
                | Tag::Iframe
                | Tag::Object
                | Tag::Embed
                | Tag::Audio
                | Tag::Video
                | Tag::Canvas);
            s.dead[i] = match is_boilerplate(dom, i as u32, node.tag) {
                Verdict::Keep => false,
                Verdict::Hard => !big || structural,
                Verdict::Soft => {
                    !big && (s.long_p[i] < 400 || s.long_p[i] * 4 < total_long)
                        && !(s.long_p[i] >= 80 && s.sections_of_article(dom, i, total_long))
                }
                Verdict::SoftWithContent => !big && s.long_p[i] < 400,
            };
        }
        s.drop_repeats(dom);
        s.aggregate(dom);
        s
    }

    /// Whether `i` is one of several same-class siblings that together hold most of the
    /// page's prose: an article split into sections whose shared class carries a boilerplate
    /// word ("toc-para", "jumplinks-section").
    fn sections_of_article(&self, dom: &Dom<'_>, i: usize, total_long: u32) -> bool {
        let tag = dom.nodes[i].tag;
        // Sections share their first class ("jumplinks-section section_1", "... section_2").
        let first = |c: u32| {
            dom.attr(c, AttrKind::Class)
                .and_then(|v| v.split_whitespace().next().map(str::to_string))
        };
        let class = first(i as u32);
        if class.is_none() {
            return false;
        }
        let mut anc = dom.nodes[i].parent;
        while anc != NONE {
            if matches!(dom.nodes[anc as usize].tag, Tag::Aside | Tag::Nav | Tag::Footer) {
                return false;
            }
            anc = dom.nodes[anc as usize].parent;
        }
        let (mut members, mut long, mut text, mut links) = (0u32, 0u32, 0u32, 0u32);
        for c in dom.children(dom.nodes[i].parent) {
            let ci = c as usize;
            if dom.nodes[ci].tag == tag && first(c) == class {
                members += 1;
                long += self.long_p[ci];
                text += self.text[ci];
                links += self.links[ci];
            }
        }
        members >= 2 && long * 2 > total_long && long >= 400 && links * 3 < text
    }

    /// Marks dead every multi-block subtree whose text repeats an earlier subtree's text
    /// verbatim: responsive page builders render the same article once per screen size and
    /// hide all but one with CSS, and promos repeat between sections. Single paragraphs may
    /// repeat in real articles (workout plans, refrains) and are left alone. Uses the raw
    /// text sizes of the first aggregation.
    fn drop_repeats(&mut self, dom: &Dom<'_>) {
        const B: u64 = 0x100_0000_01b3;
        let n = dom.nodes.len();
        // Running polynomial hash of the non-space text bytes before each node, and how many
        // bytes it covers; a subtree's hash is the difference of its two ends.
        let mut at = vec![(0u64, 0u64); n + 1];
        let (mut h, mut c) = (0u64, 0u64);
        for (i, node) in dom.nodes.iter().enumerate() {
            at[i] = (h, c);
            if node.tag == Tag::Text {
                for &b in dom.text(i as u32).as_bytes() {
                    if !b.is_ascii_whitespace() {
                        h = h.wrapping_mul(B).wrapping_add(b as u64 + 1);
                        c += 1;
                    }
                }
            }
        }
        at[n] = (h, c);
        let mut seen: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
        let mut i = 1;
        while i < n {
            let end = self.end[i] as usize;
            if self.dead[i] {
                i = end;
                continue;
            }
            if dom.nodes[i].tag == Tag::Text || self.text[i] < REPEAT_MIN || !self.block_child[i] {
                i += 1;
                continue;
            }
            let ((h0, c0), (h1, c1)) = (at[i], at[end]);
            let key = h1.wrapping_sub(h0.wrapping_mul(B.wrapping_pow((c1 - c0) as u32)));
            match seen.get(&key) {
                // A wrapper around the first copy has the same text: not a repeat.
                Some(&first) if self.end[first as usize] as usize >= end => {}
                Some(_) => {
                    for d in &mut self.dead[i..end] {
                        *d = true;
                    }
                    i = end;
                    continue;
                }
                None => {
                    seen.insert(key, i as u32);
                }
            }
            i += 1;
        }
    }

    /// Text, link text and commas of live nodes, summed bottom-up.
    fn aggregate(&mut self, dom: &Dom<'_>) {
        self.text.iter_mut().for_each(|v| *v = 0);
        self.links.iter_mut().for_each(|v| *v = 0);
        self.commas.iter_mut().for_each(|v| *v = 0);
        self.block_child.iter_mut().for_each(|v| *v = false);
        self.long_p.iter_mut().for_each(|v| *v = 0);
        self.good.iter_mut().for_each(|v| *v = 0);
        self.good_links.iter_mut().for_each(|v| *v = 0);
        self.short.iter_mut().for_each(|v| *v = 0);
        for i in (1..dom.nodes.len()).rev() {
            if self.dead[i] {
                continue;
            }
            let node = &dom.nodes[i];
            if node.tag == Tag::Text {
                // Text nodes never change between passes: measure them once.
                if self.text_measured[i] == u32::MAX {
                    let t = dom.text(i as u32);
                    self.text_measured[i] = visible_len(t);
                    self.commas_measured[i] = count_commas(t);
                }
                self.text[i] = self.text_measured[i];
                self.commas[i] = self.commas_measured[i];
            } else if node.tag == Tag::A {
                self.links[i] = self.text[i];
            } else if self.text[i] >= 80
                && is_paragraph_like(node.tag, self.block_child[i])
                && self.links[i] * 2 < self.text[i]
            {
                self.long_p[i] = self.text[i];
            }
            if !node.tag.is_inline() && !self.block_child[i] && node.tag != Tag::Text {
                // A leaf block: good text when long and not mostly links, else short text.
                if (self.links[i] as f32) * PROSE_LINK_RATIO < self.text[i] as f32 {
                    if self.text[i] >= 40 {
                        self.good[i] = self.text[i];
                        self.good_links[i] = self.links[i];
                    } else {
                        self.short[i] = self.text[i];
                    }
                }
            }
            let p = node.parent as usize;
            self.text[p] += self.text[i];
            self.links[p] += self.links[i];
            self.commas[p] += self.commas[i];
            self.long_p[p] += self.long_p[i];
            self.good[p] += self.good[i];
            self.good_links[p] += self.good_links[i];
            self.short[p] += self.short[i];
            if !node.tag.is_inline() {
                self.block_child[p] = true;
            }
        }
    }

    /// How much article-like text a subtree holds, net of link text.
    fn mass(&self, i: usize) -> f32 {
        self.good[i] as f32 + SHORT_WEIGHT * self.short[i] as f32
            - LINK_PENALTY * (self.links[i] - self.good_links[i]) as f32
    }

    fn link_density(&self, i: usize) -> f32 {
        if self.text[i] == 0 {
            0.0
        } else {
            self.links[i] as f32 / self.text[i] as f32
        }
    }
}

/// How much more net article text an ancestor must hold to replace the scored candidate.
const ANCESTOR_GAIN: f32 = 2.0;
/// How much more net article text an ancestor whose extra text is clean prose must hold.
const CLEAN_GAIN: f32 = 1.5;
/// Most link text in an ancestor's extra text for it to count as clean prose.
const CLEAN_LINK_SHARE: f32 = 0.1;
/// Least share of an ancestor's extra text in prose blocks for it to count as clean.
const CLEAN_GOOD_SHARE: f32 = 0.6;
/// Least extra visible text for a clean ancestor: a standfirst alone is not worth a climb.
const CLEAN_MIN_EXTRA: f32 = 500.0;
/// Least visible text of a top candidate that another candidate with more text may beat: a
/// class word ("text-content" around a date line, an address block) does not make a
/// container of a few words the main text.
const TOP_MIN_TEXT: u32 = 200;
/// Visible text a multi-block subtree needs before a verbatim repeat of it is dropped.
const REPEAT_MIN: u32 = 800;
/// Weight of short link-free blocks (headings, labels) in a subtree's article mass.
const SHORT_WEIGHT: f32 = 0.3;
/// Penalty per character of link text outside prose blocks.
const LINK_PENALTY: f32 = 2.5;
/// A leaf block is prose when its text is more than this many times its link text.
const PROSE_LINK_RATIO: f32 = 5.0;

fn tag_base(tag: Tag) -> f32 {
    match tag {
        Tag::Div => 5.0,
        Tag::Article => 10.0,
        Tag::Main => 5.0,
        Tag::Pre | Tag::Td | Tag::Blockquote => 3.0,
        Tag::Address | Tag::Ol | Tag::Ul | Tag::Dl | Tag::Dd | Tag::Dt | Tag::Li | Tag::Form => -3.0,
        t if t.is_heading() => -5.0,
        Tag::Th => -5.0,
        _ => 0.0,
    }
}

fn is_paragraph_like(tag: Tag, block_child: bool) -> bool {
    match tag {
        Tag::P | Tag::Pre => true,
        Tag::Td | Tag::Blockquote | Tag::Div | Tag::Section | Tag::Article | Tag::Center => !block_child,
        _ => false,
    }
}

/// The main text of the page as paragraphs separated by blank lines; empty when nothing
/// qualifies. `title` is dropped if it shows up as a heading inside the body.
pub(crate) fn main_text(dom: &Dom<'_>, title: Option<&str>) -> String {
    let n = dom.nodes.len();
    if n <= 1 {
        return String::new();
    }
    let st = Stats::new(dom);
    let mut score = vec![0f32; n];
    let mut init = vec![false; n];
    let class_w = |dom: &Dom<'_>, id: usize| class_weight(&class_id(dom, id as u32));
    for i in 1..n {
        let node = &dom.nodes[i];
        if st.dead[i] || node.tag == Tag::Text || !is_paragraph_like(node.tag, st.block_child[i]) {
            continue;
        }
        let len = st.text[i];
        if len < 25 {
            continue;
        }
        let s = 1.0 + st.commas[i] as f32 + (len as f32 / 100.0).min(3.0);
        let mut anc = node.parent;
        let mut level = 0;
        while anc != NONE && anc != 0 && level < 5 {
            let a = anc as usize;
            if !init[a] {
                init[a] = true;
                score[a] = tag_base(dom.nodes[a].tag) + class_w(dom, a);
            }
            score[a] += match level {
                0 => s,
                1 => s / 2.0,
                l => s / (l as f32 * 3.0),
            };
            anc = dom.nodes[a].parent;
            level += 1;
        }
    }
    let mut top = NONE;
    let mut best = f32::MIN;
    // The best candidate however little text it holds, for pages where none holds enough.
    let (mut small_top, mut small_best) = (NONE, f32::MIN);
    for i in 1..n {
        if !init[i] || st.dead[i] {
            continue;
        }
        let s = score[i] * (1.0 - st.link_density(i));
        score[i] = s;
        if st.text[i] < TOP_MIN_TEXT {
            if s > small_best {
                small_best = s;
                small_top = i as u32;
            }
        } else if s > best {
            best = s;
            top = i as u32;
        }
    }
    if top == NONE {
        (top, best) = (small_top, small_best);
    }
    if top == NONE {
        return render(dom, &st, &[0], title);
    }
    // Climb while the parent holds clearly more of the article (readability's "top
    // candidate is the only child" step, and text split over several siblings).
    let mut top = top as usize;
    loop {
        let p = dom.nodes[top].parent;
        if p == NONE || p == 0 {
            break;
        }
        let p = p as usize;
        let only_child = dom
            .children(p as u32)
            .filter(|&c| !st.dead[c as usize] && st.text[c as usize] > 0)
            .count()
            == 1;
        if only_child && st.text[p] > 0 {
            top = p;
            continue;
        }
        break;
    }
    // Content split over several sections (guides, listicles, page builders): an ancestor
    // that holds clearly more article-like text, net of links, replaces the candidate.
    let mut best_anc = top;
    let mut best_mass = st.mass(top);
    let mut anc = dom.nodes[top].parent;
    while anc != NONE {
        let a = anc as usize;
        if st.mass(a) > best_mass {
            best_mass = st.mass(a);
            best_anc = a;
        }
        anc = dom.nodes[a].parent;
    }
    if best_anc != top && best_mass > st.mass(top) * ANCESTOR_GAIN {
        return render(dom, &st, &[best_anc as u32], title);
    }
    if let Some(a) = clean_ancestor(dom, &st, top) {
        return render(dom, &st, &[a as u32], title);
    }
    let parent = dom.nodes[top].parent;
    let mut roots: Vec<u32> = Vec::new();
    if parent == NONE {
        roots.push(top as u32);
    } else {
        let threshold = (best * 0.2).max(10.0);
        for c in dom.children(parent) {
            let ci = c as usize;
            if st.dead[ci] {
                continue;
            }
            if ci == top {
                roots.push(c);
                continue;
            }
            let tag = dom.nodes[ci].tag;
            if tag == Tag::Text || tag.is_inline() {
                continue;
            }
            let ld = st.link_density(ci);
            let include = if init[ci] && score[ci] >= threshold {
                true
            } else if tag == Tag::P || is_paragraph_like(tag, st.block_child[ci]) {
                let len = st.text[ci];
                (len > 80 && ld < 0.25) || (len > 0 && len <= 80 && ld == 0.0 && ends_sentence(dom, c))
            } else {
                false
            };
            if include {
                roots.push(c);
            }
        }
    }
    render(dom, &st, &roots, title)
}

/// The highest ancestor of `top` whose text beyond `top`'s is prose like it (paragraphs
/// with few links), when it adds a fair share: a page builder that wraps every paragraph
/// in its own block and sets some of them in columns splits the article so that no single
/// wrapper holds twice the rest.
fn clean_ancestor(dom: &Dom<'_>, st: &Stats, top: usize) -> Option<usize> {
    let base = st.mass(top);
    let mut found = None;
    let mut anc = dom.nodes[top].parent;
    while anc != NONE && anc != 0 {
        let a = anc as usize;
        let text = st.text[a].saturating_sub(st.text[top]) as f32;
        let links = st.links[a].saturating_sub(st.links[top]) as f32;
        let good = st.good[a].saturating_sub(st.good[top]) as f32;
        if text > 0.0 && (links > CLEAN_LINK_SHARE * text || good < CLEAN_GOOD_SHARE * text) {
            break;
        }
        if st.mass(a) > base * CLEAN_GAIN && text >= CLEAN_MIN_EXTRA {
            found = Some(a);
        }
        anc = dom.nodes[a].parent;
    }
    found
}

fn ends_sentence(dom: &Dom<'_>, id: u32) -> bool {
    let t = dom.inner_text(id, 400);
    t.ends_with(['.', '!', '?', '"', '\u{201d}'])
}

/// Whether a block inside the chosen content is a link list or similar clutter.
fn clutter(st: &Stats, i: usize, tag: Tag) -> bool {
    let text = st.text[i];
    if text == 0 {
        return false;
    }
    let ld = st.link_density(i);
    match tag {
        t if t.is_heading() => ld > 0.5,
        Tag::P => ld > 0.8 && text < 200,
        Tag::Div
        | Tag::Section
        | Tag::Ul
        | Tag::Ol
        | Tag::Table
        | Tag::Form
        | Tag::Header
        | Tag::Dl
        | Tag::Article => st.commas[i] < 10 && (ld > 0.5 || ld > 0.33 && text < 1000),
        _ => false,
    }
}

fn render(dom: &Dom<'_>, st: &Stats, roots: &[u32], title: Option<&str>) -> String {
    let mut out = String::new();
    let mut para = String::new();
    let title_key = title.map(|t| t.to_lowercase());
    let flush = |out: &mut String, para: &mut String| {
        let t = para.trim();
        if !t.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(t);
        }
        para.clear();
    };
    for &root in roots {
        let r = root as usize;
        let end = st.end[r] as usize;
        // Ends of open block elements, innermost last.
        let mut open: Vec<usize> = Vec::new();
        let mut i = r;
        while i < end {
            while open.last().is_some_and(|&e| i >= e) {
                open.pop();
                flush(&mut out, &mut para);
            }
            let node = &dom.nodes[i];
            if st.dead[i] {
                i = st.end[i] as usize;
                continue;
            }
            match node.tag {
                Tag::Text => push_collapsed(&mut para, dom.text(i as u32)),
                Tag::Br | Tag::Hr => flush(&mut out, &mut para),
                Tag::Img | Tag::Wbr | Tag::Source | Tag::Picture => {}
                tag if tag.is_inline() => {}
                tag => {
                    if i != r && clutter(st, i, tag) {
                        i = st.end[i] as usize;
                        continue;
                    }
                    if tag.is_heading()
                        && let Some(tk) = &title_key
                    {
                        let h = dom.inner_text(i as u32, 400).to_lowercase();
                        if h == *tk || tag == Tag::H1 {
                            i = st.end[i] as usize;
                            continue;
                        }
                    }
                    flush(&mut out, &mut para);
                    open.push(st.end[i] as usize);
                }
            }
            i += 1;
        }
        flush(&mut out, &mut para);
    }
    out
}

/// The whole text of an agency item's HTML fragment, for [`crate::extract_item_html`]: a
/// paragraph per block element (blank line between), a table row one paragraph with its
/// cells separated by spaces (blocks and breaks inside a cell too), lines ended by `<br>`
/// as [`crate::line_paragraphs`] reads them; scripts, styles, forms and their controls,
/// media, figure captions (a caption belongs to its picture) and hidden elements are not
/// text. Nothing is scored or dropped as boilerplate: an agency sends no site chrome.
pub(crate) fn item_text(dom: &Dom<'_>) -> String {
    use crate::LINE_BREAK as BREAK;
    let mut out: Vec<String> = Vec::new();
    let mut para = String::new();
    let flush = |out: &mut Vec<String>, para: &mut String| {
        if !para.trim().is_empty() {
            out.push(std::mem::take(para));
        }
        para.clear();
    };
    let space = |para: &mut String| {
        if !para.is_empty() && !para.ends_with(' ') {
            para.push(' ');
        }
    };
    let n = dom.nodes.len();
    let mut open: Vec<usize> = Vec::new();
    // End of the table cell being read: what is inside stays on the row's line.
    let mut cell_end = 0usize;
    let mut i = 1;
    while i < n {
        while open.last().is_some_and(|&e| i >= e) {
            open.pop();
            flush(&mut out, &mut para);
        }
        let id = i as u32;
        let tag = dom.tag(id);
        let hidden = tag != Tag::Text
            && (dom.has_attr(id, AttrKind::Hidden)
                || dom
                    .attr(id, AttrKind::AriaHidden)
                    .is_some_and(|v| v.trim() == "true"));
        let skip = hidden
            || matches!(
                tag,
                Tag::Audio
                    | Tag::Button
                    | Tag::Canvas
                    | Tag::Dialog
                    | Tag::Embed
                    | Tag::Figcaption
                    | Tag::Form
                    | Tag::Iframe
                    | Tag::Input
                    | Tag::Menu
                    | Tag::Object
                    | Tag::Picture
                    | Tag::Select
                    | Tag::Video
            );
        if skip {
            i = dom.subtree_end(id) as usize;
            continue;
        }
        match tag {
            Tag::Text => push_collapsed(&mut para, dom.text(id)),
            // A cell, and any block or break inside one, is part of its row's line: a space
            // apart from what comes before it.
            Tag::Td | Tag::Th => {
                cell_end = cell_end.max(dom.subtree_end(id) as usize);
                space(&mut para);
            }
            _ if i < cell_end && (!tag.is_inline() || matches!(tag, Tag::Br | Tag::Hr)) => space(&mut para),
            // Lines ended by `<br>`: wrapped prose is joined again, a list's lines stay
            // lines (`line_paragraphs`).
            Tag::Br => para.push(BREAK),
            Tag::Hr => flush(&mut out, &mut para),
            t if t.is_inline() || t == Tag::Img || t == Tag::Wbr || t == Tag::Source => {}
            _ => {
                flush(&mut out, &mut para);
                open.push(dom.subtree_end(id) as usize);
            }
        }
        i += 1;
    }
    flush(&mut out, &mut para);
    // Lines ended by `<br>` are read once the width they may have been wrapped at, the
    // longest such line of the whole text, is known.
    let width = crate::widest_line(
        out.iter()
            .filter(|b| b.contains(BREAK))
            .flat_map(|b| b.split(BREAK)),
    );
    let mut text = String::new();
    for b in &out {
        for p in crate::line_paragraphs(b.split(BREAK), width) {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&p);
        }
    }
    text
}

/// Debug aid: the ancestor chain of the first text node containing `needle`, with each
/// node's verdict, text figures and score inputs.
pub(crate) fn trace(dom: &Dom<'_>, needle: &str) -> String {
    let st = Stats::new(dom);
    let mut out = String::new();
    let Some(t) =
        (0..dom.nodes.len() as u32).find(|&i| dom.tag(i) == Tag::Text && dom.text(i).contains(needle))
    else {
        return "needle not found".into();
    };
    let mut cur = dom.nodes[t as usize].parent;
    while cur != NONE {
        let c = cur as usize;
        out.push_str(&format!(
            "{:?}.{} dead={} text={} links={} long_p={}\n",
            dom.tag(cur),
            class_id(dom, cur),
            st.dead[c],
            st.text[c],
            st.links[c],
            st.long_p[c]
        ));
        cur = dom.nodes[c].parent;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paragraphs of made-up prose, each long enough to count as article text.
    fn prose(n: usize, tag: &str) -> String {
        (0..n)
            .map(|i| {
                format!(
                    "<p>Paragraph {i} of the {tag} story explains, in plain words and at some length, how \
                     the river crossing was rebuilt after the spring floods, who paid for it, and why.</p>"
                )
            })
            .collect()
    }

    fn body(html: &str) -> String {
        main_text(&Dom::parse(html), None)
    }

    fn count(hay: &str, needle: &str) -> usize {
        hay.matches(needle).count()
    }

    #[test]
    fn responsive_copies_render_once() {
        let copy = format!(
            "<div class=\"variant\"><h2>The crossing</h2>{}</div>",
            prose(6, "bridge")
        );
        let html = format!("<body><main><div class=\"wrap\">{copy}{copy}</div></main></body>");
        let b = body(&html);
        assert_eq!(count(&b, "Paragraph 3 of the bridge story"), 1, "{b}");
        assert_eq!(count(&b, "Paragraph 0 of the bridge story"), 1, "{b}");
    }

    #[test]
    fn short_repeated_blocks_stay() {
        // A pros list shown twice (in a review and in its summary) is below the repeat size.
        let pros = "<ul><li>Light and quiet to run</li><li>Long battery life</li></ul>";
        let html = format!(
            "<body><article>{}{pros}{}{pros}</article></body>",
            prose(3, "a"),
            prose(3, "b")
        );
        assert_eq!(count(&body(&html), "Long battery life"), 2);
    }

    #[test]
    fn streamed_segments_are_not_hidden() {
        let html = format!(
            "<body><main>{}<div>Loading</div></main><div hidden id=\"S:0\"><div>{}</div></div>\
             <div hidden id=\"S:1\"><div>{}</div></div>\
             <div hidden><p>A hidden dialog text that nobody sees on the page, long enough to count as prose.</p></div></body>",
            prose(2, "lead"),
            prose(3, "streamed"),
            prose(3, "closing")
        );
        let b = body(&html);
        assert!(b.contains("Paragraph 2 of the streamed story"), "{b}");
        assert!(!b.contains("hidden dialog"), "{b}");
    }

    #[test]
    fn sections_sharing_a_boilerplate_class_are_the_article() {
        let sections: String = (0..4)
            .map(|k| {
                format!(
                    "<section class=\"toc-para part_{k}\"><h2>Part {k}</h2>{}</section>",
                    prose(2, &format!("part {k}"))
                )
            })
            .collect();
        let html = format!(
            "<body><main><div class=\"chapters\">{sections}</div></main>\
             <div class=\"toc-box\"><p>Contents: part one, part two, part three and part four.</p></div></body>"
        );
        let b = body(&html);
        for k in 0..4 {
            assert!(b.contains(&format!("Paragraph 1 of the part {k} story")), "{b}");
        }
    }

    #[test]
    fn article_split_into_columns_is_whole() {
        let blocks = |n: usize, tag: &str| -> String {
            (0..n)
                .map(|i| format!("<div class=\"block\">{}</div>", prose(1, &format!("{tag} {i}"))))
                .collect()
        };
        let html = format!(
            "<body><main><section class=\"mb-4\">{}<div class=\"columns-wrap\"><div class=\"columns\">\
             <div class=\"column\">{}</div><div class=\"column\">{}</div></div></div>{}</section></main>\
             <div class=\"links\"><a href=\"/a\">Another story</a> <a href=\"/b\">And one more</a></div></body>",
            blocks(2, "intro"),
            blocks(7, "left"),
            blocks(1, "right"),
            blocks(2, "outro")
        );
        let b = body(&html);
        for want in ["intro 1", "left 6", "right 0", "outro 1"] {
            assert!(b.contains(&format!("of the {want} story")), "{want}: {b}");
        }
        assert!(!b.contains("Another story"), "{b}");
    }

    #[test]
    fn a_class_word_alone_does_not_make_the_main_text() {
        let html = format!(
            "<body><div class=\"top\"><div class=\"text-content\"><p>Last updated: November 13, 2025</p></div></div>\
             <table><tr><td><div>{}</div></td></tr></table><div>{}</div></body>",
            prose(3, "falls"),
            "<a href=\"/p\">A link to another park page</a> ".repeat(30)
        );
        let b = body(&html);
        assert!(b.contains("Paragraph 2 of the falls story"), "{b}");
    }

    #[test]
    fn highlighted_code_keeps_its_comments() {
        let html = format!(
            "<body><article>{}<pre><code class=\"hljs\"><span class=\"hljs-comment\"># stage every change</span>\n\
             git add .</code></pre></article></body>",
            prose(3, "git")
        );
        assert!(body(&html).contains("# stage every change"));
    }

    #[test]
    fn newsletter_article_is_kept_newsletter_box_is_not() {
        let html = format!(
            "<body><main><article class=\"newsletter-content\">{}</article>\
             <div class=\"newsletter-box\"><p>Sign up to get our weekly letter in your inbox, every Friday morning, for free.</p></div>\
             <section class=\"quotes\">{}</section></main></body>",
            prose(5, "letter"),
            prose(6, "reader")
        );
        let b = body(&html);
        assert!(b.contains("Paragraph 4 of the letter story"), "{b}");
        assert!(!b.contains("Sign up"), "{b}");
    }
}
