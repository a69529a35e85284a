//! Judging the members of archives and compressed streams: every zip entry and
//! tar member whose first bytes are a model format is read in full (within the
//! file's budget) and judged one layer deeper; compressed bytes are judged as
//! what they decompress to. An entry that cannot be read (encrypted, an unknown
//! compression method) is reported as not judged, never skipped in silence.
//!
//! The readers are the decode stage's ([`crate::decode::formats`]): one zip, tar
//! and decompression reader serves the model detector and the archive decoder.

use super::sniff::{self, Compression, HEAD};
use crate::decode::formats::compress;
use crate::decode::formats::tar;
use crate::decode::formats::zip::{Archive, Entry};
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

/// Judges compressed `data`: decompresses it within the file's budget and judges
/// what comes out. Returns the inner format, if it is a model format.
pub(crate) fn judge_compressed(
    format: Compression,
    data: &[u8],
    ctx: &mut Ctx<'_>,
) -> Option<&'static str> {
    let out = compress::decompress(format, data, ctx.output_budget());
    ctx.spend_output(out.bytes.len() as u64);
    let inner = ctx
        .within(Layer::Step(format.name().into()), |ctx| {
            let inner = super::judge(&out.bytes, ctx);
            if inner.is_some() && out.over_limit {
                ctx.unjudged("decompresses past the size limit: only the start was judged");
            }
            inner
        })
        .flatten();
    inner.map(|_| format.name())
}
