//! The stack machine: one pickle stream run opcode by opcode as
//! `Modules/_pickle.c` runs it, with no object ever built.
//!
//! Stack and marks work as in the C unpickler (a mark fences the stack below it;
//! `POP` drops a mark when one is on top), the memo is a map with `MEMOIZE`
//! writing at `len(memo)`, `FRAME` is transparent (a frame longer than the data is
//! an error, as there), and `PROTO` may change the protocol mid-stream, which
//! changes how the next names resolve. What the machine sees is judged by
//! [`super::judge`]. An error ends the stream where CPython would stop; what was
//! found before it stands, because CPython would have run it.

use super::allowlist::classify;
use super::literals;
use super::names::Name;
use super::opcodes::*;
use super::value::{Arena, Global, Id, Made, Text, Val};
use crate::detect::Ctx;
use std::collections::HashMap;

/// How a stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// `STOP` at this offset; the next stream may start after it.
    Stop(usize),
    /// An error at this offset: where CPython raises.
    Error(usize, String),
}

type Step = Result<(), String>;

/// One stream's emulation.
pub struct Machine<'a, 'c, 'p> {
    pub(super) input: &'a [u8],
    pub(super) pos: usize,
    pub(super) proto: u8,
    pub(super) arena: Arena,
    stack: Vec<Id>,
    marks: Vec<usize>,
    memo: HashMap<u64, Id>,
    pub(super) ctx: &'c mut Ctx<'p>,
    pub(super) judged: super::judge::Judged,
}

impl<'a, 'c, 'p> Machine<'a, 'c, 'p> {
    /// A machine for the stream starting at `start`. A `strict` stream (a
    /// candidate found by searching raw bytes) reports only if it reaches `STOP`.
    pub fn new(input: &'a [u8], start: usize, strict: bool, ctx: &'c mut Ctx<'p>) -> Self {
        Machine {
            input,
            pos: start,
            proto: 0,
            arena: Arena::default(),
            stack: Vec::new(),
            marks: Vec::new(),
            memo: HashMap::new(),
            ctx,
            judged: super::judge::Judged::new(strict),
        }
    }

    /// Runs to `STOP` or the first error.
    pub fn run(self) -> End {
        self.run_proven().0
    }

    /// Runs to `STOP` or the first error; also tells whether the stream proved to
    /// be a pickle (see [`super::judge`]).
    pub fn run_proven(mut self) -> (End, bool) {
        let start = self.pos;
        let end = loop {
            let at = self.pos;
            let Some(&op) = self.input.get(at) else {
                break End::Error(at, "the stream ends without STOP".into());
            };
            self.pos += 1;
            if at == start && op == PROTO {
                self.judged.prove();
            }
            if op == STOP {
                self.judged.prove_stop();
                break End::Stop(self.pos);
            }
            if let Err(why) = self.step(op, at) {
                break End::Error(at, why);
            }
        };
        let proven = self.judged.flush(self.ctx);
        (end, proven)
    }

    fn step(&mut self, op: u8, at: usize) -> Step {
        match op {
            MARK => self.marks.push(self.stack.len()),
            POP => self.pop_or_mark()?,
            POP_MARK => {
                self.pop_mark()?;
            }
            DUP => {
                let top = self.top()?;
                self.stack.push(top);
            }
            PROTO => {
                let p = self.byte()?;
                if p > HIGHEST_PROTOCOL {
                    return Err(format!("unsupported pickle protocol: {p}"));
                }
                self.proto = p;
            }
            FRAME => {
                let len = self.uint(8)?;
                if len > (self.input.len() - self.pos) as u64 {
                    return Err("a FRAME longer than the data".into());
                }
            }
            _ => return self.data_op(op, at),
        }
        Ok(())
    }

    /// Opcodes that push constants, build containers, use the memo or call.
    fn data_op(&mut self, op: u8, at: usize) -> Step {
        match op {
            NONE => self.push(Val::None),
            NEWTRUE => self.push(Val::Bool(true)),
            NEWFALSE => self.push(Val::Bool(false)),
            INT => self.int_line()?,
            BININT => {
                let v = i32::from_le_bytes(self.array::<4>()?) as i64;
                self.push(Val::Int(Some(v)));
            }
            BININT1 => {
                let v = self.byte()? as i64;
                self.push(Val::Int(Some(v)));
            }
            BININT2 => {
                let v = u16::from_le_bytes(self.array::<2>()?) as i64;
                self.push(Val::Int(Some(v)));
            }
            LONG => {
                let line = self.line()?;
                let v = literals::long(line).ok_or("could not convert string to int")?;
                self.push(Val::Int(v));
            }
            LONG1 => {
                let n = self.byte()? as usize;
                self.long_bytes(n)?;
            }
            LONG4 => {
                let n = i32::from_le_bytes(self.array::<4>()?);
                if n < 0 {
                    return Err("LONG pickle has negative byte count".into());
                }
                self.long_bytes(n as usize)?;
            }
            FLOAT => {
                let line = self.line()?;
                if !literals::float(line) {
                    return Err("could not convert string to float".into());
                }
                self.push(Val::Float);
            }
            BINFLOAT => {
                self.take(8)?;
                self.push(Val::Float);
            }
            _ => return self.text_op(op, at),
        }
        Ok(())
    }

    fn text_op(&mut self, op: u8, at: usize) -> Step {
        match op {
            STRING => {
                let line = self.line()?;
                let s =
                    literals::string(line).ok_or("the STRING opcode argument must be quoted")?;
                self.push(Val::Str(Text::Owned(s)));
            }
            BINSTRING => {
                let n = i32::from_le_bytes(self.array::<4>()?);
                if n < 0 {
                    return Err("BINSTRING pickle has negative byte count".into());
                }
                self.span_str(n as u64)?;
            }
            SHORT_BINSTRING | SHORT_BINUNICODE => {
                let n = self.byte()? as u64;
                self.span_str(n)?;
            }
            BINUNICODE => {
                let n = self.uint(4)?;
                self.span_str(n)?;
            }
            BINUNICODE8 => {
                let n = self.uint(8)?;
                self.span_str(n)?;
            }
            UNICODE => {
                let line = self.line()?;
                let s = literals::raw_unicode_escape(line).ok_or("bad raw-unicode-escape")?;
                self.push(Val::Str(Text::Owned(s.into_bytes())));
            }
            SHORT_BINBYTES => {
                let n = self.byte()? as u64;
                self.span_bytes(n)?;
            }
            BINBYTES => {
                let n = self.uint(4)?;
                self.span_bytes(n)?;
            }
            BINBYTES8 | BYTEARRAY8 => {
                let n = self.uint(8)?;
                self.span_bytes(n)?;
            }
            _ => return self.container_op(op, at),
        }
        Ok(())
    }

    fn container_op(&mut self, op: u8, at: usize) -> Step {
        match op {
            EMPTY_TUPLE => self.push(Val::Tuple(Vec::new())),
            EMPTY_LIST => self.push(Val::List(Vec::new())),
            EMPTY_DICT => self.push(Val::Dict(Vec::new())),
            EMPTY_SET => self.push(Val::Set(Vec::new())),
            TUPLE => {
                let items = self.pop_mark()?;
                self.push_container(Val::Tuple(items.clone()), &items);
            }
            TUPLE1 | TUPLE2 | TUPLE3 => {
                let n = (op - TUPLE1 + 1) as usize;
                let items = self.pop_n(n)?;
                self.push_container(Val::Tuple(items.clone()), &items);
            }
            LIST => {
                let items = self.pop_mark()?;
                self.push_container(Val::List(items.clone()), &items);
            }
            DICT => {
                let items = self.pop_mark()?;
                if items.len() % 2 != 0 {
                    return Err("odd number of items for DICT".into());
                }
                self.push_container(Val::Dict(items.clone()), &items);
            }
            FROZENSET => {
                let items = self.pop_mark()?;
                self.push_container(Val::Set(items.clone()), &items);
            }
            APPEND => {
                let x = self
                    .stack
                    .len()
                    .checked_sub(1)
                    .ok_or("unpickling stack underflow")?;
                self.add_items(x, 1, at)?;
            }
            APPENDS | ADDITEMS => {
                let x = self.marker()?;
                self.add_items(x, 1, at)?;
            }
            SETITEM => {
                let x = self
                    .stack
                    .len()
                    .checked_sub(2)
                    .ok_or("unpickling stack underflow")?;
                self.add_items(x, 2, at)?;
            }
            SETITEMS => {
                let x = self.marker()?;
                self.add_items(x, 2, at)?;
            }
            _ => return self.memo_op(op, at),
        }
        Ok(())
    }

    fn memo_op(&mut self, op: u8, at: usize) -> Step {
        match op {
            GET => {
                let line = self.line()?;
                let key = decimal(line).ok_or("invalid GET argument")?;
                self.get(key)?;
            }
            BINGET => {
                let key = self.byte()? as u64;
                self.get(key)?;
            }
            LONG_BINGET => {
                let key = self.uint(4)?;
                self.get(key)?;
            }
            PUT => {
                let line = self.line()?;
                let key = decimal(line).ok_or("negative or invalid PUT argument")?;
                self.put(key)?;
            }
            BINPUT => {
                let key = self.byte()? as u64;
                self.put(key)?;
            }
            LONG_BINPUT => {
                let key = self.uint(4)?;
                self.put(key)?;
            }
            MEMOIZE => {
                let key = self.memo.len() as u64;
                self.put(key)?;
            }
            _ => return self.call_op(op, at),
        }
        Ok(())
    }

    fn call_op(&mut self, op: u8, at: usize) -> Step {
        match op {
            GLOBAL => {
                let module = self.line()?;
                let name = self.line()?;
                let id = self.import(module, name, at)?;
                self.stack.push(id);
            }
            STACK_GLOBAL => {
                let name = self.pop()?;
                let module = self.pop()?;
                let id = self.stack_global(module, name, at)?;
                self.stack.push(id);
            }
            INST => {
                let module = self.line()?;
                let name = self.line()?;
                let args = self.pop_mark()?;
                let callee = self.import(module, name, at)?;
                let args = self.add_container(Val::Tuple(args.clone()), &args);
                let made = self.call(callee, args, at)?;
                self.stack.push(made);
            }
            OBJ => {
                let mut items = self.pop_mark()?;
                if items.is_empty() {
                    return Err("unpickling stack underflow".into());
                }
                let callee = items.remove(0);
                let args = self.add_container(Val::Tuple(items.clone()), &items);
                let made = self.call(callee, args, at)?;
                self.stack.push(made);
            }
            REDUCE => {
                let args = self.pop()?;
                let callee = self.pop()?;
                if self.arena.tuple(args).is_none() && is_constant(self.arena.val(args)) {
                    return Err("argument list must be a tuple".into());
                }
                let made = self.call(callee, args, at)?;
                self.stack.push(made);
            }
            NEWOBJ => {
                let args = self.pop()?;
                let cls = self.pop()?;
                let made = self.rebuild(cls, args, at)?;
                self.stack.push(made);
            }
            NEWOBJ_EX => {
                let _kwargs = self.pop()?;
                let args = self.pop()?;
                let cls = self.pop()?;
                let made = self.rebuild(cls, args, at)?;
                self.stack.push(made);
            }
            BUILD => {
                let state = self.pop()?;
                let inst = self.top()?;
                self.build(inst, state, at)?;
            }
            _ => return self.rare_op(op, at),
        }
        Ok(())
    }

    fn rare_op(&mut self, op: u8, at: usize) -> Step {
        match op {
            PERSID => {
                self.line()?;
                self.push(Val::Persistent);
            }
            BINPERSID => {
                self.pop()?;
                self.push(Val::Persistent);
            }
            EXT1 | EXT2 | EXT4 => {
                let n = match op {
                    EXT1 => 1,
                    EXT2 => 2,
                    _ => 4,
                };
                let code = self.uint(n)?;
                self.ctx.note(format!(
                    "EXT opcode at byte {at} names extension code {code}, which CPython's empty registry does not know: loading stops there"
                ));
                return Err(format!("unregistered extension code {code}"));
            }
            NEXT_BUFFER | READONLY_BUFFER => {
                return Err("the stream refers to out-of-band buffers".into());
            }
            _ => {
                return Err(format!("invalid load key, {:?}", op as char));
            }
        }
        Ok(())
    }

    /// Resolves and judges an import; a name Python cannot import ends the stream.
    pub(super) fn import(&mut self, module: &[u8], name: &[u8], at: usize) -> Result<Id, String> {
        let module = String::from_utf8_lossy(module);
        let name = String::from_utf8_lossy(name);
        let name = Name::resolve(&module, &name, self.proto);
        self.import_name(name, at)
    }

    /// Imports `module` and walks the dotted `attr` path in it, whatever the
    /// protocol (what `getattr` of an imported name does).
    pub(super) fn import_dotted(
        &mut self,
        module: &str,
        attr: &str,
        at: usize,
    ) -> Result<Id, String> {
        let name = Name {
            module: module.to_string(),
            attr: attr.to_string(),
            written: None,
        };
        self.import_name(name, at)
    }

    fn import_name(&mut self, name: Name, at: usize) -> Result<Id, String> {
        if !name.is_importable() {
            return Err(format!("cannot import {:?}", name.full()));
        }
        let standing = classify(&name, self.ctx.extra());
        self.arena.globals.push(Global {
            name,
            standing,
            offset: at,
        });
        let g = self.arena.globals.len() - 1;
        self.judge_import(g);
        let pure = super::judge::is_pure_standing(standing);
        Ok(self.arena.add(Val::Global(g), pure))
    }

    // ---- The stack, as Pdata in _pickle.c. ----

    fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    pub(super) fn push(&mut self, val: Val) {
        let id = self.arena.add(val, true);
        self.stack.push(id);
    }

    fn push_container(&mut self, val: Val, items: &[Id]) {
        let id = self.add_container(val, items);
        self.stack.push(id);
    }

    fn add_container(&mut self, val: Val, items: &[Id]) -> Id {
        let pure = self.arena.all_pure(items);
        self.arena.add(val, pure)
    }

    fn pop(&mut self) -> Result<Id, String> {
        if self.stack.len() <= self.fence() {
            return Err("unpickling stack underflow".into());
        }
        Ok(self.stack.pop().expect("above the fence"))
    }

    fn top(&self) -> Result<Id, String> {
        if self.stack.len() <= self.fence() {
            return Err("unpickling stack underflow".into());
        }
        Ok(*self.stack.last().expect("above the fence"))
    }

    fn pop_n(&mut self, n: usize) -> Result<Vec<Id>, String> {
        if self.stack.len() < self.fence() + n {
            return Err("unpickling stack underflow".into());
        }
        Ok(self.stack.split_off(self.stack.len() - n))
    }

    fn pop_or_mark(&mut self) -> Step {
        if self.marks.last() == Some(&self.stack.len()) {
            self.marks.pop();
            return Ok(());
        }
        self.pop().map(drop)
    }

    /// Pops the last mark; returns where it stood.
    fn marker(&mut self) -> Result<usize, String> {
        self.marks.pop().ok_or_else(|| "could not find MARK".into())
    }

    /// Pops the last mark and everything above it.
    fn pop_mark(&mut self) -> Result<Vec<Id>, String> {
        let at = self.marker()?;
        Ok(self.stack.split_off(at.min(self.stack.len())))
    }

    /// `APPEND(S)`, `ADDITEMS` (`width` 1) and `SETITEM(S)` (`width` 2): the items
    /// from `x` go into the object just below them.
    fn add_items(&mut self, x: usize, width: usize, at: usize) -> Step {
        let len = self.stack.len();
        if x > len || x <= self.fence() || x == 0 {
            return Err("unpickling stack underflow".into());
        }
        if !(len - x).is_multiple_of(width) {
            return Err("odd number of items for SETITEMS".into());
        }
        let items = self.stack.split_off(x);
        let target = self.stack[x - 1];
        self.judge_mutation(target, at);
        let pure = self.arena.all_pure(&items);
        match self.arena.val_mut(target) {
            Val::List(v) | Val::Dict(v) | Val::Set(v) => v.extend(items),
            _ => {}
        }
        if !pure {
            self.arena.taint(target);
        }
        Ok(())
    }

    fn get(&mut self, key: u64) -> Step {
        let id = *self.memo.get(&key).ok_or("memo value not found")?;
        self.stack.push(id);
        Ok(())
    }

    fn put(&mut self, key: u64) -> Step {
        let top = self.top()?;
        self.memo.insert(key, top);
        Ok(())
    }

    // ---- Reading the input. ----

    pub(super) fn take(&mut self, n: u64) -> Result<&'a [u8], String> {
        let left = (self.input.len() - self.pos) as u64;
        if n > left {
            return Err("pickle data was truncated".into());
        }
        let start = self.pos;
        self.pos += n as usize;
        Ok(&self.input[start..self.pos])
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        Ok(self.take(N as u64)?.try_into().expect("N bytes"))
    }

    /// A little-endian unsigned integer of `n` bytes.
    fn uint(&mut self, n: u64) -> Result<u64, String> {
        let bytes = self.take(n)?;
        Ok(bytes
            .iter()
            .rev()
            .fold(0u64, |v, &b| v.wrapping_shl(8) | b as u64))
    }

    /// A line without its newline; a line with no newline is an error.
    fn line(&mut self) -> Result<&'a [u8], String> {
        let rest = &self.input[self.pos..];
        let n = memchr::memchr(b'\n', rest).ok_or("pickle data was truncated")?;
        self.pos += n + 1;
        Ok(&rest[..n])
    }

    fn int_line(&mut self) -> Step {
        let line = self.line()?;
        let v = literals::int(line).ok_or("could not convert string to int")?;
        let val = match (line, v) {
            (b"00", _) => Val::Bool(false),
            (b"01", _) => Val::Bool(true),
            _ => Val::Int(v),
        };
        self.push(val);
        Ok(())
    }

    fn long_bytes(&mut self, n: usize) -> Step {
        let bytes = self.take(n as u64)?;
        let v = (n <= 8).then(|| {
            let mut buf = if bytes.last().is_some_and(|b| b & 0x80 != 0) {
                [0xffu8; 8]
            } else {
                [0u8; 8]
            };
            buf[..n].copy_from_slice(bytes);
            i64::from_le_bytes(buf)
        });
        self.push(Val::Int(v));
        Ok(())
    }

    fn span_str(&mut self, n: u64) -> Step {
        let start = self.pos;
        self.take(n)?;
        self.push(Val::Str(Text::Span(start, self.pos)));
        Ok(())
    }

    fn span_bytes(&mut self, n: u64) -> Step {
        let start = self.pos;
        self.take(n)?;
        self.push(Val::Bytes(Text::Span(start, self.pos)));
        Ok(())
    }

    /// Records an object made by `callee` from `args`.
    pub(super) fn made(&mut self, callee: Id, args: Id, pure: bool) -> Id {
        self.arena.add(
            Val::Made(Made {
                callee,
                args,
                state: None,
            }),
            pure,
        )
    }
}

/// A memo key written in decimal (`GET`/`PUT`).
fn decimal(line: &[u8]) -> Option<u64> {
    std::str::from_utf8(line).ok()?.trim().parse().ok()
}

/// A value that cannot be called or used as an argument tuple: CPython raises.
pub(super) fn is_constant(v: &Val) -> bool {
    !matches!(
        v,
        Val::Global(_) | Val::Made(_) | Val::Persistent | Val::Opaque | Val::Tuple(_)
    )
}
