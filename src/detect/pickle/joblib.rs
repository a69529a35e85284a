//! joblib's arrays: `joblib.dump` writes a `NumpyArrayWrapper` into the pickle,
//! then the array's raw bytes straight into the file, then goes on with the
//! pickle. Its unpickler reads those bytes right after the wrapper's `BUILD`, so
//! the emulation must skip exactly as many: `prod(shape) * itemsize`, after a
//! padding byte and that many bytes of padding when the wrapper asks for
//! alignment (joblib 1.2 and later). A wrapper whose dtype holds objects is
//! followed by a nested pickle instead, which joblib loads with `pickle.load`:
//! it is run as a stream of its own. A wrapper whose size cannot be worked out
//! ends the stream, and the caller searches the rest for more pickles.

use super::machine::{End, Machine};
use super::value::{Id, Val};

/// The classes whose `BUILD` is followed by array bytes.
const WRAPPERS: &[&str] = &[
    "joblib.numpy_pickle.NumpyArrayWrapper",
    "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
];

/// NumPy's `NPY_ITEM_HASOBJECT` dtype flag.
const HAS_OBJECT: i64 = 0x01;

/// What follows a wrapper.
struct Layout {
    bytes: u64,
    has_object: bool,
    aligned: bool,
}

impl Machine<'_, '_, '_> {
    /// Called after every `BUILD` of a made object: skips a joblib array.
    pub(super) fn after_build(&mut self, inst: Id) -> Result<(), String> {
        let is_wrapper = self
            .class_of(inst)
            .is_some_and(|c| WRAPPERS.contains(&c.as_str()));
        if !is_wrapper {
            return Ok(());
        }
        let layout = self
            .layout(inst)
            .ok_or("cannot tell the size of a joblib array")?;
        if layout.has_object {
            let end = Machine::new(self.input, self.pos, false, self.ctx).run();
            return match end {
                End::Stop(next) => {
                    self.pos = next;
                    Ok(())
                }
                End::Error(_, why) => Err(format!("the object array's pickle failed: {why}")),
            };
        }
        if layout.aligned {
            let pad = self.take(1)?[0];
            self.take(pad as u64)?;
        }
        self.take(layout.bytes).map(drop)
    }

    fn layout(&self, inst: Id) -> Option<Layout> {
        let Val::Made(m) = self.arena.val(inst) else {
            return None;
        };
        let state = m.state?;
        let get = |key: &str| self.arena.dict_get(state, key, self.input);
        let mut count: u64 = 1;
        for &dim in self.arena.tuple(get("shape")?)? {
            count = count.checked_mul(u64::try_from(self.arena.int(dim)?).ok()?)?;
        }
        let (itemsize, has_object) = self.dtype(get("dtype")?)?;
        let aligned = get("numpy_array_alignment_bytes")
            .is_some_and(|v| !matches!(self.arena.val(v), Val::None));
        Some(Layout {
            bytes: count.checked_mul(itemsize)?,
            has_object,
            aligned,
        })
    }

    /// The item size of a `numpy.dtype(...)` rebuilt in the stream, and whether
    /// it holds objects: from its `BUILD` state (elsize, flags) or its type code.
    fn dtype(&self, id: Id) -> Option<(u64, bool)> {
        let Val::Made(m) = self.arena.val(id) else {
            return None;
        };
        let code = self
            .arena
            .str(*self.arena.tuple(m.args)?.first()?, self.input)?;
        let state = m.state.and_then(|s| self.arena.tuple(s));
        let field = |i: usize| {
            state
                .and_then(|s| s.get(i))
                .and_then(|&v| self.arena.int(v))
        };
        let flags = field(7).unwrap_or(0);
        let has_object = code.starts_with('O') || flags & HAS_OBJECT != 0;
        let size = match field(5) {
            Some(n) if n > 0 => n as u64,
            _ => code
                .trim_start_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .ok()?,
        };
        Some((size, has_object))
    }
}
