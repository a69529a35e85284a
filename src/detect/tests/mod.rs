//! The detector against real files: one malicious file per technique, and the
//! benign twin of each format.

mod formats;
mod pickles;
