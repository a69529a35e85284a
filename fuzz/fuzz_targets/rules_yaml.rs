//! A user's rule file as `leakgate rules test` reads it: parse the YAML, check
//! each rule, prove its examples with the real engine. Any of it may refuse the
//! file; none of it may panic (a pattern that passed the checks must compile
//! when the engine first uses it).
#![no_main]

use leakgate::engine::{proof, Scanner};
use leakgate::rules;
use leakgate::types::{Chunk, Location, Origin, Rule};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(specs) = rules::parse_specs(text) else {
        return;
    };
    let mut accepted = Vec::new();
    for spec in specs.iter().take(8) {
        let _ = spec.lint();
        if proof::prove(spec, "fuzz").is_ok() {
            accepted.push(Rule::from_spec(spec, "fuzz").expect("prove accepted it"));
        }
    }
    // All accepted rules together over the whole file, as a custom rule set runs.
    let scanner = Scanner::new(accepted);
    let origin = Origin::new("rules.yaml", Location::File);
    let _ = scanner.scan(&Chunk::whole(origin.clone(), data));
    let _ = scanner.scan_path(&origin);
});
