//! Model file formats, identified by magic bytes ([`sniff`]) and opened as their
//! loaders open them, recursively (a pickle inside a zip inside a gzip): each
//! container adds a [`Layer`](crate::detect::Layer) to the place a finding is
//! in, and the [`Limits`](crate::detect::Limits) bound the depth, the entries
//! and the bytes decompressed.
//!
//! | format | how it is judged |
//! |---|---|
//! | pickle (`.pkl`, PyTorch legacy, joblib) | every stream, then embedded ones ([`crate::detect::pickle`]) |
//! | zip (PyTorch, `.npz`, `.keras`, any archive) | every entry ([`archive`], [`zip`](crate::decode::formats::zip)) |
//! | tar (PyTorch's oldest format) | every member ([`tar`](crate::decode::formats::tar)) |
//! | gzip, zlib, bzip2, xz, LZMA, LZ4, joblib's `ZF` | decompressed, bounded ([`compress`](crate::decode::formats::compress)) |
//!
//! The zip, tar and decompression readers belong to the decode stage
//! ([`crate::decode::formats`]), which opens archives for the rules with the
//! same code.
//! | `.npy` | an object array's data as pickles ([`numpy`]) |
//! | HDF5 (legacy Keras `.h5`) | the JSON configs in its attributes ([`hdf5`]) |
//! | Keras JSON config | Lambda layers, functions outside Keras ([`keras`]) |
//! | safetensors, GGUF | data: nothing runs |
//!
//! ONNX is protobuf with no magic; it is data too, and nothing here mistakes it
//! for a pickle (its first byte is no pickle opcode).

pub mod archive;
pub mod hdf5;
pub mod keras;
pub mod numpy;
pub mod sniff;

use crate::decode::formats::zip;
use crate::detect::{pickle, Ctx};
use sniff::Kind;

/// Judges `bytes` as whatever format they are; returns the format's name, or
/// `None` when they are no model format (nothing was judged).
pub(crate) fn judge(bytes: &[u8], ctx: &mut Ctx<'_>) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(sniff::HEAD)];
    let Some(kind) = sniff::sniff(head) else {
        return appended_zip(bytes, ctx);
    };
    let name = match kind {
        Kind::LfsPointer => {
            ctx.note("a Git LFS pointer: the content is not in git, so it was not judged".into());
            "git-lfs-pointer"
        }
        Kind::Data(name) => name,
        Kind::Zip => {
            archive::judge_zip(bytes, ctx);
            "zip"
        }
        Kind::Npy => {
            numpy::judge(bytes, ctx);
            "npy"
        }
        Kind::Compressed(c) => return archive::judge_compressed(c, bytes, ctx),
        Kind::Tar => {
            archive::judge_tar(bytes, ctx);
            "tar"
        }
        Kind::Hdf5(_) => {
            hdf5::judge(bytes, ctx);
            "hdf5"
        }
        Kind::KerasJson => {
            if !keras::judge_json(bytes, 0, ctx) {
                return None;
            }
            "keras-config"
        }
        Kind::Pickle | Kind::MaybePickle => {
            let proven = pickle::judge_streams(bytes, ctx);
            if !proven && kind == Kind::MaybePickle {
                return appended_zip(bytes, ctx);
            }
            if zip::has_end_record(bytes) {
                archive::judge_zip(bytes, ctx); // a zip appended to the pickle
            }
            "pickle"
        }
    };
    Some(name)
}

/// A zip after other bytes (a self-extracting stub, any prefix): `zipfile`, and
/// so Keras, find it by its end record. Only binary tails are searched, so text
/// costs nothing.
fn appended_zip(bytes: &[u8], ctx: &mut Ctx<'_>) -> Option<&'static str> {
    let tail = &bytes[bytes.len().saturating_sub(0xffff + 22)..];
    if memchr::memchr(0, tail).is_none() || !zip::has_end_record(bytes) {
        return None;
    }
    let archive = zip::Archive::parse(bytes)?;
    if archive.entries().is_empty() {
        return None;
    }
    archive::judge_zip(bytes, ctx);
    Some("zip")
}
