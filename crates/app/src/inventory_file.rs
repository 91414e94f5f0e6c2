//! The inventory's files: CSV or JSON, for spreadsheets, auditors and
//! other tools. Reading is pure and all or nothing: every row is checked
//! first, and any problem (each named by line and field) refuses the whole
//! file. Rows name their system by name, so that an export from one
//! database imports into another.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use portcullis_model::SystemId;
use portcullis_model::compliance::{InventoryEntry, NewInventoryEntry, System};
use portcullis_model::judgement::InventoryFormat;
use portcullis_model::scan::Protocol;
use portcullis_model::{AppError, IpNet, Problem};
use serde::Serialize;
use serde_json::value::RawValue;

/// The columns (CSV) or keys (JSON), in export order.
pub const INVENTORY_COLUMNS: [&str; 11] = [
    "system",
    "port",
    "protocol",
    "service",
    "version",
    "justification",
    "approver",
    "approved_at",
    "expires_at",
    "notes",
    "sources",
];

/// Columns every row must have.
const REQUIRED: [&str; 4] = ["system", "port", "justification", "approver"];

/// Problems listed before the rest are only counted.
const MAX_PROBLEMS: usize = 50;

/// Reads `text` as `format`; every row becomes an entry of a system in
/// `systems` (matched by name, any case), approved `now` unless it says
/// when. Any problem refuses the whole file.
pub fn read(
    format: InventoryFormat,
    text: &str,
    systems: &[System],
    now: DateTime<Utc>,
) -> Result<Vec<NewInventoryEntry>, AppError> {
    let systems: HashMap<String, SystemId> = systems
        .iter()
        .map(|system| (system.name.to_lowercase(), system.id))
        .collect();
    let mut problems = Problems::default();
    let rows = match format {
        InventoryFormat::Csv => read_csv(text, &mut problems),
        InventoryFormat::Json => read_json(text, &mut problems),
    };
    let entries = check_rows(&rows, &systems, now, &mut problems);
    problems.into_result().map(|()| entries)
}

/// The inventory as CSV or pretty JSON, in [`read`]'s format.
pub fn write(format: InventoryFormat, entries: &[InventoryEntry], systems: &[System]) -> String {
    let names: HashMap<SystemId, String> = systems
        .iter()
        .map(|system| (system.id, system.name.clone()))
        .collect();
    let rows: Vec<ExportRow> = entries
        .iter()
        .map(|entry| ExportRow::new(entry, &names))
        .collect();
    match format {
        InventoryFormat::Json => {
            serde_json::to_string_pretty(&rows).expect("rows serialise") + "\n"
        }
        InventoryFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            for row in &rows {
                writer.serialize(row).expect("CSV into memory");
            }
            if rows.is_empty() {
                writer
                    .write_record(INVENTORY_COLUMNS)
                    .expect("CSV into memory");
            }
            let bytes = writer.into_inner().expect("CSV into memory");
            String::from_utf8(bytes).expect("CSV of UTF-8 text is UTF-8")
        }
    }
}

fn to_rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Collects problems, keeping the first [`MAX_PROBLEMS`].
#[derive(Debug, Default)]
struct Problems {
    list: Vec<Problem>,
    more: usize,
}

impl Problems {
    fn push(&mut self, place: &Place, field: Option<&str>, message: impl Into<String>) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(Problem {
                place: place.label.clone(),
                line: usize::try_from(place.line).ok(),
                field: field.map(str::to_owned),
                message: message.into(),
            });
        } else {
            self.more += 1;
        }
    }

    fn into_result(mut self) -> Result<(), AppError> {
        if self.list.is_empty() {
            return Ok(());
        }
        if self.more > 0 {
            self.list.push(Problem {
                place: String::new(),
                line: None,
                field: None,
                message: format!("... and {} more problems", self.more),
            });
        }
        Err(
            AppError::bad_input("file", "the import was refused and nothing was imported:")
                .with_problems(self.list),
        )
    }
}

/// Where a row is in the file.
#[derive(Debug, Clone)]
struct Place {
    label: String,
    line: u64,
}

/// A row as read, every value as text (empty for absent).
#[derive(Debug)]
struct RawRow {
    place: Place,
    fields: HashMap<&'static str, String>,
}

impl RawRow {
    fn get(&self, field: &str) -> &str {
        self.fields.get(field).map_or("", |v| v.trim())
    }

    fn optional(&self, field: &str) -> Option<String> {
        Some(self.get(field))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
}

/// One exported row: the fields of [`INVENTORY_COLUMNS`], in that order.
#[derive(Debug, Serialize)]
struct ExportRow {
    system: String,
    port: u16,
    protocol: &'static str,
    service: Option<String>,
    version: Option<String>,
    justification: String,
    approver: String,
    approved_at: String,
    expires_at: Option<String>,
    notes: String,
    /// CIDR blocks separated by spaces; empty: anywhere.
    sources: String,
}

impl ExportRow {
    fn new(entry: &InventoryEntry, names: &HashMap<SystemId, String>) -> ExportRow {
        ExportRow {
            system: names
                .get(&entry.system_id)
                .cloned()
                .unwrap_or_else(|| entry.system_id.to_string()),
            port: entry.port,
            protocol: entry.protocol.as_str(),
            service: entry.service.clone(),
            version: entry.version.clone(),
            justification: entry.justification.clone(),
            approver: entry.approver.clone(),
            approved_at: to_rfc3339(entry.approved_at),
            expires_at: entry.expires_at.map(to_rfc3339),
            notes: entry.notes.clone(),
            sources: entry
                .sources
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// The column name as we spell it, if `name` is one of ours.
fn known_column(name: &str) -> Option<&'static str> {
    let name = name.trim().to_lowercase();
    INVENTORY_COLUMNS.into_iter().find(|column| *column == name)
}

fn read_csv(text: &str, problems: &mut Problems) -> Vec<RawRow> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header_place = Place {
        label: "line 1".into(),
        line: 1,
    };
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            problems.push(&header_place, None, format!("not readable as CSV: {error}"));
            return Vec::new();
        }
    };
    let mut columns = Vec::new();
    for header in &headers {
        match known_column(header) {
            Some(column) => columns.push(column),
            None => {
                problems.push(
                    &header_place,
                    Some(header),
                    format!(
                        "unknown column; the columns are {}",
                        INVENTORY_COLUMNS.join(", ")
                    ),
                );
                columns.push("");
            }
        }
    }
    for required in REQUIRED {
        if !columns.contains(&required) {
            problems.push(&header_place, Some(required), "this column is missing");
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                let fields = columns
                    .iter()
                    .zip(record.iter())
                    .filter(|(column, _)| !column.is_empty())
                    .map(|(column, value)| (*column, value.to_owned()))
                    .collect();
                rows.push(RawRow {
                    place: Place {
                        label: format!("line {line}"),
                        line,
                    },
                    fields,
                });
            }
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                let place = Place {
                    label: format!("line {line}"),
                    line,
                };
                let message = match error.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("has {len} fields where the header has {expected_len}"),
                    _ => format!("not readable as CSV: {error}"),
                };
                problems.push(&place, None, message);
            }
        }
    }
    rows
}

fn read_json(text: &str, problems: &mut Problems) -> Vec<RawRow> {
    let elements: Vec<&RawValue> = match serde_json::from_str(text) {
        Ok(elements) => elements,
        Err(error) => {
            let line = error.line() as u64;
            problems.push(
                &Place {
                    label: format!("line {line}, column {}", error.column()),
                    line,
                },
                None,
                format!("expected a JSON array of inventory entries: {error}"),
            );
            return Vec::new();
        }
    };
    let mut rows = Vec::new();
    for (index, element) in elements.into_iter().enumerate() {
        let line = line_of(text, element.get());
        let place = Place {
            label: format!("entry {} (line {line})", index + 1),
            line,
        };
        let object: serde_json::Map<String, serde_json::Value> =
            match serde_json::from_str(element.get()) {
                Ok(object) => object,
                Err(_) => {
                    problems.push(&place, None, "expected an object");
                    continue;
                }
            };
        let mut fields = HashMap::new();
        for (key, value) in object {
            let Some(column) = known_column(&key) else {
                problems.push(
                    &place,
                    Some(&key),
                    format!("unknown key; the keys are {}", INVENTORY_COLUMNS.join(", ")),
                );
                continue;
            };
            match value {
                serde_json::Value::String(text) => {
                    fields.insert(column, text);
                }
                serde_json::Value::Number(number) => {
                    fields.insert(column, number.to_string());
                }
                serde_json::Value::Null => {}
                _ => problems.push(&place, Some(column), "expected text or a number"),
            }
        }
        rows.push(RawRow { place, fields });
    }
    rows
}

/// The 1-based line where `element` (a slice of `text`) starts.
fn line_of(text: &str, element: &str) -> u64 {
    let offset = (element.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    let before = text.get(..offset).unwrap_or("");
    before.matches('\n').count() as u64 + 1
}

/// Checks every row; returns the entries of the good ones.
fn check_rows(
    rows: &[RawRow],
    systems: &HashMap<String, SystemId>,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> Vec<NewInventoryEntry> {
    let mut seen: BTreeMap<(SystemId, Protocol, u16), u64> = BTreeMap::new();
    let mut entries = Vec::new();
    for row in rows {
        let Some(entry) = check_row(row, systems, now, problems) else {
            continue;
        };
        let key = (entry.system_id, entry.protocol, entry.port);
        if let Some(first) = seen.insert(key, row.place.line) {
            problems.push(
                &row.place,
                Some("port"),
                format!(
                    "{}/{} of `{}` is already on line {first}",
                    entry.port,
                    entry.protocol.as_str(),
                    row.get("system")
                ),
            );
            continue;
        }
        entries.push(entry);
    }
    entries
}

fn check_row(
    row: &RawRow,
    systems: &HashMap<String, SystemId>,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> Option<NewInventoryEntry> {
    let before = problems.list.len() + problems.more;
    let place = &row.place;
    let mut required = |field: &str| {
        let value = row.get(field);
        if value.is_empty() {
            problems.push(place, Some(field), "is empty; it is required");
        }
        value.to_owned()
    };
    let system = required("system");
    let port = required("port");
    let justification = required("justification");
    let approver = required("approver");

    let system_id = systems.get(&system.to_lowercase()).copied();
    if system_id.is_none() && !system.is_empty() {
        problems.push(
            place,
            Some("system"),
            format!("no system is called `{system}`; add the system first"),
        );
    }
    let port = match port.parse::<u16>() {
        Ok(port) => Some(port),
        Err(_) if port.is_empty() => None,
        Err(_) => {
            problems.push(
                place,
                Some("port"),
                format!("`{port}` is not a port number (0 to 65535)"),
            );
            None
        }
    };
    let protocol = match row.get("protocol").to_lowercase().as_str() {
        "" | "tcp" => Some(Protocol::Tcp),
        "udp" => Some(Protocol::Udp),
        other => {
            problems.push(
                place,
                Some("protocol"),
                format!("`{other}` is neither tcp nor udp"),
            );
            None
        }
    };
    let approved_at = match row.get("approved_at") {
        "" => Some(now),
        text => parse_date(text)
            .map_err(|why| problems.push(place, Some("approved_at"), why))
            .ok(),
    };
    let expires_at = match row.get("expires_at") {
        "" => Some(None),
        text => parse_date(text)
            .map(Some)
            .map_err(|why| problems.push(place, Some("expires_at"), why))
            .ok(),
    };
    if let (Some(approved), Some(Some(expires))) = (approved_at, expires_at)
        && expires <= approved
    {
        problems.push(
            place,
            Some("expires_at"),
            "is not after approved_at: the approval would never hold",
        );
    }
    let sources = parse_sources(row.get("sources"))
        .map_err(|why| problems.push(place, Some("sources"), why))
        .ok();
    if problems.list.len() + problems.more > before {
        return None;
    }
    Some(NewInventoryEntry {
        system_id: system_id?,
        port: port?,
        protocol: protocol?,
        service: row.optional("service"),
        version: row.optional("version"),
        justification,
        approver,
        approved_at: approved_at?,
        expires_at: expires_at?,
        sources: sources?,
        notes: row.get("notes").to_owned(),
    })
}

/// Where connections may come from, as the shells and imports take it:
/// IP addresses and CIDR blocks separated by spaces, commas or
/// semicolons; empty: anywhere. Blocks are kept as networks
/// (203.0.113.7/24 is 203.0.113.0/24), each once, in the order given.
pub fn parse_sources(text: &str) -> Result<Vec<IpNet>, String> {
    let mut sources: Vec<IpNet> = Vec::new();
    for item in text
        .split([' ', ',', ';', '\t'])
        .filter(|item| !item.is_empty())
    {
        let block = match item.parse::<IpNet>() {
            Ok(block) => block.trunc(),
            Err(_) => item.parse::<IpAddr>().map(IpNet::from).map_err(|_| {
                format!("`{item}` is neither an IP address nor a CIDR block (203.0.113.0/24)")
            })?,
        };
        if !sources.contains(&block) {
            sources.push(block);
        }
    }
    Ok(sources)
}

/// A time as RFC 3339 ("2025-03-31T12:00:00Z") or a date ("2025-03-31",
/// meaning its first moment, UTC), as imports and the shells accept them.
pub fn parse_date(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.to_utc());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|date| {
            date.and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc()
        })
        .map_err(|_| format!("`{text}` is not a date (2025-03-31) or an RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn systems() -> HashMap<String, SystemId> {
        HashMap::from([("shop".to_owned(), SystemId(1))])
    }

    fn check(format: InventoryFormat, text: &str) -> Result<Vec<NewInventoryEntry>, AppError> {
        let mut problems = Problems::default();
        let rows = match format {
            InventoryFormat::Csv => read_csv(text, &mut problems),
            InventoryFormat::Json => read_json(text, &mut problems),
        };
        let entries = check_rows(&rows, &systems(), Utc::now(), &mut problems);
        problems.into_result().map(|()| entries)
    }

    #[test]
    fn a_good_csv_row_becomes_an_entry() {
        let entries = check(
            InventoryFormat::Csv,
            "system,port,protocol,justification,approver,expires_at\n\
             Shop,443,tcp,web shop,alice,2099-01-01\n",
        )
        .unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!((entries[0].system_id, entries[0].port), (SystemId(1), 443));
        assert_eq!(entries[0].protocol, Protocol::Tcp);
        assert!(entries[0].expires_at.is_some());
    }

    #[test]
    fn sources_are_addresses_and_blocks_kept_as_networks_once_each() {
        let entries = check(
            InventoryFormat::Csv,
            "system,port,justification,approver,sources\n\
             Shop,22,our developer,alice,\"198.51.100.7, 203.0.113.77/24;2001:db8::/32 198.51.100.7\"\n",
        )
        .unwrap();
        let sources: Vec<String> = entries[0].sources.iter().map(ToString::to_string).collect();
        assert_eq!(
            sources,
            ["198.51.100.7/32", "203.0.113.0/24", "2001:db8::/32"]
        );
        let refused = check(
            InventoryFormat::Csv,
            "system,port,justification,approver,sources\nShop,22,our developer,alice,the office\n",
        )
        .unwrap_err();
        assert!(
            refused.to_string().contains("sources") && refused.to_string().contains("`the`"),
            "{refused}"
        );
    }

    #[test]
    fn csv_problems_name_the_line_and_the_field() {
        let error = check(
            InventoryFormat::Csv,
            "system,port,justification,approver\n\
             shop,443,web,alice\n\
             shop,8o,web,alice\n\
             nowhere,22,ssh,\n",
        )
        .unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("line 3, field `port`: `8o` is not a port"),
            "{text}"
        );
        assert!(
            text.contains("line 4, field `approver`: is empty"),
            "{text}"
        );
        assert!(text.contains("line 4, field `system`: no system"), "{text}");
        assert_eq!(error.problems.len(), 3);
    }

    #[test]
    fn unknown_and_missing_columns_are_refused() {
        let error = check(InventoryFormat::Csv, "system,prot,justification\n").unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("line 1, field `prot`: unknown column"),
            "{text}"
        );
        assert!(
            text.contains("field `port`: this column is missing"),
            "{text}"
        );
        assert!(
            text.contains("field `approver`: this column is missing"),
            "{text}"
        );
    }

    #[test]
    fn duplicate_ports_in_one_file_are_refused() {
        let error = check(
            InventoryFormat::Csv,
            "system,port,justification,approver\nshop,22,a,b\nshop,22,c,d\n",
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("line 3, field `port`: 22/tcp of `shop` is already on line 2")
        );
    }

    #[test]
    fn json_problems_name_the_entry_and_its_line() {
        let error = check(
            InventoryFormat::Json,
            "[\n  {\"system\": \"shop\", \"port\": 443, \"justification\": \"web\", \"approver\": \"a\"},\n  {\"system\": \"shop\", \"port\": 70000,\n   \"justification\": \"x\", \"approver\": \"a\", \"colour\": \"red\"}\n]",
        )
        .unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("entry 2 (line 3), field `colour`: unknown key"),
            "{text}"
        );
        assert!(
            text.contains("entry 2 (line 3), field `port`: `70000`"),
            "{text}"
        );
    }

    #[test]
    fn broken_json_names_line_and_column() {
        let error = check(InventoryFormat::Json, "[\n  {\"system\": }\n]").unwrap_err();
        assert!(error.to_string().contains("line 2, column"), "{error}");
    }

    #[test]
    fn expiry_must_follow_approval() {
        let error = check(
            InventoryFormat::Csv,
            "system,port,justification,approver,approved_at,expires_at\n\
             shop,22,a,b,2025-02-01,2025-01-01\n",
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("field `expires_at`: is not after")
        );
    }
}
