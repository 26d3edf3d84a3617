//! SHA-256 and size of a stored source file, computed by the reader that
//! reads it anyway.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

/// Wraps a reader and hashes every byte that passes through it.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    size: u64,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// Reads whatever is left (so the hash covers the whole file) and
    /// returns the hex SHA-256 and the byte count.
    pub fn finish(mut self) -> io::Result<(String, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        Ok((hex(&self.hasher.finalize()), self.size))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

/// SHA-256 (hex) and size of a whole reader.
pub(crate) fn hash_reader<R: Read>(reader: R) -> io::Result<(String, u64)> {
    HashingReader::new(reader).finish()
}

/// Lower-case hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_what_was_read_and_the_rest() {
        let data = b"abc".repeat(10_000);
        let mut r = HashingReader::new(&data[..]);
        let mut head = [0u8; 100];
        r.read_exact(&mut head).unwrap();
        let (sha, size) = r.finish().unwrap();
        assert_eq!(size, 30_000);
        assert_eq!(sha, hex(&Sha256::digest(&data)));
        // Known vector: SHA-256("abc").
        assert_eq!(
            hash_reader(&b"abc"[..]).unwrap().0,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
