//! leakgate stops credentials and sensitive data from entering git history.
//!
//! Data flows one way, and the modules follow it:
//! [`source`] (staged change, commits, files, stdin) → chunks → [`engine`]
//! (keyword prefilter, regex, entropy, validators) → findings → [`allow`] (inline
//! markers, baseline, config allowlists) → [`report`] (human, JSON, ...) and an exit
//! code. [`rules`] holds what the engine looks for; [`cli`] wires it to commands.
#![deny(missing_docs)]

pub mod engine;
pub mod rules;
pub mod source;
