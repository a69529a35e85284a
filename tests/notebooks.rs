//! Jupyter notebooks scan like notebooks: findings name the cell, the output and
//! the line within it (and the line of the file), in every format; embedded
//! images are not scanned; inline allow markers work in cells; the pre-commit
//! hook judges only the cells a commit changes.

mod common;
use common::{fake::*, *};
use serde_json::{json, Value};
use std::io::Write as _;

fn code(count: u32, source: &[&str], outputs: Value) -> Value {
    json!({"cell_type": "code", "execution_count": count, "metadata": {},
           "outputs": outputs, "source": source})
}

fn markdown(source: &[&str]) -> Value {
    json!({"cell_type": "markdown", "metadata": {}, "source": source})
}

/// A notebook as Jupyter writes it: pretty-printed, one JSON string per line.
fn notebook(cells: Vec<Value>) -> String {
    let doc = json!({"cells": cells, "metadata": {"kernelspec": {"name": "python3"}},
                     "nbformat": 4, "nbformat_minor": 5});
    serde_json::to_string_pretty(&doc).unwrap() + "\n"
}

/// A real PNG (noise pixels, zlib-compressed, CRC-checked chunks), base64 as
/// Jupyter embeds it.
fn png_base64(seed: u32, side: u32) -> String {
    let mut raw = Vec::new();
    let mut x = seed | 1;
    for _ in 0..side {
        raw.extend_from_slice(&[0]); // filter type: none
        for _ in 0..side * 3 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            raw.push((x >> 24) as u8);
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).unwrap();
    let idat = z.finish().unwrap();
    let mut ihdr = side.to_be_bytes().to_vec();
    ihdr.extend(side.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(&b"IHDR"[..], &ihdr[..]), (b"IDAT", &idat), (b"IEND", &[])] {
        png.extend((data.len() as u32).to_be_bytes());
        let mut h = crc32fast::Hasher::new();
        h.update(kind);
        h.update(data);
        png.extend(kind);
        png.extend(data);
        png.extend(h.finalize().to_be_bytes());
    }
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(png)
}

fn scan(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    leakgate(dir).arg("scan").args(args).output().unwrap()
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", all_output(out)))
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_finding_names_the_cell_output_and_line_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let nb = notebook(vec![
        markdown(&["# Evaluation\n", "Loads the data."]),
        code(
            3,
            &["import os\n", &format!("token = \"{GH1}\"\n"), "run(token)"],
            json!([{"name": "stdout", "output_type": "stream",
                    "text": ["starting\n", format!("env: GITHUB_TOKEN={GH2}\n")]}]),
        ),
    ]);
    std::fs::write(dir.path().join("eval.ipynb"), &nb).unwrap();
    let src_line = line_of(&nb, &format!("token = \\\"{GH1}"));
    let out_line = line_of(&nb, GH2);

    let out = scan(dir.path(), &["eval.ipynb"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let text = stdout(&out);
    let want = format!("eval.ipynb cell 2, line 2, column 10 (line {src_line} of the file)");
    assert!(text.contains(&want), "{want}\n{text}");
    let want =
        format!("eval.ipynb cell 2, output 1, line 2, column 19 (line {out_line} of the file)");
    assert!(text.contains(&want), "{want}\n{text}");
    assert!(
        !text.contains(GH1) && !text.contains(GH2),
        "redacted: {text}"
    );

    let doc = json_of(&scan(dir.path(), &["eval.ipynb", "--format", "json"]));
    let f = &doc["findings"];
    assert_eq!(f.as_array().unwrap().len(), 2, "{doc}");
    assert_eq!(f[0]["layers"][0]["kind"], "notebook-cell");
    assert_eq!(f[0]["layers"][0]["cell"], 2);
    assert_eq!(f[0]["layers"][0]["execution_count"], 3);
    assert_eq!(f[0]["layers"][0]["output"], Value::Null);
    assert_eq!(
        (f[0]["line"].clone(), f[0]["file_line"].clone()),
        (json!(2), json!(src_line))
    );
    assert_eq!(f[1]["layers"][0]["output"], 1);
    assert_eq!(f[1]["file_line"], out_line);

    let sarif = json_of(&scan(dir.path(), &["eval.ipynb", "--format", "sarif"]));
    let result = &sarif["runs"][0]["results"][0];
    let physical = &result["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "eval.ipynb");
    assert_eq!(physical["region"]["startLine"], src_line);
    let logical = &result["locations"][0]["logicalLocations"][0];
    assert_eq!(
        logical["fullyQualifiedName"], "eval.ipynb cell 2",
        "{result}"
    );

    let jsonl = stdout(&scan(dir.path(), &["eval.ipynb", "--format", "jsonl"]));
    assert!(jsonl.contains("\"notebook-cell\""), "{jsonl}");
}

#[test]
fn embedded_images_are_not_scanned_and_text_outputs_are() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for seed in 1..40 {
        outputs.push(json!({"data": {"image/png": png_base64(seed * 7919, 48),
                                      "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
                            "metadata": {}, "output_type": "display_data"}));
    }
    let plot = code(1, &["plt.plot(xs, ys)"], Value::Array(outputs));
    let mut with_attachment = markdown(&["![chart](attachment:chart.png)"]);
    with_attachment["attachments"] = json!({"chart.png": {"image/png": png_base64(5, 64)}});
    let nb = notebook(vec![plot, with_attachment]);
    std::fs::write(dir.path().join("plots.ipynb"), &nb).unwrap();
    let out = scan(dir.path(), &["plots.ipynb", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert_eq!(json_of(&out)["findings"], json!([]));

    let leaky = notebook(vec![code(
        2,
        &["df"],
        json!([{"data": {"image/png": png_base64(3, 16),
                         "text/html": [format!("<td>{GH3}</td>")],
                         "application/json": {"key": GH4}},
                "execution_count": 2, "metadata": {}, "output_type": "execute_result"},
               {"ename": "KeyError", "evalue": "x", "output_type": "error",
                "traceback": ["\u{1b}[0;31mKeyError\u{1b}[0m", format!("token {GH1} rejected")]}]),
    )]);
    std::fs::write(dir.path().join("leaky.ipynb"), &leaky).unwrap();
    let doc = json_of(&scan(dir.path(), &["leaky.ipynb", "--format", "json"]));
    let mut outputs: Vec<(u64, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["layers"][0]["output"].as_u64().unwrap(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    outputs.sort();
    assert_eq!(
        outputs,
        vec![(1, 1), (1, 2), (2, 2)],
        "html, json and traceback: {doc}"
    );
}

#[test]
fn inline_allow_markers_work_in_cells() {
    let dir = tempfile::tempdir().unwrap();
    let nb = notebook(vec![code(
        1,
        &[
            &format!("demo = \"{GH1}\"  # leakgate:allow revoked demo token\n"),
            &format!("real = \"{GH2}\"\n"),
        ],
        json!([]),
    )]);
    std::fs::write(dir.path().join("a.ipynb"), nb).unwrap();
    let doc = json_of(&scan(dir.path(), &["a.ipynb", "--format", "json"]));
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc}");
    assert_eq!(findings[0]["line"], 2);
    assert_eq!(doc["summary"]["suppressed"], 1, "{doc}");
}

#[test]
fn the_hook_judges_only_the_cells_a_commit_changes() {
    let repo = Repo::new();
    repo.install();
    let old_cell = code(
        1,
        &[&format!("legacy = \"{GH1}\"\n"), "print(legacy)"],
        json!([]),
    );
    let cell = |src: &str, out: &str| {
        code(
            2,
            &[src],
            json!([{"name": "stdout", "output_type": "stream", "text": [out]}]),
        )
    };
    let first = notebook(vec![old_cell.clone(), cell("x = 1", "1\n")]);
    repo.stage("analysis.ipynb", &first);
    repo.commit_unchecked("a notebook with an accepted old token");

    // Only cell 2 changes, cleanly: the old token in cell 1 is not judged again.
    repo.stage(
        "analysis.ipynb",
        notebook(vec![old_cell.clone(), cell("x = 2", "2\n")]),
    );
    let out = repo.commit("rerun cell 2");
    assert!(out.status.success(), "{}", all_output(&out));

    // Cell 2's output now prints a token: blocked, and the message names the cell.
    let leaked = notebook(vec![old_cell, cell("x = 3", &format!("{GH2}\n"))]);
    repo.stage("analysis.ipynb", &leaked);
    let out = repo.commit("rerun again");
    assert!(!out.status.success(), "blocked: {}", all_output(&out));
    let err = stderr(&out);
    assert!(
        err.contains("analysis.ipynb cell 2, output 1, line 1"),
        "{err}"
    );
    assert!(!err.contains("cell 1"), "cell 1 did not change: {err}");
    assert!(!err.contains(GH2), "redacted: {err}");
    assert_eq!(repo.commit_count(), 2);
}
