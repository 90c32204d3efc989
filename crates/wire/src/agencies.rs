//! One name per news agency, for the `source` field of articles.
//!
//! Agencies sign their items in several ways: AP's ninjs says "AP", its NITF "The Associated
//! Press"; Reuters' copyright holder is "Thomson Reuters"; AFP appears as "AFP", "Agence
//! France Presse", "afp.com" and, in Arabic, "أ ف ب"; dpa as "Deutsche Presse-Agentur GmbH".
//! A desk filtering or counting by source wants one name for each, so a stated name that is
//! a known spelling of an agency becomes the short name the agency signs with
//! ([`short_name`]). Names not in the table stay as stated: the table lists the world and
//! national agencies whose feeds newsrooms take, not every outlet.

/// The agencies: the short name they sign with, then the spellings that mean them, as
/// [`key`] reduces them (lower case, letters and digits only, no leading "the", no company
/// form, a web address without "www." and its last label).
const AGENCIES: &[(&str, &[&str])] = &[
    (
        "Reuters",
        &[
            "reuters",
            "thomsonreuters",
            "reutersnews",
            "reutersnewsagency",
            "رويترز",
            "رائٹرز",
        ],
    ),
    ("AP", &["ap", "associatedpress", "apnews", "أسوشيتدبرس", "اےپی"]),
    (
        "AFP",
        &[
            "afp",
            "agencefrancepresse",
            "agencefrancepress",
            "أفب",
            "فرانسپریس",
            "فرانسبرس",
            "اےایفپی",
        ],
    ),
    ("dpa", &["dpa", "deutschepresseagentur", "دبأ"]),
    ("ANSA", &["ansa", "agenzianazionalestampaassociata"]),
    ("EFE", &["efe", "agenciaefe"]),
    ("PA", &["pa", "pressassociation", "pamedia", "pamediagroup"]),
    ("AAP", &["aap", "australianassociatedpress"]),
    ("STT", &["stt", "suomentietotoimisto", "sttfnb"]),
    ("NTB", &["ntb", "norsktelegrambyrå", "norsktelegrambyra"]),
    (
        "TT",
        &["tt", "ttnyhetsbyrån", "ttnyhetsbyran", "tidningarnastelegrambyrå"],
    ),
    ("Ritzau", &["ritzau", "ritzausbureau"]),
    (
        "ANA-MPA",
        &[
            "anampa",
            "απεμπε",
            "athensmacedoniannewsagency",
            "athensnewsagency",
        ],
    ),
    ("APA", &["apa", "austriapresseagentur"]),
    ("Belga", &["belga"]),
    ("ANP", &["anp", "algemeennederlandspersbureau"]),
    (
        "Keystone-SDA",
        &[
            "keystonesda",
            "keystoneats",
            "sda",
            "ats",
            "schweizerischedepeschenagentur",
        ],
    ),
    ("Kyodo", &["kyodo", "kyodonews"]),
    ("TASS", &["tass", "itartass", "тасс"]),
    ("Xinhua", &["xinhua", "xinhuanewsagency", "新华社", "شينخوا"]),
    ("Yonhap", &["yonhap", "yonhapnewsagency"]),
    ("PTI", &["pti", "presstrustofindia"]),
    ("APP", &["app", "associatedpressofpakistan", "اےپیپی"]),
    ("NNI", &["nni", "ایناینآئی"]),
    ("CP", &["cp", "canadianpress"]),
    ("UPI", &["upi", "unitedpressinternational"]),
    ("Lusa", &["lusa", "agêncialusa", "agencialusa"]),
    ("PAP", &["pap", "polskaagencjaprasowa"]),
    ("ČTK", &["čtk", "ctk", "českátiskovákancelář"]),
];

/// Company forms dropped from the end of a name.
const COMPANY_FORMS: &[&str] = &[
    "gmbh", "llc", "ltd", "ltd.", "limited", "inc", "inc.", "plc", "oyj", "ab", "as", "asa", "spa", "s.p.a.",
    "sa", "s.a.", "ag", "corp", "corp.",
];

/// The short name of the agency `name` spells, if it is one the table knows.
pub fn short_name(name: &str) -> Option<&'static str> {
    let k = key(name);
    if k.is_empty() {
        return None;
    }
    AGENCIES
        .iter()
        .find(|(_, spellings)| spellings.contains(&k.as_str()))
        .map(|(short, _)| *short)
}

/// `name` reduced for the lookup: lower case; a web address ("www.itar-tass.com") without
/// "www." and its last label; no leading "the" and no trailing company form; then letters
/// and digits only.
fn key(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let mut s = lower.as_str();
    if !s.contains(' ') && s.contains('.') {
        s = s.strip_prefix("www.").unwrap_or(s);
        if let Some((host, _tld)) = s.rsplit_once('.') {
            s = host;
        }
    }
    let mut words: Vec<&str> = s.split_whitespace().collect();
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| COMPANY_FORMS.contains(&w.trim_start_matches(',')))
    {
        words.pop();
    }
    words.concat().chars().filter(|c| c.is_alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_agency_give_its_short_name() {
        for (stated, want) in [
            ("The Associated Press", Some("AP")),
            ("AP", Some("AP")),
            ("Thomson Reuters", Some("Reuters")),
            ("REUTERS", Some("Reuters")),
            ("Agence France Presse", Some("AFP")),
            ("Agence France-Presse", Some("AFP")),
            ("afp.com", Some("AFP")),
            ("أ ف ب", Some("AFP")),
            ("Deutsche Presse-Agentur GmbH", Some("dpa")),
            ("ritzau", Some("Ritzau")),
            ("ntb.no", Some("NTB")),
            ("www.itar-tass.com", Some("TASS")),
            ("KYODONEWS", Some("Kyodo")),
            ("ΑΠΕ-ΜΠΕ", Some("ANA-MPA")),
            ("The Press Association", Some("PA")),
            ("Australian Associated Press", Some("AAP")),
            ("The Canadian Press", Some("CP")),
            ("اے پی پی", Some("APP")),
            ("اے ایف پی", Some("AFP")),
            ("رويترز", Some("Reuters")),
            ("فرانس برس", Some("AFP")),
            // Not agencies of the table, or not one agency: as stated.
            ("PA Sport", None),
            ("tca/dpa", None),
            ("Apple Daily", None),
            ("GlobeNewswire", None),
            ("The", None),
            ("", None),
        ] {
            assert_eq!(short_name(stated), want, "{stated}");
        }
    }

    #[test]
    fn every_spelling_is_a_key_and_names_one_agency() {
        let mut seen = std::collections::HashMap::new();
        for (short, spellings) in AGENCIES {
            assert_eq!(short_name(short), Some(*short), "{short} names itself");
            for s in *spellings {
                assert_eq!(&key(s), s, "{s} is written as its key");
                assert!(seen.insert(*s, *short).is_none(), "{s} names two agencies");
            }
        }
    }
}
