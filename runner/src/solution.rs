//! `cargo lab solution N` and `cargo lab reset N`.
//!
//! The reference solution is for after: once a lab passes, the runner shows
//! the learner's code and the reference side by side as a diff; before, only
//! on explicit request (`--peek`). A reset puts the lab back as shipped (the
//! version in git) and keeps the learner's version as a backup first.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use similar::{ChangeTag, TextDiff};

use crate::check::{results_file, saved_results};
use crate::labs::{Lab, Workbook};
use crate::style;

/// `cargo lab solution N [--peek]`.
pub fn show(workbook: &Workbook, number: &str, peek: bool) -> Result<bool, String> {
    let lab = workbook.lab(number)?;
    let passing = saved_results(workbook, lab)?.is_some_and(|r| r.all_pass());
    if !passing && !peek {
        println!(
            "Lab {} does not pass yet (as of your last `cargo lab check {}`).\n\
             The reference solution is most useful after you have found your own way;\n\
             `cargo lab hint {}` helps meanwhile. To look anyway: `cargo lab solution {} --peek`.",
            lab.number, lab.number, lab.number, lab.number
        );
        return Ok(false);
    }
    let yours_path = lab.dir.join("src/lib.rs");
    let reference_path = lab.solution_dir().join("src/lib.rs");
    let yours = read(&yours_path)?;
    let reference = read(&reference_path)?;
    println!(
        "{}",
        style::bold(&format!(
            "Lab {}: yours ({}) and the reference ({})",
            lab.number,
            relative(workbook, &yours_path),
            relative(workbook, &reference_path)
        ))
    );
    println!(
        "{}",
        style::dim("- only in yours   + only in the reference")
    );
    print!("{}", diff(&yours, &reference));
    Ok(true)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn relative(workbook: &Workbook, path: &Path) -> String {
    path.strip_prefix(&workbook.root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A line diff with a little context around each change.
pub fn diff(yours: &str, reference: &str) -> String {
    let diff = TextDiff::from_lines(yours, reference);
    let mut out = String::new();
    for group in diff.grouped_ops(3) {
        out.push_str(&style::dim("@@\n"));
        for op in group {
            for change in diff.iter_changes(&op) {
                let line = change.value().trim_end_matches('\n');
                let shown = match change.tag() {
                    ChangeTag::Delete => style::fail(&format!("- {line}")),
                    ChangeTag::Insert => style::pass(&format!("+ {line}")),
                    ChangeTag::Equal => format!("  {line}"),
                };
                out.push_str(&shown);
                out.push('\n');
            }
        }
    }
    if out.is_empty() {
        out.push_str("(identical)\n");
    }
    out
}

/// `cargo lab reset N [--yes]`.
pub fn reset(workbook: &Workbook, number: &str, yes: bool) -> Result<bool, String> {
    let lab = workbook.lab(number)?;
    if !yes && !confirm(lab)? {
        println!("Nothing changed.");
        return Ok(false);
    }
    let backup = reset_lab(workbook, lab)?;
    println!(
        "Lab {} is back as shipped. Your version is in {}",
        lab.number,
        relative(workbook, &backup)
    );
    Ok(true)
}

fn confirm(lab: &Lab) -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err("reset asks for confirmation; without a terminal, pass --yes".to_string());
    }
    print!(
        "Put lab {} back as it was shipped? Your version is kept as a backup. [y/N] ",
        lab.number
    );
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// Copies the lab's `src/` to a backup, then restores every file of
/// `src/` from git's HEAD. Returns the backup folder.
pub fn reset_lab(workbook: &Workbook, lab: &Lab) -> Result<PathBuf, String> {
    let src = lab.dir.join("src");
    let in_git = Path::new("labs").join(&lab.folder).join("src");
    let listed = git(
        &workbook.root,
        &[
            "ls-tree",
            "-r",
            "--name-only",
            "HEAD",
            "--",
            &in_git.to_string_lossy(),
        ],
    )
    .map_err(|e| format!("reset needs the workbook's git history: {e}"))?;
    let files: Vec<&str> = listed.lines().filter(|l| !l.is_empty()).collect();
    if files.is_empty() {
        return Err(format!("git has no files under {}", in_git.display()));
    }

    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let backup = workbook
        .state_dir()
        .join("backups")
        .join(format!("lab-{:02}-{stamp}", lab.number));
    copy_dir(&src, &backup.join("src"))?;

    std::fs::remove_dir_all(&src).map_err(|e| format!("cannot clear {}: {e}", src.display()))?;
    for file in files {
        let content = git_bytes(&workbook.root, &["show", &format!("HEAD:{file}")])?;
        let path = workbook.root.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, content)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    // The saved results described the old code.
    let _ = std::fs::remove_file(results_file(workbook, lab));
    Ok(backup)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("cannot back up {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    git_bytes(root, args).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

fn git_bytes(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny workbook with one lab, committed to git, in a fresh folder.
    fn workbook_in_git(name: &str) -> Workbook {
        let root = std::env::temp_dir().join(format!("socklab-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let lab = root.join("labs/01-demo");
        std::fs::create_dir_all(lab.join("src/bin")).unwrap();
        std::fs::create_dir_all(lab.join("tests")).unwrap();
        std::fs::write(
            lab.join("Cargo.toml"),
            "[package]\nname = \"lab-01-demo\"\n",
        )
        .unwrap();
        std::fs::write(lab.join("src/lib.rs"), "pub fn f() { todo!() }\n").unwrap();
        std::fs::write(lab.join("src/bin/demo.rs"), "fn main() {}\n").unwrap();
        std::fs::write(lab.join("tests/grade.rs"), "#[test]\nfn works() {}\n").unwrap();
        for args in [
            &["init", "-q"][..],
            &["add", "."],
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-qm",
                "shipped",
            ],
        ] {
            git(&root, args).unwrap();
        }
        Workbook::at(root).unwrap()
    }

    #[test]
    fn reset_restores_the_stub_and_keeps_a_backup() {
        let workbook = workbook_in_git("reset");
        let lab = workbook.lab("1").unwrap();
        std::fs::write(lab.dir.join("src/lib.rs"), "pub fn f() { /* mine */ }\n").unwrap();
        std::fs::write(lab.dir.join("src/extra.rs"), "// a module of mine\n").unwrap();
        std::fs::create_dir_all(workbook.state_dir()).unwrap();
        std::fs::write(results_file(&workbook, lab), "pass\tworks\n").unwrap();

        let backup = reset_lab(&workbook, lab).unwrap();

        assert_eq!(
            read(&lab.dir.join("src/lib.rs")).unwrap(),
            "pub fn f() { todo!() }\n"
        );
        assert_eq!(
            read(&lab.dir.join("src/bin/demo.rs")).unwrap(),
            "fn main() {}\n"
        );
        assert!(!lab.dir.join("src/extra.rs").exists());
        assert_eq!(
            read(&backup.join("src/lib.rs")).unwrap(),
            "pub fn f() { /* mine */ }\n"
        );
        assert_eq!(
            read(&backup.join("src/extra.rs")).unwrap(),
            "// a module of mine\n"
        );
        assert!(backup.starts_with(workbook.state_dir()));
        assert!(
            !results_file(&workbook, lab).exists(),
            "old results are forgotten"
        );
        let _ = std::fs::remove_dir_all(&workbook.root);
    }

    #[test]
    fn the_diff_marks_both_sides() {
        let shown = diff("a\nmine\nc\n", "a\ntheirs\nc\n");
        assert!(shown.contains("- mine"));
        assert!(shown.contains("+ theirs"));
        assert!(shown.contains("  a"));
        assert_eq!(diff("same\n", "same\n"), "(identical)\n");
    }
}
