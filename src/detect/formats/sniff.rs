//! Formats by their magic bytes, never by a file's extension: a pickle renamed
//! `weights.safetensors` is still a pickle, and loaders look at bytes too
//! (`torch.load` tests for `PK\x03\x04`, `numpy.load` for `\x93NUMPY` and zip
//! magic, `joblib.load` for compressor magic).
//!
//! [`sniff`] needs only the first bytes ([`HEAD`]), so an archive entry is
//! inflated in full only when its head says it is worth judging.

/// How many leading bytes [`sniff`] looks at.
pub const HEAD: usize = 4096;

pub use crate::decode::formats::compress::Compression;

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A Git LFS pointer: the content lives outside git.
    LfsPointer,
    /// A format that is data only and loads no code: safetensors, GGUF.
    Data(&'static str),
    /// A zip archive (PyTorch, `.npz`, `.keras`, nested archives).
    Zip,
    /// A NumPy `.npy` file.
    Npy,
    /// Compressed bytes (joblib's compressors, `.gz`).
    Compressed(Compression),
    /// A POSIX tar archive (PyTorch's oldest format).
    Tar,
    /// HDF5 (legacy Keras `.h5`), with the offset of its signature.
    Hdf5(usize),
    /// A Keras model config in JSON.
    KerasJson,
    /// A binary pickle (`PROTO` 0-5 first).
    Pickle,
    /// Starts with a pickle opcode: a protocol 0/1 pickle, or any text. Judged as
    /// a pickle; it counts only if it proves to be one.
    MaybePickle,
}

const HDF5_MAGIC: &[u8] = b"\x89HDF\r\n\x1a\n";

/// What `head` (the first bytes of a file) says the file is; `None` for
/// anything that is not a model format.
pub fn sniff(head: &[u8]) -> Option<Kind> {
    if super::super::is_lfs_pointer(head) {
        return Some(Kind::LfsPointer);
    }
    if let Some(kind) = binary_magic(head) {
        return Some(kind);
    }
    if let Some(at) = [0usize, 512, 1024, 2048]
        .into_iter()
        .find(|&at| head.get(at..at + 8) == Some(HDF5_MAGIC))
    {
        return Some(Kind::Hdf5(at));
    }
    if head.get(257..262) == Some(b"ustar") {
        return Some(Kind::Tar);
    }
    if is_keras_json(head) {
        return Some(Kind::KerasJson);
    }
    match head {
        [0x80, 0..=5, ..] => Some(Kind::Pickle),
        [b, ..] if crate::detect::pickle::opcodes::is_opcode(*b) => Some(Kind::MaybePickle),
        _ => None,
    }
}

fn binary_magic(head: &[u8]) -> Option<Kind> {
    let kind = match head {
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] | [b'P', b'K', 7, 8, b'P', b'K', ..] => {
            Kind::Zip
        }
        [0x93, b'N', b'U', b'M', b'P', b'Y', ..] => Kind::Npy,
        [b'G', b'G', b'U', b'F', ..] => Kind::Data("gguf"),
        [0x1f, 0x8b, ..] => Kind::Compressed(Compression::Gzip),
        [b'B', b'Z', b'h', b'1'..=b'9', ..] => Kind::Compressed(Compression::Bzip2),
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Kind::Compressed(Compression::Xz),
        [0x5d, 0, 0, ..] => Kind::Compressed(Compression::Lzma),
        [0x04, 0x22, 0x4d, 0x18, ..] => Kind::Compressed(Compression::Lz4),
        [b'Z', b'F', b'0', b'x', ..] => Kind::Compressed(Compression::JoblibZfile),
        [0x78, b, ..] if (0x7800u16 | *b as u16).is_multiple_of(31) => {
            Kind::Compressed(Compression::Zlib)
        }
        _ if is_safetensors(head) => Kind::Data("safetensors"),
        _ => return None,
    };
    Some(kind)
}

/// safetensors: an 8-byte little-endian header length, then a JSON object.
fn is_safetensors(head: &[u8]) -> bool {
    let Some(len) = head.get(..8) else {
        return false;
    };
    let len = u64::from_le_bytes(len.try_into().expect("8 bytes"));
    len > 1 && len < 100 << 20 && head.get(8) == Some(&b'{') && head.get(9) == Some(&b'"')
}

/// A JSON object that names a Keras class near its start (`{"class_name": ...`,
/// `{"module": "keras", "class_name": ...`).
fn is_keras_json(head: &[u8]) -> bool {
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    start.is_some_and(|i| head[i] == b'{')
        && memchr::memmem::find(head, b"\"class_name\"").is_some()
        && memchr::memmem::find(head, b"\"config\"").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(sniff(b"\x93NUMPY\x01\x00"), Some(Kind::Npy));
        assert_eq!(sniff(b"\x80\x04\x95"), Some(Kind::Pickle));
        assert_eq!(sniff(b"cos\nsystem\n"), Some(Kind::MaybePickle));
        assert_eq!(
            sniff(b"\x1f\x8b\x08"),
            Some(Kind::Compressed(Compression::Gzip))
        );
        assert_eq!(
            sniff(b"\x78\x9c"),
            Some(Kind::Compressed(Compression::Zlib))
        );
        assert_eq!(sniff(b"\x78\x9d"), None);
        assert_eq!(sniff(b"GGUF\x03\0\0\0"), Some(Kind::Data("gguf")));
        assert_eq!(
            sniff(b"\x0d\0\0\0\0\0\0\0{\"a\":1}"),
            Some(Kind::Data("safetensors"))
        );
        assert_eq!(sniff(b"\x89HDF\r\n\x1a\n"), Some(Kind::Hdf5(0)));
        assert_eq!(
            sniff(b"{\"class_name\": \"Sequential\", \"config\": {}}"),
            Some(Kind::KerasJson)
        );
        assert_eq!(sniff(b"{\"a\": 1}"), None);
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(
            sniff(b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 3\n"),
            Some(Kind::LfsPointer)
        );
    }
}
