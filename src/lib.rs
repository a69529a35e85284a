//! leakgate stops credentials and sensitive data from entering git history.
//!
//! Data flows one way, and the modules follow it:
//! [`source`] (staged change, pushed commits, history, files, stdin) → chunks →
//! [`decode`] (notebooks, encodings, archives) → [`engine`] (keyword prefilter,
//! regex, entropy, validators) → findings → [`allow`] (inline markers, baseline,
//! config allowlists) → [`report`] (human, JSON, ...) and an exit code. [`types`]
//! holds what every stage shares, [`rules`] what the engine looks for, [`config`]
//! what the user changed, [`pipeline`] wires the stages into the scans the commands
//! run, [`migrate`] converts other scanners' configs and baselines, [`hook`]
//! installs git hooks, and [`cli`] maps commands onto all of it.
//!
//! Each module imports only the ones before it in this order (a unit test holds
//! it): types, rules, source, decode, engine, allow, config, report, pipeline,
//! migrate, hook, cli.
#![deny(missing_docs)]

pub mod allow;
pub mod cli;
pub mod config;
pub mod decode;
pub mod detect;
pub mod engine;
pub mod hook;
#[cfg(test)]
mod layering;
pub mod migrate;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod source;
pub mod types;
