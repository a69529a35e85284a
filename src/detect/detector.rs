//! The model detector as the pipeline runs it: the active model rules, the
//! policy from the config, and the detector's findings turned into ordinary
//! [`Finding`]s that reports, baselines and allowlists handle like any other.
//!
//! A model finding has no line: it is reported at line 1 of the file, with the
//! place inside the file (`model.pt!/archive/data.pkl`), the opcode offset, the
//! callable and why it is dangerous as its shown line. Its "secret" is the place
//! and the callable (`archive/data.pkl: posix.system`): public text that reports
//! show whole, and the key of its fingerprint, so a baseline entry accepts one
//! callable in one file and nothing else.

use super::{display_chain, judge, Kind, Layer, Policy};
use crate::types::{
    fingerprint, FileJudge, FileVerdict, Finding, Layer as OriginLayer, LayerKind, Origin,
    Placement, Rule, SkipReason,
};
use std::sync::Arc;

/// The model detector with its rules.
pub struct Detector {
    rules: Vec<(Kind, Arc<Rule>)>,
    policy: Policy,
}

impl Detector {
    /// A detector reporting `rules` (the active model rules, with the severities
    /// the config sets) under `policy`. `None` when no model rule is active.
    pub fn new(rules: Vec<Rule>, policy: Policy) -> Option<Detector> {
        let rules: Vec<(Kind, Arc<Rule>)> = rules
            .into_iter()
            .filter_map(|r| {
                let kind = Kind::ALL.into_iter().find(|k| k.rule_id() == r.id)?;
                Some((kind, Arc::new(r)))
            })
            .collect();
        (!rules.is_empty()).then_some(Detector { rules, policy })
    }

    fn rule(&self, kind: Kind) -> Option<&Arc<Rule>> {
        self.rules.iter().find(|(k, _)| *k == kind).map(|(_, r)| r)
    }
}

impl FileJudge for Detector {
    fn judge(&self, origin: &Arc<Origin>, bytes: &[u8]) -> FileVerdict {
        let verdict = judge(bytes, &self.policy);
        let mut out = FileVerdict {
            recognised: verdict.format.is_some(),
            ..FileVerdict::default()
        };
        if verdict.format == Some("git-lfs-pointer") {
            out.skipped
                .push((SkipReason::LfsPointer, origin.path.clone()));
            out.recognised = false;
            return out;
        }
        for f in &verdict.findings {
            if let Some(rule) = self.rule(f.kind) {
                out.findings.push(finding(rule, origin, f));
            }
        }
        for why in &verdict.unjudged {
            let place = format!("{}!/{why}", origin.path);
            out.skipped.push((SkipReason::NotJudged, place));
        }
        out
    }
}

/// The place inside the file, without the file's own path.
fn inner(layers: &[Layer]) -> String {
    let chain = display_chain("", layers);
    chain
        .strip_prefix("!/")
        .or_else(|| chain.strip_prefix(" -> "))
        .unwrap_or(&chain)
        .to_string()
}

/// The file's origin with one layer per step inside it, and the byte the
/// finding sits at last: `model.pt!/archive/data.pkl at byte 84`.
fn inside(origin: &Origin, f: &super::Finding) -> Arc<Origin> {
    let mut out = origin.clone();
    let steps = f.layers.iter().map(|layer| match layer {
        Layer::Entry(path) => LayerKind::ArchiveEntry { path: path.clone() },
        Layer::Step(what) => LayerKind::Part { what: what.clone() },
    });
    let at = f.offset.map(|offset| LayerKind::Offset { offset });
    out.layers.extend(steps.chain(at).map(|kind| OriginLayer {
        kind,
        at: Placement::Unknown,
    }));
    Arc::new(out)
}

fn finding(rule: &Arc<Rule>, origin: &Arc<Origin>, f: &super::Finding) -> Finding {
    let place = inner(&f.layers);
    let secret = if place.is_empty() {
        f.callable.clone()
    } else {
        format!("{place}: {}", f.callable)
    };
    let origin = inside(origin, f);
    let lead = format!("{}: ", origin.describe());
    let line = format!("{lead}{}: {}", f.callable, f.why);
    let span = (lead.len(), lead.len() + f.callable.len());
    Finding {
        rule: rule.clone(),
        fingerprint: fingerprint(&rule.id, &rule.family, &origin.path, secret.as_bytes()),
        origin,
        line: 1,
        column: 1,
        end_column: 1,
        secret: secret.into_bytes(),
        line_text: line.into_bytes(),
        secret_span: span,
        allow_context: Vec::new(),
        other_spans: Vec::new(),
        also_lines: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Location;

    #[test]
    fn findings_name_the_place_the_callable_and_why() {
        let d = Detector::new(super::super::rules::all(), Policy::default()).unwrap();
        let origin = Origin::new("m/model.pt", Location::File);
        let zip = crate::decode::formats::zip::tests::build(
            b"",
            &[(
                "archive/data.pkl",
                b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00id\x85R.",
                0,
                0,
            )],
        );
        let v = d.judge(&origin, &zip);
        assert!(v.recognised);
        let f = &v.findings[0];
        let kinds: Vec<_> = f.origin.layers.iter().map(|l| l.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                LayerKind::ArchiveEntry {
                    path: "archive/data.pkl".into()
                },
                LayerKind::Offset { offset: 2 }
            ]
        );
        assert_eq!(f.origin.path, "m/model.pt");
        assert_eq!(f.rule.id, "model-dangerous-callable");
        assert_eq!(f.secret, b"archive/data.pkl: posix.system");
        let line = String::from_utf8(f.line_text.clone()).unwrap();
        assert!(
            line.starts_with(
                "m/model.pt!/archive/data.pkl at byte 2: posix.system: posix is the os module"
            ),
            "{line}"
        );
        assert_eq!(
            &f.line_text[f.secret_span.0..f.secret_span.1],
            b"posix.system"
        );
    }

    #[test]
    fn disabled_rules_report_nothing_and_lfs_pointers_are_listed() {
        let rules: Vec<Rule> = super::super::rules::all()
            .into_iter()
            .filter(|r| r.id != "model-dangerous-callable")
            .collect();
        let d = Detector::new(rules, Policy::default()).unwrap();
        let origin = Origin::new("x.pkl", Location::File);
        assert!(d
            .judge(&origin, b"cposix\nsystem\n(S'id'\ntR.")
            .findings
            .is_empty());
        let lfs = b"version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n";
        let v = d.judge(&origin, lfs);
        assert_eq!(
            v.skipped,
            vec![(SkipReason::LfsPointer, "x.pkl".to_string())]
        );
        assert!(Detector::new(Vec::new(), Policy::default()).is_none());
    }
}
