//! NHTSA's dump as a local file: the `.plain.zip` as published, or the
//! `.sql` inside it, plain or gzipped. Always streamed: a few MB of buffers,
//! never the whole file.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::WantedTables;
use super::copy::CopyReader;
use super::hashing::{HashingReader, hash_reader};
use super::month::month_from_name;
use super::opened::Emitter;
use crate::{Error, Result};

/// Read buffer for files and decompressors.
const BUFFER: usize = 1 << 18;

/// How a dump file is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpKind {
    /// A zip archive holding the `.sql` (NHTSA's `.plain.zip`).
    Zip,
    /// A gzipped `.sql`.
    Gzip,
    /// A plain `.sql`.
    Plain,
}

impl DumpKind {
    /// The kind a file name says (`.zip`, `.sql.gz`, `.sql`), if any.
    ///
    /// ```
    /// use vin_db::etl::source::dump::DumpKind;
    /// assert_eq!(DumpKind::from_name("vPICList_lite_2026_08.plain.zip"), Some(DumpKind::Zip));
    /// assert_eq!(DumpKind::from_name("x.SQL.GZ"), Some(DumpKind::Gzip));
    /// assert_eq!(DumpKind::from_name("x.db"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".zip") {
            Some(DumpKind::Zip)
        } else if lower.ends_with(".sql.gz") {
            Some(DumpKind::Gzip)
        } else if lower.ends_with(".sql") {
            Some(DumpKind::Plain)
        } else {
            None
        }
    }
}

fn open_file(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| Error::Source(format!("cannot open {}: {e}", path.display())))
}

/// Reads the dump at `path` and sends its wanted tables.
/// `prehashed` is the zip's SHA-256 and size when the caller already has them.
pub(crate) fn read(
    path: &Path,
    kind: DumpKind,
    wanted: WantedTables,
    em: &Emitter,
    prehashed: Option<(String, u64)>,
) -> Result<()> {
    let label = path.display().to_string();
    let name_month = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(month_from_name);
    em.update(|s| s.info.data_month = name_month.clone());
    match kind {
        DumpKind::Plain => {
            let input = BufReader::with_capacity(BUFFER, HashingReader::new(open_file(path)?));
            let Some(copy) = pump(CopyReader::new(input, label, wanted), em)? else {
                return Ok(());
            };
            let (sha, size) = copy.into_inner().into_inner().finish()?;
            record_hash(em, sha, size);
        }
        DumpKind::Gzip => {
            let raw = BufReader::with_capacity(BUFFER, HashingReader::new(open_file(path)?));
            let input = BufReader::with_capacity(BUFFER, MultiGzDecoder::new(raw));
            let Some(copy) = pump(CopyReader::new(input, label, wanted), em)? else {
                return Ok(());
            };
            let (sha, size) = copy
                .into_inner()
                .into_inner()
                .into_inner()
                .into_inner()
                .finish()?;
            record_hash(em, sha, size);
        }
        DumpKind::Zip => {
            // The archive is read by seeking (its directory is at the end),
            // so the stored file is hashed in a pass of its own.
            let (sha, size) = match prehashed {
                Some(known) => known,
                None => hash_reader(BufReader::with_capacity(BUFFER, open_file(path)?))?,
            };
            record_hash(em, sha, size);
            let mut archive = zip::ZipArchive::new(BufReader::new(open_file(path)?))
                .map_err(|e| Error::Source(format!("{label} is not a complete zip file: {e}")))?;
            let index = sql_member(&archive)
                .ok_or_else(|| Error::Source(format!("{label}: the zip holds no file")))?;
            let member = archive
                .by_index(index)
                .map_err(|e| Error::Source(format!("{label}: cannot read the zip member: {e}")))?;
            let member_name = member.name().to_owned();
            if name_month.is_none() {
                let month = month_from_name(&member_name);
                em.update(|s| s.info.data_month = month);
            }
            let input = BufReader::with_capacity(BUFFER, member);
            pump(
                CopyReader::new(input, format!("{label}:{member_name}"), wanted),
                em,
            )?;
        }
    }
    Ok(())
}

/// The first member whose name ends in `.sql`, else the first member.
fn sql_member<R: Read + std::io::Seek>(archive: &zip::ZipArchive<R>) -> Option<usize> {
    (0..archive.len())
        .find(|&i| {
            archive
                .name_for_index(i)
                .is_some_and(|n| n.to_ascii_lowercase().ends_with(".sql"))
        })
        .or_else(|| (!archive.is_empty()).then_some(0))
}

fn record_hash(em: &Emitter, sha: String, size: u64) {
    em.update(|s| {
        s.info.sha256 = Some(sha);
        s.info.size = Some(size);
    });
}

/// Sends every event of `copy`, keeping the table lists current. Returns the
/// reader when it reached the end, `None` when the consumer went away.
fn pump<R: BufRead>(mut copy: CopyReader<R>, em: &Emitter) -> Result<Option<CopyReader<R>>> {
    let mut known_tables = 0;
    let mut known_skipped = 0;
    let mut month_seen = false;
    loop {
        let next = copy.next();
        if !month_seen && let Some(month) = copy.data_month() {
            // The file name, when it tells the month, wins over the comment.
            let month = month.to_owned();
            em.update(|s| {
                s.info.data_month.get_or_insert(month);
            });
            month_seen = true;
        }
        if copy.tables().len() != known_tables || copy.skipped().len() != known_skipped {
            known_tables = copy.tables().len();
            known_skipped = copy.skipped().len();
            let (tables, skipped) = (copy.tables().to_vec(), copy.skipped().to_vec());
            em.update(|s| {
                s.tables = tables;
                s.skipped = skipped;
            });
        }
        match next {
            None => return Ok(Some(copy)),
            Some(Err(e)) => return Err(e),
            Some(Ok(event)) => {
                if !em.send(event) {
                    return Ok(None);
                }
            }
        }
    }
}
