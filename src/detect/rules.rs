//! The rules of the model detector: one per [`Kind`](super::Kind), listed with
//! the bundled rules and configured like them (disable, severity, allowlists,
//! baselines).
