//! `cargo lab verify`: the maintainers' proof that the workbook is honest,
//! the same that CI runs (`.ci/run`).
//!
//! 1. `cargo test` at the top (the README's command): the reference
//!    solutions pass every check, the grader rejects the catalogue of known
//!    mistakes, the decoders survive random input, the book builds with
//!    every include resolved.
//! 2. Every lab as shipped, graded the way a learner grades it: every check
//!    fails, and says "not implemented yet".
//! 3. Every lab with its solution's sources pasted in: every check
//!    passes. The lab is restored afterwards, whatever happens.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::check::{Graded, Status, grade};
use crate::labs::{Lab, Workbook};
use crate::style;

pub fn verify(workbook: &Workbook) -> Result<bool, String> {
    refuse_changed_labs(workbook)?;

    println!(
        "{}",
        style::bold("1. cargo test (solutions pass, mistakes fail, the book builds)")
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let tested = Command::new(&cargo)
        .current_dir(&workbook.root)
        .arg("test")
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    if !tested.success() {
        return Err("cargo test failed (see above)".to_string());
    }

    println!(
        "{}",
        style::bold("2. the labs as shipped: every check fails, not implemented yet")
    );
    for lab in &workbook.labs {
        let failures = stub_failures(workbook, lab)?;
        if !failures.is_empty() {
            return Err(format!("lab {}:\n{}", lab.number, failures.join("\n")));
        }
        println!(
            "  lab {}: {} checks, all fail as they should",
            lab.number,
            lab.checks()?.len()
        );
    }

    println!(
        "{}",
        style::bold("3. the labs with their solutions pasted in: every check passes")
    );
    for lab in &workbook.labs {
        let failures = with_solution(workbook, lab)?;
        if !failures.is_empty() {
            return Err(format!(
                "lab {} with its solution:\n{}",
                lab.number,
                failures.join("\n")
            ));
        }
        println!("  lab {}: every check passes", lab.number);
    }
    println!("{}", style::pass("verified"));
    Ok(true)
}

/// Every file under `dir`, by its path relative to `dir`.
fn read_tree(dir: &Path) -> Result<BTreeMap<PathBuf, Vec<u8>>, String> {
    let mut files = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
                let relative = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
                files.insert(relative, bytes);
            }
        }
    }
    Ok(files)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Verify grades the labs as shipped; a learner's edits would be graded
/// instead, and the solution step would overwrite them.
fn refuse_changed_labs(workbook: &Workbook) -> Result<(), String> {
    let status = Command::new("git")
        .arg("-C")
        .arg(&workbook.root)
        .args(["status", "--porcelain", "--", "labs"])
        .output()
        .map_err(|e| format!("verify needs git: {e}"))?;
    let changed = String::from_utf8_lossy(&status.stdout);
    if changed.trim().is_empty() {
        Ok(())
    } else {
        Err(format!(
            "verify checks the labs as shipped, and these differ from git:\n{changed}\
             commit or stash them (or `cargo lab reset N`) first"
        ))
    }
}

/// The checks that do not fail on the stub as they should.
fn stub_failures(workbook: &Workbook, lab: &Lab) -> Result<Vec<String>, String> {
    let graded = grade(workbook, lab)?;
    // A check of the stub is not the learner's progress.
    let _ = std::fs::remove_file(crate::check::results_file(workbook, lab));
    let results = match graded {
        Graded::Checked(results) => results,
        Graded::DidNotBuild(errors) => {
            return Ok(vec![format!("the stub does not compile:\n{errors}")]);
        }
    };
    Ok(results
        .checks
        .iter()
        .filter_map(|(name, status)| match status {
            Status::Fail(message) if message.contains("not implemented yet") => None,
            Status::Fail(message) => Some(format!(
                "  {name} fails without saying \"not implemented yet\": {message}"
            )),
            Status::Pass => Some(format!("  {name} passes on the stub")),
            Status::NotRun => Some(format!("  {name} did not run")),
        })
        .collect())
}

/// The checks that fail with the solution's sources pasted into the lab.
fn with_solution(workbook: &Workbook, lab: &Lab) -> Result<Vec<String>, String> {
    let src = lab.dir.join("src");
    let shipped = read_tree(&src)?;
    let solution = read_tree(&lab.solution_dir().join("src"))?;
    for (path, bytes) in &solution {
        write_file(&src.join(path), bytes)?;
    }
    let graded = grade(workbook, lab);
    // Put the lab back as shipped: drop what the solution added, and write
    // (not copy) every shipped file, so a new modification time makes
    // cargo rebuild.
    for path in solution.keys().filter(|p| !shipped.contains_key(*p)) {
        let _ = std::fs::remove_file(src.join(path));
    }
    for (path, bytes) in &shipped {
        write_file(&src.join(path), bytes)?;
    }
    let results = match graded? {
        Graded::Checked(results) => results,
        Graded::DidNotBuild(errors) => return Ok(vec![format!("does not compile:\n{errors}")]),
    };
    // The solution's results must not linger as the learner's progress.
    let _ = std::fs::remove_file(crate::check::results_file(workbook, lab));
    Ok(results
        .checks
        .iter()
        .filter(|(_, status)| !matches!(status, Status::Pass))
        .map(|(name, status)| match status {
            Status::Fail(message) => format!("  {name}: {message}"),
            _ => format!("  {name} did not run"),
        })
        .collect())
}
