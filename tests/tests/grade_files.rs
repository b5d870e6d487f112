//! Each lab's tests/grade.rs lists every check of its chapter, once, in the
//! grader's order: a check left out of grade.rs would never grade anyone.

use std::path::Path;

fn listed_checks(lab: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../labs")
        .join(lab)
        .join("tests/grade.rs");
    let text = std::fs::read_to_string(&path).expect("grade.rs is readable");
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("fn "))
        .filter_map(|rest| rest.split('(').next())
        .map(str::to_string)
        .collect()
}

fn names<F>(checks: Vec<(&'static str, F)>) -> Vec<String> {
    checks
        .into_iter()
        .map(|(name, _)| name.to_string())
        .collect()
}

#[test]
fn every_lab_grades_every_check_of_its_chapter() {
    let chapters = [
        ("01-creating-a-socket", names(grader::ch01::checks::<()>())),
        ("02-bind-listen-accept", names(grader::ch02::checks())),
        ("03-send-and-recv", names(grader::ch03::checks::<()>())),
        (
            "04-blocking-and-timeouts",
            names(grader::ch04::checks::<()>()),
        ),
        ("05-select", names(grader::ch05::checks::<()>())),
        ("06-chat-room", names(grader::ch06::checks::<(), (), ()>())),
    ];
    for (lab, expected) in &chapters {
        assert_eq!(&listed_checks(lab), expected, "labs/{lab}/tests/grade.rs");
    }
    let labs = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../labs"))
        .expect("labs/ is readable")
        .count();
    assert_eq!(labs, chapters.len(), "every lab is listed here");
}
