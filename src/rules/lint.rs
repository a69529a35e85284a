//! Precision lint for rule patterns: shapes that make a rule fire where it should not.
//!
//! Shared by the build script (a bundled rule that fails a check fails the build) and
//! `leakgate rules test` (a user rule that fails one is reported as a problem). Three
//! checks, each on the pattern's syntax tree (never on examples, which cannot show
//! what a pattern does on text nobody wrote):
//! - **newlines**: a pattern that can match `\n` lets a context gap run across lines
//!   (a vendor word on one line, an unrelated value three lines down). A rule whose
//!   format really spans lines (a PEM body, a YAML block) says so with
//!   `multiline: true`.
//! - **word start**: a pattern that begins with a word (a vendor name, a token prefix)
//!   must begin with a boundary (`\b`, `(?:\b|_)`, `^`, a delimiter class) or be a
//!   case-sensitive capitalised word (`Vendor`, a camelCase word start), or the word
//!   matches inside another word (`cohere` in `incoherent`).
//! - **pinned length**: a secret that ends in a bounded run (`[A-Za-z0-9]{36}`) must be
//!   followed by something that cannot continue the run (`\b`, `(?:[^A-Za-z0-9]|$)`),
//!   or the rule reports the first 36 characters of any longer string.
//!
//! A vendor word followed directly by a gap that can hold letters must also end on a
//! boundary (`cohere` then `[^\n]{0,40}` would take `coherent`).

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// Parses `pattern` the way the engine compiles it (bytes, Unicode off).
fn parse(pattern: &str) -> Option<Hir> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()
}

/// Every precision problem of a content pattern, as sentences that say what to do.
/// `multiline` is the rule's own claim that its format spans lines; `group` its
/// secret group (`None`: 1 when the pattern has a group, else the whole match).
pub fn lint_pattern(
    pattern: &str,
    multiline: bool,
    inside_words: bool,
    group: Option<usize>,
) -> Vec<String> {
    let Some(hir) = parse(pattern) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    if !multiline && matches_newline(&hir) {
        problems.push(
            "pattern can match a newline: use `[ \\t]` for `\\s`, `[^\\n]` for `(?s:.)`, add `\\n` \
             to negated classes, or set `multiline: true` if the format spans lines"
                .to_string(),
        );
    }
    if !inside_words && !starts_bounded(&hir) {
        problems.push(
            "pattern starts with a word and no boundary: begin with `\\b`, `(?:\\b|_)`, `^` or a \
             delimiter class so it cannot match inside another word"
                .to_string(),
        );
    }
    if !inside_words && context_word_runs_on(&hir) {
        problems.push(
            "the context word is followed by a gap that can hold letters: end it with \
             `(?:\\b|\\b{end-half}|_)` (or a delimiter) so it cannot match the start of a longer word"
                .to_string(),
        );
    }
    let group = group.unwrap_or(if hir.properties().explicit_captures_len() > 0 {
        1
    } else {
        0
    });
    if !length_pinned(&hir, group) {
        problems.push(
            "the secret ends in a bounded run that nothing pins: follow it with `\\b` or a class \
             it cannot continue into (`(?:[^\\nA-Za-z0-9]|(?m:$))`)"
                .to_string(),
        );
    }
    problems
}

/// Whether a pattern can match across lines (any part of it can match `\n`).
pub fn spans_lines(pattern: &str) -> bool {
    parse(pattern).is_some_and(|hir| matches_newline(&hir))
}

/// Whether any part of the pattern can match the byte `\n`.
fn matches_newline(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Literal(l) => l.0.contains(&b'\n'),
        HirKind::Class(c) => class_has(c, b'\n'),
        HirKind::Repetition(r) => matches_newline(&r.sub),
        HirKind::Capture(c) => matches_newline(&c.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(matches_newline),
        HirKind::Empty | HirKind::Look(_) => false,
    }
}

fn class_has(class: &Class, byte: u8) -> bool {
    match class {
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= byte && byte <= r.end()),
        Class::Unicode(c) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= byte as char && byte as char <= r.end()),
    }
}

/// A class written `[^...]`: a delimiter, whatever letters it lets through.
fn is_negated(class: &Class) -> bool {
    (0u8..=255).filter(|b| class_has(class, *b)).count() >= 128
}

fn class_has_any(class: &Class, bytes: impl IntoIterator<Item = u8>) -> bool {
    bytes.into_iter().any(|b| class_has(class, b))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Whether the pattern cannot begin a match in the middle of a word: its first
/// element is a boundary or anchor, a class or literal that starts with no letter
/// or digit, or (for alternations) every branch is so.
fn starts_bounded(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(_) => true,
        HirKind::Literal(l) => match l.0.as_ref() {
            [first, ..] if !is_word_byte(*first) => true,
            // A case-sensitive `Vendor`: a camelCase word start (`myVendorKey`).
            [first, second, ..] => first.is_ascii_uppercase() && second.is_ascii_lowercase(),
            _ => l.0.is_empty(),
        },
        HirKind::Class(c) => {
            is_negated(c)
                || !class_has_any(
                    c,
                    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        .iter()
                        .copied(),
                )
        }
        HirKind::Capture(c) => starts_bounded(&c.sub),
        HirKind::Repetition(r) => starts_bounded(&r.sub),
        HirKind::Alternation(v) => v.iter().all(starts_bounded),
        HirKind::Concat(v) => v.first().is_none_or(starts_bounded),
        HirKind::Empty => true,
    }
}

/// Whether the pattern opens with a word followed directly by an optional gap whose
/// class holds letters (`cohere` then `[^\n]{0,40}?`): the first repetition of the
/// top-level sequence is such a gap and what comes before it ends in a letter.
fn context_word_runs_on(hir: &Hir) -> bool {
    let HirKind::Concat(items) = hir.kind() else {
        return false;
    };
    let Some(gap) = items
        .iter()
        .position(|h| matches!(h.kind(), HirKind::Repetition(_)))
    else {
        return false;
    };
    gap > 0 && ends_in_letter(&items[gap - 1]) && gap_takes_letters(&items[gap])
}

fn ends_in_letter(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Literal(l) => l.0.last().is_some_and(|b| b.is_ascii_alphabetic()),
        HirKind::Class(c) => {
            let members: Vec<u8> = (0u8..=255).filter(|b| class_has(c, *b)).collect();
            !members.is_empty() && members.len() <= 2 && members.iter().all(u8::is_ascii_alphabetic)
        }
        HirKind::Capture(c) => ends_in_letter(&c.sub),
        HirKind::Alternation(v) => v.iter().any(ends_in_letter),
        HirKind::Concat(v) => v.last().is_some_and(ends_in_letter),
        _ => false,
    }
}

fn gap_takes_letters(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Repetition(r) if r.min == 0 => match r.sub.kind() {
            HirKind::Class(c) => (b'a'..=b'z').filter(|b| class_has(c, *b)).count() > 1,
            _ => false,
        },
        HirKind::Capture(c) => gap_takes_letters(&c.sub),
        _ => false,
    }
}

/// Whether the secret (capture `group`, 0 for the whole match) cannot stop inside a
/// longer run: if it ends in a bounded repetition of a class, what follows it must
/// not be able to continue that class.
fn length_pinned(hir: &Hir, group: usize) -> bool {
    if group == 0 {
        return match last_bounded_class(hir) {
            Some(class) => follow_pins(&class, &[]),
            None => true,
        };
    }
    pinned_in(hir, group, &[])
}

/// Walks to capture `group`, carrying what follows each node.
fn pinned_in(hir: &Hir, group: usize, follow: &[&Hir]) -> bool {
    match hir.kind() {
        HirKind::Capture(c) if c.index as usize == group => match last_bounded_class(&c.sub) {
            Some(class) => follow_pins(&class, follow),
            None => true,
        },
        HirKind::Capture(c) => pinned_in(&c.sub, group, follow),
        HirKind::Repetition(r) => pinned_in(&r.sub, group, follow),
        HirKind::Alternation(v) => v.iter().all(|h| pinned_in(h, group, follow)),
        HirKind::Concat(v) => (0..v.len()).all(|i| {
            let mut next: Vec<&Hir> = v[i + 1..].iter().collect();
            next.extend_from_slice(follow);
            pinned_in(&v[i], group, &next)
        }),
        _ => true,
    }
}

/// The class of the bounded repetition a pattern ends with, if it does.
fn last_bounded_class(hir: &Hir) -> Option<Class> {
    match hir.kind() {
        HirKind::Repetition(r) if r.max.is_some_and(|m| m >= 2) => match r.sub.kind() {
            HirKind::Class(c) if is_token_alphabet(c) => Some(c.clone()),
            _ => None,
        },
        HirKind::Capture(c) => last_bounded_class(&c.sub),
        HirKind::Concat(v) => v.last().and_then(last_bounded_class),
        _ => None,
    }
}

/// Whether a class is a token alphabet (printable, no space, at most 80 bytes), as
/// opposed to an "anything but a delimiter" class, which a value does not continue past
/// by design.
fn is_token_alphabet(class: &Class) -> bool {
    let members: Vec<u8> = (0u8..=255).filter(|b| class_has(class, *b)).collect();
    members.len() <= 80 && members.iter().all(|b| b.is_ascii_graphic())
}

/// Whether the text that `follow` requires right after a run of `class` cannot
/// itself start with a byte of `class`.
fn follow_pins(class: &Class, follow: &[&Hir]) -> bool {
    let Some((first, rest)) = follow.split_first() else {
        return false;
    };
    match first.kind() {
        HirKind::Empty => follow_pins(class, rest),
        HirKind::Look(look) => matches!(
            look,
            Look::WordAscii
                | Look::WordUnicode
                | Look::End
                | Look::EndLF
                | Look::EndCRLF
                | Look::WordEndAscii
                | Look::WordEndUnicode
                | Look::WordEndHalfAscii
                | Look::WordEndHalfUnicode
        ),
        HirKind::Literal(l) => l.0.first().is_none_or(|b| !class_has(class, *b)),
        HirKind::Class(c) => !overlaps(class, c),
        HirKind::Capture(c) => {
            let mut next = vec![c.sub.as_ref()];
            next.extend_from_slice(rest);
            follow_pins(class, &next)
        }
        HirKind::Concat(v) => {
            let mut next: Vec<&Hir> = v.iter().collect();
            next.extend_from_slice(rest);
            follow_pins(class, &next)
        }
        HirKind::Alternation(v) => v.iter().all(|h| {
            let mut next = vec![h];
            next.extend_from_slice(rest);
            follow_pins(class, &next)
        }),
        HirKind::Repetition(r) => {
            let mut with = vec![r.sub.as_ref()];
            with.extend_from_slice(rest);
            follow_pins(class, &with) && (r.min > 0 || follow_pins(class, rest))
        }
    }
}

fn overlaps(a: &Class, b: &Class) -> bool {
    (0u8..=255).any(|byte| class_has(a, byte) && class_has(b, byte))
}

/// Whether every match of `pattern` starts with one of `keywords` at the start of a
/// word: after a boundary (`\b`, `^`) or a delimiter the pattern itself requires
/// (`_`, a quote), or as a case-sensitive camelCase word (`Vendor` in `myVendorKey`),
/// never right after a letter or digit otherwise. When it does, the prefilter can
/// ignore a keyword hit inside a longer word (`wise` in `otherwise`, `mend` in
/// `recommend`) and the rule's regex never runs for it. Worked out on the pattern's
/// leading literals, case-folded; `false` whenever they are not a finite set that
/// proves it (a pattern may then match a keyword inside a word, and every hit counts).
pub fn keywords_start_words(pattern: &str, keywords: &[String]) -> bool {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let Some(hir) = parse(pattern) else {
        return false;
    };
    let folded = fold(&hir);
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&folded);
    let Some(literals) = seq.literals() else {
        return false;
    };
    let keywords: Vec<Vec<u8>> = keywords
        .iter()
        .map(|k| k.to_ascii_lowercase().into_bytes())
        .collect();
    !literals.is_empty()
        && literals
            .iter()
            .all(|l| starts_with_bounded_keyword(l.as_bytes(), &keywords))
}

/// Stands for a look-around that puts a non-word byte (or the start of the text)
/// before the match: not a letter or digit, and no pattern contains it.
const BOUNDARY: u8 = 0;

/// Marks a case-sensitive literal that starts with an upper-case letter then a
/// lower-case one (`Vendor`): a camelCase word start, which the prefilter accepts
/// after any byte.
const CAMEL: u8 = 1;

/// Whether a leading literal is a run of non-word bytes (at least one, or a keyword
/// that starts with one) followed by a keyword.
fn starts_with_bounded_keyword(literal: &[u8], keywords: &[Vec<u8>]) -> bool {
    let lead = literal
        .iter()
        .take_while(|b| !b.is_ascii_alphanumeric())
        .count();
    keywords.iter().any(|k| {
        (0..=lead).any(|i| {
            literal[i..].starts_with(k)
                && (i > 0 || k.first().is_some_and(|b| !b.is_ascii_alphanumeric()))
        })
    })
}

/// The pattern in lower case, with each look-around that guarantees a non-word byte
/// before it (`\b`, `\b{start}`, `^`) written as the [`BOUNDARY`] byte and each
/// camelCase literal led by [`CAMEL`], so that the literal extractor sees them.
fn fold(hir: &Hir) -> Hir {
    use regex_syntax::hir::{Capture, Repetition};
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) => match l.0.as_ref() {
            [first, second, ..] if first.is_ascii_uppercase() && second.is_ascii_lowercase() => {
                Hir::literal([&[CAMEL][..], &l.0.to_ascii_lowercase()].concat())
            }
            _ => Hir::literal(l.0.to_ascii_lowercase()),
        },
        HirKind::Class(c) => Hir::class(fold_class(c)),
        HirKind::Look(look) => match look {
            Look::Start
            | Look::StartLF
            | Look::StartCRLF
            | Look::WordAscii
            | Look::WordStartAscii
            | Look::WordStartHalfAscii => Hir::literal([BOUNDARY]),
            other => Hir::look(*other),
        },
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(fold(&r.sub)),
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            index: c.index,
            name: c.name.clone(),
            sub: Box::new(fold(&c.sub)),
        }),
        HirKind::Concat(v) => Hir::concat(v.iter().map(fold).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(fold).collect()),
    }
}

/// A class with its upper-case letters replaced by lower-case ones.
fn fold_class(class: &Class) -> Class {
    use regex_syntax::hir::{ClassBytes, ClassBytesRange};
    let bytes = (0u8..=255)
        .filter(|b| class_has(class, *b))
        .map(|b| b.to_ascii_lowercase());
    Class::Bytes(ClassBytes::new(bytes.map(|b| ClassBytesRange::new(b, b))))
}

#[cfg(test)]
mod tests {
    use super::{keywords_start_words, lint_pattern};

    fn problems(p: &str) -> usize {
        lint_pattern(p, false, false, None).len()
    }

    #[test]
    fn bounded_pinned_patterns_pass() {
        assert_eq!(problems(r"\b(ghp_[A-Za-z0-9]{36})\b"), 0);
        assert_eq!(
            problems(r"(?:\b|_)(?i:cohere)(?:\b|_)[^\n]{0,40}?[=:][ \t]{0,4}([A-Za-z0-9]{40})\b"),
            0
        );
        assert_eq!(problems(r#"-----BEGIN ([A-Z]{20,})"#), 0);
    }

    #[test]
    fn newline_gaps_are_flagged_unless_multiline() {
        assert_eq!(problems(r"\bkey\s*=\s*([a-z0-9]{20,})"), 1);
        assert_eq!(problems(r#"\bkey=([^"]{20,})""#), 1);
        assert_eq!(
            lint_pattern(r"\bkey\s*=\s*([a-z0-9]{20,})", true, false, None).len(),
            0
        );
    }

    #[test]
    fn unbounded_words_are_flagged() {
        assert_eq!(problems(r"(?i:cohere)[^\n]{0,40}?=([a-z0-9]{40,})"), 2);
        assert_eq!(problems(r"(ghp_[A-Za-z0-9]{36,})"), 1);
    }

    #[test]
    fn unpinned_lengths_are_flagged() {
        assert_eq!(problems(r"\b(ghp_[A-Za-z0-9]{36})"), 1);
        assert_eq!(problems(r"\b(ghp_[A-Za-z0-9]{36})[A-Z]?"), 1);
        assert_eq!(problems(r#"\b(ghp_[A-Za-z0-9]{36})["']?\b"#), 0);
        assert_eq!(problems(r"\bghp_[A-Za-z0-9]{36}"), 1);
        assert_eq!(
            problems(r"(?:\b|_)(?:(?i:acme)|Acme)_key=([a-z0-9]{8,})"),
            0
        );
        assert_eq!(problems(r"(?:acme|Acme)_key=([a-z0-9]{8,})"), 1);
    }

    #[test]
    fn keywords_that_start_words() {
        let kw = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let wise = r#"(?:\b|_)(?i:wise|transferwise)(?:\b|_)[^\n]{0,20}?token[=:]([0-9a-f]{32})\b"#;
        assert!(
            !keywords_start_words(wise, &kw(&["wise"])),
            "transferwise holds wise mid-word"
        );
        assert!(keywords_start_words(wise, &kw(&["wise", "transferwise"])));
        assert!(keywords_start_words(
            r"\b(ghp_[A-Za-z0-9]{36})\b",
            &kw(&["ghp_"])
        ));
        assert!(keywords_start_words(
            r#"["'](?i:acme)_key=([a-z0-9]{8,})"#,
            &kw(&["acme"])
        ));
        // No boundary before the word, or an optional one: any hit counts.
        assert!(!keywords_start_words(
            r"(?i)cohere_key=([a-z0-9]{8,})",
            &kw(&["cohere"])
        ));
        assert!(!keywords_start_words(
            r"(?:\b|_)?cohere=([a-z0-9]{8,})",
            &kw(&["cohere"])
        ));
        assert!(!keywords_start_words(
            r"\b(?i:acme)_key=([a-z0-9]{8,})",
            &kw(&["key"])
        ));
        // A case-sensitive camelCase start is a word start too.
        let camel = r"(?:(?:\b|_)(?i:acme)|Acme)_?key=([a-z0-9]{8,})";
        assert!(keywords_start_words(camel, &kw(&["acme"])));
        assert!(!keywords_start_words(
            r"(?:\b(?i:acme)|ACME)_key=([a-z0-9]{8,})",
            &kw(&["acme"])
        ));
        // A keyword that starts with a delimiter needs nothing before it.
        assert!(keywords_start_words(r"(://[a-z]+)", &kw(&["://"])));
    }
}
