//! Comparing what the learner's code did with the expected transcript.
//!
//! The expected transcripts are insta snapshots in `tests/src/snapshots/`,
//! one file per check, shared by the lab and the solution. A mismatch is
//! turned into a short expected/actual diff instead of insta's panic, so the
//! runner can show it as the check's lesson.

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;

use similar::{ChangeTag, TextDiff};

use crate::harness::{Failure, Outcome};

/// Compares `actual` with the snapshot called `name`; on a mismatch, the
/// failure starts with `lesson` and shows the lines that differ.
pub fn matches(name: &str, actual: &str, lesson: &str) -> Outcome {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.set_omit_expression(true);
    let compared = settings.bind(|| {
        panic::catch_unwind(AssertUnwindSafe(|| {
            insta::assert_snapshot!(name, actual);
        }))
    });
    match compared {
        Ok(()) => Ok(()),
        Err(_) => Err(Failure::new(format!(
            "{lesson}\n{}",
            diff(&expected(name), actual)
        ))),
    }
}

/// The stored snapshot's text, without insta's header.
fn expected(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/snapshots")
        .join(format!("{name}.snap"));
    let Ok(stored) = std::fs::read_to_string(&path) else {
        return format!("(no snapshot stored at {})", path.display());
    };
    // The file is `---\n<header>\n---\n<body>`.
    match stored.splitn(3, "---\n").nth(2) {
        Some(body) => body.trim_end().to_string(),
        None => stored,
    }
}

/// A line diff: `-` lines were expected, `+` lines are what happened.
pub fn diff(expected: &str, actual: &str) -> String {
    let mut out = String::from("  (- expected, + yours)\n");
    let expected = format!("{}\n", expected.trim_end());
    let actual = format!("{}\n", actual.trim_end());
    for change in TextDiff::from_lines(&expected, &actual).iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
            ChangeTag::Equal => ' ',
        };
        out.push_str(&format!("  {sign} {}", change.value()));
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_changed_lines() {
        let shown = diff("a\nb\nc", "a\nB\nc");
        assert_eq!(shown, "  (- expected, + yours)\n    a\n  - b\n  + B\n    c");
    }
}
