//! Uploaded files on disk: streamed in under a size limit, then inspected once (encoding,
//! delimiter, header, row count, per-column fill and samples). Anything that is not UTF-8 is
//! rewritten as UTF-8 next to the upload, so the importer can always seek to a byte offset and
//! resume there. Erasure searches the files still on disk for a person ([`files_naming`]).
//!
//! Everything here is blocking file work: call it from `web::block` / `spawn_blocking`.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use tenure_domain::import::sniff::{
    TextEncoding, bom, looks_like_header, numbered_headers, sniff_delimiter, unique_headers,
};

/// The largest upload accepted.
pub const MAX_UPLOAD_BYTES: u64 = 512 * 1024 * 1024;
/// Rows kept as the sample.
const SAMPLE_ROWS: usize = 5;
/// Non-empty values kept per column.
const SAMPLE_VALUES: usize = 3;

/// What the inspection found.
#[derive(Debug, Clone)]
pub struct Inspected {
    /// The UTF-8 file the importer reads (the upload itself when it was UTF-8 already).
    pub path: PathBuf,
    pub encoding: TextEncoding,
    pub delimiter: u8,
    pub has_header: bool,
    pub headers: Vec<String>,
    pub sample: Vec<Vec<String>>,
    /// Per column: non-empty values among the data rows.
    pub filled: Vec<u64>,
    /// Per column: the first few non-empty values.
    pub samples: Vec<Vec<String>>,
    pub total_rows: u64,
    /// Byte offset of the first data record in `path`.
    pub data_offset: u64,
}

/// Why a file cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file has no data rows under its header")]
    NoRows,
    #[error("the file is not CSV: {0}")]
    NotCsv(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Inspects the upload at `upload`; `has_header` overrides the header guess.
pub fn inspect(upload: &Path, has_header: Option<bool>) -> Result<Inspected, FileError> {
    let mut head = vec![0u8; 64 * 1024];
    let n = read_up_to(&mut File::open(upload)?, &mut head)?;
    head.truncate(n);
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::Empty);
    }
    let (mut encoding, mut start) = match bom(&head) {
        Some((e, len)) => (e, len as u64),
        None => (TextEncoding::Utf8, 0),
    };
    let mut path = upload.to_path_buf();
    if encoding == TextEncoding::Utf8 && !is_utf8(upload, start)? {
        encoding = TextEncoding::Windows1252;
    }
    if encoding != TextEncoding::Utf8 {
        path = upload.with_extension("utf8.csv");
        transcode(upload, &path, encoding, start)?;
        start = 0;
    }
    let text_head = {
        let mut buf = vec![0u8; 64 * 1024];
        let mut file = File::open(&path)?;
        file.seek(SeekFrom::Start(start))?;
        let n = read_up_to(&mut file, &mut buf)?;
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    let delimiter = sniff_delimiter(&text_head);
    let mut reader = reader_at(&path, delimiter, start)?;
    let mut record = csv::StringRecord::new();
    if !reader
        .read_record(&mut record)
        .map_err(|e| FileError::NotCsv(e.to_string()))?
    {
        return Err(FileError::Empty);
    }
    let first: Vec<String> = record.iter().map(str::to_owned).collect();
    let has_header = has_header.unwrap_or_else(|| looks_like_header(&first));
    let (headers, data_offset) = if has_header {
        (unique_headers(&first), reader.position().byte())
    } else {
        (numbered_headers(first.len()), start)
    };
    let mut reader = reader_at(&path, delimiter, data_offset)?;
    let mut inspected = Inspected {
        path,
        encoding,
        delimiter,
        has_header,
        filled: vec![0; headers.len()],
        samples: vec![Vec::new(); headers.len()],
        headers,
        sample: Vec::new(),
        total_rows: 0,
        data_offset,
    };
    let mut row = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(FileError::NotCsv(e.to_string())),
        }
        inspected.total_rows += 1;
        let cells: Vec<&str> = row
            .iter()
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect();
        if inspected.sample.len() < SAMPLE_ROWS {
            inspected
                .sample
                .push(cells.iter().map(|c| (*c).to_owned()).collect());
        }
        for (i, cell) in cells.iter().enumerate().take(inspected.headers.len()) {
            let cell = cell.trim();
            if !cell.is_empty() {
                inspected.filled[i] += 1;
                if inspected.samples[i].len() < SAMPLE_VALUES {
                    inspected.samples[i].push(cell.to_owned());
                }
            }
        }
    }
    if inspected.total_rows == 0 {
        return Err(FileError::NoRows);
    }
    Ok(inspected)
}

/// A CSV reader over `path` positioned at `offset` (a record boundary). Records may have more
/// or fewer cells than the header; the importer treats missing cells as empty.
pub fn reader_at(path: &Path, delimiter: u8, offset: u64) -> std::io::Result<csv::Reader<File>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(File::open(path)?);
    let mut position = csv::Position::new();
    position.set_byte(offset);
    reader.seek(position).map_err(std::io::Error::other)?;
    Ok(reader)
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Whether the file from `start` on is valid UTF-8 (checked in chunks, carrying a sequence cut
/// at a chunk's end into the next).
fn is_utf8(path: &Path, start: u64) -> std::io::Result<bool> {
    let mut file = BufReader::with_capacity(1 << 20, File::open(path)?);
    file.seek(SeekFrom::Start(start))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut carry = 0usize;
    loop {
        let n = file.read(&mut buf[carry..])?;
        if n == 0 {
            return Ok(carry == 0);
        }
        let len = carry + n;
        match std::str::from_utf8(&buf[..len]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..len, 0);
                carry = len - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

/// Rewrites `from` (from byte `start`, past any byte-order mark) as UTF-8 into `to`.
fn transcode(from: &Path, to: &Path, encoding: TextEncoding, start: u64) -> std::io::Result<()> {
    let codec = match encoding {
        TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
        TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
        TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252,
        TextEncoding::Utf8 => encoding_rs::UTF_8,
    };
    let mut decoder = codec.new_decoder_without_bom_handling();
    let mut input = BufReader::with_capacity(1 << 20, File::open(from)?);
    input.seek(SeekFrom::Start(start))?;
    let mut output = BufWriter::with_capacity(1 << 20, File::create(to)?);
    let mut buf = vec![0u8; 1 << 20];
    let mut out = String::with_capacity(3 << 20);
    loop {
        let n = input.read(&mut buf)?;
        let last = n == 0;
        let mut consumed = 0;
        loop {
            out.clear();
            out.reserve(
                decoder
                    .max_utf8_buffer_length(n - consumed)
                    .unwrap_or(4 << 20),
            );
            let (result, read, _) = decoder.decode_to_string(&buf[consumed..n], &mut out, last);
            consumed += read;
            output.write_all(out.as_bytes())?;
            if result == encoding_rs::CoderResult::InputEmpty {
                break;
            }
        }
        if last {
            break;
        }
    }
    output.flush()
}

/// The staged files with a cell naming the person (read as CSV with each job's delimiter, so a
/// match is a whole cell, never part of one). Unreadable files are skipped with a warning.
pub fn files_naming(
    staged: &[tenure_store::erasure::StagedFile],
    subject: &tenure_store::erasure::ErasureSubject,
) -> Vec<tenure_store::erasure::StagedFile> {
    let longest = subject
        .identifiers
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0);
    staged
        .iter()
        .filter(|file| {
            let path = std::path::Path::new(&file.file_path);
            if !path.exists() {
                return false;
            }
            let reader = match reader_at(path, file.delimiter_byte(), 0) {
                Ok(reader) => reader,
                Err(err) => {
                    tracing::warn!(error = %err, path = %file.file_path, "staged file unreadable");
                    return false;
                }
            };
            reader.into_byte_records().any(|record| {
                record.is_ok_and(|record| {
                    record.iter().any(|cell| {
                        cell.len() <= longest + 64
                            && std::str::from_utf8(cell).is_ok_and(|c| subject.matches(c))
                    })
                })
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tenure-file-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    #[test]
    fn windows_1252_is_rewritten_as_utf8() {
        let path = write("a.csv", b"Name;City\nM\xfcller GmbH;K\xf6ln\n");
        let found = inspect(&path, None).expect("inspect");
        assert_eq!(found.encoding, TextEncoding::Windows1252);
        assert_eq!(found.delimiter, b';');
        assert_eq!(found.sample[0], ["Müller GmbH", "Köln"]);
    }

    #[test]
    fn utf16_with_bom() {
        let text = "Name,Email\r\nÅsa AB,a@x.example\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let found = inspect(&write("b.csv", &bytes), None).expect("inspect");
        assert_eq!(found.encoding, TextEncoding::Utf16Le);
        assert_eq!(found.headers, ["Name", "Email"]);
        assert_eq!(found.sample[0][0], "Åsa AB");
    }

    #[test]
    fn utf8_bom_header_offsets_and_no_header() {
        let found =
            inspect(&write("c.csv", b"\xEF\xBB\xBFName\n\"A\nB\"\n\nC\n"), None).expect("inspect");
        assert_eq!(found.headers, ["Name"]);
        assert_eq!(found.total_rows, 2);
        assert_eq!(found.data_offset, 8);
        let bare = inspect(&write("d.csv", b"Acme,1\nBeta,2\n"), None).expect("inspect");
        assert!(!bare.has_header);
        assert_eq!(bare.headers, ["Column 1", "Column 2"]);
        assert_eq!(bare.total_rows, 2);
        assert!(matches!(
            inspect(&write("e.csv", b" \n"), None),
            Err(FileError::Empty)
        ));
    }
}
