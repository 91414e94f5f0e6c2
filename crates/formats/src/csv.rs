//! Findings lists in CSV, for ASVs that hand out spreadsheets. The layout
//! is Portcullis's own, documented for merchants and ASVs in
//! `docs/import-csv.md`; keep the two in step.
//!
//! # The layout
//!
//! The first line that is not blank is the header line: it names the
//! columns, in any order, matched without regard to case or to the spaces
//! around a name. Every row after it is one finding (a quoted cell may
//! span lines).
//!
//! | column | required | what it holds |
//! | --- | --- | --- |
//! | `host` | yes | the host's IPv4 or IPv6 address |
//! | `port` | yes | 0 to 65535; 0 or empty: the finding is about the host |
//! | `protocol` | yes | `tcp` or `udp`; may be empty when the port is 0 or empty |
//! | `finding` | yes | the finding's name |
//! | `severity` | yes | `critical`, `high`, `medium`, `low`, or `info` (`informational`, `none`, `log`), any case; or a CVSS score from 0 to 10: 9 and up critical, 7 high, 4 medium, above 0 low, 0 info |
//! | `hostname` | no | the host's name |
//! | `service` | no | the service on the port (`www`, `ssh`) |
//! | `cvss` | no | the CVSS score, 0 to 10, taken as CVSS version 3 |
//! | `cve` | no | CVE ids, separated by spaces, commas or semicolons |
//! | `id` | no | the finding's id in the ASV's tool; the finding's name if absent |
//! | `description` | no | what is wrong |
//! | `solution` | no | what to do |
//! | `evidence` | no | what the scan saw |
//! | `false positive` (or `false_positive`) | no | `yes`, `no`, `true`, `false`, `1`, `0` or empty |
//!
//! A numeric severity is also the CVSS score, unless a `cvss` value is
//! given; a decimal comma ("7,5", as European Excel writes it) is read as a
//! point. Columns of other names are ignored, with one warning naming
//! them. Rows whose known cells are all empty are skipped. A cell that
//! breaks these rules stops the import with an error naming its line and
//! column: a findings list read in part is not one to judge a scan by.
//!
//! # Reading it
//!
//! The text is decoded first ([`crate::decode`]: UTF-8 with or without
//! BOM, UTF-16 with BOM, Windows-1252), and the delimiter (comma,
//! semicolon or tab) is chosen from the header line: the one that splits it
//! into the most known column names. Quoted cells may hold delimiters and
//! line breaks, as Excel writes them.
//!
//! A row longer than [`Limits::element_bytes`] (in UTF-8, its line break
//! counted as one byte) is refused, and no more of it is ever read than
//! that and the csv reader's buffer: a 2 GB line costs megabytes, not 2 GB.
//!
//! A cell that starts like a spreadsheet formula is kept as text and never
//! evaluated (nothing here evaluates anything), but it is worth a warning:
//! it was likely meant to run in the merchant's spreadsheet, not to
//! describe a finding.
//!
//! Every row names its host and, with a real port, that port open; rows at
//! level low and up, and rows marked false positives, become reported
//! items as they are read.

use std::borrow::Cow;
use std::io::{self, BufRead, Chain, Cursor, Read};
use std::net::IpAddr;

use ::csv::{ErrorKind, Position, ReaderBuilder, StringRecord, Terminator};
use portcullis_model::compliance::ScanCoverage;
use portcullis_model::import::{CvssScore, ReportSource, ReportedItem, ReportedLevel};
use portcullis_model::scan::Protocol;

use crate::bounded::{Bounded, Budget};
use crate::decode::{Decoded, NotText, head_text};
use crate::emitter::Emitter;
use crate::reported::Hosts;
use crate::text::{kept, one_line};
use crate::{FormatError, ImportFormat, Item, Limits, ReadOutcome, RunInfo};

/// The csv reader's own buffer. It reads this far ahead of the row it
/// returns, so a row's byte budget is the limit plus this.
const BUFFER: usize = 64 * 1024;

/// The delimiters Excel writes: comma, semicolon (where the comma is the
/// decimal mark) and tab ("Unicode text").
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// Cells that look like formulas warned of one by one; the rest are
/// counted, so a hostile file cannot bury the other warnings.
const FORMULA_WARNINGS: usize = 3;

/// The characters a spreadsheet starts a formula with.
const FORMULA_STARTS: [char; 4] = ['=', '+', '-', '@'];

/// The columns of the documented layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Host,
    Port,
    Protocol,
    Finding,
    Severity,
    Hostname,
    Service,
    Cvss,
    Cve,
    Id,
    Description,
    Solution,
    Evidence,
    FalsePositive,
}

impl Column {
    const ALL: [Column; 14] = [
        Column::Host,
        Column::Port,
        Column::Protocol,
        Column::Finding,
        Column::Severity,
        Column::Hostname,
        Column::Service,
        Column::Cvss,
        Column::Cve,
        Column::Id,
        Column::Description,
        Column::Solution,
        Column::Evidence,
        Column::FalsePositive,
    ];

    /// The column's name in the documented layout.
    fn name(self) -> &'static str {
        match self {
            Column::Host => "host",
            Column::Port => "port",
            Column::Protocol => "protocol",
            Column::Finding => "finding",
            Column::Severity => "severity",
            Column::Hostname => "hostname",
            Column::Service => "service",
            Column::Cvss => "cvss",
            Column::Cve => "cve",
            Column::Id => "id",
            Column::Description => "description",
            Column::Solution => "solution",
            Column::Evidence => "evidence",
            Column::FalsePositive => "false positive",
        }
    }

    /// The column a header cell names, if it names one.
    fn of(header: &str) -> Option<Column> {
        let name = header.trim().to_lowercase();
        if name == "false_positive" {
            return Some(Column::FalsePositive);
        }
        Column::ALL.into_iter().find(|column| column.name() == name)
    }

    fn required(self) -> bool {
        matches!(
            self,
            Column::Host | Column::Port | Column::Protocol | Column::Finding | Column::Severity
        )
    }

    /// Whether the column holds free text, kept as written: the columns a
    /// formula could hide in without failing to parse.
    fn is_text(self) -> bool {
        matches!(
            self,
            Column::Finding
                | Column::Hostname
                | Column::Service
                | Column::Id
                | Column::Description
                | Column::Solution
                | Column::Evidence
        )
    }

    fn index(self) -> usize {
        Column::ALL
            .iter()
            .position(|column| *column == self)
            .unwrap_or_default()
    }
}

/// Reads a CSV findings list from `input`, handing each item to `emit` as
/// it is read; `emit` answers false to stop (the import was cancelled).
pub fn read_csv<R: BufRead>(
    input: R,
    limits: Limits,
    emit: &mut dyn FnMut(Item) -> bool,
) -> Result<ReadOutcome, FormatError> {
    let mut out = Emitter::new(emit);
    let mut rows = Rows::open(input, limits)?;
    if !rows.next_filled()? {
        return Err(FormatError::WrongKind {
            expected: ImportFormat::Csv.name(),
            found: "the file is empty: it has no header line naming the columns".into(),
        });
    }
    let mut sheet = Sheet::new(Layout::read(&rows.record)?, limits);
    out.send(Item::Run(run_info()));
    while !out.stopped() && rows.next()? {
        sheet.row(&rows.record, &mut out)?;
    }
    if out.stopped() {
        return Err(FormatError::Stopped);
    }
    let outcome = sheet.finish(&mut out);
    if out.stopped() {
        return Err(FormatError::Stopped);
    }
    Ok(outcome)
}

/// Whether a file's first bytes look like a CSV findings list: a first
/// line that, split at commas, semicolons or tabs, names the host and port
/// columns. An XML file's first line starts with `<`, and nmap's and
/// Nessus's name no such cells.
pub(crate) fn looks_like_csv(head: &[u8]) -> bool {
    let text = head_text(head);
    let line = header_line(&text);
    if line.trim_start().starts_with('<') {
        return false;
    }
    DELIMITERS.into_iter().any(|delimiter| {
        let columns: Vec<Column> = header_cells(line, delimiter)
            .iter()
            .filter_map(|cell| Column::of(cell))
            .collect();
        columns.contains(&Column::Host) && columns.contains(&Column::Port)
    })
}

/// What the run was: a list, not a scan, so nothing about its coverage.
fn run_info() -> RunInfo {
    RunInfo {
        scanner: ImportFormat::Csv.name().into(),
        args: String::new(),
        targets: "imported".into(),
        ports: String::new(),
        started_unix: None,
        // The list's author ran their checks on the ports it lists.
        coverage: ScanCoverage {
            reported_checks: true,
            ..ScanCoverage::default()
        },
    }
}

/// Reads the text (its line breaks made `\n`) up to the end of its first
/// line that is not blank, and gives everything it read: the csv reader
/// reads it again, so its line numbers stay right.
fn first_line(input: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut read = Vec::new();
    let mut content = false;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(read);
        }
        let end = available.iter().position(|&byte| {
            if byte == b'\n' {
                return content;
            }
            content |= !byte.is_ascii_whitespace();
            false
        });
        let used = end.map_or(available.len(), |end| end + 1);
        read.extend_from_slice(&available[..used]);
        input.consume(used);
        if end.is_some() {
            return Ok(read);
        }
    }
}

/// The first line of `text` that is not blank.
fn header_line(text: &str) -> &str {
    text.split(['\r', '\n'])
        .find(|line| !line.trim().is_empty())
        .unwrap_or("")
}

/// A header line's cells at `delimiter`, quotes removed: enough to tell
/// column names apart (the csv reader reads the header properly).
fn header_cells(line: &str, delimiter: u8) -> Vec<String> {
    let delimiter = char::from(delimiter);
    let mut cells = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c == delimiter && !quoted => cells.push(String::new()),
            c => {
                if let Some(cell) = cells.last_mut() {
                    cell.push(c);
                }
            }
        }
    }
    cells
}

/// The delimiter that splits the header line into the most known column
/// names; between equals, the one that splits it most; between those, the
/// comma, then the semicolon.
fn delimiter_of(line: &str) -> u8 {
    DELIMITERS
        .into_iter()
        .rev()
        .max_by_key(|&delimiter| {
            let cells = header_cells(line, delimiter);
            let known = cells.iter().filter(|cell| Column::of(cell).is_some());
            (known.count(), cells.len())
        })
        .unwrap_or(b',')
}

/// The byte that marks a blank line (see [`LineBreaks`]).
const BLANK_LINE: char = '\r';

/// The text with every line break (`\r\n`, `\n`, or a lone `\r` as old
/// Mac Excel writes) made `\n`, and every blank line made `\r\n`.
///
/// The csv reader counts lines by `\n`, but a CRLF row's `\n` only when it
/// reads the next row, and it skips blank lines without counting them for
/// the row after: either way an error would name the wrong line. With one
/// kind of line break, and blank lines made rows of one cell (`\r`, which
/// is otherwise gone from the text), every row starts on the line it says.
/// Inside a quoted cell the `\r` is taken out again ([`Row::text`]).
struct LineBreaks<R> {
    input: R,
    out: Vec<u8>,
    start: usize,
    /// The last byte written ended a line (or nothing was written yet).
    after_break: bool,
    /// The last byte read was a `\r`: a `\n` right after it is the same
    /// line break.
    after_cr: bool,
}

impl<R: BufRead> LineBreaks<R> {
    fn new(input: R) -> LineBreaks<R> {
        LineBreaks {
            input,
            out: Vec::new(),
            start: 0,
            after_break: true,
            after_cr: false,
        }
    }

    fn line_break(&mut self) {
        if self.after_break {
            self.out.push(BLANK_LINE as u8);
        }
        self.out.push(b'\n');
        self.after_break = true;
    }

    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.start = 0;
        let available = self.input.fill_buf()?.to_vec();
        self.input.consume(available.len());
        for byte in available {
            match byte {
                b'\n' if self.after_cr => {}
                b'\r' | b'\n' => self.line_break(),
                byte => {
                    self.out.push(byte);
                    self.after_break = false;
                }
            }
            self.after_cr = byte == b'\r';
        }
        Ok(())
    }
}

impl<R: BufRead> Read for LineBreaks<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        crate::bounded::read_buffered(self, out)
    }
}

impl<R: BufRead> BufRead for LineBreaks<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.start == self.out.len() {
            self.refill()?;
        }
        Ok(&self.out[self.start..])
    }

    fn consume(&mut self, amount: usize) {
        self.start = (self.start + amount).min(self.out.len());
    }
}

/// The file's rows, one at a time, each within the byte limit.
struct Rows<R> {
    reader: ::csv::Reader<R>,
    record: StringRecord,
    budget: Budget,
    limits: Limits,
}

impl<R: BufRead> Rows<Chain<Cursor<Vec<u8>>, Bounded<LineBreaks<Decoded<R>>>>> {
    /// The rows of `input`, split at the delimiter its first line uses.
    fn open(input: R, limits: Limits) -> Result<Self, FormatError> {
        let budget = Budget::new(limits.element_bytes.saturating_add(BUFFER as u64));
        let mut input = Bounded::new(LineBreaks::new(Decoded::new(input)), budget.clone());
        let first = first_line(&mut input).map_err(|error| io_error(error, &budget, 0, limits))?;
        let delimiter = delimiter_of(header_line(&String::from_utf8_lossy(&first)));
        let reader = ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .terminator(Terminator::Any(b'\n'))
            .buffer_capacity(BUFFER)
            .from_reader(Cursor::new(first).chain(input));
        Ok(Rows {
            reader,
            record: StringRecord::new(),
            budget,
            limits,
        })
    }
}

impl<R: Read> Rows<R> {
    /// Reads the next row into `record`: false at the end of the file.
    fn next(&mut self) -> Result<bool, FormatError> {
        self.budget.reset();
        let start = self.reader.position().byte();
        let more = self
            .reader
            .read_record(&mut self.record)
            .map_err(|error| csv_error(error, &self.budget, start, self.limits))?;
        if !more {
            return Ok(false);
        }
        let start = self.record.position().map_or(start, Position::byte);
        let length = self.reader.position().byte().saturating_sub(start);
        if length > self.limits.element_bytes {
            return Err(FormatError::TooLong {
                at: start,
                limit: self.limits.element_bytes,
            });
        }
        Ok(true)
    }

    /// Reads the next row that is not blank: false at the end of the file.
    fn next_filled(&mut self) -> Result<bool, FormatError> {
        while self.next()? {
            if self.record.iter().any(|cell| !cell.trim().is_empty()) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// What a failed read means: a row past its budget, bytes that are not
/// text, or the disk.
fn io_error(error: io::Error, budget: &Budget, at: u64, limits: Limits) -> FormatError {
    if let Some(not_text) = NotText::inside(&error) {
        return FormatError::Invalid {
            what: "the file",
            at: not_text.at,
            why: not_text.why.clone(),
        };
    }
    if budget.is_spent() {
        return FormatError::TooLong {
            at,
            limit: limits.element_bytes,
        };
    }
    FormatError::Io(error)
}

fn csv_error(error: ::csv::Error, budget: &Budget, at: u64, limits: Limits) -> FormatError {
    let why = error.to_string();
    match error.into_kind() {
        ErrorKind::Io(error) => io_error(error, budget, at, limits),
        _ => FormatError::Invalid {
            what: "the file",
            at,
            why,
        },
    }
}

/// Where each column of the layout is in the file.
#[derive(Debug)]
struct Layout {
    positions: [Option<usize>; 14],
    /// Cells in the header line, to tell a row with more cells.
    width: usize,
    /// Header cells naming no column of the layout.
    unknown: Vec<String>,
}

impl Layout {
    /// The layout the header line `header` names, or why it names none.
    fn read(header: &StringRecord) -> Result<Layout, FormatError> {
        let line = header.position().map_or(1, Position::line);
        let mut layout = Layout {
            positions: [None; 14],
            width: header.len(),
            unknown: Vec::new(),
        };
        for (index, name) in header.iter().enumerate() {
            let Some(column) = Column::of(name) else {
                if !name.trim().is_empty() {
                    layout.unknown.push(one_line(name, 60));
                }
                continue;
            };
            if let Some(first) = layout.positions[column.index()] {
                return Err(FormatError::Cell {
                    line,
                    column: index as u64 + 1,
                    why: format!(
                        "the column {} is named twice (first in column {})",
                        column.name(),
                        first + 1
                    ),
                });
            }
            layout.positions[column.index()] = Some(index);
        }
        let missing: Vec<&str> = Column::ALL
            .into_iter()
            .filter(|column| column.required() && layout.position(*column).is_none())
            .map(Column::name)
            .collect();
        if missing.is_empty() {
            Ok(layout)
        } else {
            Err(FormatError::WrongKind {
                expected: ImportFormat::Csv.name(),
                found: missing_columns(header, line, &missing),
            })
        }
    }

    fn position(&self, column: Column) -> Option<usize> {
        self.positions[column.index()]
    }
}

/// Why a header line is not one: the columns it has and those it lacks.
fn missing_columns(header: &StringRecord, line: u64, missing: &[&str]) -> String {
    let needed = "a findings list needs the columns host, port, protocol, finding and severity";
    if header
        .get(0)
        .is_some_and(|cell| cell.trim().parse::<IpAddr>().is_ok())
    {
        return format!(
            "line {line}, its first line, is a row of data, not a header line naming the columns; {needed}"
        );
    }
    let found: Vec<String> = header
        .iter()
        .filter(|name| !name.trim().is_empty())
        .take(20)
        .map(|name| format!("'{}'", one_line(name, 40)))
        .collect();
    let found = if found.is_empty() {
        "no names".to_owned()
    } else {
        found.join(", ")
    };
    format!(
        "its header line (line {line}) names {found}; {needed}, and lacks {}",
        missing.join(", ")
    )
}

/// One row, read against the layout.
struct Row<'r> {
    record: &'r StringRecord,
    layout: &'r Layout,
    line: u64,
}

impl Row<'_> {
    /// The cell of `column`, trimmed; empty when the file has no such
    /// column or the row stops short of it.
    fn cell(&self, column: Column) -> &str {
        self.layout
            .position(column)
            .and_then(|position| self.record.get(position))
            .unwrap_or("")
            .trim()
    }

    /// The cell of a text column, with the line breaks in it as written
    /// (see [`LineBreaks`]).
    fn text(&self, column: Column) -> Cow<'_, str> {
        let cell = self.cell(column);
        if cell.contains(BLANK_LINE) {
            Cow::Owned(cell.replace(BLANK_LINE, ""))
        } else {
            Cow::Borrowed(cell)
        }
    }

    /// An error about the cell of `column`, at its line and column.
    fn bad(&self, column: Column, why: String) -> FormatError {
        let position = self.layout.position(column).unwrap_or_default();
        FormatError::Cell {
            line: self.line,
            column: position as u64 + 1,
            why,
        }
    }

    fn is_blank(&self) -> bool {
        Column::ALL
            .into_iter()
            .all(|column| self.cell(column).is_empty())
    }

    /// Whether the row has cells, not empty, past the header line's last.
    fn is_wide(&self) -> bool {
        self.record
            .iter()
            .skip(self.layout.width)
            .any(|cell| !cell.trim().is_empty())
    }

    /// The text columns whose cells start like a formula.
    fn formulas(&self) -> impl Iterator<Item = Column> + '_ {
        Column::ALL.into_iter().filter(|column| {
            let cell = self.cell(*column);
            column.is_text() && cell.len() > 1 && cell.starts_with(FORMULA_STARTS)
        })
    }

    fn address(&self) -> Result<IpAddr, FormatError> {
        let text = self.cell(Column::Host);
        if text.is_empty() {
            return Err(self.bad(
                Column::Host,
                "the host is empty; it needs an IPv4 or IPv6 address".into(),
            ));
        }
        text.parse().map_err(|_| {
            self.bad(
                Column::Host,
                format!("the host {} is not an IPv4 or IPv6 address", shown(text)),
            )
        })
    }

    /// The port, `None` for a finding about the host as a whole.
    fn port(&self) -> Result<Option<u16>, FormatError> {
        let text = self.cell(Column::Port);
        if text.is_empty() {
            return Ok(None);
        }
        let port = text
            .bytes()
            .all(|byte| byte.is_ascii_digit())
            .then(|| text.parse::<u16>().ok())
            .flatten()
            .ok_or_else(|| {
                self.bad(
                    Column::Port,
                    format!("the port {} is not a port number (0-65535)", shown(text)),
                )
            })?;
        Ok((port != 0).then_some(port))
    }

    fn protocol(&self, port: Option<u16>) -> Result<Option<Protocol>, FormatError> {
        let text = self.cell(Column::Protocol);
        match text.to_lowercase().as_str() {
            "tcp" => Ok(Some(Protocol::Tcp)),
            "udp" => Ok(Some(Protocol::Udp)),
            "" if port.is_none() => Ok(None),
            "" => Err(self.bad(
                Column::Protocol,
                "the protocol is empty; a port needs its protocol, tcp or udp".into(),
            )),
            _ => Err(self.bad(
                Column::Protocol,
                format!("the protocol {} is neither tcp nor udp", shown(text)),
            )),
        }
    }

    /// The level, and the score when the severity is one.
    fn severity(&self) -> Result<(ReportedLevel, Option<f32>), FormatError> {
        let text = self.cell(Column::Severity);
        if text.is_empty() {
            return Err(self.bad(
                Column::Severity,
                "the severity is empty; it needs critical, high, medium, low or info, \
                 or a CVSS score from 0 to 10"
                    .into(),
            ));
        }
        let level = match text.to_lowercase().as_str() {
            "critical" => ReportedLevel::Critical,
            "high" => ReportedLevel::High,
            "medium" => ReportedLevel::Medium,
            "low" => ReportedLevel::Low,
            "info" | "informational" | "none" | "log" => ReportedLevel::Info,
            _ => {
                let score = score_of(text).ok_or_else(|| {
                    self.bad(
                        Column::Severity,
                        format!(
                            "the severity {} is neither critical, high, medium, low nor info, \
                             nor a CVSS score from 0 to 10",
                            shown(text)
                        ),
                    )
                })?;
                return Ok((level_of(score), Some(score)));
            }
        };
        Ok((level, None))
    }

    fn cvss(&self) -> Result<Option<f32>, FormatError> {
        let text = self.cell(Column::Cvss);
        if text.is_empty() {
            return Ok(None);
        }
        score_of(text).map(Some).ok_or_else(|| {
            self.bad(
                Column::Cvss,
                format!("the cvss {} is not a CVSS score from 0 to 10", shown(text)),
            )
        })
    }

    /// The CVE ids, upper-cased, each once, as many as fit in
    /// `limit` characters.
    fn cves(&self, limit: usize) -> Result<Vec<String>, FormatError> {
        let mut cves: Vec<String> = Vec::new();
        let mut length = 0;
        let words = self
            .cell(Column::Cve)
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|word| !word.is_empty());
        for word in words {
            let id = word.to_ascii_uppercase();
            if !is_cve(&id) {
                return Err(self.bad(
                    Column::Cve,
                    format!(
                        "the cve {} is not a CVE id (such as CVE-2014-3566)",
                        shown(word)
                    ),
                ));
            }
            length += id.len();
            if length <= limit && !cves.contains(&id) {
                cves.push(id);
            }
        }
        Ok(cves)
    }

    fn false_positive(&self) -> Result<bool, FormatError> {
        let text = self.cell(Column::FalsePositive);
        match text.to_lowercase().as_str() {
            "" | "no" | "false" | "0" => Ok(false),
            "yes" | "true" | "1" => Ok(true),
            _ => Err(self.bad(
                Column::FalsePositive,
                format!(
                    "the false positive {} is neither yes nor no (true/false, 1/0)",
                    shown(text)
                ),
            )),
        }
    }

    /// A required text: the finding.
    fn finding(&self, limit: usize) -> Result<String, FormatError> {
        let name = one_line(&self.text(Column::Finding), limit);
        if name.is_empty() {
            return Err(self.bad(
                Column::Finding,
                "the finding is empty; every row needs the finding's name".into(),
            ));
        }
        Ok(name)
    }

    /// A one-line text, `None` when empty.
    fn name(&self, column: Column, limit: usize) -> Option<String> {
        Some(one_line(&self.text(column), limit)).filter(|name| !name.is_empty())
    }
}

/// A cell's value as an error shows it: quoted, on one line, short.
fn shown(text: &str) -> String {
    format!("'{}'", one_line(text, 60))
}

/// A CVSS score: 0 to 10, with a decimal point or a decimal comma.
fn score_of(text: &str) -> Option<f32> {
    let text = if !text.contains('.') && text.matches(',').count() == 1 {
        text.replacen(',', ".", 1)
    } else {
        text.to_owned()
    };
    let plain = text
        .bytes()
        .all(|byte| byte.is_ascii_digit() || byte == b'.')
        && text.bytes().any(|byte| byte.is_ascii_digit());
    let score: f32 = plain.then(|| text.parse().ok()).flatten()?;
    (0.0..=10.0).contains(&score).then_some(score)
}

/// The level a CVSS score stands for (the CVSS v3 qualitative ratings).
fn level_of(score: f32) -> ReportedLevel {
    if score >= 9.0 {
        ReportedLevel::Critical
    } else if score >= 7.0 {
        ReportedLevel::High
    } else if score >= 4.0 {
        ReportedLevel::Medium
    } else if score > 0.0 {
        ReportedLevel::Low
    } else {
        ReportedLevel::Info
    }
}

/// Whether `id` (upper-cased) is a CVE id: CVE, a year, a number of four
/// digits or more.
fn is_cve(id: &str) -> bool {
    let digits = |text: &str| text.bytes().all(|byte| byte.is_ascii_digit());
    id.strip_prefix("CVE-")
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(year, number)| {
            year.len() == 4 && digits(year) && (4..=19).contains(&number.len()) && digits(number)
        })
}

/// What the rows read so far gathered.
struct Sheet {
    layout: Layout,
    limits: Limits,
    hosts: Hosts,
    oddities: Oddities,
}

impl Sheet {
    fn new(layout: Layout, limits: Limits) -> Sheet {
        let mut oddities = Oddities::default();
        if !layout.unknown.is_empty() {
            oddities.warnings.push(format!(
                "the header line names columns Portcullis does not read; they were ignored: {}",
                layout.unknown.join(", ")
            ));
        }
        Sheet {
            layout,
            limits,
            hosts: Hosts::default(),
            oddities,
        }
    }

    /// Reads one row: notes its host and port, and hands on its finding.
    fn row(&mut self, record: &StringRecord, out: &mut Emitter<'_>) -> Result<(), FormatError> {
        let row = Row {
            record,
            layout: &self.layout,
            line: record.position().map_or(0, Position::line),
        };
        if row.is_blank() {
            return Ok(());
        }
        let item = reported(&row, self.limits)?;
        let hostname = row.name(Column::Hostname, self.limits.field_chars);
        self.oddities.note(&row);
        self.hosts.host(item.address, hostname);
        if let (Some(port), Some(protocol)) = (item.port, item.protocol) {
            self.hosts
                .port(item.address, protocol, port, item.service.clone());
        }
        if item.level > ReportedLevel::Info || item.false_positive {
            out.send(Item::Reported(Box::new(item)));
        }
        Ok(())
    }

    /// Hands on the hosts and ports, with the warnings gathered.
    fn finish(self, out: &mut Emitter<'_>) -> ReadOutcome {
        let warnings = self.oddities.warnings(self.hosts.is_empty());
        self.hosts
            .finish(ReportSource::Csv.name(), warnings, true, out)
    }
}

/// What the person should hear about the file, though it was read.
#[derive(Debug, Default)]
struct Oddities {
    warnings: Vec<String>,
    /// Cells that start like a formula.
    formulas: usize,
    /// Rows with cells past the header's last, and the first one's line.
    wide: (usize, u64),
}

impl Oddities {
    /// Notes the cells of `row` that look like formulas, and whether it
    /// has cells past the header's last.
    fn note(&mut self, row: &Row<'_>) {
        for column in row.formulas() {
            self.formulas += 1;
            if self.formulas <= FORMULA_WARNINGS {
                self.warnings.push(format!(
                    "line {}, column {} ({}) starts like a spreadsheet formula; it was kept as plain text",
                    row.line,
                    row.layout.position(column).unwrap_or_default() + 1,
                    column.name()
                ));
            }
        }
        if row.is_wide() {
            if self.wide.0 == 0 {
                self.wide.1 = row.line;
            }
            self.wide.0 += 1;
        }
    }

    /// The warnings, with the counts of what was not warned of one by one.
    fn warnings(mut self, no_rows: bool) -> Vec<String> {
        if self.formulas > FORMULA_WARNINGS {
            self.warnings.push(format!(
                "{} more cells start like a spreadsheet formula; they were kept as plain text",
                self.formulas - FORMULA_WARNINGS
            ));
        }
        let (wide, first) = self.wide;
        if wide > 0 {
            self.warnings.push(format!(
                "{wide} row(s), the first on line {first}, have cells to the right of the \
                 last column the header line names; those cells were ignored"
            ));
        }
        if no_rows {
            self.warnings
                .push("the spreadsheet has a header line but no findings".into());
        }
        self.warnings
    }
}

/// The reported item a row stands for.
fn reported(row: &Row<'_>, limits: Limits) -> Result<ReportedItem, FormatError> {
    let limit = limits.field_chars;
    let address = row.address()?;
    let port = row.port()?;
    let protocol = row.protocol(port)?;
    let name = row.finding(limit)?;
    let (level, severity_score) = row.severity()?;
    let cvss = row.cvss()?.or(severity_score);
    let cves = row.cves(limit)?;
    let false_positive = row.false_positive()?;
    Ok(ReportedItem {
        source: ReportSource::Csv,
        check_id: row.name(Column::Id, limit).unwrap_or_else(|| name.clone()),
        name,
        family: None,
        address,
        port,
        protocol,
        service: row.name(Column::Service, limit),
        level,
        cvss: cvss.map(|score| CvssScore { score, version: 3 }),
        cves,
        synopsis: kept(&row.text(Column::Description), limit),
        solution: kept(&row.text(Column::Solution), limit),
        output: kept(&row.text(Column::Evidence), limit),
        false_positive,
        quality: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_the_one_that_names_columns() {
        assert_eq!(delimiter_of("host,port,protocol"), b',');
        assert_eq!(delimiter_of("Host;Port;Description, long"), b';');
        assert_eq!(delimiter_of("host\tport\t\"a,b,c,d\""), b'\t');
        assert_eq!(delimiter_of("a;b;c"), b';');
        assert_eq!(delimiter_of(""), b',');
    }

    #[test]
    fn scores_and_levels() {
        assert_eq!(score_of("7,5"), Some(7.5));
        assert_eq!(score_of("10"), Some(10.0));
        assert_eq!(score_of("10.1"), None);
        assert_eq!(score_of("-1"), None);
        assert_eq!(score_of("NaN"), None);
        assert_eq!(score_of("."), None);
        assert_eq!(level_of(9.0), ReportedLevel::Critical);
        assert_eq!(level_of(6.9), ReportedLevel::Medium);
        assert_eq!(level_of(0.1), ReportedLevel::Low);
        assert_eq!(level_of(0.0), ReportedLevel::Info);
    }

    #[test]
    fn cve_ids() {
        assert!(is_cve("CVE-2014-3566"));
        assert!(is_cve("CVE-2021-1234567"));
        assert!(!is_cve("CVE-14-3566"));
        assert!(!is_cve("CVE-2014-356"));
        assert!(!is_cve("2014-3566"));
    }

    #[test]
    fn a_header_is_recognised_in_any_encoding_but_xml_is_not() {
        assert!(looks_like_csv(b"Host,Port,Finding\r\n"));
        assert!(looks_like_csv(b"\xef\xbb\xbf\"host\";\" port \"\n"));
        assert!(looks_like_csv(b"\xff\xfeh\0o\0s\0t\0\t\0p\0o\0r\0t\0"));
        assert!(!looks_like_csv(b"<?xml version=\"1.0\"?>\n<host,port>"));
        assert!(!looks_like_csv(b"host name,port number\n"));
        assert!(!looks_like_csv(b""));
    }
}
