//! MongoDB's wire protocol (OP_MSG, opcode 2013, MongoDB 3.6 and later):
//! "hello" is answered by every server, authenticated or not; "buildInfo"
//! too, with the version; "listDatabases" only without authentication, which
//! is how an open server is told from a protected one.

use super::bson::{self, Read, Value};
use super::{Identified, Proto, le32, version_prefix};
use crate::identify::evidence::field;

const OP_MSG: u32 = 2013;

/// An OP_MSG carrying one command document, for the admin database.
pub(crate) fn command(request_id: u32, name: &str, extra: &[(&str, Value<'_>)]) -> Vec<u8> {
    let mut elements = vec![(name, Value::Int(1))];
    elements.extend_from_slice(extra);
    elements.push(("$db", Value::Str("admin")));
    let document = bson::document(&elements);
    let length = 16 + 4 + 1 + document.len();
    let mut message = Vec::with_capacity(length);
    message.extend_from_slice(&(length as u32).to_le_bytes());
    message.extend_from_slice(&request_id.to_le_bytes());
    message.extend_from_slice(&0u32.to_le_bytes()); // responseTo
    message.extend_from_slice(&OP_MSG.to_le_bytes());
    message.extend_from_slice(&0u32.to_le_bytes()); // flagBits
    message.push(0); // section kind 0: body
    message.extend_from_slice(&document);
    message
}

/// Whether one whole message has arrived.
pub(crate) fn message_complete(bytes: &[u8]) -> bool {
    le32(bytes, 0).is_some_and(|length| bytes.len() >= length as usize || length > 16 * 1024 * 1024)
}

/// The body document of an OP_MSG reply, top level only.
pub(crate) fn parse_reply(bytes: &[u8]) -> Option<Vec<(String, Read)>> {
    let length = le32(bytes, 0)? as usize;
    if le32(bytes, 12)? != OP_MSG || !(21..=16 * 1024 * 1024).contains(&length) {
        return None;
    }
    let message = bytes.get(..length)?;
    if *message.get(20)? != 0 {
        return None;
    }
    bson::read_top_level(message.get(21..)?)
}

fn get<'a>(fields: &'a [(String, Read)], name: &str) -> Option<&'a Read> {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// Whether the command succeeded ("ok": 1).
pub(crate) fn ok(fields: &[(String, Read)]) -> bool {
    matches!(get(fields, "ok"), Some(Read::Number(n)) if *n == 1.0)
}

/// MongoDB from a hello reply: it has "maxWireVersion" and "ok".
pub(crate) fn identify_hello(fields: &[(String, Read)]) -> Option<Identified> {
    let wire = match get(fields, "maxWireVersion")? {
        Read::Number(n) => *n,
        _ => return None,
    };
    get(fields, "ok")?;
    let mut found = Identified::product(Proto::MongoDb, "MongoDB", None);
    found.add_extra(format!("wire version {wire}"));
    if matches!(
        get(fields, "isWritablePrimary").or(get(fields, "ismaster")),
        Some(Read::Bool(true))
    ) {
        found.add_extra("primary");
    }
    if let Some(Read::Str(set)) = get(fields, "setName") {
        found.add_extra(format!("replica set {}", field(set)));
    }
    Some(found)
}

/// The version from a buildInfo reply.
pub(crate) fn build_info_version(fields: &[(String, Read)]) -> Option<String> {
    match get(fields, "version")? {
        Read::Str(version) => version_prefix(version),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(elements: &[(&str, Value<'_>)], doubles: &[(&str, f64)]) -> Vec<u8> {
        let mut document = bson::document(elements);
        // Append doubles before the terminating zero.
        document.pop();
        for (name, value) in doubles {
            document.push(0x01);
            document.extend_from_slice(name.as_bytes());
            document.push(0);
            document.extend_from_slice(&value.to_le_bytes());
        }
        document.push(0);
        let length = document.len() as i32;
        document[..4].copy_from_slice(&length.to_le_bytes());
        let mut message = ((21 + document.len()) as u32).to_le_bytes().to_vec();
        message.extend_from_slice(&[1, 0, 0, 0, 7, 0, 0, 0]);
        message.extend_from_slice(&OP_MSG.to_le_bytes());
        message.extend_from_slice(&[0, 0, 0, 0, 0]);
        message.extend_from_slice(&document);
        message
    }

    #[test]
    fn hello_and_build_info() {
        let hello = reply(
            &[
                ("isWritablePrimary", Value::Bool(true)),
                ("maxWireVersion", Value::Int(21)),
            ],
            &[("ok", 1.0)],
        );
        assert!(message_complete(&hello));
        let fields = parse_reply(&hello).unwrap();
        let found = identify_hello(&fields).unwrap();
        assert_eq!(found.product.as_deref(), Some("MongoDB"));
        assert_eq!(found.extra.as_deref(), Some("wire version 21; primary"));
        let info = reply(&[("version", Value::Str("7.0.5"))], &[("ok", 1.0)]);
        let fields = parse_reply(&info).unwrap();
        assert_eq!(build_info_version(&fields).as_deref(), Some("7.0.5"));
        assert!(ok(&fields));
    }

    #[test]
    fn unauthorised_list_is_not_ok() {
        let denied = reply(
            &[
                (
                    "errmsg",
                    Value::Str("command listDatabases requires authentication"),
                ),
                ("code", Value::Int(13)),
            ],
            &[("ok", 0.0)],
        );
        assert!(!ok(&parse_reply(&denied).unwrap()));
    }

    #[test]
    fn requests_are_not_replies_and_junk_is_refused() {
        let request = command(1, "hello", &[]);
        assert!(parse_reply(&request).is_some_and(|f| identify_hello(&f).is_none()));
        assert!(parse_reply(b"HTTP/1.0 400 Bad Request\r\n\r\n").is_none());
    }
}
