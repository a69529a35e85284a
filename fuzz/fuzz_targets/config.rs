//! `.leakgate.yaml` as the hooks load it: parse, then build everything a scan
//! takes from it (rules, allow filters, decoders, the model detector, the
//! blocking policy). A bad config is an error with a place, never a panic.
#![no_main]

use leakgate::config::{self, Loaded};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = config::parse(text) else {
        return;
    };
    let loaded = Loaded::from_config(config, None, None);
    let _ = loaded.rules();
    let _ = loaded.allow();
    let _ = loaded.decoders();
    let _ = loaded.model_detector();
    let _ = loaded.fail_on();
});
