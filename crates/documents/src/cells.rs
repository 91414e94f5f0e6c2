//! CSV that is safe to open in a spreadsheet: a cell that starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel
//! and LibreOffice (and `=HYPERLINK(...)` or `=cmd|...` from a hostile
//! banner would run), so such a cell is written with a leading
//! apostrophe, which spreadsheets show as text and do not display.

use std::borrow::Cow;

/// `text` as a cell no spreadsheet evaluates (the model's rule, which the
/// importers' proposals follow too).
pub use portcullis_model::documents::inert_cell as inert;

/// Writes rows as CSV (RFC 4180 quoting by the `csv` crate), every text
/// cell made inert; numbers the caller formats stay numbers.
pub struct SafeCsv {
    writer: csv::Writer<Vec<u8>>,
}

impl SafeCsv {
    pub fn new(header: &[&str]) -> SafeCsv {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer
            .write_record(header)
            .expect("CSV into memory cannot fail");
        SafeCsv { writer }
    }

    /// One row; each cell is made inert.
    pub fn row<'c>(&mut self, cells: impl IntoIterator<Item = &'c str>) {
        let cells: Vec<Cow<'_, str>> = cells.into_iter().map(inert).collect();
        self.writer
            .write_record(cells.iter().map(|cell| cell.as_bytes()))
            .expect("CSV into memory cannot fail");
    }

    pub fn finish(self) -> Vec<u8> {
        self.writer
            .into_inner()
            .expect("CSV into memory cannot fail")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_the_rest_is_untouched() {
        assert_eq!(inert("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(inert("+1"), "'+1");
        assert_eq!(inert("-cmd"), "'-cmd");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("\t=1"), "'\t=1");
        assert_eq!(inert("OpenSSH 9.2"), "OpenSSH 9.2");
        assert_eq!(inert(""), "");
        let mut csv = SafeCsv::new(&["a", "b"]);
        csv.row(["=1+1", "x,\"y\""]);
        assert_eq!(
            String::from_utf8(csv.finish()).unwrap(),
            "a,b\n'=1+1,\"x,\"\"y\"\"\"\n"
        );
    }
}
