//! Makes echoed text safe for a terminal: control characters, bidirectional
//! overrides and zero-width characters are replaced, so a crafted file name or line
//! cannot rewrite the screen or hide what it shows.

/// `text` with every control, bidirectional or zero-width character replaced by `�`
/// (tabs are kept: they are layout, and the caller aligns with them).
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if unsafe_char(c) { '\u{FFFD}' } else { c })
        .collect()
}

fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c,
            '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{FEFF}'              // zero-width no-break space
            | '\u{061C}'              // Arabic letter mark
        )
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn strips_escape_bidi_and_zero_width() {
        assert_eq!(clean("a\x1b[2Jb"), "a\u{FFFD}[2Jb");
        assert_eq!(clean("x\u{202E}y\u{200B}z"), "x\u{FFFD}y\u{FFFD}z");
        assert_eq!(clean("tab\tok é"), "tab\tok é");
    }
}
