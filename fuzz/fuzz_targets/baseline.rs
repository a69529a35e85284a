//! The baseline file: any bytes may be refused, none may panic, and a baseline
//! that parses renders to a document that parses back to the same entries.
#![no_main]

use leakgate::allow::baseline::Baseline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(base) = Baseline::parse(text) else {
        return;
    };
    let rendered = base.render();
    let again = Baseline::parse(&rendered).expect("a rendered baseline parses");
    assert_eq!(again.render(), rendered, "render is stable");
    assert_eq!(again.len(), base.len());
});
