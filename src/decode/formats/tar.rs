//! POSIX tar archives: PyTorch's oldest format (`sys_info`, `pickle`,
//! `storages`, `tensors` members, each holding pickles) and any tarball a model
//! ships in. Members are read in order; GNU long names and pax `path` records
//! are honoured; a header that does not add up ends the archive.

/// One regular member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member<'a> {
    /// The member's path.
    pub name: String,
    /// Its bytes.
    pub data: &'a [u8],
    /// The archive ends before the size the header declares: `data` is only
    /// what there is.
    pub truncated: bool,
}

/// The members of an archive, and where reading broke off, if it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<'a> {
    /// The regular members, in order.
    pub members: Vec<Member<'a>>,
    /// The byte offset of a header that does not add up (a bad checksum or
    /// size, a partial block) before the end of the archive: nothing after it
    /// was read.
    pub broken_at: Option<usize>,
}

/// The regular members of the tar archive in `bytes`, at most `max` of them.
pub fn members(bytes: &[u8], max: usize) -> Vec<Member<'_>> {
    read(bytes, max).members
}

/// Reads the tar archive in `bytes` up to `max` regular members. A declared
/// size is never allocated or trusted past the slice: a member that claims
/// more than there is comes back `truncated`.
pub fn read(bytes: &[u8], max: usize) -> Listing<'_> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut long_name: Option<String> = None;
    let mut broken_at = None;
    while out.len() < max && at < bytes.len() {
        let header = match bytes.get(at..at + 512) {
            Some(h) if h.iter().all(|&b| b == 0) => break,
            Some(h) if checksum_ok(h) => h,
            _ => {
                broken_at = Some(at);
                break;
            }
        };
        let Some(size) = size(&header[124..136]) else {
            broken_at = Some(at);
            break;
        };
        let start = at + 512;
        let end = start.saturating_add(size as usize).min(bytes.len());
        let data = &bytes[start..end];
        match header[156] {
            b'0' | 0 | b'7' => out.push(Member {
                name: long_name.take().unwrap_or_else(|| name(header)),
                data,
                truncated: (data.len() as u64) < size,
            }),
            b'L' => long_name = Some(text(data)),
            b'x' => long_name = pax_path(data).or(long_name),
            _ => {}
        }
        at = start.saturating_add(size.div_ceil(512).saturating_mul(512) as usize);
    }
    Listing {
        members: out,
        broken_at,
    }
}

/// Whether `bytes` start with a tar header: `ustar` magic (POSIX or GNU) and a
/// header checksum that adds up, so text never passes for a tar.
pub fn starts_with_header(bytes: &[u8]) -> bool {
    bytes.len() >= 512 && &bytes[257..262] == b"ustar" && checksum_ok(&bytes[..512])
}

fn text(b: &[u8]) -> String {
    let end = memchr::memchr(0, b).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn name(header: &[u8]) -> String {
    let name = text(&header[0..100]);
    let prefix = if &header[257..262] == b"ustar" {
        text(&header[345..500])
    } else {
        String::new()
    };
    if prefix.is_empty() {
        name
    } else {
        format!("{prefix}/{name}")
    }
}

/// An octal size, or GNU's base-256 form (high bit set).
fn size(field: &[u8]) -> Option<u64> {
    if field[0] & 0x80 != 0 {
        return Some(
            field[1..]
                .iter()
                .fold(0u64, |v, &b| v.wrapping_shl(8) | b as u64),
        );
    }
    let s = text(field);
    let s = s.trim();
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(s, 8).ok()
}

/// The header checksum: the sum of its bytes with the checksum field as spaces.
fn checksum_ok(header: &[u8]) -> bool {
    let Some(stored) = size(&header[148..156]) else {
        return false;
    };
    let sum: u64 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                b as u64
            }
        })
        .sum();
    stored == sum
}

/// The `path` record of a pax extended header.
fn pax_path(data: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(data);
    text.lines()
        .filter_map(|l| l.split_once(' ').map(|(_, kv)| kv))
        .find_map(|kv| kv.strip_prefix("path=").map(str::to_string))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A one-member ustar archive, as `tarfile` writes it.
    pub fn tar(name: &str, data: &[u8]) -> Vec<u8> {
        let mut h = vec![0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        let mut out = h;
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512 + 1024, 0);
        out
    }

    #[test]
    fn reads_members() {
        let t = tar("pickle", b"\x80\x02K\x01.");
        let m = members(&t, 10);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].name, "pickle");
        assert_eq!(m[0].data, b"\x80\x02K\x01.");
        assert!(!m[0].truncated);
        assert!(starts_with_header(&t));
        let mut bad = t.clone();
        bad[0] = b'X';
        let listing = read(&bad, 10);
        assert!(
            listing.members.is_empty(),
            "a bad checksum ends the archive"
        );
        assert_eq!(listing.broken_at, Some(0));
        assert_eq!(read(&t, 10).broken_at, None, "zero blocks end it well");
    }

    #[test]
    fn a_huge_declared_size_is_a_truncated_member_not_an_allocation() {
        for field in [
            format!("{:011o}\0", 0o77777777777u64).into_bytes(),
            [&[0x80u8][..], &[0xff; 11]].concat(), // base-256: near u64::MAX
        ] {
            let mut t = tar("big.log", b"token = abc\n");
            t[124..136].copy_from_slice(&field);
            t[148..156].copy_from_slice(b"        ");
            let sum: u32 = t[..512].iter().map(|&b| b as u32).sum();
            t[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
            let listing = read(&t, 10);
            assert_eq!(listing.members.len(), 1);
            assert!(listing.members[0].truncated);
            assert_eq!(listing.members[0].data.len(), t.len() - 512);
        }
    }
}
