//! Stories delivered by email (RFC 5322 messages, MIME): press releases and the emailed
//! stories and forms some agencies and contributors send to a desk's address, saved as
//! files (`.eml`, or a mailbox rule's text dump) into a drop folder.
//!
//! Parsing is mail-parser's (headers, MIME parts, transfer and charset decoding). The
//! message is one text item: `Subject` is its headline, `Date` its first-created time,
//! `Message-ID` its identity (as a `mid:` URI, RFC 2392), `Content-Language` its
//! language; the first plain-text part is its body, else the first HTML part. The sender
//! (`From`) is who mailed it, not its author, so it is no byline. A message whose text is
//! a mailed web form (a JSON object with a `Body` field, as a Google Forms script sends a
//! contributor's story) gives the form's `Headline`, `Body`, `Slugline`, `Byline`,
//! `Dateline` and `Abstract` instead. Attachments that are
//! not text (pictures, documents) are not read: each is named in
//! [`Document::problems`](crate::Document::problems), so a dead letter says so.

use mail_parser::{MessageParser, MimeHeaders, PartType};

use crate::{Body, Document, Format, Item, ItemType};

/// Header fields that mark a message: a file whose header block has `From` and
/// `Subject` and one of these is read as an email.
const TRANSPORT: [&str; 6] = [
    "received",
    "message-id",
    "mime-version",
    "date",
    "delivered-to",
    "return-path",
];

/// Whether `bytes` start with an RFC 5322 header block (blank lines before it allowed)
/// that names a sender, a subject and a transport or date field.
pub fn looks_like(bytes: &[u8]) -> bool {
    // Bytes, not text: this runs on every document, and a page fails on its first line.
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let lines = head
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii_end)
        .skip_while(|l| l.trim_ascii().is_empty());
    let (mut from, mut subject, mut transport, mut fields) = (false, false, false, 0usize);
    for line in lines {
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            // A folded continuation of the field before.
            if fields == 0 {
                return false;
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return false;
        };
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(u8::is_ascii_graphic) {
            return false;
        }
        fields += 1;
        from |= name.eq_ignore_ascii_case(b"from");
        subject |= name.eq_ignore_ascii_case(b"subject");
        transport |= TRANSPORT.iter().any(|t| name.eq_ignore_ascii_case(t.as_bytes()));
    }
    from && subject && transport
}

/// Reads one message.
pub fn read(bytes: &[u8]) -> Document {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let Some(msg) = MessageParser::default().parse(&bytes[start..]) else {
        return Document {
            format: Format::Email,
            items: Vec::new(),
            problems: vec!["email message could not be parsed".into()],
        };
    };
    let nonblank = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let mut it = Item {
        uri: nonblank(msg.message_id()).map(|id| format!("mid:{id}")),
        item_type: ItemType::Text,
        headline: nonblank(msg.subject()).map(|s| crate::tree::collapse(&s)),
        firstcreated: msg.date().map(|d| d.to_rfc3339()).and_then(|d| crate::date(&d)),
        language: msg
            .header("Content-Language")
            .and_then(|h| h.as_text())
            .and_then(|l| nonblank(Some(l))),
        ..Item::default()
    };
    it.versioncreated = it.firstcreated.clone();
    // The first part written as plain text, else the first written as HTML (mail-parser
    // also lists each as the other's alternative, converted).
    let part = |ids: &[u32], html: bool| {
        ids.iter()
            .find_map(|&id| match &msg.parts.get(id as usize)?.body {
                PartType::Text(t) if !html && !t.trim().is_empty() => Some(Body::Text(t.to_string())),
                PartType::Html(h) if html && !h.trim().is_empty() => Some(Body::Html(h.to_string())),
                _ => None,
            })
    };
    it.body = part(&msg.text_body, false)
        .or_else(|| part(&msg.html_body, true))
        .unwrap_or(Body::None);
    if let Body::Text(t) = &it.body
        && let Some(form) = form_fields(t)
    {
        form.apply(&mut it);
    }
    let problems = msg
        .attachments()
        .filter(|a| !a.is_text() && !a.is_message())
        .map(|a| {
            format!(
                "email attachment {} ({}) not read: only the message's text is",
                a.attachment_name().unwrap_or("without a name"),
                a.content_type()
                    .map(|c| match c.subtype() {
                        Some(s) => format!("{}/{s}", c.ctype()),
                        None => c.ctype().to_string(),
                    })
                    .unwrap_or_else(|| "unknown type".into())
            )
        })
        .collect::<Vec<_>>();
    let mut doc = Document {
        format: Format::Email,
        items: Vec::new(),
        problems,
    };
    if it.body.is_blank() {
        if it.headline.is_some() {
            it.incomplete = Some("the email carries no text, only its subject".into());
        } else {
            doc.problems.push("email has neither text nor subject".into());
            return doc;
        }
    }
    doc.items.push(it);
    doc
}

/// The fields of a web form mailed as a JSON object (a Google Forms script's mail to the
/// desk: `{"Headline":["..."],"Body":["..."],"Slugline":[...],...}`), by field name,
/// case and spacing aside.
struct Form(serde_json::Map<String, serde_json::Value>);

/// The message text as a form: a JSON object that has a `Body` or `Story` field. Mail
/// clients wrap long lines (`format=flowed`), so the object is also tried with its line
/// breaks taken out (a wrapped line's trailing space with them, as `delsp=yes` asks).
fn form_fields(text: &str) -> Option<Form> {
    let t = text.trim();
    if !t.starts_with('{') {
        return None;
    }
    let unwrapped = t
        .replace(" \r\n", "")
        .replace(" \n", "")
        .replace(['\r', '\n'], "");
    let joined = t.replace(['\r', '\n'], "");
    let map = [t, unwrapped.as_str(), joined.as_str()]
        .into_iter()
        .find_map(|c| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(c).ok())?;
    let form = Form(map);
    form.get(&["body", "story"]).map(|_| form)
}

impl Form {
    /// The first field named one of `names` with a non-empty value: a string, or the
    /// non-empty strings of a list, joined by blank lines.
    fn get(&self, names: &[&str]) -> Option<String> {
        let key = |k: &str| {
            k.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
                .to_lowercase()
        };
        names.iter().find_map(|n| {
            let v = self.0.iter().find(|(k, _)| key(k) == *n)?.1;
            let parts: Vec<&str> = match v {
                serde_json::Value::String(s) => vec![s.as_str()],
                serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect(),
                _ => Vec::new(),
            };
            let parts: Vec<&str> = parts
                .into_iter()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join("\n\n"))
        })
    }

    fn apply(&self, it: &mut Item) {
        if let Some(b) = self.get(&["body", "story"]) {
            it.body = crate::text_or_html(b);
        }
        if let Some(h) = self.get(&["headline", "title"]) {
            it.headline = Some(crate::tree::collapse(&h));
        }
        it.slugline = self.get(&["slugline", "keyword"]).or(it.slugline.take());
        it.byline = self.get(&["byline", "author"]).or(it.byline.take());
        it.located = self
            .get(&["dateline", "place"])
            .and_then(|d| crate::nitf::place(&d))
            .or(it.located.take());
        it.description_text = self.get(&["abstract", "summary"]).or(it.description_text.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &[u8] = b"\n   \nDelivered-To: desk@news.test\r\nReceived: by 10.0.0.1 with SMTP id x;\r\n        Sun, 13 Sep 2015 19:06:01 -0700 (PDT)\r\nMIME-Version: 1.0\r\nMessage-ID: <abc123@mail.test>\r\nDate: Mon, 14 Sep 2015 02:06:01 +0000\r\nSubject: =?UTF-8?Q?Caf=C3=A9_owners_protest_new_rules?=\r\nFrom: Press Office <press@council.test>\r\nContent-Language: en-AU\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\nCaf\xe9 owners marched on the council on Monday.\r\n\r\nThe rules take effect in March.\r\n";

    #[test]
    fn a_message_is_one_text_item() {
        assert!(looks_like(PLAIN));
        let doc = read(PLAIN);
        assert_eq!(doc.format, Format::Email);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        let it = &doc.items[0];
        assert_eq!(it.uri.as_deref(), Some("mid:abc123@mail.test"));
        assert_eq!(it.headline.as_deref(), Some("Café owners protest new rules"));
        assert_eq!(it.firstcreated.as_deref(), Some("2015-09-14T02:06:01Z"));
        assert_eq!(it.language.as_deref(), Some("en-AU"));
        assert_eq!(it.byline, None, "the sender is not the author");
        let Body::Text(t) = &it.body else {
            panic!("{:?}", it.body)
        };
        assert!(
            t.starts_with("Café owners marched") && t.contains("take effect in March"),
            "{t}"
        );
    }

    #[test]
    fn html_and_attachments() {
        let msg = "From: a@b.test\r\nSubject: Release\r\nDate: Tue, 3 Mar 2015 11:27:36 +1100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>First <b>para</b>.</p><p>Second.</p>\r\n--XX\r\nContent-Type: image/jpeg; name=\"Cow.jpg\"\r\nContent-Disposition: attachment; filename=\"Cow.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n--XX--\r\n";
        let doc = read(msg.as_bytes());
        assert!(
            matches!(&doc.items[0].body, Body::Html(h) if h.contains("<b>para</b>")),
            "{:?}",
            doc.items[0].body
        );
        assert_eq!(doc.problems.len(), 1);
        assert!(
            doc.problems[0].contains("Cow.jpg") && doc.problems[0].contains("image/jpeg"),
            "{:?}",
            doc.problems
        );
        let bare = read(
            b"From: a@b.test\r\nSubject: Only a subject\r\nDate: Tue, 3 Mar 2015 11:27:36 +1100\r\n\r\n",
        );
        assert!(
            bare.items[0]
                .incomplete
                .as_deref()
                .is_some_and(|r| r.contains("only its subject"))
        );
        assert!(
            read(b"From: a@b.test\r\nDate: Tue, 3 Mar 2015 11:27:36 +1100\r\n\r\n")
                .items
                .is_empty()
        );
    }

    #[test]
    fn a_mailed_form_gives_its_fields() {
        // Wrapped by the mail client (format=flowed; delsp=yes) inside a string.
        let msg = "From: forms@news.test\r\nSubject: Formatted Editorial Story\r\nDate: Thu, 17 Nov 2016 23:35:10 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8; format=flowed; delsp=yes\r\n\r\n{\"Dateline\":[\"BRISBANE\",\"\",\"\"],\"Headline\":[\"Arnold 'worried' about Roar\"],\"Slugline\":[\"Soc AL Roar\"],\"Body\":[\"John Aloisi reckons Arnold is worried about the in-form  \r\nRoar.\\n\\nThe sides meet on Saturday.\"],\"Abstract\":[\"Arnold is worried.\"]}\r\n";
        let it = &read(msg.as_bytes()).items[0];
        assert_eq!(it.headline.as_deref(), Some("Arnold 'worried' about Roar"));
        assert_eq!(it.slugline.as_deref(), Some("Soc AL Roar"));
        assert_eq!(it.located.as_deref(), Some("BRISBANE"));
        assert_eq!(it.description_text.as_deref(), Some("Arnold is worried."));
        assert_eq!(
            it.body,
            Body::Text("John Aloisi reckons Arnold is worried about the in-form Roar.\n\nThe sides meet on Saturday.".into())
        );
        // JSON that is no form (no body field) stays the message's text.
        let plain = "From: a@b.test\r\nSubject: Data\r\nDate: Tue, 3 Mar 2015 11:27:36 +1100\r\n\r\n{\"count\": 3}\r\n";
        assert_eq!(
            read(plain.as_bytes()).items[0].body,
            Body::Text("{\"count\": 3}\r\n".into())
        );
    }

    #[test]
    fn other_text_is_no_email() {
        for other in [
            "Subject: a note\nThis is a story that starts with a colon line.",
            "From: the desk\nSubject: x\n\nno transport or date field",
            "HEADLINE: Quake hits coast\nBy Ann Roe\n\nTOKYO - A quake...",
            "<html><head><title>From: x</title></head></html>",
            "",
        ] {
            assert!(!looks_like(other.as_bytes()), "{other}");
        }
    }
}
