//! Readers of container formats: zip ([`zip`]), tar ([`tar`]) and compressed
//! streams ([`compress`]). They sit in the decode stage, below the detectors,
//! because two stages open archives: the decode stage reads them for the rules,
//! and the model detector (the `detect` stage, above this one) reads them as
//! model loaders do. One reader serves both, so an archive that one of them can
//! open the other can too, and a fix to a reader (a bomb, a malformed directory)
//! reaches both.
//!
//! The readers know nothing of rules, models or origins: they take bytes and a
//! byte limit and never read past the slice or decompress past the limit.

pub mod compress;
pub mod tar;
pub mod zip;
