//! Containers and formats: each malicious file has a benign twin of the same
//! format, made the way the real tools make them.

use crate::decode::formats::zip::tests::build as zip;
use crate::detect::testing::{found, gzip, has, python, python_files, verdict};
use crate::detect::Kind::*;
use crate::detect::Layer;

/// A pickle whose load runs `os.system('id')`, at `protocol`.
fn evil(protocol: u8) -> Option<Vec<u8>> {
    python(&format!(
        "import pickle, sys, os\nclass P:\n    def __reduce__(self): return (os.system, ('id',))\n\
         sys.stdout.buffer.write(pickle.dumps(P(), protocol={protocol}))"
    ))
}

/// A PyTorch-style state dict pickle: tensors rebuilt by
/// `torch._utils._rebuild_tensor_v2` from persistent storages, as `torch.save`
/// writes `data.pkl` (made without torch, with the same opcodes).
fn state_dict_pickle() -> Option<Vec<u8>> {
    python(
        "import pickle, sys, collections\n\
class FloatStorage: pass\nFloatStorage.__module__ = 'torch'\n\
def _rebuild_tensor_v2(*a): pass\n_rebuild_tensor_v2.__module__ = 'torch._utils'\n\
class T:\n    def __init__(self, k): self.k = k\n\
    def __reduce_ex__(self, p): return (_rebuild_tensor_v2, (('storage', FloatStorage, self.k, 'cpu', 4), 0, (2, 2), (2, 1), False, collections.OrderedDict()))\n\
class P(pickle.Pickler):\n    def persistent_id(self, obj):\n        return obj if isinstance(obj, tuple) and obj and obj[0] == 'storage' else None\n\
import io\nb = io.BytesIO()\nsd = collections.OrderedDict([('w', T('0')), ('b', T('1'))])\n\
sd._metadata = collections.OrderedDict([('', {'version': 1})])\n\
import types\nmod = types.ModuleType('torch'); mod.FloatStorage = FloatStorage; sys.modules['torch'] = mod\n\
m2 = types.ModuleType('torch._utils'); m2._rebuild_tensor_v2 = _rebuild_tensor_v2; sys.modules['torch._utils'] = m2\n\
P(b, protocol=2).dump(sd)\nsys.stdout.buffer.write(b.getvalue())",
    )
}

fn torch_zip(data_pkl: &[u8]) -> Vec<u8> {
    zip(
        b"",
        &[
            ("archive/data.pkl", data_pkl, 0, 0),
            ("archive/byteorder", b"little", 0, 0),
            ("archive/data/0", &[0u8, 0, 128, 63, 0, 0, 0, 64][..], 0, 0),
            ("archive/version", b"3\n", 0, 0),
            ("archive/.data/serialization_id", b"1234567890", 0, 0),
        ],
    )
}

#[test]
fn pytorch_zip_archives() {
    let (Some(benign), Some(bad)) = (state_dict_pickle(), evil(2)) else {
        return;
    };
    let v = verdict(&torch_zip(&benign));
    assert_eq!(v.format, Some("zip"));
    assert!(v.findings.is_empty(), "{:?}", v.findings);
    let v = verdict(&torch_zip(&bad));
    let f = &v.findings[0];
    assert_eq!(f.callable, "posix.system");
    assert_eq!(f.layers, vec![Layer::Entry("archive/data.pkl".into())]);
    assert_eq!(
        crate::detect::display_chain("model.pt", &f.layers),
        "model.pt!/archive/data.pkl"
    );
    assert!(f.offset.is_some());
}

#[test]
fn zips_are_read_as_loosely_as_loaders_read_them() {
    let Some(bad) = evil(4) else {
        return;
    };
    // A duplicate name: the second entry is the one `zipfile` would load.
    let dup = zip(
        b"",
        &[
            ("a/data.pkl", b"\x80\x02K\x01.", 0, 0),
            ("a/data.pkl", &bad, 8, 0),
        ],
    );
    assert!(has(&dup, DangerousCallable, "posix.system"));
    // Odd local-header flags (a data-descriptor bit, UTF-8 names) and bytes in front.
    let odd = zip(b"MZ junk in front", &[("x/data.pkl", &bad, 8, 0x0808)]);
    assert!(has(&odd, DangerousCallable, "posix.system"));
    // Nested archives: a zip in a zip in a gzip.
    let inner = zip(b"", &[("data.pkl", &bad, 8, 0)]);
    let outer = gzip(&zip(b"", &[("inner.zip", &inner, 0, 0)]));
    let v = verdict(&outer);
    let f = v
        .findings
        .iter()
        .find(|f| f.callable == "posix.system")
        .expect("found through 3 layers");
    assert_eq!(
        crate::detect::display_chain("m.gz", &f.layers),
        "m.gz -> gzip!/inner.zip!/data.pkl"
    );
    // A pickle with a zip appended: torch.load reads the pickle, zipfile the zip.
    let mut polyglot = b"\x80\x02K\x01.".to_vec();
    polyglot.extend_from_slice(&zip(b"", &[("data.pkl", &bad, 0, 0)]));
    assert!(has(&polyglot, DangerousCallable, "posix.system"));
}

#[test]
fn a_zip_bomb_is_bounded_and_reported() {
    let Some(bad) = evil(4) else {
        return;
    };
    let mut data = bad.clone();
    data.extend(std::iter::repeat_n(0u8, 8 << 20));
    let bomb = zip(b"", &[("data.pkl", &data, 8, 0)]);
    assert!(bomb.len() < 64 << 10);
    let policy = crate::detect::Policy {
        limits: crate::detect::Limits {
            max_output: 1 << 20,
            ..Default::default()
        },
        ..Default::default()
    };
    let v = crate::detect::judge(&bomb, &policy);
    assert!(v.findings.iter().any(|f| f.callable == "posix.system"));
    assert!(
        v.unjudged.iter().any(|u| u.contains("size limit")),
        "{:?}",
        v.unjudged
    );
}

#[test]
fn pytorch_legacy_formats() {
    let (Some(benign), Some(bad)) = (state_dict_pickle(), evil(2)) else {
        return;
    };
    // torch.save before 1.6: magic number, protocol, sys_info, the data, storage keys.
    let stream = |main: &[u8]| {
        let mut f = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.".to_vec();
        f.extend_from_slice(b"\x80\x02M\xe9\x03.");
        f.extend_from_slice(b"\x80\x02}q\x00(X\x10\x00\x00\x00protocol_versionq\x01M\xe9\x03u.");
        f.extend_from_slice(main);
        f.extend_from_slice(b"\x80\x02]q\x00X\x01\x00\x00\x000q\x01a.");
        f.extend_from_slice(&[0u8, 0, 128, 63, 0, 0, 0, 64]);
        f
    };
    let v = verdict(&stream(&benign));
    assert!(v.findings.is_empty(), "{:?}", v.findings);
    let v = verdict(&stream(&bad));
    assert!(v.findings.iter().any(|f| f.callable == "posix.system"
        && matches!(&f.layers[0], Layer::Step(s) if s.starts_with("pickle stream 4"))));
    // The oldest format: a tar with a `pickle` member.
    let tar = python(&format!(
        "import tarfile, io, sys\nb = io.BytesIO()\nt = tarfile.open(fileobj=b, mode='w')\n\
         for name, data in [('sys_info', b'\\x80\\x02}}q\\x00.'), ('pickle', bytes({bad:?}))]:\n\
         \x20   i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))\n\
         t.close(); sys.stdout.buffer.write(b.getvalue())"
    ));
    let Some(tar) = tar else { return };
    let v = verdict(&tar);
    assert_eq!(v.format, Some("tar"));
    let f = v
        .findings
        .iter()
        .find(|f| f.callable == "posix.system")
        .expect("found in the tar");
    assert_eq!(f.layers, vec![Layer::Entry("pickle".into())]);
}

#[test]
fn numpy_npy_and_npz() {
    let script = |evil: bool| {
        format!(
            "import numpy as np, io, sys, os\n\
class P:\n    def __reduce__(self): return (os.system, ('id',))\n\
a = np.array([1, 'x', P() if {evil} else 2.5], dtype=object)\n\
b = io.BytesIO(); np.save(b, a, allow_pickle=True); npy = b.getvalue()\n\
z = io.BytesIO(); np.savez_compressed(z, weights=np.arange(10.0), objs=a)\n\
sys.stdout.buffer.write(len(npy).to_bytes(8, 'little') + npy + z.getvalue())",
            evil = if evil { "True" } else { "False" }
        )
    };
    for evil in [false, true] {
        let Some(out) = python(&script(evil)) else {
            return;
        };
        let n = u64::from_le_bytes(out[..8].try_into().unwrap()) as usize;
        let (npy, npz) = (&out[8..8 + n], &out[8 + n..]);
        for (what, bytes) in [("npy", npy), ("npz", npz)] {
            let v = verdict(bytes);
            let hit = v.findings.iter().any(|f| f.callable == "posix.system");
            assert_eq!(hit, evil, "{what} evil={evil}: {:?}", v.findings);
            assert!(evil || v.findings.is_empty(), "{what}: {:?}", v.findings);
        }
    }
    let Some(plain) = python("import numpy as np, io, sys\nb = io.BytesIO(); np.save(b, np.zeros((3, 3)))\nsys.stdout.buffer.write(b.getvalue())") else {
        return;
    };
    assert_eq!(verdict(&plain).format, Some("npy"));
    assert!(verdict(&plain).findings.is_empty());
}

#[test]
fn joblib_with_every_compressor_and_interleaved_arrays() {
    // The payload comes after an array, so it is found only if the array's raw
    // bytes are skipped exactly.
    let compressors = [
        "0",
        "('zlib', 3)",
        "('gzip', 3)",
        "('bz2', 3)",
        "('xz', 3)",
        "('lzma', 3)",
    ];
    let script = format!(
        r#"import joblib, io, os, numpy as np
from sklearn.linear_model import LogisticRegression
class P:
    def __reduce__(self): return (os.system, ('id',))
X = np.random.RandomState(0).rand(30, 3); y = (X[:, 0] > .5).astype(int)
m = LogisticRegression().fit(X, y)
for c in [{}]:
    for evil in (False, True):
        b = io.BytesIO()
        joblib.dump({{'w': np.arange(1000, dtype='f8'), 'm': m, 'x': P() if evil else 3}}, b, compress=c)
        out(b.getvalue())
"#,
        compressors.join(", ")
    );
    let Some(files) = python_files(&script) else {
        return;
    };
    for (i, file) in files.iter().enumerate() {
        let (compress, evil) = (compressors[i / 2], i % 2 == 1);
        let v = verdict(file);
        let hit = v.findings.iter().any(|f| f.callable == "posix.system");
        assert_eq!(
            hit, evil,
            "compress={compress} evil={evil}: {:?}",
            v.findings
        );
        assert!(
            evil || v.findings.is_empty(),
            "compress={compress}: {:?}",
            v.findings
        );
    }
}

#[test]
fn keras_archives_and_legacy_hdf5() {
    let lambda = r#"{"module": "keras", "class_name": "Sequential", "config": {"layers": [{"module": "keras.layers", "class_name": "Lambda", "config": {"name": "evil", "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAA"}}}}]}}"#;
    let fnref = r#"{"module": "keras", "class_name": "Functional", "config": {"layers": [{"module": "keras.layers", "class_name": "Dense", "config": {"units": 2, "activation": {"module": "builtins", "class_name": "function", "config": "exec", "registered_name": "function"}}}]}}"#;
    let benign = r#"{"module": "keras", "class_name": "Sequential", "config": {"layers": [{"module": "keras.layers", "class_name": "Dense", "config": {"units": 2, "activation": "relu"}}, {"module": "keras.layers", "class_name": "Activation", "config": {"activation": {"module": "keras.activations", "class_name": "function", "config": "softmax", "registered_name": "function"}}}]}}"#;
    let keras = |config: &str| {
        zip(
            b"",
            &[
                ("metadata.json", br#"{"keras_version": "3.4.1"}"#, 8, 0),
                ("config.json", config.as_bytes(), 8, 0),
                ("model.weights.h5", b"\x89HDF\r\n\x1a\n\0\0\0\0", 0, 0),
            ],
        )
    };
    assert!(has(&keras(lambda), KerasLambda, "Lambda layer evil"));
    assert!(has(&keras(fnref), DangerousCallable, "builtins.exec"));
    let v = verdict(&keras(benign));
    assert!(v.findings.is_empty(), "{:?}", v.findings);
    let unknown = fnref.replace(r#""module": "builtins""#, r#""module": "mytools""#);
    assert!(has(&keras(&unknown), UnknownCallable, "mytools.exec"));
    // Legacy .h5: the config in the root group's `model_config` attribute, as
    // Keras 2 writes it with h5py.
    let legacy = r#"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Lambda", "config": {"name": "lam", "function": ["4wEAAAAAAAAA", null, null], "function_type": "lambda"}}]}}"#;
    for (config, evil) in [(legacy, true), (benign, false)] {
        let script = format!(
            "import h5py, io, sys, json\nb = io.BytesIO()\nwith h5py.File(b, 'w') as f:\n\
             \x20   f.attrs['keras_version'] = b'2.12.0'\n\
             \x20   f.attrs['model_config'] = json.dumps(json.loads({config:?})).encode('utf8')\n\
             \x20   f.create_dataset('model_weights/dense/kernel', data=[[1.0, 2.0]])\n\
             sys.stdout.buffer.write(b.getvalue())"
        );
        let Some(h5) = python(&script) else {
            return;
        };
        let v = verdict(&h5);
        assert_eq!(v.format, Some("hdf5"));
        assert_eq!(
            v.findings.iter().any(|f| f.kind == KerasLambda),
            evil,
            "{:?}",
            v.findings
        );
        assert!(evil || v.findings.is_empty());
    }
}

#[test]
fn data_formats_pass() {
    let header = br#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
    let mut st = (header.len() as u64).to_le_bytes().to_vec();
    st.extend_from_slice(header);
    st.extend_from_slice(&[0u8; 8]);
    assert_eq!(verdict(&st).format, Some("safetensors"));
    assert!(verdict(&st).findings.is_empty());
    let gguf = b"GGUF\x03\x00\x00\x00\x00\x00\x00\x00cposix\nsystem\n";
    assert!(verdict(gguf).findings.is_empty());
    // ONNX: protobuf, first byte 0x08 (ir_version).
    let onnx = b"\x08\x07\x12\x07pytorch\x1a\x032.1:\x02\x10\x01";
    assert!(verdict(onnx).is_irrelevant());
}

#[test]
fn git_lfs_pointers_are_noted() {
    let p = b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";
    let v = verdict(p);
    assert_eq!(v.format, Some("git-lfs-pointer"));
    assert!(v.notes[0].text.contains("LFS"));
    assert!(found(p).is_empty());
}

#[test]
fn damaged_and_hostile_bytes_never_panic_and_end_quickly() {
    let Some(evil) = evil(4) else { return };
    let zip_file = torch_zip(&evil);
    let mut samples: Vec<Vec<u8>> = vec![evil.clone(), zip_file.clone(), gzip(&evil)];
    // A deep chain of calls of calls, a million marks, a huge memo index.
    samples.push(
        [
            &b"\x80\x04\x8c\x0bcollections\x8c\x0bOrderedDict\x93"[..],
            &b")R".repeat(100_000),
            b".",
        ]
        .concat(),
    );
    samples.push(b"(".repeat(1_000_000));
    samples.push(b"\x80\x04K\x01r\xff\xff\xff\xffj\xff\xff\xff\xff.".to_vec());
    samples.push(b"\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\xff.".to_vec());
    for base in [evil.as_slice(), zip_file.as_slice()] {
        for cut in 0..base.len() {
            samples.push(base[..cut].to_vec());
        }
        for i in (0..base.len()).step_by(3) {
            let mut flipped = base.to_vec();
            flipped[i] ^= 0xff;
            samples.push(flipped);
        }
    }
    for s in &samples {
        let _ = verdict(s);
    }
}
