//! Git sources: what a repository is about to record or already holds.
//!
//! - [`staged`]: the index against HEAD, what `git commit` is about to record
//!   (read with our own [`index`] reader and the cache-tree [`tree_diff`], with
//!   [`renames`] paired);
//! - [`push`] and [`commits`]: the commits a push brings, each judged by the lines
//!   it adds against its parents;
//! - [`history`]: every distinct blob of a history once, attributed to the commit
//!   that introduced it;
//! - [`pack`]: many blobs read straight from the pack files, each object inflated
//!   once (what [`history`] reads with).
//!
//! Every changed file goes on as one chunk of its new content with the added
//! lines marked ([`lines`]); a new file as a whole chunk.

pub mod commits;
pub mod history;
pub mod index;
pub mod lines;
pub mod objects;
pub mod pack;
pub mod push;
pub mod refs;
pub mod renames;
pub mod staged;
pub mod tree_diff;
