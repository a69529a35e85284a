//! Judging the members of archives: every zip entry and tar member whose first
//! bytes are a model format is read in full (within the file's budget) and
//! judged one layer deeper. An entry that cannot be read (encrypted, an unknown
//! compression method) is reported as not judged, never skipped in silence.

use super::sniff::{self, HEAD};
use super::tar;
use super::zip::{Archive, Entry};
use crate::detect::{Ctx, Layer};
use std::borrow::Cow;

/// Judges every entry of the zip in `bytes`.
pub(crate) fn judge_zip(bytes: &[u8], ctx: &mut Ctx<'_>) {
    let Some(archive) = Archive::parse(bytes) else {
        ctx.unjudged("a zip archive whose directory cannot be read");
        return;
    };
    for entry in archive.entries().iter().filter(|e| !e.is_dir()) {
        if !ctx.take_entry() {
            ctx.unjudged("more archive entries than the limit: the rest were not judged");
            return;
        }
        ctx.within(Layer::Entry(entry.name()), |ctx| judge_entry(entry, ctx));
    }
}

fn judge_entry(entry: &Entry<'_>, ctx: &mut Ctx<'_>) {
    let head = match entry.read_head(HEAD) {
        Ok(head) => head,
        Err(why) => return ctx.unjudged(&why),
    };
    if sniff::sniff(&head).is_none() {
        return;
    }
    let data: Cow<'_, [u8]> = if entry.method == 0 && !entry.is_encrypted() {
        Cow::Borrowed(entry.data)
    } else if head.len() < HEAD {
        Cow::Owned(head)
    } else {
        let out = match entry.read(ctx.output_budget()) {
            Ok(out) => out,
            Err(why) => return ctx.unjudged(&why),
        };
        ctx.spend_output(out.bytes.len() as u64);
        if out.over_limit {
            ctx.unjudged("decompresses past the size limit: only the start was judged");
        }
        Cow::Owned(out.bytes)
    };
    super::judge(&data, ctx);
}

/// Judges every member of the tar archive in `bytes`.
pub(crate) fn judge_tar(bytes: &[u8], ctx: &mut Ctx<'_>) {
    for member in tar::members(bytes, usize::MAX) {
        if !ctx.take_entry() {
            ctx.unjudged("more archive entries than the limit: the rest were not judged");
            return;
        }
        let head = &member.data[..member.data.len().min(HEAD)];
        if sniff::sniff(head).is_some() {
            ctx.within(Layer::Entry(member.name), |ctx| {
                super::judge(member.data, ctx)
            });
        }
    }
}
