//! Judging what the machine does: each import, call, class rebuilt and change of
//! module-level state, against the allowlist ([`super::allowlist`]).
//!
//! - An import of a dangerous name is critical at once: importing `os.system`
//!   hands the program a way to run commands, whatever happens next.
//! - A call (`REDUCE`, `INST`, `OBJ`) of a name the allowlist does not know is
//!   high: a function called with arguments the file chooses is how pickles run
//!   code. Safe callables are checked for what they do with their own arguments
//!   (a class they rebuild, a callable they call).
//! - A class rebuilt from saved state (`NEWOBJ`, `copyreg._reconstructor`, then
//!   `BUILD`) runs no constructor; an unknown one is a note, not a finding.
//! - A callable or a `STACK_GLOBAL` name computed while loading is high: what it
//!   is cannot be read from the file.
//! - `BUILD`, `SETITEM`, `APPEND` on an imported object change the loading
//!   program's own state (monkey-patching): high.
//!
//! Findings wait until the stream has shown it is a pickle (it starts with
//! `PROTO`, calls something, or reaches `STOP`), so a text file that happens to
//! start with `c` is not reported; a candidate found by searching raw bytes must
//! reach `STOP`.

use super::allowlist::{Role, Standing};
use super::machine::{is_constant, Machine};
use super::value::{Id, Val};
use crate::detect::{formats, Kind, Layer};
use std::collections::HashSet;

/// Dangerous loaders judged by what they load: PyTorch pickles a tensor's storage
/// as `torch.storage._load_from_bytes(<a torch.save file>)`, so the bytes are
/// judged like any file; only bytes computed while loading are a finding.
const JUDGED_LOADERS: &[&str] = &["torch.storage._load_from_bytes"];

/// `getattr(obj, name)`, which pickle writes for a bound or class method
/// (`getattr(zoneinfo.ZoneInfo, '_unpickle')`). Judged by what it looks up: an
/// attribute of an imported name by a constant string is that dotted name
/// (`zoneinfo.ZoneInfo._unpickle`), judged as if imported; any other use is
/// dangerous.
const LOOKUP: &str = "builtins.getattr";

/// Findings of one stream, held until it proves to be a pickle.
#[derive(Debug)]
pub struct Judged {
    strict: bool,
    proven: bool,
    pending: Vec<(Kind, String, String, usize)>,
    seen: HashSet<(Kind, String)>,
}

impl Judged {
    /// Nothing judged yet.
    pub fn new(strict: bool) -> Judged {
        Judged {
            strict,
            proven: false,
            pending: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// The stream did something only a pickle does (for a strict stream, only
    /// `STOP` counts: see [`Judged::prove_stop`]).
    pub fn prove(&mut self) {
        if !self.strict {
            self.proven = true;
        }
    }

    /// The stream reached `STOP`.
    pub fn prove_stop(&mut self) {
        self.proven = true;
    }

    fn record(&mut self, kind: Kind, callable: String, why: String, at: usize) {
        if self.seen.insert((kind, callable.clone())) {
            self.pending.push((kind, callable, why, at));
        }
    }

    /// Hands the findings to `ctx` if the stream proved to be a pickle; returns
    /// whether it did.
    pub fn flush(&mut self, ctx: &mut crate::detect::Ctx<'_>) -> bool {
        if !self.proven {
            return false;
        }
        for (kind, callable, why, at) in self.pending.drain(..) {
            ctx.found(kind, callable, why, Some(at as u64));
        }
        true
    }
}

/// Whether an import with this standing is plain data when passed around.
pub fn is_pure_standing(s: Standing) -> bool {
    matches!(
        s,
        Standing::Safe(_) | Standing::TrustedClass | Standing::TrustedFunction | Standing::Allowed
    )
}

impl Machine<'_, '_, '_> {
    fn label(&self, g: usize) -> String {
        let name = &self.arena.globals[g].name;
        match &name.written {
            Some(w) => format!("{} (written {w})", name.full()),
            None => name.full(),
        }
    }

    /// Judges an import as it happens.
    pub(super) fn judge_import(&mut self, g: usize) {
        let glob = &self.arena.globals[g];
        if let Standing::Dangerous(why) = glob.standing {
            let full = glob.name.full();
            if JUDGED_LOADERS.contains(&full.as_str()) || full == LOOKUP {
                return;
            }
            let at = glob.offset;
            let label = self.label(g);
            self.judged
                .record(Kind::DangerousCallable, label, why.to_string(), at);
        }
    }

    /// `STACK_GLOBAL`: the module and name come from the stack.
    pub(super) fn stack_global(&mut self, module: Id, name: Id, at: usize) -> Result<Id, String> {
        let (m, n) = (
            self.arena.str(module, self.input),
            self.arena.str(name, self.input),
        );
        if let (Some(m), Some(n)) = (m, n) {
            return self.import(m.as_bytes(), n.as_bytes(), at);
        }
        let computed = [module, name]
            .into_iter()
            .find(|&id| !is_constant(self.arena.val(id)));
        let Some(computed) = computed else {
            return Err("STACK_GLOBAL requires str".into());
        };
        let what = self.arena.describe(computed);
        self.judged.prove();
        self.judged.record(
            Kind::NonConstantGlobal,
            format!("STACK_GLOBAL of {what}"),
            format!("the module or name to import is {what}, computed while loading, so what is imported cannot be read from the file"),
            at,
        );
        Ok(self.arena.add(Val::Opaque, false))
    }

    /// `REDUCE`, `INST`, `OBJ`: `callee(*args)`.
    pub(super) fn call(&mut self, callee: Id, args: Id, at: usize) -> Result<Id, String> {
        let g = match self.arena.val(callee) {
            Val::Global(g) => *g,
            v if is_constant(v) => return Err("the object is not callable".into()),
            _ => {
                self.computed_callable(callee, at);
                return Ok(self.made(callee, args, false));
            }
        };
        self.judged.prove();
        if self.arena.globals[g].name.full() == LOOKUP {
            return self.lookup(callee, g, args, at);
        }
        let standing = self.arena.globals[g].standing;
        let pure_args = self.arena.pure(args);
        let name = self.label(g);
        match standing {
            Standing::Dangerous(why) => self.dangerous_call(g, args, why, at),
            Standing::Safe(roles) => {
                let items = self.arena.tuple(args).map(<[Id]>::to_vec).unwrap_or_default();
                for &(i, role) in roles {
                    if let Some(&arg) = items.get(i) {
                        match role {
                            Role::Class => self.judge_class(arg, at),
                            Role::Called => self.judge_called(arg, &name, at),
                        }
                    }
                }
            }
            Standing::TrustedClass if !pure_args => self.judged.record(
                Kind::UnknownCallable,
                name.clone(),
                format!("{name} is called with arguments that are not plain data (they hold names outside the allowlist)"),
                at,
            ),
            Standing::TrustedClass | Standing::Allowed => {}
            Standing::TrustedFunction | Standing::Unknown => {
                self.judged.record(
                    Kind::UnknownCallable,
                    name.clone(),
                    format!("{name} is not on the allowlist of what model files call, and loading calls it with arguments the file chooses"),
                    at,
                );
                self.judge_nested_bytes(&name, args, at);
            }
        }
        let pure = pure_args
            && matches!(
                standing,
                Standing::Safe(_) | Standing::TrustedClass | Standing::Allowed
            );
        Ok(self.made(callee, args, pure))
    }

    /// `getattr(obj, name)`: an imported name and a constant string make the
    /// dotted name, imported and judged as such; anything else is a finding.
    fn lookup(&mut self, callee: Id, g: usize, args: Id, at: usize) -> Result<Id, String> {
        let items = self
            .arena
            .tuple(args)
            .map(<[Id]>::to_vec)
            .unwrap_or_default();
        let target = items.first().and_then(|&id| self.arena.global(id)).cloned();
        let attr = items.get(1).and_then(|&id| self.arena.str(id, self.input));
        if let (Some(target), Some(attr), 2..=3) = (target, attr, items.len()) {
            let dotted = format!("{}.{attr}", target.name.attr);
            if let Ok(id) = self.import_dotted(&target.name.module, &dotted, at) {
                return Ok(id);
            }
        }
        self.flag_lookup(g, at);
        Ok(self.made(callee, args, false))
    }

    /// Records a use of `getattr` that is not a constant lookup.
    fn flag_lookup(&mut self, g: usize, at: usize) {
        let label = self.label(g);
        let why = "reaches any attribute of any object (the way to call methods such as os.system): here on a value computed while loading or by a computed name";
        self.judged
            .record(Kind::DangerousCallable, label, why.to_string(), at);
    }

    fn computed_callable(&mut self, callee: Id, at: usize) {
        let what = self.arena.describe(callee);
        self.judged.prove();
        self.judged.record(
            Kind::NonConstantGlobal,
            format!("call of {what}"),
            format!("loading calls {what}, a value computed while loading, so what runs cannot be read from the file"),
            at,
        );
    }

    fn dangerous_call(&mut self, g: usize, args: Id, why: &str, at: usize) {
        let full = self.arena.globals[g].name.full();
        let label = self.label(g);
        if !JUDGED_LOADERS.contains(&full.as_str()) {
            self.judge_nested_bytes(&label, args, at);
            return;
        }
        let first = self.arena.tuple(args).and_then(|t| t.first().copied());
        match first.and_then(|a| self.bytes_of(a)) {
            Some(bytes) => self.judge_nested(&bytes, &label, at),
            None => self.judged.record(
                Kind::DangerousCallable,
                label,
                format!("{why}; the bytes are computed while loading"),
                at,
            ),
        }
    }

    /// The bytes of a constant argument: a bytes literal, or `_codecs.encode(str,
    /// 'latin1')` as protocol 2 writes bytes.
    fn bytes_of(&self, id: Id) -> Option<Vec<u8>> {
        match self.arena.val(id) {
            Val::Bytes(_) => self.arena.text(id, self.input).map(<[u8]>::to_vec),
            Val::Made(m) => {
                let g = self.arena.global(m.callee)?;
                if g.name.full() != "_codecs.encode" {
                    return None;
                }
                let items = self.arena.tuple(m.args)?;
                let s = self.arena.str(*items.first()?, self.input)?;
                s.chars().map(|c| u8::try_from(c as u32).ok()).collect()
            }
            _ => None,
        }
    }

    /// Judges the constant bytes arguments of a flagged call that hold a model
    /// format (`pickle.loads(b'...')`, `numpy.load(io.BytesIO(...))`).
    fn judge_nested_bytes(&mut self, label: &str, args: Id, at: usize) {
        let items = self
            .arena
            .tuple(args)
            .map(<[Id]>::to_vec)
            .unwrap_or_default();
        for arg in items {
            if let Some(bytes) = self.bytes_of(arg) {
                self.judge_nested(&bytes, label, at);
            }
        }
    }

    fn judge_nested(&mut self, bytes: &[u8], label: &str, at: usize) {
        let layer = Layer::Step(format!("bytes passed to {label} at byte {at}"));
        self.ctx.within(layer, |ctx| formats::judge(bytes, ctx));
    }

    /// An argument a safe callable instantiates as a class.
    fn judge_class(&mut self, id: Id, at: usize) {
        match self.arena.val(id) {
            Val::Global(g) => {
                let g = *g;
                if self.arena.globals[g].standing == Standing::Unknown {
                    let name = self.label(g);
                    self.ctx.note(format!(
                        "{name} is rebuilt from saved state: it is not on the allowlist, so its module is imported and its __setstate__ runs"
                    ));
                }
            }
            v if is_constant(v) => {}
            _ => {
                let what = self.arena.describe(id);
                self.judged.record(
                    Kind::NonConstantGlobal,
                    format!("class {what}"),
                    format!("the class rebuilt is {what}, computed while loading"),
                    at,
                );
            }
        }
    }

    /// An argument a safe callable calls.
    fn judge_called(&mut self, id: Id, caller: &str, at: usize) {
        match self.arena.val(id) {
            Val::Global(g) => {
                let g = *g;
                let standing = self.arena.globals[g].standing;
                if self.arena.globals[g].name.full() == LOOKUP {
                    self.flag_lookup(g, at);
                } else if matches!(standing, Standing::Unknown | Standing::TrustedFunction) {
                    let name = self.label(g);
                    self.judged.record(
                        Kind::UnknownCallable,
                        name.clone(),
                        format!(
                            "{name} is not on the allowlist, and {caller} calls it while loading"
                        ),
                        at,
                    );
                }
            }
            v if is_constant(v) => {}
            _ => self.computed_callable(id, at),
        }
    }

    /// `NEWOBJ`, `NEWOBJ_EX`: `cls.__new__(cls, *args)`, no constructor.
    pub(super) fn rebuild(&mut self, cls: Id, args: Id, at: usize) -> Result<Id, String> {
        if is_constant(self.arena.val(cls)) {
            return Err("NEWOBJ class argument isn't a type object".into());
        }
        self.judged.prove();
        self.judge_class(cls, at);
        let pure = self.arena.pure(args)
            && self
                .arena
                .global(cls)
                .is_some_and(|g| is_pure_standing(g.standing));
        Ok(self.made(cls, args, pure))
    }

    /// `BUILD`: `inst.__setstate__(state)` or an update of its attributes.
    pub(super) fn build(&mut self, inst: Id, state: Id, at: usize) -> Result<(), String> {
        if self.arena.global(inst).is_some() {
            self.judge_mutation(inst, at);
            return Ok(());
        }
        let impure = !self.arena.pure(state);
        if let Val::Made(m) = self.arena.val_mut(inst) {
            m.state = Some(state);
        } else {
            return Ok(());
        }
        if impure {
            self.arena.taint(inst);
        }
        self.judged.prove();
        self.after_build(inst)
    }

    /// `BUILD`, `SETITEM(S)`, `APPEND(S)`, `ADDITEMS` on `target`: a finding when it
    /// is an imported object rather than one made while loading.
    pub(super) fn judge_mutation(&mut self, target: Id, at: usize) {
        let Val::Global(g) = *self.arena.val(target) else {
            return;
        };
        let name = self.label(g);
        self.judged.prove();
        self.judged.record(
            Kind::GlobalMutation,
            name.clone(),
            format!("loading changes {name}, an object of the loading program itself (monkey-patching), not a new object"),
            at,
        );
    }

    /// The class of a made object: the callee, or the class a safe rebuilding
    /// helper (`copyreg._reconstructor`, ...) was given.
    pub(super) fn class_of(&self, made: Id) -> Option<String> {
        let Val::Made(m) = self.arena.val(made) else {
            return None;
        };
        let g = self.arena.global(m.callee)?;
        if let Standing::Safe(roles) = g.standing {
            if roles.contains(&(0, Role::Class)) {
                let first = *self.arena.tuple(m.args)?.first()?;
                return self.arena.global(first).map(|g| g.name.full());
            }
        }
        Some(g.name.full())
    }
}
