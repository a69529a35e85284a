//! leakgate stops credentials and sensitive data from entering git history.
//!
//! Data flows one way, and the modules follow it:
//! [`source`] (staged change, commits, files, stdin) → chunks → [`engine`]
//! (keyword prefilter, regex, entropy, validators) → findings → [`allow`] (inline
//! markers, baseline, config allowlists) → [`report`] (human, JSON, ...) and an exit
//! code. [`rules`] holds what the engine looks for, [`config`] what the user changed,
//! [`pipeline`] wires a source to the engine, [`hook`] installs git hooks, and
//! [`cli`] maps commands onto all of it.
#![deny(missing_docs)]

pub mod allow;
pub mod cli;
pub mod config;
pub mod detect;
pub mod engine;
pub mod hook;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod source;
