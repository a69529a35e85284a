//! The values on the emulated stack: enough of each object to follow names
//! (strings, for `STACK_GLOBAL`), calls (who made an object, with what) and the
//! shapes joblib needs, without building any Python object.
//!
//! Values live in an arena and are referred to by index, so `DUP`, the memo and
//! containers share them the way Python shares references, and memory stays linear
//! in the number of opcodes.

use super::allowlist::Standing;
use super::names::Name;

/// An index into the arena.
pub type Id = usize;

/// Bytes of a string or bytes literal: a range of the stream's input, or decoded.
#[derive(Debug, Clone)]
pub enum Text {
    /// `input[start..end]`.
    Span(usize, usize),
    /// Decoded bytes (escapes, Latin-1 of a computed encoding).
    Owned(Vec<u8>),
}

/// What the unpickler would hold.
#[derive(Debug, Clone)]
pub enum Val {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An integer (`None` when it does not fit 64 bits).
    Int(Option<i64>),
    /// A float.
    Float,
    /// A `str`.
    Str(Text),
    /// `bytes` or `bytearray`.
    Bytes(Text),
    /// A tuple.
    Tuple(Vec<Id>),
    /// A list.
    List(Vec<Id>),
    /// A dict, as keys and values alternating.
    Dict(Vec<Id>),
    /// A set or frozenset.
    Set(Vec<Id>),
    /// An imported object (an index into the stream's globals).
    Global(usize),
    /// The result of a call or of rebuilding a class.
    Made(Made),
    /// What `persistent_load` returns (PyTorch's storages).
    Persistent,
    /// Something this emulation does not follow.
    Opaque,
}

/// An object made while loading.
#[derive(Debug, Clone)]
pub struct Made {
    /// The callable (or class) that made it.
    pub callee: Id,
    /// Its arguments (a tuple, for calls).
    pub args: Id,
    /// The state `BUILD` gave it, if any.
    pub state: Option<Id>,
}

/// One value and whether it is plain data: built from constants and allowed
/// callables only, with no unknown name anywhere inside.
#[derive(Debug, Clone)]
pub struct Node {
    /// The value.
    pub val: Val,
    /// Plain data.
    pub pure: bool,
}

/// An imported object.
#[derive(Debug, Clone)]
pub struct Global {
    /// The name as the unpickler resolves it.
    pub name: Name,
    /// How the allowlist stands on it.
    pub standing: Standing,
    /// The offset of the opcode that imported it.
    pub offset: usize,
}

/// The arena of one stream.
#[derive(Debug, Default)]
pub struct Arena {
    nodes: Vec<Node>,
    /// The stream's imports.
    pub globals: Vec<Global>,
}

impl Arena {
    /// Adds a value.
    pub fn add(&mut self, val: Val, pure: bool) -> Id {
        self.nodes.push(Node { val, pure });
        self.nodes.len() - 1
    }

    /// The value at `id`.
    pub fn val(&self, id: Id) -> &Val {
        &self.nodes[id].val
    }

    /// The value at `id`, to change (containers, state).
    pub fn val_mut(&mut self, id: Id) -> &mut Val {
        &mut self.nodes[id].val
    }

    /// Whether `id` is plain data.
    pub fn pure(&self, id: Id) -> bool {
        self.nodes[id].pure
    }

    /// Marks `id` as not plain data (something impure was put in it).
    pub fn taint(&mut self, id: Id) {
        self.nodes[id].pure = false;
    }

    /// Whether all of `ids` are plain data.
    pub fn all_pure(&self, ids: &[Id]) -> bool {
        ids.iter().all(|&i| self.pure(i))
    }

    /// The import `id` refers to, if it is one.
    pub fn global(&self, id: Id) -> Option<&Global> {
        match self.val(id) {
            Val::Global(g) => Some(&self.globals[*g]),
            _ => None,
        }
    }

    /// The items of a tuple.
    pub fn tuple(&self, id: Id) -> Option<&[Id]> {
        match self.val(id) {
            Val::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The bytes of a `str` or `bytes` constant.
    pub fn text<'a>(&'a self, id: Id, input: &'a [u8]) -> Option<&'a [u8]> {
        match self.val(id) {
            Val::Str(t) | Val::Bytes(t) => Some(match t {
                Text::Span(s, e) => &input[*s..*e],
                Text::Owned(v) => v,
            }),
            _ => None,
        }
    }

    /// A `str` constant, as text.
    pub fn str(&self, id: Id, input: &[u8]) -> Option<String> {
        match self.val(id) {
            Val::Str(_) => self
                .text(id, input)
                .map(|b| String::from_utf8_lossy(b).into_owned()),
            _ => None,
        }
    }

    /// An integer constant.
    pub fn int(&self, id: Id) -> Option<i64> {
        match self.val(id) {
            Val::Int(v) => *v,
            Val::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }

    /// The value of `key` in a dict constant.
    pub fn dict_get(&self, id: Id, key: &str, input: &[u8]) -> Option<Id> {
        let Val::Dict(items) = self.val(id) else {
            return None;
        };
        items
            .chunks_exact(2)
            .find(|kv| self.text(kv[0], input) == Some(key.as_bytes()))
            .map(|kv| kv[1])
    }

    /// A short description of what made a value, for messages: `the result of
    /// builtins.str`, or of a call of a call (a chain is followed a few steps).
    pub fn describe(&self, id: Id) -> String {
        let mut id = id;
        let mut prefix = String::new();
        for _ in 0..4 {
            let Val::Made(m) = self.val(id) else { break };
            prefix.push_str("the result of ");
            id = m.callee;
        }
        let what = match self.val(id) {
            Val::Global(g) => self.globals[*g].name.full(),
            Val::Made(_) => "a chain of calls".into(),
            Val::Persistent => "an object from persistent_load".into(),
            Val::Opaque => "a value this scan does not follow".into(),
            Val::Str(_) | Val::Bytes(_) => "a string".into(),
            _ => "a constant".into(),
        };
        format!("{prefix}{what}")
    }
}
