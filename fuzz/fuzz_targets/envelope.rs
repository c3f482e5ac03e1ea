//! The XML envelope for any operation name, message and details: always well-formed XML
//! 1.0 whose text reads back as what was put in (characters XML forbids become U+FFFD).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quick_xml::events::Event;
use quick_xml::Reader;
use server::servlet::envelope::{Envelope, ErrorCode};

fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r')
        || ('\u{20}'..='\u{D7FF}').contains(&c)
        || ('\u{E000}'..='\u{FFFD}').contains(&c)
        || c >= '\u{10000}'
}

fuzz_target!(|input: (String, String, Vec<(String, String)>, bool)| {
    let (operation, message, details, failure) = input;
    let envelope = if failure {
        Envelope::failure(&operation, ErrorCode::InvalidInput, message.clone())
    } else {
        Envelope::with_details(&operation, message.clone(), 7, details)
    };
    let xml = envelope.to_xml();
    assert!(xml.chars().all(xml_char), "a character XML forbids: {xml:?}");
    let mut reader = Reader::from_str(&xml);
    let mut depth = 0usize;
    let mut elements = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(_)) => {
                depth += 1;
                elements += 1;
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Text(t)) => {
                t.unescape().expect("text unescapes");
            }
            Ok(_) => {}
            Err(e) => panic!("malformed envelope ({e}): {xml}"),
        }
    }
    assert_eq!(depth, 0, "{xml}");
    assert!(elements >= 3, "{xml}");
});
