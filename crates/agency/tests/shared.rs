//! The agency readers on real agency files (`WIREFOLD_DATA`: `wire-agency-dev/` with
//! Reuters, AP, AFP, ANSA, PA, AAP, STT, ANA, dpa files, and `wire-dev/` with IPTC's
//! NewsML-G2 and ninjs examples). Skipped, with a message, when `WIREFOLD_DATA` is unset;
//! a failure when it is set and the files are missing.
//!
//! Per format: headline, body start, byline, version, uri and pubstatus of one file each;
//! then, for every file the gold marks as a text story, that it gives an item and that an
//! item carries the stated headline.

use std::path::{Path, PathBuf};

use wirefold_agency::{Body, Document, Format, Item, ItemType, PubStatus, Signal};
use wirefold_testkit::shared_dir;

fn data(test: &str) -> Option<PathBuf> {
    shared_dir("WIREFOLD_DATA", test)
}

fn doc(dir: &Path, set: &str, file: &str) -> Document {
    let p = dir.join(set).join("files").join(file);
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    wirefold_agency::read(&bytes)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .unwrap_or_else(|| panic!("{file}: not read as an agency format"))
}

fn body(it: &Item) -> &str {
    match &it.body {
        Body::Text(t) | Body::Html(t) => t.trim_start(),
        Body::None => "",
    }
}

/// (format, headline, body start, byline, version, uri, pubstatus) of the first item.
#[allow(clippy::too_many_arguments)]
fn check(
    d: &Document,
    format: Format,
    headline: &str,
    body_start: &str,
    byline: Option<&str>,
    version: Option<u64>,
    uri: Option<&str>,
    pubstatus: Option<PubStatus>,
) {
    assert_eq!(d.format, format);
    let it = &d.items[0];
    assert_eq!(it.headline.as_deref(), Some(headline));
    assert!(
        body(it).starts_with(body_start),
        "body starts {:?}",
        &body(it)[..body(it).len().min(120)]
    );
    assert_eq!(it.byline.as_deref(), byline);
    assert_eq!(it.version, version);
    assert_eq!(it.uri.as_deref(), uri);
    assert_eq!(it.pubstatus, pubstatus);
}

#[test]
fn each_format_names_the_agency_that_supplied_it() {
    let Some(dir) = data("each_format_names_the_agency_that_supplied_it") else {
        return;
    };
    for (set, file, provider) in [
        // NewsML-G2: the copyright holder's name, else the provider's literal; a known
        // agency by the short name it signs with ("Thomson Reuters" is Reuters).
        (
            "wire-agency-dev",
            "tag_reuters.com_2014_newsml_KBN0FL0NN_version_5",
            Some("Reuters"),
        ),
        ("wire-agency-dev", "ansa-newsmlg2-text.xml", Some("ANSA")),
        ("wire-agency-dev", "stt_newsml_abstract_test.xml", Some("STT")),
        ("wire-agency-dev", "ap.xml", Some("Automated Insights")),
        // NITF: the copyright holder, without its rights statement.
        ("wire-agency-dev", "pa5.xml", Some("PA")),
        ("wire-agency-dev", "handle_invalid_fields.xml", Some("CP")),
        // NewsML 1.2: the provider party, else the source party.
        ("wire-agency-dev", "afp.xml", Some("AFP")),
        ("wire-agency-dev", "ana1.xml", Some("ANA-MPA")),
        // ninjs: copyrightholder, AP's provider, the holder a notice names.
        ("wire-dev", "2.1_dpa_text.json", Some("dpa")),
        ("wire-dev", "3.0_ntb_text.json", Some("NTB")),
        ("wire-agency-dev", "ap_media_text_item.json", Some("AP")),
        ("wire-dev", "1.4_ninjsExMediumText1.json", Some("The News Agency")),
        // An in-house layout: Ritzau's origin.
        ("wire-agency-dev", "ritzau_news_test_ednote.xml", Some("Ritzau")),
        // ANPA states none (the normalizer reads the dateline's credit).
        ("wire-agency-dev", "ap_anpa-1.tst", None),
    ] {
        let d = doc(&dir, set, file);
        assert_eq!(d.items[0].provider.as_deref(), provider, "{file}");
    }
}

#[test]
fn each_format_states_its_own_fields() {
    let Some(dir) = data("each_format_states_its_own_fields") else {
        return;
    };
    let a = "wire-agency-dev";
    // NewsML-G2 news message with a text item (Reuters).
    let d = doc(&dir, a, "tag_reuters.com_2014_newsml_KBN0FL0NN_version_5");
    check(
        &d,
        Format::NewsmlG2,
        "Confident Assad launches new term in stronger position",
        "By Marwan Makdisi\n\nDAMASCUS (Reuters) - Bashar al-Assad was sworn in",
        Some("By Marwan Makdisi"),
        Some(5),
        Some("tag_reuters.com_2014_newsml_KBN0FL0NN"),
        Some(PubStatus::Usable),
    );
    assert_eq!(d.items[0].slugline.as_deref(), Some("US-SYRIA-CRISIS-ASSAD"));
    assert_eq!(d.items[0].urgency, Some(4));
    // A correction that is also a withdrawal (Reuters kill of a corrected story).
    let d = doc(
        &dir,
        a,
        "tag_reuters.com_2016_newsml_L1N14N0FF_version_1542761538",
    );
    let it = &d.items[0];
    assert_eq!(
        (it.signal, it.pubstatus),
        (Some(Signal::Correction), Some(PubStatus::Canceled))
    );
    assert_eq!(it.uri.as_deref(), Some("tag:reuters.com,0000:newsml_L1N14N0FF"));
    // A package with its text, video, audio and picture: four items, none dropped.
    let d = doc(&dir, a, "video.xml");
    let kinds: Vec<ItemType> = d.items.iter().map(|i| i.item_type).collect();
    assert_eq!(
        kinds,
        [
            ItemType::Text,
            ItemType::Video,
            ItemType::Audio,
            ItemType::Picture
        ]
    );
    assert_eq!(
        d.items[0].headline.as_deref(),
        Some("Cardinals arrive for pre-conclave meeting")
    );
    assert!(
        d.items[1..].iter().all(|i| !body(i).is_empty()),
        "media items carry their caption"
    );
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    // A lone picture: an item of its own kind with its caption as text.
    let d = doc(&dir, a, "picture.xml");
    assert_eq!(d.items[0].item_type, ItemType::Picture);
    assert!(body(&d.items[0]).starts_with("A woman casts her ballot"));
    // A package whose items are not in the document: a problem that says so.
    let d = doc(&dir, a, "snep.xml");
    assert!(d.items.is_empty());
    assert!(d.problems[0].contains("never arrived"), "{:?}", d.problems);
    // NITF: the headline is hl1, never the slug-like <title>.
    let d = doc(&dir, a, "pa5.xml");
    check(
        &d,
        Format::Nitf,
        "HARD BREXIT TO COST UK UP TO £66BN A YEAR, SAYS TREASURY",
        "Treasury coffers will take a £66 billion annual hit",
        Some("By Sam Lister, Press Association Political Correspondent"),
        None,
        Some("17b7b4c3-6e05-4690-b7cb-37b5c99c9a86HHH-5-1"),
        Some(PubStatus::Usable),
    );
    let d = doc(&dir, a, "pa1.xml");
    assert_eq!(
        d.items[0].headline.as_deref(),
        Some("PA SPORT TRIVIA (OCTOBER 14)")
    );
    assert_eq!(d.items[0].slugline.as_deref(), Some("PA-SSS-SPORT-Trivia(Oct14)"));
    // NewsML 1.2 (AFP): identity without the revision, version from RevisionId.
    let d = doc(&dir, a, "afp.xml");
    check(
        &d,
        Format::Newsml1,
        "Sweden court accepts receivership for Saab carmaker",
        "A Chinese-owned company set up to take over Saab's assets",
        None,
        Some(1),
        Some("urn:newsml:afp.com:20140829T135002Z:TX-PAR-FXW86"),
        Some(PubStatus::Usable),
    );
    assert_eq!(d.items[0].located.as_deref(), Some("STOCKHOLM"));
    assert_eq!(d.items[0].slugline.as_deref(), Some("Sweden-SAAB"));
    // ANPA 1312 (AP): a writethru is version 2 of the story's keyword and date.
    let d = doc(&dir, a, "ap_anpa-1.tst");
    check(
        &d,
        Format::Anpa,
        "Deng has 30 points, short-handed Heat beat Hawks 115-111",
        "ATLANTA (AP) \u{2014} Luol Deng scored 30 points and Josh McRoberts had 19",
        Some("By CHARLES ODUM, AP Sports Writer"),
        Some(2),
        Some("urn:anpa:bc-bkn--heat-hawks:02-20"),
        None,
    );
    assert_eq!(d.items[0].signal, Some(Signal::Update));
    assert_eq!(
        d.items[0].ednote.as_deref(),
        Some("Heat 115, Hawks 111. Updates. With AP Photos.")
    );
    // The caret summary line is the summary, not the body's start; the byline is read
    // with its affiliation line, as NITF prints it.
    assert!(
        d.items[0]
            .description_text
            .as_deref()
            .is_some_and(|s| s.starts_with("Luol Deng scored 30 points") && s.ends_with("his left knee.")),
        "{:?}",
        d.items[0].description_text
    );
    let d = doc(&dir, a, "anpa-1.tst");
    assert_eq!(
        d.items[0].byline.as_deref(),
        Some("By PAUL BYRNE and ALMUDENA CALATRAVA, Associated Press")
    );
    assert_eq!(
        d.items[0].headline.as_deref(),
        Some("For Argentine chemo patients, mirrors can hurt")
    );
    // IPTC 7901 (dpa): version words, headline and byline before the ' =' line.
    let d = doc(&dir, a, "dpa_four_line.txt");
    check(
        &d,
        Format::Anpa,
        "Switzerland joins list of countries resisting UN migration pact",
        "Geneva (dpa) - Switzerland is joining a growing number",
        Some("By dpa correspondents"),
        Some(2),
        None,
        None,
    );
    // ninjs 1.x: guid as uri, string version, body_html.
    let d = doc(&dir, a, "ninjs2.json");
    check(
        &d,
        Format::Ninjs,
        "Oil prices edge up on first drop in US drilling in months",
        "<p>Oil prices edged up on Monday",
        Some("By Henning Gloystein"),
        Some(4),
        Some("tag:localhost:2017:7ca07622-3b19-4d61-8daf-18500412d46b"),
        Some(PubStatus::Usable),
    );
    assert_eq!(d.items[0].slugline.as_deref(), Some("GLOBAL-OIL"));
    // An embargo is kept as stated.
    let d = doc(&dir, a, "ninjs_embargoed.json");
    assert_eq!(d.items[0].embargoed.as_deref(), Some("2022-06-29T02:30:00Z"));
    // ninjs 2.x (`by`, `headlines[]`, `bodies[]`) and 3.x (camelCase) say the same.
    for f in ["2.1_dpa_text.json", "3.0_dpa_text.json"] {
        let d = doc(&dir, "wire-dev", f);
        check(
            &d,
            Format::Ninjs,
            "Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?",
            "<section class=\"main\"><p>Für Lucien Favre",
            Some("Von Christian Hollmann, dpa"),
            Some(2),
            Some("urn:newsml:dpa.com:20090101:190510-99-167362"),
            Some(PubStatus::Usable),
        );
        assert_eq!(
            d.items[0].versioncreated.as_deref(),
            Some("2019-05-10T16:02:28+02:00")
        );
    }
    // ninjs 3.x with a NITF body in `bodies`.
    let d = doc(
        &dir,
        "wire-dev",
        "3.0_20231008-anti-doping-measures-at-the-tour-down-under-will-be-the-toughest-ever-addb-ninjs-nitf.json",
    );
    assert_eq!(
        d.items[0].headline.as_deref(),
        Some("Anti-doping measures at the 'Tour Down Under' will be the toughest ever")
    );
    // NewsML-G2 without a namespace (TT): a text item and its picture.
    let d = doc(&dir, "wire-dev", "TT_newsmlg2_sample.xml");
    assert_eq!(
        d.items[0].headline.as_deref(),
        Some("Jan Guillou skriver på ny \"Hamilton\"-bok")
    );
    assert_eq!(d.items[1].item_type, ItemType::Picture);
    // Email: a mailed web form (AAP's Google Forms mail) gives its form's fields; a plain
    // message its subject and text, and a dead letter for its picture attachment.
    let d = doc(&dir, "wire-agency-dev", "googleform1.txt");
    check(
        &d,
        Format::Email,
        "Arnold 'worried' about maroon-clad Roar",
        "John Aloisi reckons Sydney FC coach Graham Arnold",
        None,
        None,
        Some("mid:94eb2c191d1af6c610054187a3d9@google.com"),
        None,
    );
    assert_eq!(
        (d.items[0].slugline.as_deref(), d.items[0].located.as_deref()),
        (Some("Soc AL Roar"), Some("BRISBANE"))
    );
    let d = doc(&dir, "wire-agency-dev", "composite_email.txt");
    check(
        &d,
        Format::Email,
        "single image test",
        "this is a test of a single image",
        None,
        None,
        Some("mid:CAHU3GgXVH0V6YjX=9KX0=_tjWw6=UReXia5cxNq1BVpo1wqCjQ@mail.gmail.com"),
        None,
    );
    assert_eq!(
        d.items[0].firstcreated.as_deref(),
        Some("2015-03-03T11:27:36+11:00")
    );
    assert!(
        d.problems.iter().any(|p| p.contains("Cow.jpg")),
        "{:?}",
        d.problems
    );
}

/// Every text story of the gold gives an item, and one carrying the stated headline.
#[test]
fn every_gold_text_story_gives_an_item_with_its_stated_headline() {
    let Some(dir) = data("every_gold_text_story_gives_an_item_with_its_stated_headline") else {
        return;
    };
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    for set in ["wire-agency-dev", "wire-dev"] {
        let gold = std::fs::read_to_string(dir.join(set).join("gold.jsonl")).expect("gold.jsonl");
        let (mut stories, mut accepted, mut stated, mut kept) = (0, 0, 0, 0);
        let mut misses = Vec::new();
        for line in gold.lines() {
            let g: serde_json::Value = serde_json::from_str(line).unwrap();
            if g["text_story"] != true {
                continue;
            }
            stories += 1;
            let file = g["file"].as_str().unwrap();
            let bytes = std::fs::read(dir.join(set).join("files").join(file)).unwrap();
            let items = match wirefold_agency::read(&bytes) {
                Ok(Some(d)) => d.items,
                other => {
                    misses.push(format!("{file}: {other:?}"));
                    continue;
                }
            };
            if items.is_empty() {
                misses.push(format!("{file}: no item"));
                continue;
            }
            accepted += 1;
            if let Some(h) = g["headline"].as_str() {
                stated += 1;
                if items
                    .iter()
                    .any(|i| i.headline.as_deref().is_some_and(|x| norm(x) == norm(h)))
                {
                    kept += 1;
                } else {
                    misses.push(format!("{file}: headline {:?}, stated {h:?}", items[0].headline));
                }
            }
        }
        eprintln!("{set}: {accepted}/{stories} text stories read, {kept}/{stated} with the stated headline");
        assert!(stories > 0, "{set}: no text stories in the gold");
        assert_eq!((accepted, kept), (stories, stated), "{set}: {misses:#?}");
    }
}
