//! Broken and hostile wire documents: whatever bytes arrive, the readers answer with a
//! document or a reason, never a panic. A panic in a reader does not stop the pipeline
//! (the workers read on a task of their own and dead-letter a crash), but it stops
//! `wirefold extract`, and a crash is a worse dead letter than the reason.
//!
//! Mutations are cut points, byte flips, structural pieces inserted (`<`, `&#x`, quotes,
//! the ANPA control characters, half a UTF-8 sequence), ranges deleted and ranges
//! repeated, applied to one small document per format here, and, when `WIREFOLD_DATA` is
//! set, to the real agency files of `wire-agency-dev/` and `wire-dev/`.

use proptest::prelude::*;
use wirefold_corpus::Words;
use wirefold_testkit::shared_dir;

const SEEDS: &[&str] = &[
    r#"<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>
<newsItem guid="urn:newsml:example.com:20251124:talks" version="3">
<itemMeta><itemClass qcode="ninat:text"/><pubStatus qcode="stat:usable"/><signal qcode="sig:correction"/></itemMeta>
<contentMeta><headline>Talks narrow gaps &amp; go on</headline><by>Jane Doe</by><language tag="en"/></contentMeta>
<contentSet><inlineXML contenttype="application/xhtml+xml"><html><body><p>GENEVA (Reuters) - Talks went on.</p><p>Second &#x2014; para.</p></body></html></inlineXML></contentSet>
</newsItem></itemSet></newsMessage>"#,
    r#"<?xml version="1.0" encoding="iso-8859-1"?>
<nitf><head><title>SLUG</title><docdata><doc-id id-string="AAP-1"/><du-key version="2"/></docdata></head>
<body><body.head><hedline><hl1>Stated headline</hl1></hedline><byline>By Jo Bloggs</byline></body.head>
<body.content><p>First paragraph.</p><p>Second <b>bold</b> paragraph.</p></body.content></body></nitf>"#,
    r#"<?xml version="1.0"?><NewsML><NewsItem><Identification><NewsIdentifier><ProviderId>afp.com</ProviderId><DateId>20251124</DateId><NewsItemId>1</NewsItemId><RevisionId>2</RevisionId></NewsIdentifier></Identification>
<NewsComponent><NewsLines><HeadLine>Titre d'une dépêche</HeadLine></NewsLines><ContentItem><MediaType FormalName="Text"/><DataContent><p>Premier paragraphe.</p></DataContent></ContentItem></NewsComponent></NewsItem></NewsML>"#,
    "\u{16}\u{16}\u{1}r i BC-US--Talks 1stLd-Writethru 11-24 0412\u{2}\r\n^BC-US--Talks, 1st Ld-Writethru,412<\r\n^Talks narrow gaps<\r\n^Eds: Updates.<\r\n^By JANE DOE=\r\n^Associated Press=\r\n\tGENEVA (AP) _ Talks went on.\r\n\tSecond paragraph.\r\n\u{3}\r\n\u{4}",
    "\u{1}dpa0123 4 pl 345 dpa 0456\u{2}\r\nKonflikte/Ukraine/\r\nREFILE\r\nGespräche gehen weiter =\r\n\r\nGenf (dpa) - Die Gespräche gingen weiter.\r\n\r\nZweiter Absatz.\r\n\u{3}\u{4}",
    r#"{"uri":"http://example.com/items/1","type":"text","version":"2","pubstatus":"usable","headlines":[{"value":"A ninjs headline"}],"bodies":[{"role":"main","contenttype":"text/html","value":"<p>One.</p><p>Two.</p>"}],"body_text":"One.\n\nTwo."}"#,
    "Received: by 10.0.0.1;\r\n Mon, 14 Sep 2015 02:06:01 +0000\r\nMessage-ID: <m1@mail.test>\r\nDate: Mon, 14 Sep 2015 02:06:01 +0000\r\nSubject: =?UTF-8?B?VGFsa3MgZ28gb24=?=\r\nFrom: Desk <desk@news.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=UTF-8; format=flowed; delsp=yes\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{\"Headline\":[\"Talks go on\"],\"Body\":[\"Talks went =\r\non.\"]}\r\n--b1\r\nContent-Type: image/jpeg; name=\"a.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRg==\r\n--b1--\r\n",
];

/// Insertions that break structure in the ways wire transmissions break.
const PIECES: &[&[u8]] = &[
    b"<",
    b">",
    b"&",
    b"&#x",
    b"\"",
    b"'",
    b"\x01",
    b"\x02",
    b"\x03",
    b"</",
    b"<![CDATA[",
    b"\xc3",
    b"\xe2\x80",
    b"]]>",
    b"<!ENTITY a \"aa\">",
    b"{",
    b"}",
    b"[",
];

#[derive(Debug, Clone)]
enum Edit {
    Cut(usize),
    Flip(usize, u8),
    Insert(usize, usize),
    Delete(usize, usize),
    Repeat(usize, usize),
}

fn apply(bytes: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = bytes.to_vec();
    for e in edits {
        let at = |i: usize, v: &Vec<u8>| if v.is_empty() { 0 } else { i % v.len() };
        match *e {
            Edit::Cut(i) => v.truncate(at(i, &v)),
            Edit::Flip(i, b) => {
                if !v.is_empty() {
                    let i = at(i, &v);
                    v[i] = b;
                }
            }
            Edit::Insert(i, p) => {
                let i = at(i, &v);
                v.splice(i..i, PIECES[p % PIECES.len()].iter().copied());
            }
            Edit::Delete(i, n) => {
                let i = at(i, &v);
                let j = (i + n).min(v.len());
                v.drain(i..j);
            }
            Edit::Repeat(i, n) => {
                let i = at(i, &v);
                let j = (i + n).min(v.len());
                let seg = v[i..j].to_vec();
                v.splice(j..j, seg);
            }
        }
    }
    v
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Cut),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, p)| Edit::Insert(i, p)),
        (any::<usize>(), 0usize..200).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<usize>(), 0usize..200).prop_map(|(i, n)| Edit::Repeat(i, n)),
    ]
}

/// Reads `bytes`; what comes back must be usable: an error with a reason, or items whose
/// headlines are single trimmed lines.
fn read_checked(bytes: &[u8]) {
    match wirefold_agency::read(bytes) {
        Err(e) => assert!(!e.to_string().trim().is_empty(), "an error without a reason"),
        Ok(None) => {}
        Ok(Some(doc)) => {
            for it in &doc.items {
                if let Some(h) = &it.headline {
                    assert!(!h.contains('\n') && h.trim() == h, "headline {h:?}");
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn mutated_documents_never_panic(seed in 0..SEEDS.len(), edits in prop::collection::vec(edit(), 1..8)) {
        let bytes = apply(SEEDS[seed].as_bytes(), &edits);
        read_checked(&bytes);
    }

    #[test]
    fn arbitrary_bytes_after_a_format_prefix_never_panic(
        prefix in prop::sample::select(vec![&b"<?xml version=\"1.0\" encoding="[..], b"\x16\x01", b"\x01", b"{\"uri\":", b"<nitf>", b"<newsMessage>", b"From: a@b\r\nSubject: s\r\nDate: "]),
        tail in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let mut bytes = prefix.to_vec();
        bytes.extend_from_slice(&tail);
        read_checked(&bytes);
    }
}

#[test]
fn the_seed_documents_read() {
    for (i, s) in SEEDS.iter().enumerate() {
        let doc = wirefold_agency::read(s.as_bytes())
            .unwrap_or_else(|e| panic!("seed {i}: {e}"))
            .unwrap_or_else(|| panic!("seed {i} is not read as an agency document"));
        assert!(
            doc.items.first().is_some_and(|it| it.headline.is_some()),
            "seed {i}: {doc:?}"
        );
    }
}

/// Every real agency file, cut at 40 points and mutated 60 ways (deterministically).
#[test]
fn mutated_real_agency_files_never_panic() {
    let Some(dir) = shared_dir("WIREFOLD_DATA", "mutated_real_agency_files_never_panic") else {
        return;
    };
    let mut files = 0;
    for set in ["wire-agency-dev", "wire-dev"] {
        let d = dir.join(set).join("files");
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for e in entries {
            let path = e.expect("directory entry").path();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            files += 1;
            for k in 0..40 {
                read_checked(&bytes[..bytes.len() * k / 40]);
            }
            let mut r = Words::new(bytes.len() as u64);
            for _ in 0..60 {
                let edits: Vec<Edit> = (0..1 + r.below(6))
                    .map(|_| match r.below(4) {
                        0 => Edit::Flip(r.below(1 << 30), r.below(256) as u8),
                        1 => Edit::Insert(r.below(1 << 30), r.below(PIECES.len())),
                        2 => Edit::Delete(r.below(1 << 30), r.below(200)),
                        _ => Edit::Repeat(r.below(1 << 30), r.below(200)),
                    })
                    .collect();
                read_checked(&apply(&bytes, &edits));
            }
        }
    }
    assert!(files >= 50, "only {files} agency files under {}", dir.display());
}
