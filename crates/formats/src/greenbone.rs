//! Greenbone (OpenVAS) report XML, in both shapes it comes in: the
//! management protocol's answer (`<get_reports_response>` around the
//! report) and the web UI's download (starting at the outer `<report>`).
//! Either way the report proper is an inner `<report>`: the protocol
//! version, the filter the report was exported through, the scan's status
//! and start, the results, then a summary of each host.
//!
//! A result is one NVT's finding on one host and port. Those at Low and
//! above, and those a person marked a false positive, are handed on as
//! reported items as they are read; every result, the log-level ones too,
//! says that its host answered and, for a port like "443/tcp", that the
//! port is open. The export's filter decides what the file holds: when it
//! left out the log-level results, where Greenbone reports most open
//! ports, the import says so.
//!
//! The same element names appear at many depths (a result's `<name>`, its
//! NVT's, an override's NVT's), so the reader keeps the path of elements
//! it is in and reads a field only at its own path: results nested in
//! overrides, deltas or detections are not the report's own.

use std::io::BufRead;
use std::net::IpAddr;

use portcullis_model::compliance::ScanCoverage;
use portcullis_model::import::{CvssScore, ReportSource, ReportedItem, ReportedLevel};
use portcullis_model::scan::Protocol;

use crate::emitter::Emitter;
use crate::reported::Hosts;
use crate::text::{kept, one_line};
use crate::xml::{Attributes, Handler, get, read_xml, wrong_root};
use crate::{FormatError, ImportFormat, Item, Limits, ReadOutcome, RunInfo};

/// The scanner's name in the run, warnings and host reasons.
const SCANNER: &str = "Greenbone";

/// Elements deeper than this are counted, not named: nothing the reader
/// needs is that deep, and a file nesting millions of elements must not
/// grow the path without bound.
const MAX_DEPTH: usize = 64;

/// CVEs kept of one result, for the same reason.
const MAX_CVES: usize = 256;

/// Levels kept of the filter's `<filter>` list.
const MAX_LEVELS: usize = 16;

/// Reads a Greenbone report from `input`, handing each item to `emit` in
/// file order; `emit` answers false to stop (the import was cancelled).
pub fn read_greenbone_xml<R: BufRead>(
    input: R,
    limits: Limits,
    emit: &mut dyn FnMut(Item) -> bool,
) -> Result<ReadOutcome, FormatError> {
    let mut out = Emitter::new(emit);
    let mut parser = Parser::new(limits);
    read_xml(input, limits, &mut parser, &mut out)?;
    parser.finish(&mut out)
}

/// The element names the reader tells apart; every other is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Response,
    Report,
    Results,
    Result,
    Name,
    Host,
    Hostname,
    Port,
    Nvt,
    Family,
    CvssBase,
    Severities,
    Severity,
    Tags,
    Solution,
    Refs,
    Ref,
    Cve,
    Threat,
    OriginalThreat,
    OriginalSeverity,
    Qod,
    Value,
    Description,
    Gmp,
    Omp,
    Version,
    ScanRunStatus,
    Filters,
    Term,
    Filter,
    ScanStart,
    Ip,
    Detail,
    ResultCount,
    Filtered,
    Errors,
    Count,
    Other,
}

impl Tag {
    fn of(name: &[u8]) -> Tag {
        match name {
            b"get_reports_response" => Tag::Response,
            b"report" => Tag::Report,
            b"results" => Tag::Results,
            b"result" => Tag::Result,
            b"name" => Tag::Name,
            b"host" => Tag::Host,
            b"hostname" => Tag::Hostname,
            b"port" => Tag::Port,
            b"nvt" => Tag::Nvt,
            b"family" => Tag::Family,
            b"cvss_base" => Tag::CvssBase,
            b"severities" => Tag::Severities,
            b"severity" => Tag::Severity,
            b"tags" => Tag::Tags,
            b"solution" => Tag::Solution,
            b"refs" => Tag::Refs,
            b"ref" => Tag::Ref,
            b"cve" => Tag::Cve,
            b"threat" => Tag::Threat,
            b"original_threat" => Tag::OriginalThreat,
            b"original_severity" => Tag::OriginalSeverity,
            b"qod" => Tag::Qod,
            b"value" => Tag::Value,
            b"description" => Tag::Description,
            b"gmp" => Tag::Gmp,
            b"omp" => Tag::Omp,
            b"version" => Tag::Version,
            b"scan_run_status" => Tag::ScanRunStatus,
            b"filters" => Tag::Filters,
            b"term" => Tag::Term,
            b"filter" => Tag::Filter,
            b"scan_start" => Tag::ScanStart,
            b"ip" => Tag::Ip,
            b"detail" => Tag::Detail,
            b"result_count" => Tag::ResultCount,
            b"filtered" => Tag::Filtered,
            b"errors" => Tag::Errors,
            b"count" => Tag::Count,
            _ => Tag::Other,
        }
    }
}

/// A text the reader keeps, named by where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    // The report's.
    Version,
    RunStatus,
    FilterTerm,
    FilterLevel,
    ScanStart,
    FilteredCount,
    ErrorCount,
    HostIp,
    DetailName,
    DetailValue,
    // A result's.
    Name,
    Host,
    Hostname,
    Port,
    NvtName,
    Family,
    CvssBase,
    Tags,
    Solution,
    Cve,
    Threat,
    Severity,
    OriginalThreat,
    OriginalSeverity,
    Quality,
    Description,
}

/// The report's fields, by the path they end: the report's own elements
/// sit right under a `<report>`.
const REPORT_FIELDS: &[(&[Tag], Field)] = &[
    (&[Tag::Report, Tag::Gmp, Tag::Version], Field::Version),
    // Before GMP the protocol was OMP.
    (&[Tag::Report, Tag::Omp, Tag::Version], Field::Version),
    (&[Tag::Report, Tag::ScanRunStatus], Field::RunStatus),
    (&[Tag::Report, Tag::Filters, Tag::Term], Field::FilterTerm),
    (
        &[Tag::Report, Tag::Filters, Tag::Filter],
        Field::FilterLevel,
    ),
    (&[Tag::Report, Tag::ScanStart], Field::ScanStart),
    (
        &[Tag::Report, Tag::ResultCount, Tag::Filtered],
        Field::FilteredCount,
    ),
    (&[Tag::Report, Tag::Errors, Tag::Count], Field::ErrorCount),
    (&[Tag::Report, Tag::Host, Tag::Ip], Field::HostIp),
    (
        &[Tag::Report, Tag::Host, Tag::Detail, Tag::Name],
        Field::DetailName,
    ),
    (
        &[Tag::Report, Tag::Host, Tag::Detail, Tag::Value],
        Field::DetailValue,
    ),
];

/// A result's fields, by their exact path below the `<result>`: anything
/// deeper (an override's NVT, a note) is not the result's.
const RESULT_FIELDS: &[(&[Tag], Field)] = &[
    (&[Tag::Name], Field::Name),
    (&[Tag::Host], Field::Host),
    (&[Tag::Host, Tag::Hostname], Field::Hostname),
    (&[Tag::Port], Field::Port),
    (&[Tag::Nvt, Tag::Name], Field::NvtName),
    (&[Tag::Nvt, Tag::Family], Field::Family),
    (&[Tag::Nvt, Tag::CvssBase], Field::CvssBase),
    (&[Tag::Nvt, Tag::Tags], Field::Tags),
    (&[Tag::Nvt, Tag::Solution], Field::Solution),
    // Older reports list the CVEs as text ("CVE-1, CVE-2" or "NOCVE").
    (&[Tag::Nvt, Tag::Cve], Field::Cve),
    (&[Tag::Threat], Field::Threat),
    (&[Tag::Severity], Field::Severity),
    (&[Tag::OriginalThreat], Field::OriginalThreat),
    (&[Tag::OriginalSeverity], Field::OriginalSeverity),
    (&[Tag::Qod, Tag::Value], Field::Quality),
    (&[Tag::Description], Field::Description),
];

/// The text of a field being read, and the depth of its element: text at
/// another depth (a child element's) is not its own.
#[derive(Debug)]
struct Capture {
    depth: usize,
    field: Field,
    text: String,
}

/// A `<result>` being read, its texts as the file has them (bounded); they
/// are made printable when the item is built.
#[derive(Debug, Default)]
struct ResultBuilder {
    at: u64,
    name: String,
    host: String,
    hostname: String,
    port: String,
    oid: String,
    nvt_name: String,
    family: String,
    cvss_base: String,
    /// The `type` of the NVT's first severity ("cvss_base_v3").
    severity_type: Option<String>,
    tags: String,
    solution: String,
    cves: Vec<String>,
    threat: String,
    severity: String,
    original_threat: String,
    original_severity: String,
    quality: String,
    description: String,
}

impl ResultBuilder {
    fn keep(&mut self, field: Field, text: String) {
        let slot = match field {
            Field::Name => &mut self.name,
            Field::Host => &mut self.host,
            Field::Hostname => &mut self.hostname,
            Field::Port => &mut self.port,
            Field::NvtName => &mut self.nvt_name,
            Field::Family => &mut self.family,
            Field::CvssBase => &mut self.cvss_base,
            Field::Tags => &mut self.tags,
            Field::Solution => &mut self.solution,
            Field::Threat => &mut self.threat,
            Field::Severity => &mut self.severity,
            Field::OriginalThreat => &mut self.original_threat,
            Field::OriginalSeverity => &mut self.original_severity,
            Field::Quality => &mut self.quality,
            Field::Description => &mut self.description,
            Field::Cve => {
                text.split([',', ' ', '\n', '\t'])
                    .filter(|word| word.to_ascii_uppercase().starts_with("CVE-"))
                    .for_each(|word| self.add_cve(word));
                return;
            }
            _ => return,
        };
        *slot = text;
    }

    fn add_cve(&mut self, id: &str) {
        let id = one_line(id, 64);
        if !id.is_empty() && self.cves.len() < MAX_CVES && !self.cves.contains(&id) {
            self.cves.push(id);
        }
    }

    /// The result's score: its own severity, or for a result overridden to
    /// a false positive (severity -1) the one it had before.
    fn score(&self) -> Option<f32> {
        [&self.severity, &self.original_severity, &self.cvss_base]
            .into_iter()
            .find_map(|text| {
                text.trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|score| (0.0..=10.0).contains(score))
            })
    }
}

/// A report's `<host>` summary being read.
#[derive(Debug, Default)]
struct HostSummary {
    at: u64,
    ip: String,
    hostname: Option<String>,
    /// The `<detail>` being read: its name and value.
    detail: (String, String),
}

/// Where the reader is, and what it has gathered.
struct Parser {
    limits: Limits,
    seen_root: bool,
    root_closed: bool,
    /// Whether any `<report>` was seen, and how many were inside another
    /// (the report proper, in both shapes).
    seen_report: bool,
    inner_reports: u32,
    /// The elements from the root down to the one being read.
    path: Vec<Tag>,
    /// Elements open below [`MAX_DEPTH`].
    deep: usize,
    captures: Vec<Capture>,
    version: Option<String>,
    run_status: Option<String>,
    term: Option<String>,
    filter_levels: Vec<String>,
    scan_start: Option<String>,
    filtered_count: Option<u64>,
    error_count: Option<u64>,
    run_sent: bool,
    result: Option<ResultBuilder>,
    /// The length of the path with the result's element on it.
    result_depth: usize,
    results_read: u64,
    host: Option<HostSummary>,
    hosts: Hosts,
}

impl Parser {
    fn new(limits: Limits) -> Parser {
        Parser {
            limits,
            seen_root: false,
            root_closed: false,
            seen_report: false,
            inner_reports: 0,
            path: Vec::new(),
            deep: 0,
            captures: Vec::new(),
            version: None,
            run_status: None,
            term: None,
            filter_levels: Vec::new(),
            scan_start: None,
            filtered_count: None,
            error_count: None,
            run_sent: false,
            result: None,
            result_depth: 0,
            results_read: 0,
            host: None,
            hosts: Hosts::default(),
        }
    }

    fn send_run(&mut self, out: &mut Emitter<'_>) {
        if !self.run_sent {
            self.run_sent = true;
            let run = self.run_info();
            out.send(Item::Run(run));
        }
    }

    fn run_info(&self) -> RunInfo {
        let version = self
            .version
            .as_deref()
            .map(|version| one_line(version, 40))
            .filter(|version| !version.is_empty());
        RunInfo {
            scanner: version.map_or_else(|| SCANNER.to_owned(), |v| format!("{SCANNER} {v}")),
            args: self
                .term
                .as_deref()
                .map(|term| one_line(term, self.limits.field_chars))
                .unwrap_or_default(),
            targets: "imported".to_owned(),
            ports: String::new(),
            started_unix: self.scan_start.as_deref().and_then(unix_seconds),
            // Greenbone ran its checks on the ports it lists.
            coverage: ScanCoverage {
                reported_checks: true,
                ..ScanCoverage::default()
            },
        }
    }

    /// Bytes kept of a field's text: enough for [`Limits::field_chars`]
    /// characters and the mark that says it was cut. The tags hold several
    /// texts, the summary and the solution among them, so they get more.
    fn capacity(&self, field: Field) -> usize {
        let base = self.limits.field_chars.saturating_mul(4).saturating_add(8);
        if field == Field::Tags {
            base.saturating_mul(8)
        } else {
            base
        }
    }

    /// The field whose element was just opened, if it is one kept.
    fn field_here(&self) -> Option<Field> {
        if self.result.is_some() {
            let below = &self.path[self.result_depth..];
            return RESULT_FIELDS
                .iter()
                .find(|(path, _)| *path == below)
                .map(|(_, field)| *field);
        }
        REPORT_FIELDS
            .iter()
            .find(|(suffix, _)| self.path.ends_with(suffix))
            .map(|(_, field)| *field)
    }

    /// The root decides the kind: anything but Greenbone's two roots is
    /// another kind of file, and an answer that failed holds no report.
    fn root(
        &mut self,
        tag: Tag,
        name: &[u8],
        attributes: &Attributes,
        at: u64,
    ) -> Result<(), FormatError> {
        match tag {
            Tag::Report => {}
            Tag::Response => answer_ok(attributes, at)?,
            _ => {
                return Err(wrong_root(
                    ImportFormat::Greenbone,
                    name,
                    "<report> or <get_reports_response>",
                ));
            }
        }
        self.seen_root = true;
        Ok(())
    }

    /// What opening the element at the end of the path starts.
    fn opened(&mut self, tag: Tag, attributes: &Attributes, at: u64, out: &mut Emitter<'_>) {
        match tag {
            Tag::Report => {
                self.seen_report = true;
                if self.path.ends_with(&[Tag::Report, Tag::Report]) {
                    self.inner_reports = self.inner_reports.saturating_add(1);
                }
            }
            Tag::Result
                if self.result.is_none()
                    && self
                        .path
                        .ends_with(&[Tag::Report, Tag::Results, Tag::Result]) =>
            {
                self.send_run(out);
                self.result = Some(ResultBuilder {
                    at,
                    ..ResultBuilder::default()
                });
                self.result_depth = self.path.len();
            }
            Tag::Host
                if self.result.is_none() && self.path.ends_with(&[Tag::Report, Tag::Host]) =>
            {
                self.send_run(out);
                self.host = Some(HostSummary {
                    at,
                    ..HostSummary::default()
                });
            }
            Tag::Nvt | Tag::Severity | Tag::Ref => self.result_attributes(attributes),
            _ => {}
        }
    }

    /// The attributes a result keeps: its NVT's id, the CVSS version of
    /// its severity, its CVE references.
    fn result_attributes(&mut self, attributes: &Attributes) {
        let Some(result) = &mut self.result else {
            return;
        };
        let cve = get(attributes, "type").is_some_and(|kind| kind.eq_ignore_ascii_case("cve"));
        match &self.path[self.result_depth..] {
            [Tag::Nvt] => result.oid = one_line(get(attributes, "oid").unwrap_or(""), 200),
            // The first severity is the one the result's score is in.
            [Tag::Nvt, Tag::Severities, Tag::Severity] if result.severity_type.is_none() => {
                result.severity_type = get(attributes, "type").map(|kind| one_line(kind, 40));
            }
            [Tag::Nvt, Tag::Refs, Tag::Ref] if cve => {
                result.add_cve(get(attributes, "id").unwrap_or(""));
            }
            _ => {}
        }
    }

    fn keep(&mut self, field: Field, text: String) {
        let once = |slot: &mut Option<String>| {
            slot.get_or_insert(text.trim().to_owned());
        };
        match field {
            Field::Version => once(&mut self.version),
            Field::RunStatus => once(&mut self.run_status),
            Field::FilterTerm => once(&mut self.term),
            Field::ScanStart => once(&mut self.scan_start),
            Field::FilterLevel => {
                if self.filter_levels.len() < MAX_LEVELS {
                    self.filter_levels.push(one_line(&text, 40));
                }
            }
            Field::FilteredCount => self.filtered_count = text.trim().parse().ok(),
            Field::ErrorCount => self.error_count = text.trim().parse().ok(),
            Field::HostIp | Field::DetailName | Field::DetailValue => {
                if let Some(host) = &mut self.host {
                    match field {
                        Field::HostIp => host.ip = text,
                        Field::DetailName => host.detail.0 = text,
                        _ => host.detail.1 = text,
                    }
                }
            }
            _ => {
                if let Some(result) = &mut self.result {
                    result.keep(field, text);
                }
            }
        }
    }

    /// What closing the element at the end of the path ends.
    fn closing(&mut self, out: &mut Emitter<'_>) -> Result<(), FormatError> {
        let depth = self.path.len();
        match self.path.last() {
            Some(Tag::Result) if self.result.is_some() && depth == self.result_depth => {
                if let Some(result) = self.result.take() {
                    self.results_read = self.results_read.saturating_add(1);
                    self.end_result(result, out)?;
                }
            }
            Some(Tag::Detail) if self.path.ends_with(&[Tag::Report, Tag::Host, Tag::Detail]) => {
                if let Some(host) = &mut self.host {
                    let (name, value) = std::mem::take(&mut host.detail);
                    if name.trim() == "hostname" && host.hostname.is_none() {
                        host.hostname = Some(one_line(&value, 255));
                    }
                }
            }
            Some(Tag::Host) if self.path.ends_with(&[Tag::Report, Tag::Host]) => {
                if let Some(host) = self.host.take() {
                    let address = address(&host.ip, "a host's address", host.at)?;
                    self.hosts.host(address, host.hostname);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Notes the result's host and port, and hands it on if it is a
    /// problem (Low and above) or marked a false positive.
    fn end_result(
        &mut self,
        result: ResultBuilder,
        out: &mut Emitter<'_>,
    ) -> Result<(), FormatError> {
        let address = address(&result.host, "a result's host address", result.at)?;
        let hostname = Some(one_line(&result.hostname, 255)).filter(|name| !name.is_empty());
        self.hosts.host(address, hostname);
        let (port, protocol) = port_of(&result.port);
        if let (Some(port), Some(protocol)) = (port, protocol) {
            self.hosts.port(address, protocol, port, None);
        }
        let Some((level, false_positive)) = grading(&result) else {
            return Ok(());
        };
        let item = self.item(result, address, (port, protocol), level, false_positive);
        out.send(Item::Reported(Box::new(item)));
        Ok(())
    }

    fn item(
        &self,
        result: ResultBuilder,
        address: IpAddr,
        (port, protocol): (Option<u16>, Option<Protocol>),
        level: ReportedLevel,
        false_positive: bool,
    ) -> ReportedItem {
        let limit = self.limits.field_chars;
        let name = [&result.name, &result.nvt_name]
            .into_iter()
            .map(|name| one_line(name, limit))
            .find(|name| !name.is_empty())
            .unwrap_or_default();
        let synopsis = tag_part(&result.tags, "summary")
            .map(|summary| kept(summary, limit))
            .unwrap_or_else(|| name.clone());
        let solution = Some(result.solution.trim())
            .filter(|solution| !solution.is_empty())
            .or_else(|| tag_part(&result.tags, "solution"))
            .map(|solution| kept(solution, limit))
            .unwrap_or_default();
        ReportedItem {
            source: ReportSource::Greenbone,
            check_id: result.oid.clone(),
            family: Some(one_line(&result.family, limit)).filter(|family| !family.is_empty()),
            address,
            port,
            protocol,
            service: None,
            level,
            cvss: result.score().map(|score| CvssScore {
                score,
                version: cvss_version(&result),
            }),
            synopsis,
            solution,
            output: kept(result.description.trim(), limit),
            false_positive,
            quality: result
                .quality
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|quality| *quality <= 100),
            cves: result.cves,
            name,
        }
    }

    /// What the person should know about the export as a whole.
    fn warnings(&self, complete: bool) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.result.is_some() {
            warnings.push("the file ends in the middle of a result, which was left out".to_owned());
        }
        if !complete {
            warnings.push(
                "the file ends before the report does (cut short?): the results before the cut were imported"
                    .to_owned(),
            );
        }
        if let Some(status) = self.run_status.as_deref()
            && !status.is_empty()
            && !status.eq_ignore_ascii_case("done")
        {
            warnings.push(format!(
                "Greenbone says the scan did not finish (its status is '{}'): the report holds only what it found before it stopped, so hosts, ports and problems may be missing",
                one_line(status, 40)
            ));
        }
        if log_left_out(self.term.as_deref(), &self.filter_levels) {
            warnings.push(
                "the export's filter left out the log-level results, which carry most of Greenbone's open-port detections, so ports may be missing: export the report again with the \"Log\" level included (levels=hmlg)"
                    .to_owned(),
            );
        }
        if complete
            && let Some(filtered) = self.filtered_count
            && filtered > self.results_read
        {
            warnings.push(format!(
                "the file holds {} of the {filtered} results its filter matched (a rows= limit?): export the report again with all rows",
                self.results_read
            ));
        }
        if let Some(errors) = self.error_count.filter(|errors| *errors > 0) {
            warnings.push(format!(
                "Greenbone recorded {errors} error(s) during the scan (checks that failed or timed out): problems they would have found may be missing"
            ));
        }
        if self.inner_reports > 1 {
            warnings.push(format!(
                "the file holds {} reports: their results were imported together, as one",
                self.inner_reports
            ));
        }
        if self.hosts.is_empty() {
            warnings.push(
                "the report names no host: nothing was imported (did the export's filter leave every result out?)"
                    .to_owned(),
            );
        }
        warnings
    }

    fn finish(self, out: &mut Emitter<'_>) -> Result<ReadOutcome, FormatError> {
        if !self.seen_root {
            return Err(FormatError::WrongKind {
                expected: ImportFormat::Greenbone.name(),
                found: "it holds no <report> element".into(),
            });
        }
        if !self.seen_report {
            return Err(FormatError::WrongKind {
                expected: ImportFormat::Greenbone.name(),
                found: "the management protocol's answer holds no <report>".into(),
            });
        }
        let complete = self.root_closed;
        let warnings = self.warnings(complete);
        if !self.run_sent {
            out.send(Item::Run(self.run_info()));
        }
        let outcome = self.hosts.finish(SCANNER, warnings, complete, out);
        if out.stopped() {
            return Err(FormatError::Stopped);
        }
        Ok(outcome)
    }
}

impl Handler for Parser {
    /// Greenbone writes no document type. A bare one (`<!DOCTYPE
    /// nmaprun>`, as nmap writes) declares nothing and is let through, so
    /// that a file of another kind is named by its root; one with
    /// declarations or an external reference is refused.
    fn allows_doctype(&self, declaration: &str) -> bool {
        !declaration.is_empty()
            && declaration
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
    }

    fn open(
        &mut self,
        name: &[u8],
        attributes: &Attributes,
        at: u64,
        out: &mut Emitter<'_>,
    ) -> Result<(), FormatError> {
        if self.deep > 0 || self.path.len() >= MAX_DEPTH {
            self.deep += 1;
            return Ok(());
        }
        let tag = Tag::of(name);
        if !self.seen_root {
            self.root(tag, name, attributes, at)?;
        }
        self.path.push(tag);
        self.opened(tag, attributes, at, out);
        if let Some(field) = self.field_here() {
            self.captures.push(Capture {
                depth: self.path.len(),
                field,
                text: String::new(),
            });
        }
        Ok(())
    }

    fn text(&mut self, text: &str) {
        if self.deep > 0 {
            return;
        }
        let depth = self.path.len();
        let Some(field) = self.captures.last().map(|capture| capture.field) else {
            return;
        };
        let capacity = self.capacity(field);
        if let Some(capture) = self.captures.last_mut()
            && capture.depth == depth
        {
            push_bounded(&mut capture.text, text, capacity);
        }
    }

    fn close(&mut self, _name: &[u8], _at: u64, out: &mut Emitter<'_>) -> Result<(), FormatError> {
        if self.deep > 0 {
            self.deep -= 1;
            return Ok(());
        }
        if let Some(capture) = self
            .captures
            .pop_if(|capture| capture.depth == self.path.len())
        {
            self.keep(capture.field, capture.text);
        }
        self.closing(out)?;
        self.path.pop();
        if self.path.is_empty() {
            self.root_closed = true;
        }
        Ok(())
    }
}

/// The protocol answer's status: 200 holds a report; any other says why
/// not (a report that does not exist, a user without the right).
fn answer_ok(attributes: &Attributes, at: u64) -> Result<(), FormatError> {
    let status = get(attributes, "status").unwrap_or("200").trim();
    if status == "200" {
        return Ok(());
    }
    Err(FormatError::Invalid {
        what: "the management protocol's answer",
        at,
        why: format!(
            "its status is {} ('{}'), not 200: it holds no report",
            one_line(status, 20),
            one_line(get(attributes, "status_text").unwrap_or(""), 200)
        ),
    })
}

fn address(text: &str, what: &'static str, at: u64) -> Result<IpAddr, FormatError> {
    let text = text.trim();
    text.parse().map_err(|_| FormatError::Invalid {
        what,
        at,
        why: format!("'{}' is not an IP address", one_line(text, 60)),
    })
}

/// Greenbone's port of a result: "443/tcp" and "53/udp" are ports;
/// "general/tcp", "general/icmp", "package" and the like are about the
/// host, though "general/tcp" still says the protocol.
fn port_of(text: &str) -> (Option<u16>, Option<Protocol>) {
    let Some((number, protocol)) = text.trim().split_once('/') else {
        return (None, None);
    };
    let protocol = match protocol {
        "tcp" => Some(Protocol::Tcp),
        "udp" => Some(Protocol::Udp),
        _ => None,
    };
    let port = protocol
        .and(number.parse::<u16>().ok())
        .filter(|port| *port != 0);
    (port, protocol)
}

/// What a result's threat says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Threat {
    Level(ReportedLevel),
    Log,
    Debug,
    FalsePositive,
    Unknown,
}

fn threat_of(text: &str) -> Threat {
    match text.trim().to_ascii_lowercase().as_str() {
        "critical" => Threat::Level(ReportedLevel::Critical),
        "high" => Threat::Level(ReportedLevel::High),
        "medium" => Threat::Level(ReportedLevel::Medium),
        "low" => Threat::Level(ReportedLevel::Low),
        "log" => Threat::Log,
        "debug" => Threat::Debug,
        "false positive" => Threat::FalsePositive,
        _ => Threat::Unknown,
    }
}

/// The CVSS qualitative rating of a score, for a result whose threat is
/// missing or unknown.
fn level_of_score(score: f32) -> ReportedLevel {
    match score {
        s if s >= 9.0 => ReportedLevel::Critical,
        s if s >= 7.0 => ReportedLevel::High,
        s if s >= 4.0 => ReportedLevel::Medium,
        s if s > 0.0 => ReportedLevel::Low,
        _ => ReportedLevel::Info,
    }
}

/// The level a result is handed on at, and whether it is marked a false
/// positive; `None` for the log and debug results, which are not problems.
/// A false positive keeps the level it had before it was marked.
fn grading(result: &ResultBuilder) -> Option<(ReportedLevel, bool)> {
    match threat_of(&result.threat) {
        Threat::Level(level) => Some((level, false)),
        Threat::Log | Threat::Debug => None,
        Threat::FalsePositive => {
            let level = match threat_of(&result.original_threat) {
                Threat::Level(level) => level,
                Threat::Log | Threat::Debug => ReportedLevel::Info,
                Threat::FalsePositive | Threat::Unknown => {
                    result.score().map_or(ReportedLevel::Info, level_of_score)
                }
            };
            Some((level, true))
        }
        Threat::Unknown => result
            .score()
            .map(level_of_score)
            .filter(|level| *level >= ReportedLevel::Low)
            .map(|level| (level, false)),
    }
}

/// The CVSS version of a result's score: the type of its NVT's severity,
/// else the form of its vector, else 2 for the old `cvss_base` alone, else
/// 3.
fn cvss_version(result: &ResultBuilder) -> u8 {
    match result.severity_type.as_deref().map(str::trim) {
        Some("cvss_base_v2") => return 2,
        Some("cvss_base_v3") => return 3,
        Some("cvss_base_v4") => return 4,
        _ => {}
    }
    if let Some(vector) = tag_part(&result.tags, "cvss_base_vector") {
        if vector.starts_with("CVSS:4") {
            return 4;
        }
        if vector.starts_with("CVSS:3") {
            return 3;
        }
        if vector.starts_with("AV:") {
            return 2;
        }
    }
    if result.cvss_base.trim().is_empty() {
        3
    } else {
        2
    }
}

/// The part `key=...` of an NVT's tags ("summary=...|solution=..."), if
/// it is there and says something.
fn tag_part<'t>(tags: &'t str, key: &str) -> Option<&'t str> {
    tags.split('|')
        .find_map(|part| part.trim_start().strip_prefix(key)?.strip_prefix('='))
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

/// Whether the export's filter left out the log-level results. Greenbone
/// names the levels by letter in the filter's term (`levels=hmlg`: high,
/// medium, low, log; `c` critical, `d` debug, `f` false positive), and
/// lists them in `<filter>` elements; without a `levels=` every level is
/// in.
fn log_left_out(term: Option<&str>, listed: &[String]) -> bool {
    let levels = term.and_then(|term| {
        term.split_whitespace()
            .find_map(|word| word.strip_prefix("levels="))
    });
    match levels.map(|levels| levels.trim_matches('"')) {
        Some(levels) => !levels.is_empty() && !levels.contains('g'),
        None => !listed.is_empty() && !listed.iter().any(|level| level.eq_ignore_ascii_case("log")),
    }
}

/// A time in RFC 3339 ("2025-12-01T10:00:00Z"), as Greenbone writes it,
/// in seconds since 1970.
fn unix_seconds(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|time| time.timestamp())
}

/// Appends `text` to `buffer` up to `capacity` bytes, cut at a character.
fn push_bounded(buffer: &mut String, text: &str, capacity: usize) {
    let room = capacity.saturating_sub(buffer.len());
    let mut end = text.len().min(room);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    buffer.push_str(&text[..end]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_numbered_tcp_and_udp_ports_are_ports() {
        assert_eq!(port_of("443/tcp"), (Some(443), Some(Protocol::Tcp)));
        assert_eq!(port_of(" 53/udp "), (Some(53), Some(Protocol::Udp)));
        assert_eq!(port_of("general/tcp"), (None, Some(Protocol::Tcp)));
        assert_eq!(port_of("general/icmp"), (None, None));
        assert_eq!(port_of("general/CPE-T"), (None, None));
        assert_eq!(port_of("package"), (None, None));
        assert_eq!(port_of("70000/tcp"), (None, Some(Protocol::Tcp)));
        assert_eq!(port_of("0/tcp"), (None, Some(Protocol::Tcp)));
    }

    #[test]
    fn the_levels_in_the_filter_say_whether_log_results_are_in() {
        assert!(log_left_out(Some("min_qod=70 levels=hml rows=100"), &[]));
        assert!(!log_left_out(Some("levels=hmlg rows=100"), &[]));
        assert!(!log_left_out(Some("rows=100 min_qod=70"), &[]));
        let listed = ["High".to_owned(), "Medium".to_owned()];
        assert!(log_left_out(Some("rows=100"), &listed));
        assert!(log_left_out(None, &listed));
        let with_log = ["High".to_owned(), "Log".to_owned()];
        assert!(!log_left_out(None, &with_log));
    }

    #[test]
    fn the_cvss_version_comes_from_the_severity_type_then_the_vector() {
        let mut result = ResultBuilder {
            severity_type: Some("cvss_base_v4".into()),
            ..ResultBuilder::default()
        };
        assert_eq!(cvss_version(&result), 4);
        result.severity_type = None;
        result.tags = "cvss_base_vector=CVSS:3.1/AV:N/AC:L|summary=x".into();
        assert_eq!(cvss_version(&result), 3);
        result.tags = "summary=x".into();
        assert_eq!(cvss_version(&result), 3);
        result.cvss_base = "5.0".into();
        assert_eq!(cvss_version(&result), 2);
    }

    #[test]
    fn tags_are_split_at_bars() {
        let tags = "cvss_base_vector=AV:N|summary=It was possible.|solution= |insight=a=b";
        assert_eq!(tag_part(tags, "summary"), Some("It was possible."));
        assert_eq!(tag_part(tags, "solution"), None);
        assert_eq!(tag_part(tags, "insight"), Some("a=b"));
        assert_eq!(tag_part(tags, "impact"), None);
    }

    #[test]
    fn a_long_text_is_kept_up_to_its_capacity_at_a_character() {
        let mut buffer = String::from("ab");
        push_bounded(&mut buffer, "cdé", 5);
        assert_eq!(buffer, "abcd", "é would need a sixth byte");
        push_bounded(&mut buffer, "xy", 5);
        assert_eq!(buffer, "abcdx");
    }
}
