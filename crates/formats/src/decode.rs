//! Text in the encodings a spreadsheet saves it in, turned into UTF-8 as
//! it streams past, so a reader sees one encoding whatever Excel chose.
//!
//! A byte order mark (BOM) decides: UTF-8, UTF-16LE (Excel's "Unicode
//! text") or UTF-16BE. Without one the text is UTF-8 until a byte says
//! otherwise: the first byte that is not UTF-8, if no character beyond
//! ASCII came before it, makes the file Windows-1252 (Excel's "CSV" on a
//! Western Windows). The two encodings agree on ASCII, so everything
//! decoded before the switch stays right; the choice never needs the whole
//! file, only the bytes up to its first non-ASCII character.
//!
//! A NUL is refused: it is in no spreadsheet's text, and is the first sign
//! of a binary file (an .xlsx) or of UTF-16 without its BOM.

use std::fmt;
use std::io::{self, BufRead, Read};

use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_8, WINDOWS_1252};

/// Raw bytes taken at a time: the decoded text of one chunk is what the
/// reader holds.
const CHUNK: usize = 16 * 1024;

/// Why the bytes are not text, and where: carried inside the
/// `io::Error` the reader returns, so the caller can tell it from a
/// failing disk.
#[derive(Debug)]
pub(crate) struct NotText {
    /// Bytes into the file (near it, for UTF-16).
    pub(crate) at: u64,
    pub(crate) why: String,
}

impl fmt::Display for NotText {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "byte {}: {}", self.at, self.why)
    }
}

impl std::error::Error for NotText {}

impl NotText {
    /// The `NotText` inside `error`, if that is what it holds.
    pub(crate) fn inside(error: &io::Error) -> Option<&NotText> {
        error.get_ref()?.downcast_ref::<NotText>()
    }
}

fn not_text(at: u64, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        NotText {
            at,
            why: why.to_owned(),
        },
    )
}

const NUL: &str = "it is not text: it holds a NUL byte (is it an .xlsx or .xls \
    workbook, or UTF-16 without its byte order mark?); save it from the \
    spreadsheet as \"CSV UTF-8\"";
const MIXED: &str = "it is UTF-8 up to here, but this byte is not; save it \
    again from the spreadsheet as \"CSV UTF-8\"";
const CUT_UTF8: &str = "it ends inside a UTF-8 character";
const BAD_UTF16: &str = "its byte order mark says UTF-16, but this is not \
    valid UTF-16";

/// What the bytes read so far say the encoding is.
enum State {
    /// Nothing read yet: the first bytes may be a BOM.
    Start,
    /// Only ASCII so far: UTF-8 and Windows-1252 read it alike.
    Ascii,
    /// A BOM or a character beyond ASCII made it UTF-8.
    Utf8,
    /// UTF-16 (by its BOM) or Windows-1252 (by a byte UTF-8 lacks).
    Other(Decoder),
}

/// Turns raw bytes into UTF-8, a chunk at a time.
struct Converter {
    state: State,
    /// Bytes kept for the next chunk: the start of the file while its BOM
    /// is undecided, or a UTF-8 character cut by the chunk's end.
    carry: Vec<u8>,
    /// Raw bytes taken from the file so far.
    taken: u64,
}

impl Converter {
    /// Decodes `input` (all of it, or what ends inside a character is
    /// carried) onto `out`. `last` says the file ends after it.
    fn convert(&mut self, input: &[u8], out: &mut Vec<u8>, last: bool) -> io::Result<()> {
        self.taken += input.len() as u64;
        let mut bytes = std::mem::take(&mut self.carry);
        bytes.extend_from_slice(input);
        if let State::Start = self.state {
            if bytes.len() < 3 && !last {
                self.carry = bytes;
                return Ok(());
            }
            bytes = self.choose(bytes);
        }
        let base = self.taken - bytes.len() as u64;
        let start = out.len();
        match &mut self.state {
            State::Other(decoder) => decode(decoder, &bytes, out, base, last)?,
            _ => self.utf8(&bytes, out, base, last)?,
        }
        match out[start..].iter().position(|&byte| byte == 0) {
            Some(nul) => Err(not_text(base + nul as u64, NUL)),
            None => Ok(()),
        }
    }

    /// Chooses by the BOM at the start of `bytes`, and gives the bytes
    /// after it.
    fn choose(&mut self, mut bytes: Vec<u8>) -> Vec<u8> {
        match Encoding::for_bom(&bytes) {
            Some((encoding, length)) => {
                self.state = if encoding == UTF_8 {
                    State::Utf8
                } else {
                    State::Other(encoding.new_decoder_without_bom_handling())
                };
                bytes.drain(..length);
            }
            None => self.state = State::Ascii,
        }
        bytes
    }

    /// Passes on valid UTF-8; at the first byte that is not, switches to
    /// Windows-1252 if nothing but ASCII came before, and refuses the
    /// file otherwise.
    fn utf8(&mut self, bytes: &[u8], out: &mut Vec<u8>, base: u64, last: bool) -> io::Result<()> {
        let (valid, error) = match std::str::from_utf8(bytes) {
            Ok(text) => (text, None),
            Err(error) => {
                let valid = &bytes[..error.valid_up_to()];
                (std::str::from_utf8(valid).unwrap_or_default(), Some(error))
            }
        };
        if !valid.is_ascii() {
            self.state = State::Utf8;
        }
        out.extend_from_slice(valid.as_bytes());
        let Some(error) = error else {
            return Ok(());
        };
        let rest = &bytes[valid.len()..];
        let at = base + valid.len() as u64;
        match (&self.state, error.error_len()) {
            // A character the chunk's end cuts: decided by the next chunk.
            (_, None) if !last => {
                self.carry = rest.to_vec();
                Ok(())
            }
            (State::Ascii, _) => {
                let mut decoder = WINDOWS_1252.new_decoder_without_bom_handling();
                decode(&mut decoder, rest, out, at, last)?;
                self.state = State::Other(decoder);
                Ok(())
            }
            (_, None) => Err(not_text(at, CUT_UTF8)),
            (_, Some(_)) => Err(not_text(at, MIXED)),
        }
    }
}

/// Decodes `bytes` with `decoder` onto `out`; a malformed sequence (only
/// UTF-16 has them: Windows-1252 gives every byte a character) is an
/// error.
fn decode(
    decoder: &mut Decoder,
    bytes: &[u8],
    out: &mut Vec<u8>,
    base: u64,
    last: bool,
) -> io::Result<()> {
    let mut rest = bytes;
    loop {
        let room = decoder
            .max_utf8_buffer_length_without_replacement(rest.len())
            .unwrap_or(CHUNK * 3)
            .max(4);
        let start = out.len();
        out.resize(start + room, 0);
        let (result, read, written) =
            decoder.decode_to_utf8_without_replacement(rest, &mut out[start..], last);
        out.truncate(start + written);
        match result {
            DecoderResult::InputEmpty => return Ok(()),
            DecoderResult::OutputFull => rest = &rest[read..],
            DecoderResult::Malformed(..) => {
                let at = base + (bytes.len() - rest.len() + read) as u64;
                return Err(not_text(at, BAD_UTF16));
            }
        }
    }
}

/// A file's text as UTF-8, whatever the encoding it was saved in.
pub(crate) struct Decoded<R> {
    input: R,
    converter: Converter,
    /// Decoded text not yet handed out, from `start`.
    out: Vec<u8>,
    start: usize,
    ended: bool,
}

impl<R: BufRead> Decoded<R> {
    pub(crate) fn new(input: R) -> Decoded<R> {
        Decoded {
            input,
            converter: Converter {
                state: State::Start,
                carry: Vec::new(),
                taken: 0,
            },
            out: Vec::new(),
            start: 0,
            ended: false,
        }
    }

    /// Decodes the next chunk of the file (or its end) into `out`.
    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.start = 0;
        let available = self.input.fill_buf()?;
        let used = available.len().min(CHUNK);
        let last = used == 0;
        self.converter
            .convert(&available[..used], &mut self.out, last)?;
        self.input.consume(used);
        self.ended = last;
        Ok(())
    }
}

impl<R: BufRead> Read for Decoded<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        crate::bounded::read_buffered(self, out)
    }
}

impl<R: BufRead> BufRead for Decoded<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.start == self.out.len() && !self.ended {
            self.refill()?;
        }
        Ok(&self.out[self.start..])
    }

    fn consume(&mut self, amount: usize) {
        self.start = (self.start + amount).min(self.out.len());
    }
}

/// The start of a file as text, for telling what it is: decoded by its
/// BOM, or read as UTF-8 (every byte that is not becomes U+FFFD).
pub(crate) fn head_text(head: &[u8]) -> String {
    match Encoding::for_bom(head) {
        Some((encoding, length)) => encoding
            .decode_without_bom_handling(&head[length..])
            .0
            .into_owned(),
        None => String::from_utf8_lossy(head).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> io::Result<String> {
        let mut text = String::new();
        // A one-byte buffer: every character and BOM is cut somewhere.
        let input = io::BufReader::with_capacity(1, bytes);
        Decoded::new(input).read_to_string(&mut text)?;
        Ok(text)
    }

    #[test]
    fn each_encoding_becomes_utf8() {
        assert_eq!(decoded(b"\xef\xbb\xbfh\xc3\xa9").unwrap(), "hé");
        assert_eq!(decoded(b"h\xc3\xa9").unwrap(), "hé");
        assert_eq!(decoded(b"\xff\xfeh\0\xe9\0").unwrap(), "hé");
        assert_eq!(decoded(b"\xfe\xff\0h\0\xe9").unwrap(), "hé");
        assert_eq!(decoded(b"ab h\xe9 \x96").unwrap(), "ab hé \u{2013}");
        assert_eq!(decoded(b"").unwrap(), "");
        assert_eq!(decoded(b"a").unwrap(), "a");
    }

    #[test]
    fn what_is_not_text_is_refused_with_its_place() {
        let error = decoded(b"ab\0").unwrap_err();
        assert_eq!(NotText::inside(&error).unwrap().at, 2);
        let error = decoded(b"h\xc3\xa9 \xe9").unwrap_err();
        assert_eq!(NotText::inside(&error).unwrap().at, 4);
        let error = decoded(b"h\xc3\xa9 \xc3").unwrap_err();
        assert!(NotText::inside(&error).is_some());
        let error = decoded(b"\xff\xfeh\0\0\xd8a\0").unwrap_err();
        assert!(NotText::inside(&error).is_some());
    }

    #[test]
    fn the_head_is_read_by_its_bom() {
        assert_eq!(head_text(b"\xff\xfeh\0o\0"), "ho");
        assert_eq!(head_text(b"\xef\xbb\xbfho"), "ho");
        assert_eq!(head_text(b"ho"), "ho");
    }
}
