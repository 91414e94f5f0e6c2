//! The bounded XML loop every XML reader here shares: one element at a
//! time within [`Limits::element_bytes`], document types refused (that is
//! where entity tricks live), the five standard entities and character
//! references resolved, and a file cut off inside a tag read up to the cut.
//! A [`Handler`] says what the elements mean.

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::bounded::{Bounded, Budget};
use crate::emitter::Emitter;
use crate::text::one_line;
use crate::{FormatError, ImportFormat, Limits};

/// How deep elements may nest. The formats read here nest a dozen deep;
/// the parser remembers every open element to check its closing tag, so
/// without a cap a file of endless opening tags would take memory without
/// end.
pub(crate) const MAX_DEPTH: usize = 256;

/// The attributes of one element, unescaped, in file order.
pub(crate) type Attributes = Vec<(String, String)>;

/// The value of attribute `key`, if the element has it.
pub(crate) fn get<'a>(attributes: &'a Attributes, key: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value.as_str())
}

/// The error for a file whose first element is `found` where a format
/// starts with `expected` (its root, or its roots joined by " or ").
pub(crate) fn wrong_root(format: ImportFormat, found: &[u8], expected: &str) -> FormatError {
    FormatError::WrongKind {
        expected: format.name(),
        found: format!(
            "its first element is <{}>, not {expected}",
            one_line(&String::from_utf8_lossy(found), 40)
        ),
    }
}

/// What a format makes of the elements the loop reads.
pub(crate) trait Handler {
    /// Whether `declaration` (the text of `<!DOCTYPE ...>`) is the bare
    /// declaration the format's writer puts there; anything else is refused.
    fn allows_doctype(&self, declaration: &str) -> bool;
    fn open(
        &mut self,
        name: &[u8],
        attributes: &Attributes,
        at: u64,
        out: &mut Emitter<'_>,
    ) -> Result<(), FormatError>;
    fn close(&mut self, name: &[u8], at: u64, out: &mut Emitter<'_>) -> Result<(), FormatError>;
    /// Text inside the current element (it may come in pieces).
    fn text(&mut self, text: &str);
}

/// Reads `input` to its end (or its cut), handing each element to
/// `handler`. Text comes untrimmed, in pieces split at entity references
/// (trimming each piece would eat the spaces around an `&amp;`): the
/// handler trims what it keeps.
pub(crate) fn read_xml<R: BufRead>(
    input: R,
    limits: Limits,
    handler: &mut dyn Handler,
    out: &mut Emitter<'_>,
) -> Result<(), FormatError> {
    let budget = Budget::new(limits.element_bytes);
    let mut reader = Reader::from_reader(Bounded::new(input, budget.clone()));
    let mut buf = Vec::new();
    let mut depth = 0usize;
    // Once the handler has taken a root element, a file that ends inside
    // a tag was cut short rather than malformed.
    let mut rooted = false;
    loop {
        budget.reset();
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(error) => {
                if budget.is_spent() {
                    return Err(FormatError::TooLong {
                        at: reader.buffer_position(),
                        limit: budget.limit(),
                    });
                }
                if let quick_xml::Error::Io(io) = &error {
                    return Err(FormatError::Io(std::io::Error::new(
                        io.kind(),
                        io.to_string(),
                    )));
                }
                if rooted && at_end(&mut reader, &budget) {
                    // Cut off inside a tag: what came before stands.
                    return Ok(());
                }
                return Err(FormatError::Malformed {
                    at: reader.error_position(),
                    why: error.to_string(),
                });
            }
        };
        let at = reader.buffer_position();
        let decoder = reader.decoder();
        match event {
            Event::Eof => return Ok(()),
            Event::DocType(doctype) => {
                let text = String::from_utf8_lossy(&doctype).trim().to_owned();
                if !handler.allows_doctype(&text) {
                    return Err(FormatError::DocumentType { at });
                }
            }
            Event::Start(element) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(FormatError::Invalid {
                        what: "the file's structure",
                        at,
                        why: format!("elements are nested more than {MAX_DEPTH} deep"),
                    });
                }
                let attributes = attributes(&element, decoder, at)?;
                handler.open(element.local_name().as_ref(), &attributes, at, out)?;
                rooted = true;
            }
            Event::Empty(element) => {
                let name = element.local_name().as_ref().to_vec();
                let attributes = attributes(&element, decoder, at)?;
                handler.open(&name, &attributes, at, out)?;
                rooted = true;
                handler.close(&name, at, out)?;
            }
            Event::End(element) => {
                depth = depth.saturating_sub(1);
                handler.close(element.local_name().as_ref(), at, out)?;
            }
            Event::Text(text) => {
                let text = text.decode().map_err(|error| FormatError::Malformed {
                    at,
                    why: error.to_string(),
                })?;
                handler.text(&text);
            }
            Event::CData(data) => handler.text(&String::from_utf8_lossy(&data)),
            Event::GeneralRef(reference) => {
                let name = String::from_utf8_lossy(&reference).into_owned();
                handler.text(&resolve_reference(&name, at)?);
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
        if out.stopped() {
            return Err(FormatError::Stopped);
        }
    }
}

/// Whether the input has nothing left: a syntax error there means the
/// file was cut short, not that it is malformed.
fn at_end<R: BufRead>(reader: &mut Reader<Bounded<R>>, budget: &Budget) -> bool {
    budget.reset();
    matches!(reader.get_mut().fill_buf(), Ok(rest) if rest.is_empty())
}

/// The five entities XML defines and character references; anything else
/// would need a document type, which imported files may not have.
fn resolve_reference(name: &str, at: u64) -> Result<String, FormatError> {
    let known = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => name
            .strip_prefix("#x")
            .map(|hex| u32::from_str_radix(hex, 16))
            .or_else(|| name.strip_prefix('#').map(str::parse::<u32>))
            .and_then(Result::ok)
            .and_then(char::from_u32),
    };
    known.map(String::from).ok_or_else(|| FormatError::Invalid {
        what: "an entity reference",
        at,
        why: format!("&{}; is not one XML defines", one_line(name, 40)),
    })
}

fn attributes(
    element: &BytesStart,
    decoder: quick_xml::encoding::Decoder,
    at: u64,
) -> Result<Attributes, FormatError> {
    let mut found = Vec::new();
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|error| FormatError::Malformed {
            at,
            why: error.to_string(),
        })?;
        let key = String::from_utf8_lossy(attribute.key.local_name().as_ref()).into_owned();
        let value = attribute
            .decode_and_unescape_value(decoder)
            .map_err(|error| FormatError::Malformed {
                at,
                why: error.to_string(),
            })?
            .into_owned();
        found.push((key, value));
    }
    Ok(found)
}
