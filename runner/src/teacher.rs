//! `cargo lab grade WORK`: a teacher grades a learner's workbook.
//!
//! Only the learner's lab sources (`labs/*/src`) are taken from their work;
//! everything that judges them (the grader, every `tests/grade.rs`, the
//! manifests and snapshots) comes from the teacher's own workbook, so a
//! learner cannot grade themselves by editing a check. Each check runs in a
//! process of its own with a time limit, and the results are written as
//! `results.json` (autograders), `report.json` and `junit.xml`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Format;
use crate::check::{Results, Status, parse_report};
use crate::labs::{Lab, Workbook};
use crate::report::{LabResult, render};
use crate::style;

/// `cargo lab grade WORK [--out DIR] [--timeout S] [--lab N]...`.
pub fn grade(work: &str, out: &Path, timeout: u64, only: &[String]) -> Result<bool, String> {
    let teacher = Workbook::open()?;
    let scratch = std::env::temp_dir().join(format!("socklab-grade-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let learner_copy = scratch.join("learner");
    let graded_copy = scratch.join("graded");
    fetch(work, &learner_copy)?;
    copy_tracked(&teacher.root, &graded_copy)?;
    let workbook = Workbook::at(graded_copy.clone())?;
    for lab in &workbook.labs {
        let theirs = learner_copy.join("labs").join(&lab.folder).join("src");
        if theirs.is_dir() {
            let _ = std::fs::remove_dir_all(lab.dir.join("src"));
            copy_dir(&theirs, &lab.dir.join("src"))?;
        }
    }

    let wanted: Vec<u32> = only
        .iter()
        .map(|n| workbook.lab(n).map(|lab| lab.number))
        .collect::<Result<_, _>>()?;
    let mut graded = Vec::new();
    for lab in &workbook.labs {
        if !wanted.is_empty() && !wanted.contains(&lab.number) {
            continue;
        }
        eprintln!("grading lab {} ({})...", lab.number, lab.package);
        let results = grade_lab(&teacher, &workbook, lab, Duration::from_secs(timeout))?;
        eprintln!(
            "  {}/{} checks pass",
            results.passed(),
            results.checks.len()
        );
        graded.push(LabResult { lab, results });
    }

    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    for (file, format) in [
        ("results.json", Format::Gradescope),
        ("report.json", Format::Json),
        ("junit.xml", Format::Junit),
    ] {
        std::fs::write(out.join(file), render(&graded, format))
            .map_err(|e| format!("cannot write {}: {e}", out.join(file).display()))?;
    }
    let passed: usize = graded.iter().map(|g| g.results.passed()).sum();
    let total: usize = graded.iter().map(|g| g.results.checks.len()).sum();
    println!(
        "{work}: {passed}/{total} checks pass {}\nreports in {}",
        style::bar(passed, total),
        out.display()
    );
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(passed == total)
}

/// Brings the learner's work to `to`: a folder is copied, anything else is
/// cloned with git.
fn fetch(work: &str, to: &Path) -> Result<(), String> {
    let path = Path::new(work);
    if path.is_dir() {
        return copy_dir(path, to);
    }
    let status = Command::new("git")
        .args(["clone", "--quiet", "--depth", "1", work])
        .arg(to)
        .status()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("git could not clone {work}"))
    }
}

/// Copies the files git tracks in `root` to `to`.
fn copy_tracked(root: &Path, to: &Path) -> Result<(), String> {
    let listed = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "-z"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !listed.status.success() {
        return Err("grading needs the teacher's workbook to be a git checkout".to_string());
    }
    for file in listed.stdout.split(|&b| b == 0).filter(|f| !f.is_empty()) {
        let file = String::from_utf8_lossy(file);
        let target = to.join(file.as_ref());
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::copy(root.join(file.as_ref()), &target)
            .map_err(|e| format!("cannot copy {file}: {e}"))?;
    }
    Ok(())
}

/// Copies a folder, leaving out build output and runner state.
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name == "target" || name == ".socklab" {
            continue;
        }
        let target = to.join(&name);
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Builds the lab's checks once, then runs each check in its own process
/// with `timeout`.
fn grade_lab(
    teacher: &Workbook,
    workbook: &Workbook,
    lab: &Lab,
    timeout: Duration,
) -> Result<Results, String> {
    let checks = lab.checks()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    // The teacher's target folder: building the next learner's work reuses
    // every dependency already built.
    let target = teacher.root.join("target").join("socklab-grading");
    let built = Command::new(cargo)
        .current_dir(&workbook.root)
        .env("CARGO_TARGET_DIR", &target)
        .args(["test", "--no-run", "--quiet", "--message-format=json"])
        .args(["--package", &lab.package, "--test", "grade"])
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let executable = String::from_utf8_lossy(&built.stdout)
        .lines()
        .filter(|line| line.contains("\"name\":\"grade\""))
        .find_map(executable_of)
        .filter(|_| built.status.success());
    let Some(executable) = executable else {
        let errors = String::from_utf8_lossy(&built.stderr);
        let message = format!(
            "the lab does not compile:\n{}",
            errors.lines().take(12).collect::<Vec<_>>().join("\n")
        );
        return Ok(Results {
            checks: checks
                .into_iter()
                .map(|c| (c, Status::Fail(message.clone())))
                .collect(),
        });
    };

    let report = workbook
        .state_dir()
        .join(format!("grade-{:02}.report", lab.number));
    std::fs::create_dir_all(workbook.state_dir()).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&report);
    let mut timed_out = Vec::new();
    for check in &checks {
        let finished = run_one(&executable, &lab.dir, check, &report, timeout)?;
        if !finished {
            timed_out.push(check.clone());
        }
    }
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let mut results = parse_report(&text, &checks);
    for (name, status) in &mut results.checks {
        if timed_out.contains(name) {
            *status = Status::Fail(format!("did not finish within {} s", timeout.as_secs()));
        }
    }
    Ok(results)
}

/// The `"executable":"..."` of one line of cargo's JSON messages.
fn executable_of(line: &str) -> Option<String> {
    let start = line.find("\"executable\":\"")? + "\"executable\":\"".len();
    let end = start + line[start..].find('"')?;
    Some(line[start..end].replace("\\\\", "\\"))
}

/// Runs one check; false if it had to be killed.
fn run_one(
    executable: &str,
    dir: &Path,
    check: &str,
    report: &PathBuf,
    timeout: Duration,
) -> Result<bool, String> {
    let mut child = Command::new(executable)
        .current_dir(dir)
        .args(["--exact", check, "--test-threads=1"])
        .env("SOCKLAB_REPORT", report)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {executable}: {e}"))?;
    let deadline = Instant::now() + timeout;
    loop {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executable_comes_out_of_cargos_message() {
        let line = r#"{"reason":"compiler-artifact","target":{"name":"grade","kind":["test"]},"executable":"/t/debug/deps/grade-abc"}"#;
        assert_eq!(
            executable_of(line).as_deref(),
            Some("/t/debug/deps/grade-abc")
        );
        assert_eq!(executable_of(r#"{"executable":null}"#), None);
    }
}
