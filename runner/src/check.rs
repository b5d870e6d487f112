//! `cargo lab check N` and `cargo lab list`: grading a lab and showing the
//! results.
//!
//! The grader appends one line per check to the file named by
//! `SOCKLAB_REPORT` (`pass<TAB>name` or `fail<TAB>name<TAB>message`, the
//! message escaped). The runner keeps that file as the lab's latest result,
//! so `list` can show every lab's state without grading them all again.

use std::path::PathBuf;
use std::process::Command;

use crate::labs::{Lab, Workbook};
use crate::style;

/// What happened to one check.
pub enum Status {
    Pass,
    Fail(String),
    /// The test program stopped (it crashed, or was killed) before this check reported.
    NotRun,
}

/// A lab's graded checks, in `grade.rs` order.
pub struct Results {
    pub checks: Vec<(String, Status)>,
}

impl Results {
    pub fn passed(&self) -> usize {
        self.checks
            .iter()
            .filter(|(_, status)| matches!(status, Status::Pass))
            .count()
    }

    pub fn all_pass(&self) -> bool {
        self.passed() == self.checks.len()
    }

    pub fn first_failing(&self) -> Option<&str> {
        self.checks
            .iter()
            .find(|(_, status)| !matches!(status, Status::Pass))
            .map(|(name, _)| name.as_str())
    }
}

/// The file holding a lab's latest results.
pub fn results_file(workbook: &Workbook, lab: &Lab) -> PathBuf {
    workbook
        .state_dir()
        .join(format!("lab-{:02}.results", lab.number))
}

/// Reads a lab's latest results; `None` if it was never checked.
pub fn saved_results(workbook: &Workbook, lab: &Lab) -> Result<Option<Results>, String> {
    let Ok(report) = std::fs::read_to_string(results_file(workbook, lab)) else {
        return Ok(None);
    };
    Ok(Some(parse_report(&report, &lab.checks()?)))
}

/// Parses the grader's report, ordering the checks as `grade.rs` does.
pub fn parse_report(report: &str, checks: &[String]) -> Results {
    let mut lines = report.lines().map(|line| line.splitn(3, '\t'));
    let mut reported: Vec<(String, Status)> = Vec::new();
    for mut fields in lines.by_ref() {
        let (Some(verdict), Some(name)) = (fields.next(), fields.next()) else {
            continue;
        };
        let status = match verdict {
            "pass" => Status::Pass,
            _ => Status::Fail(unescape(fields.next().unwrap_or(""))),
        };
        reported.push((name.to_string(), status));
    }
    let checks = checks
        .iter()
        .map(|name| {
            let status = reported
                .iter()
                .position(|(reported_name, _)| reported_name == name)
                .map(|at| reported.swap_remove(at).1)
                .unwrap_or(Status::NotRun);
            (name.clone(), status)
        })
        .collect();
    Results { checks }
}

/// Undoes the grader's escaping of `\n`, `\t` and `\\` in messages.
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// How grading a lab went.
pub enum Graded {
    Checked(Results),
    /// The lab (or its tests) did not compile; cargo's messages say why.
    DidNotBuild(String),
}

/// Runs the lab's checks with `cargo test` and returns the results.
pub fn grade(workbook: &Workbook, lab: &Lab) -> Result<Graded, String> {
    let state = workbook.state_dir();
    std::fs::create_dir_all(&state)
        .map_err(|e| format!("cannot create {}: {e}", state.display()))?;
    let report = state.join(format!("lab-{:02}.report", lab.number));
    let _ = std::fs::remove_file(&report);

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .current_dir(&workbook.root)
        .args([
            "test",
            "--quiet",
            "--package",
            &lab.package,
            "--test",
            "grade",
        ])
        .env("SOCKLAB_REPORT", &report)
        .env("RUST_BACKTRACE", "0")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;

    let text = std::fs::read_to_string(&report).unwrap_or_default();
    if text.is_empty() && !output.status.success() {
        return Ok(Graded::DidNotBuild(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    // The report becomes the lab's latest results.
    std::fs::write(results_file(workbook, lab), &text)
        .map_err(|e| format!("cannot save the results: {e}"))?;
    let _ = std::fs::remove_file(&report);
    Ok(Graded::Checked(parse_report(&text, &lab.checks()?)))
}

/// `cargo lab check N`: returns whether every check passed.
pub fn check(workbook: &Workbook, number: &str) -> Result<bool, String> {
    let lab = workbook.lab(number)?;
    println!(
        "{}",
        style::bold(&format!("Lab {}: {}", lab.number, lab.title()))
    );
    println!(
        "{}",
        style::dim("grading... (the first run compiles the lab)")
    );
    let graded = grade(workbook, lab)?;
    Ok(show(lab, &graded))
}

/// Prints graded results: one line per check, the lesson of each failure,
/// a progress bar and the next step. Returns whether every check passed.
pub fn show(lab: &Lab, graded: &Graded) -> bool {
    let results = match graded {
        Graded::Checked(results) => results,
        Graded::DidNotBuild(errors) => {
            println!("{}", errors.trim_end());
            println!(
                "\n{}",
                style::fail(&format!(
                    "Lab {} does not compile yet: fix the first error above, then check again.",
                    lab.number
                ))
            );
            return false;
        }
    };
    for (name, status) in &results.checks {
        match status {
            Status::Pass => println!("  {} {name}", style::pass("ok  ")),
            Status::Fail(message) => print_failure(name, message),
            Status::NotRun => println!(
                "  {} {name}: the test program stopped before this check finished",
                style::fail("FAIL")
            ),
        }
    }
    let total = results.checks.len();
    println!(
        "\n{} checks pass {}",
        results.passed(),
        style::bar(results.passed(), total)
    );
    match results.first_failing() {
        None => {
            println!(
                "{}",
                style::pass(&format!(
                    "Lab {} is done. `cargo lab solution {}` compares yours with the reference; \
                     `cargo lab list` shows what is next.",
                    lab.number, lab.number
                ))
            );
            true
        }
        Some(first) => {
            println!(
                "Next: make {} pass. Stuck? `cargo lab hint {}`",
                style::bold(first),
                lab.number
            );
            false
        }
    }
}

fn print_failure(name: &str, message: &str) {
    let mut lines = message.lines();
    let first = lines.next().unwrap_or("");
    println!("  {} {name}: {first}", style::fail("FAIL"));
    let rest: Vec<&str> = lines.collect();
    if !rest.is_empty() {
        println!("{}", style::indent(&rest.join("\n"), 7));
    }
}

/// `cargo lab list`: every lab's state, the overall progress, and the next
/// thing to do.
pub fn list(workbook: &Workbook) -> Result<bool, String> {
    println!("{}", style::bold("socklab labs"));
    let mut labs_done = 0;
    let mut next: Option<String> = None;
    for lab in &workbook.labs {
        let total = lab.checks()?.len();
        let state = match saved_results(workbook, lab)? {
            None => {
                next.get_or_insert(format!(
                    "read chapter {0}, then `cargo lab check {0}`",
                    lab.number
                ));
                style::dim("not started")
            }
            Some(results) if results.all_pass() => {
                labs_done += 1;
                style::pass(&format!("passing ({total}/{total})"))
            }
            Some(results) => {
                next.get_or_insert(format!(
                    "finish lab {0} (`cargo lab check {0}`, `cargo lab hint {0}`)",
                    lab.number
                ));
                style::fail(&format!("failing ({}/{total})", results.passed()))
            }
        };
        println!("  {:>2}  {:<28} {state}", lab.number, lab.title());
    }
    println!("\nprogress {}", style::bar(labs_done, workbook.labs.len()));
    match next {
        Some(next) => println!("next: {next}"),
        None => println!("{}", style::pass("Every lab passes. Well done.")),
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reports_are_ordered_like_grade_rs_and_missing_checks_did_not_run() {
        let report = "fail\tsecond\tline one\\nline two\npass\tfirst\n";
        let results = parse_report(report, &names(&["first", "second", "third"]));
        assert_eq!(results.passed(), 1);
        assert_eq!(results.first_failing(), Some("second"));
        assert!(matches!(&results.checks[1].1, Status::Fail(m) if m == "line one\nline two"));
        assert!(matches!(results.checks[2].1, Status::NotRun));
    }

    /// Progress is a results file per lab in `.socklab/`: absent means not
    /// started, all `pass` lines means passing.
    #[test]
    fn progress_is_read_back_from_the_working_copy() {
        let root = std::env::temp_dir().join(format!("socklab-progress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let lab_dir = root.join("labs/01-demo");
        std::fs::create_dir_all(lab_dir.join("tests")).unwrap();
        std::fs::write(
            lab_dir.join("Cargo.toml"),
            "[package]\nname = \"lab-01-demo\"\n",
        )
        .unwrap();
        std::fs::write(lab_dir.join("tests/grade.rs"), "fn one() {}\nfn two() {}\n").unwrap();
        let workbook = Workbook::at(root.clone()).unwrap();
        let lab = workbook.lab("1").unwrap();
        assert!(
            saved_results(&workbook, lab).unwrap().is_none(),
            "not started"
        );

        std::fs::create_dir_all(workbook.state_dir()).unwrap();
        std::fs::write(
            results_file(&workbook, lab),
            "pass\tone\nfail\ttwo\tnot yet\n",
        )
        .unwrap();
        let results = saved_results(&workbook, lab).unwrap().unwrap();
        assert_eq!((results.passed(), results.all_pass()), (1, false));

        std::fs::write(results_file(&workbook, lab), "pass\ttwo\npass\tone\n").unwrap();
        assert!(saved_results(&workbook, lab).unwrap().unwrap().all_pass());
        assert!(results_file(&workbook, lab).starts_with(root.join(".socklab")));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn unescaping_restores_tabs_newlines_and_backslashes() {
        assert_eq!(unescape("a\\tb\\nc\\\\d"), "a\tb\nc\\d");
    }
}
