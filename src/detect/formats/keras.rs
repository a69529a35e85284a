//! Keras model configs: the `config.json` of a `.keras` archive and the
//! `model_config` attribute of a legacy HDF5 `.h5` model.
//!
//! A config names classes and functions that Keras looks up and calls while it
//! rebuilds the model. Two things in it run code:
//!
//! - a `Lambda` layer (or a Keras 3 `__lambda__` object) stores a Python
//!   function, as marshalled bytecode or as a name, that runs when the model is
//!   loaded (older Keras, or `safe_mode=False`) or called;
//! - a function reference to a module outside Keras (`{"module": "builtins",
//!   "class_name": "function", "config": "exec"}`) makes Keras import that
//!   module and call the function (CVE-2025-1550 and its relatives). Such a
//!   reference is judged against the pickle allowlist: dangerous is critical,
//!   anything else high.

use crate::detect::pickle::allowlist::{classify, Standing};
use crate::detect::pickle::names::Name;
use crate::detect::{Ctx, Kind};
use serde_json::Value;

/// Packages a config may name freely.
const KERAS_PACKAGES: &[&str] = &["keras", "keras_hub", "keras_nlp", "keras_cv", "tf_keras"];

/// How deep a config is walked (Keras nests layers in models in layers).
const MAX_DEPTH: usize = 64;

/// Parses the first JSON value of `bytes` (trailing bytes are ignored, as in an
/// HDF5 attribute); `None` if it is not JSON. Also returns its length.
pub fn parse(bytes: &[u8]) -> Option<(Value, usize)> {
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
    let value = stream.next()?.ok()?;
    Some((value, stream.byte_offset()))
}

/// Judges the JSON config in `bytes`, found at `offset` of its layer.
pub(crate) fn judge_json(bytes: &[u8], offset: u64, ctx: &mut Ctx<'_>) -> bool {
    match parse(bytes) {
        Some((config, _)) => {
            judge_config(&config, offset, ctx);
            true
        }
        None => false,
    }
}

/// Judges a parsed config.
pub(crate) fn judge_config(config: &Value, offset: u64, ctx: &mut Ctx<'_>) {
    walk(config, offset, ctx, 0);
}

fn walk(v: &Value, offset: u64, ctx: &mut Ctx<'_>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(map) => {
            judge_object(map, offset, ctx);
            for child in map.values() {
                walk(child, offset, ctx, depth + 1);
            }
        }
        Value::Array(items) => {
            for child in items {
                walk(child, offset, ctx, depth + 1);
            }
        }
        _ => {}
    }
}

fn judge_object(map: &serde_json::Map<String, Value>, offset: u64, ctx: &mut Ctx<'_>) {
    let class = map.get("class_name").and_then(Value::as_str);
    match class {
        Some("Lambda") => lambda(map, offset, ctx),
        Some("__lambda__") => ctx.found(
            Kind::KerasLambda,
            "__lambda__".into(),
            "a Keras 3 lambda: Python bytecode stored in the config, run when the model is loaded with safe_mode=False".into(),
            Some(offset),
        ),
        Some("function") => function_reference(map, offset, ctx),
        _ => {}
    }
}

fn lambda(map: &serde_json::Map<String, Value>, offset: u64, ctx: &mut Ctx<'_>) {
    let config = map.get("config");
    let name = config
        .and_then(|c| c.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("unnamed");
    let kind = config
        .and_then(|c| c.get("function_type"))
        .and_then(Value::as_str)
        .unwrap_or("lambda");
    ctx.found(
        Kind::KerasLambda,
        format!("Lambda layer {name}"),
        format!("a Keras Lambda layer stores a Python function ({kind}) that runs when the model is loaded by older Keras or with safe_mode=False, and when it is called"),
        Some(offset),
    );
}

fn function_reference(map: &serde_json::Map<String, Value>, offset: u64, ctx: &mut Ctx<'_>) {
    let Some(module) = map.get("module").and_then(Value::as_str) else {
        return;
    };
    let package = module.split('.').next().unwrap_or(module);
    if KERAS_PACKAGES.contains(&package) {
        return;
    }
    let function = map
        .get("config")
        .and_then(Value::as_str)
        .or_else(|| map.get("registered_name").and_then(Value::as_str))
        .unwrap_or("?");
    let name = Name::resolve(module, function, 4);
    let full = name.full();
    match classify(&name, ctx.extra()) {
        Standing::Dangerous(why) => ctx.found(
            Kind::DangerousCallable,
            full.clone(),
            format!("{why}; the Keras config makes Keras import and call {full}"),
            Some(offset),
        ),
        Standing::Allowed => {}
        _ => ctx.found(
            Kind::UnknownCallable,
            full.clone(),
            format!("the Keras config refers to {full}, a function outside Keras, which Keras imports and calls while loading"),
            Some(offset),
        ),
    }
}
