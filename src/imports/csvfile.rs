//! The CSV side of an upload: checking the file before anything is stored (a header line
//! naming the columns, an `email` column among them), counting its rows, blanking the rows
//! of forgotten people before the file is stored (SPEC G3/G4: never stored in clear), and
//! reading it back in chunks from any row, which is what makes an upload resumable.
//!
//! Column names are action fields (`email`, `first_name`, `zip`, `user_*`, `action_*`, …),
//! matched without regard to case or surrounding spaces. Rows are numbered as a
//! spreadsheet shows them: the header is row 1, the first data row is row 2.

use std::collections::HashSet;
use std::io::Cursor;

use crate::error::AppError;

/// What the email cell of a forgotten person's row holds once the file is stored: not an
/// address, so the row can never be taken for data; the importer counts it as forgotten.
pub const FORGOTTEN_MARK: &str = "#forgotten";

/// A checked file, ready to store.
#[derive(Debug)]
pub struct Checked {
    pub content: String,
    pub header: Vec<String>,
    pub total_rows: i64,
    /// Rows blanked because their email is on the forgotten list.
    pub forgotten_rows: i64,
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::BadRequest(message.into())
}

fn reader(content: impl std::io::Read) -> csv::Reader<impl std::io::Read> {
    csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(content)
}

/// The normalized column names of a header record.
fn columns(record: &csv::StringRecord) -> Vec<String> {
    record.iter().map(|c| c.trim().to_ascii_lowercase()).collect()
}

/// Checks `raw` and returns what to store. Bytes that are not UTF-8 are kept as U+FFFD, so
/// a file in another encoding still uploads and each row it spoils is reported on its own
/// line; everything about the header is refused at once.
pub fn check<S: std::hash::BuildHasher>(raw: Vec<u8>, forgotten: &HashSet<String, S>) -> Result<Checked, AppError> {
    let mut raw = raw;
    if raw.starts_with(b"\xEF\xBB\xBF") {
        raw.drain(..3);
    }
    let content = match String::from_utf8(raw) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    let mut rows = reader(content.as_bytes());
    let mut record = csv::StringRecord::new();
    let has_header =
        rows.read_record(&mut record).map_err(|e| bad(format!("The file is not a readable CSV file: {e}")))?;
    if !has_header || record.iter().all(|c| c.trim().is_empty()) {
        return Err(bad("The file is empty: its first line must name the columns (email, first_name, …)."));
    }
    let header = columns(&record);
    let Some(email_at) = header.iter().position(|c| c == "email") else {
        return Err(bad("The file has no email column: its first line must name the columns, one of them \"email\"."));
    };
    let mut seen = HashSet::new();
    if let Some(dup) = header.iter().find(|c| !c.is_empty() && !seen.insert(c.as_str())) {
        return Err(bad(format!("The column {dup:?} appears twice.")));
    }
    if let Some(at) = header.iter().position(String::is_empty) {
        return Err(bad(format!("Column {} has no name.", at + 1)));
    }

    let mut total_rows = 0_i64;
    let mut blank_rows: Vec<u64> = vec![];
    // Bytes, not strings: the content is already UTF-8, and this pass sees every row.
    let mut cells = csv::ByteRecord::new();
    while rows.read_byte_record(&mut cells).map_err(|e| bad(format!("The file is not a readable CSV file: {e}")))? {
        if !forgotten.is_empty() {
            let email = cells.get(email_at).map(String::from_utf8_lossy).unwrap_or_default();
            if !email.trim().is_empty() && forgotten.contains(&crate::gdpr::forget_hash(&email)) {
                blank_rows.push(u64::try_from(total_rows).unwrap_or(u64::MAX));
            }
        }
        total_rows += 1;
    }
    if total_rows == 0 {
        return Err(bad("The file has a header but no rows."));
    }
    drop(rows);
    let forgotten_rows = i64::try_from(blank_rows.len()).unwrap_or(i64::MAX);
    let content = if blank_rows.is_empty() { content } else { without_rows(&content, &blank_rows, email_at)? };
    Ok(Checked { content, header, total_rows, forgotten_rows })
}

/// The file again with the listed data rows (0-based) blanked: every cell empty but the
/// email cell, which holds [`FORGOTTEN_MARK`].
fn without_rows(content: &str, blank: &[u64], email_at: usize) -> Result<String, AppError> {
    let blank: HashSet<u64> = blank.iter().copied().collect();
    let mut rows = reader(content.as_bytes());
    let mut out = csv::Writer::from_writer(Vec::with_capacity(content.len()));
    let write_error = |e: csv::Error| AppError::internal(format!("rewriting an upload: {e}"));
    let mut record = csv::StringRecord::new();
    let mut index: Option<u64> = None;
    while rows.read_record(&mut record).map_err(|e| bad(format!("The file is not a readable CSV file: {e}")))? {
        if index.is_some_and(|i| blank.contains(&i)) {
            let cells: Vec<&str> =
                (0..record.len()).map(|at| if at == email_at { FORGOTTEN_MARK } else { "" }).collect();
            out.write_record(&cells).map_err(write_error)?;
        } else {
            out.write_record(&record).map_err(write_error)?;
        }
        index = Some(index.map_or(0, |i| i + 1));
    }
    let bytes = out.into_inner().map_err(|e| AppError::internal(format!("rewriting an upload: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::internal(format!("rewriting an upload: {e}")))
}

/// One data row: its spreadsheet number and its cells.
#[derive(Debug)]
pub struct Row {
    pub number: i64,
    pub cells: csv::StringRecord,
}

/// Reads a stored file's data rows in order, from any row on.
pub struct Rows {
    reader: csv::Reader<Cursor<Vec<u8>>>,
    pub header: Vec<String>,
    /// 0-based index of the next data row.
    next: i64,
}

impl Rows {
    pub fn open(content: String) -> Result<Self, AppError> {
        let mut reader =
            csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(Cursor::new(content.into_bytes()));
        let mut record = csv::StringRecord::new();
        let read = reader.read_record(&mut record).map_err(|e| AppError::internal(format!("stored upload: {e}")))?;
        if !read {
            return Err(AppError::internal("stored upload has no header"));
        }
        Ok(Self { reader, header: columns(&record), next: 0 })
    }

    /// Passes over rows already processed (after a restart).
    pub fn skip(&mut self, rows: i64) -> Result<(), AppError> {
        let mut record = csv::ByteRecord::new();
        while self.next < rows {
            if !self
                .reader
                .read_byte_record(&mut record)
                .map_err(|e| AppError::internal(format!("stored upload: {e}")))?
            {
                break;
            }
            self.next += 1;
        }
        Ok(())
    }

    /// The next data row's index (0-based): the count of rows read or skipped so far.
    pub fn position(&self) -> i64 {
        self.next
    }

    /// The addresses the rows' `email` cells give (for looking up a chunk's supporters at once).
    pub fn emails(&self, rows: &[Row]) -> Vec<crate::people::Email> {
        let Some(at) = self.header.iter().position(|c| c == "email") else {
            return vec![];
        };
        rows.iter().filter_map(|row| row.cells.get(at).and_then(crate::people::Email::parse)).collect()
    }

    /// Up to `max` further rows; empty at the end.
    pub fn chunk(&mut self, max: usize) -> Result<Vec<Row>, AppError> {
        let mut out = Vec::with_capacity(max);
        while out.len() < max {
            let mut cells = csv::StringRecord::new();
            if !self.reader.read_record(&mut cells).map_err(|e| AppError::internal(format!("stored upload: {e}")))? {
                break;
            }
            out.push(Row { number: self.next + 2, cells });
            self.next += 1;
        }
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn p14_header_needs_an_email_column_and_names_every_column() {
        let none = HashSet::new();
        let err = check(b"first_name,zip\nAda,12345\n".to_vec(), &none).unwrap_err();
        assert!(err.to_string().contains("no email column"), "{err}");
        assert!(check(b"".to_vec(), &none).unwrap_err().to_string().contains("empty"));
        assert!(check(b"email\n".to_vec(), &none).unwrap_err().to_string().contains("no rows"));
        assert!(check(b"email,Email\na@b.org,a@b.org\n".to_vec(), &none).unwrap_err().to_string().contains("twice"));
        let ok =
            check(b"\xEF\xBB\xBF Email ,First_Name\na@b.org,Ada\n\"c@d.org\",\"Li, \"\"Bo\"\"\"\n".to_vec(), &none)
                .unwrap();
        assert_eq!(ok.header, vec!["email", "first_name"]);
        assert_eq!(ok.total_rows, 2);
    }

    #[test]
    fn g4_forgotten_rows_are_blanked_before_the_file_is_stored() {
        let forgotten: HashSet<String> = [crate::gdpr::forget_hash("gone@example.org")].into();
        let ok = check(b"email,first_name\na@b.org,Ada\n GONE@example.org ,Secret\n".to_vec(), &forgotten).unwrap();
        assert_eq!(ok.forgotten_rows, 1);
        assert!(!ok.content.to_lowercase().contains("gone@"), "{}", ok.content);
        assert!(!ok.content.contains("Secret"));
        let mut rows = Rows::open(ok.content).unwrap();
        let chunk = rows.chunk(10).unwrap();
        assert_eq!(chunk.len(), 2);
        assert_eq!(chunk[1].number, 3);
        assert_eq!(chunk[1].cells.get(0), Some(FORGOTTEN_MARK));
    }

    /// Found by the `csv_import` fuzz target: vertical tabs are whitespace, so the address
    /// is the forgotten one and the row is blanked.
    #[test]
    fn g4_a_forgotten_address_with_vertical_tabs_is_blanked() {
        let forgotten: HashSet<String> = [crate::gdpr::forget_hash("gone@example.org")].into();
        let ok = check(b"email,zip\na@b.org,1\ngone@example.org\x0b\x0b,999\n".to_vec(), &forgotten).unwrap();
        assert_eq!(ok.forgotten_rows, 1);
        assert!(!ok.content.contains("gone@"), "{}", ok.content);
    }

    #[test]
    fn p14_rows_resume_from_any_row_and_bad_bytes_stay_in_their_row() {
        let ok = check(b"email\na@b.org\nb\xff@b.org\nc@b.org\n".to_vec(), &HashSet::new()).unwrap();
        let mut rows = Rows::open(ok.content).unwrap();
        rows.skip(1).unwrap();
        let chunk = rows.chunk(1).unwrap();
        assert_eq!((chunk[0].number, chunk[0].cells.get(0)), (3, Some("b\u{FFFD}@b.org")));
        assert_eq!(rows.chunk(5).unwrap().len(), 1);
        assert!(rows.chunk(5).unwrap().is_empty());
    }
}
