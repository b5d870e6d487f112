//! Reports a machine can read, for teachers and CI systems:
//!
//! - socklab's own JSON: every lab, every check, its status and lesson;
//! - JUnit XML: one `<testsuite>` per lab, one `<testcase>` per check;
//! - `results.json` in the autograder format Gradescope ingests: a score
//!   per check (1 point each) and the total.
//!
//! The writers are small and hand-made (the runner keeps its dependencies
//! few); `tests` below parse every format back and check it against the
//! format's schema.

use crate::Format;
use crate::check::{Graded, Results, Status, grade};
use crate::labs::{Lab, Workbook};

/// One graded lab, as the reports see it.
pub struct LabResult<'a> {
    pub lab: &'a Lab,
    pub results: Results,
}

/// Turns a grading into results; a lab that does not compile fails every
/// check with the compiler's first error as the lesson.
pub fn results_of(lab: &Lab, graded: Graded) -> Result<Results, String> {
    Ok(match graded {
        Graded::Checked(results) => results,
        Graded::DidNotBuild(errors) => {
            let first_error = errors
                .lines()
                .skip_while(|line| !line.starts_with("error"))
                .take(12)
                .collect::<Vec<_>>()
                .join("\n");
            let message = format!("the lab does not compile:\n{first_error}");
            Results {
                checks: lab
                    .checks()?
                    .into_iter()
                    .map(|name| (name, Status::Fail(message.clone())))
                    .collect(),
            }
        }
    })
}

/// `cargo lab report N --format F`: grades lab N and prints the report.
pub fn report(workbook: &Workbook, number: &str, format: Format) -> Result<bool, String> {
    let lab = workbook.lab(number)?;
    let results = results_of(lab, grade(workbook, lab)?)?;
    let passed = results.all_pass();
    let graded = [LabResult { lab, results }];
    println!("{}", render(&graded, format));
    Ok(passed)
}

/// The report of `graded` in `format`.
pub fn render(graded: &[LabResult], format: Format) -> String {
    match format {
        Format::Json => json_report(graded),
        Format::Junit => junit_report(graded),
        Format::Gradescope => gradescope_report(graded),
    }
}

fn status_word(status: &Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail(_) => "fail",
        Status::NotRun => "not_run",
    }
}

fn message_of(status: &Status) -> &str {
    match status {
        Status::Pass => "",
        Status::Fail(message) => message,
        Status::NotRun => "the test program stopped before this check finished",
    }
}

/// socklab's JSON report.
pub fn json_report(graded: &[LabResult]) -> String {
    let labs: Vec<String> = graded
        .iter()
        .map(|LabResult { lab, results }| {
            let checks: Vec<String> = results
                .checks
                .iter()
                .map(|(name, status)| {
                    format!(
                        "{{\"name\": {}, \"status\": \"{}\", \"message\": {}}}",
                        json_string(name),
                        status_word(status),
                        json_string(message_of(status))
                    )
                })
                .collect();
            format!(
                "    {{\"lab\": {}, \"package\": {}, \"title\": {}, \"passed\": {}, \"total\": {}, \"checks\": [\n      {}\n    ]}}",
                lab.number,
                json_string(&lab.package),
                json_string(&lab.title()),
                results.passed(),
                results.checks.len(),
                checks.join(",\n      ")
            )
        })
        .collect();
    let passed: usize = graded.iter().map(|g| g.results.passed()).sum();
    let total: usize = graded.iter().map(|g| g.results.checks.len()).sum();
    format!(
        "{{\n  \"passed\": {passed},\n  \"total\": {total},\n  \"labs\": [\n{}\n  ]\n}}",
        labs.join(",\n")
    )
}

/// JUnit XML: a `<testsuite>` per lab.
pub fn junit_report(graded: &[LabResult]) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests: usize = graded.iter().map(|g| g.results.checks.len()).sum();
    let failures: usize = graded
        .iter()
        .map(|g| g.results.checks.len() - g.results.passed())
        .sum();
    xml.push_str(&format!(
        "<testsuites name=\"socklab\" tests=\"{tests}\" failures=\"{failures}\">\n"
    ));
    for LabResult { lab, results } in graded {
        xml.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">\n",
            xml_escape(&lab.package),
            results.checks.len(),
            results.checks.len() - results.passed()
        ));
        for (name, status) in &results.checks {
            let case = format!(
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml_escape(name),
                xml_escape(&lab.package)
            );
            match status {
                Status::Pass => xml.push_str(&format!("{case}/>\n")),
                _ => {
                    let message = message_of(status);
                    let first_line = message.lines().next().unwrap_or("");
                    xml.push_str(&format!(
                        "{case}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                        xml_escape(first_line),
                        xml_escape(message)
                    ));
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>");
    xml
}

/// results.json for autograders: one point per check.
pub fn gradescope_report(graded: &[LabResult]) -> String {
    let mut tests = Vec::new();
    for LabResult { lab, results } in graded {
        for (name, status) in &results.checks {
            let passed = matches!(status, Status::Pass);
            tests.push(format!(
                "    {{\"name\": {}, \"number\": \"{}.{}\", \"score\": {}, \"max_score\": 1, \"status\": \"{}\", \"output\": {}}}",
                json_string(&format!("lab {}: {name}", lab.number)),
                lab.number,
                tests.len() + 1,
                u8::from(passed),
                if passed { "passed" } else { "failed" },
                json_string(message_of(status))
            ));
        }
    }
    let score: usize = graded.iter().map(|g| g.results.passed()).sum();
    format!(
        "{{\n  \"score\": {score},\n  \"output\": \"socklab: one point per check\",\n  \"tests\": [\n{}\n  ]\n}}",
        tests.join(",\n")
    )
}

/// A JSON string literal.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text made safe for XML attributes and content (control characters,
/// which XML 1.0 forbids, become `?`).
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn sample_lab() -> Lab {
        Lab {
            number: 3,
            folder: "03-send-and-recv".to_string(),
            dir: PathBuf::from("/nowhere/labs/03-send-and-recv"),
            package: "lab-03-send-and-recv".to_string(),
        }
    }

    fn sample_results() -> Results {
        Results {
            checks: vec![
                ("send_all_survives_short_writes".to_string(), Status::Pass),
                (
                    "frames_round_trip".to_string(),
                    Status::Fail(
                        "a \"quoted\" <lesson> & more\n  (- expected, + yours)\n\u{1b}[31m"
                            .to_string(),
                    ),
                ),
                ("request_ends_with_a_half_close".to_string(), Status::NotRun),
            ],
        }
    }

    #[test]
    fn the_json_report_parses_and_counts() {
        let lab = sample_lab();
        let text = json_report(&[LabResult {
            lab: &lab,
            results: sample_results(),
        }]);
        let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(json["passed"], 1);
        assert_eq!(json["total"], 3);
        let checks = json["labs"][0]["checks"].as_array().unwrap();
        assert_eq!(checks.len(), 3);
        assert_eq!(checks[1]["status"], "fail");
        assert!(
            checks[1]["message"]
                .as_str()
                .unwrap()
                .contains("\"quoted\" <lesson>")
        );
        assert_eq!(checks[2]["status"], "not_run");
    }

    /// The results.json schema: `tests` is an array of objects with a
    /// string `name`, numeric `score` <= numeric `max_score`, `status`
    /// "passed" or "failed", string `output`; the top-level `score` is the
    /// sum of the scores.
    #[test]
    fn the_gradescope_report_follows_the_results_json_schema() {
        let lab = sample_lab();
        let text = gradescope_report(&[LabResult {
            lab: &lab,
            results: sample_results(),
        }]);
        let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let tests = json["tests"].as_array().expect("tests is an array");
        let mut sum = 0.0;
        for test in tests {
            assert!(test["name"].is_string());
            let score = test["score"].as_f64().expect("score is a number");
            let max = test["max_score"].as_f64().expect("max_score is a number");
            assert!((0.0..=max).contains(&score));
            assert!(matches!(test["status"].as_str(), Some("passed" | "failed")));
            assert!(test["output"].is_string());
            sum += score;
        }
        assert_eq!(json["score"].as_f64(), Some(sum));
        assert_eq!(sum, 1.0);
    }

    /// The JUnit schema in short: `<testsuites>` holds `<testsuite>`s with
    /// `name`, `tests` and `failures` that match their `<testcase>`s; a
    /// failing case holds one `<failure message=...>`.
    #[test]
    fn the_junit_report_is_well_formed_and_consistent() {
        let lab = sample_lab();
        let text = junit_report(&[LabResult {
            lab: &lab,
            results: sample_results(),
        }]);
        let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let suites: Vec<_> = root
            .children()
            .filter(|n| n.has_tag_name("testsuite"))
            .collect();
        assert_eq!(suites.len(), 1);
        let suite = suites[0];
        assert_eq!(suite.attribute("name"), Some("lab-03-send-and-recv"));
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(
            suite.attribute("tests"),
            Some(cases.len().to_string().as_str())
        );
        let failing = cases
            .iter()
            .filter(|case| case.children().any(|n| n.has_tag_name("failure")))
            .count();
        assert_eq!(
            suite.attribute("failures"),
            Some(failing.to_string().as_str())
        );
        assert_eq!(failing, 2);
        let failure = cases[1]
            .children()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert_eq!(
            failure.attribute("message"),
            Some("a \"quoted\" <lesson> & more")
        );
    }
}
