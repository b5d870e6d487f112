//! `cargo lab hint N`: hints that reveal themselves one at a time.
//!
//! Each lab has a `hints.md`: a `## check_name` heading per check, then its
//! hints as paragraphs, from a nudge to the shape of the answer. The runner
//! shows the next one for the lab's first failing check and remembers how
//! many it has shown (in `target/socklab/`, which git ignores).

use crate::book::section_page;
use crate::check::saved_results;
use crate::labs::{Lab, Workbook};
use crate::style;

/// The hints for one check, in the order they are revealed.
pub fn hints_for(lab: &Lab, check: &str) -> Result<Vec<String>, String> {
    let path = lab.dir.join("hints.md");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(parse_hints(&text, check))
}

/// The paragraphs under `## check` in a hints file.
pub fn parse_hints(text: &str, check: &str) -> Vec<String> {
    let heading = format!("## {check}");
    let Some(start) = text.lines().position(|line| line.trim() == heading) else {
        return Vec::new();
    };
    let section: Vec<&str> = text
        .lines()
        .skip(start + 1)
        .take_while(|line| !line.starts_with("## "))
        .collect();
    section
        .split(|line| line.trim().is_empty())
        .map(|paragraph| paragraph.join("\n"))
        .filter(|paragraph| !paragraph.trim().is_empty())
        .collect()
}

/// `cargo lab hint N [all]`.
pub fn hint(workbook: &Workbook, number: &str, all: bool) -> Result<bool, String> {
    let lab = workbook.lab(number)?;
    let checks = lab.checks()?;
    let check = match saved_results(workbook, lab)? {
        Some(results) if results.all_pass() => {
            println!(
                "{}",
                style::pass(&format!(
                    "Every check of lab {} passes: no hint needed.",
                    lab.number
                ))
            );
            return Ok(true);
        }
        Some(results) => results.first_failing().map(str::to_string),
        None => checks.first().cloned(),
    }
    .ok_or_else(|| format!("lab {} has no checks", lab.number))?;

    let hints = hints_for(lab, &check)?;
    if hints.is_empty() {
        return Err(format!(
            "no hints for {check} yet; the book's lab page explains it"
        ));
    }
    let seen_file = workbook
        .state_dir()
        .join(format!("hints-{:02}-{check}", lab.number));
    let seen: usize = std::fs::read_to_string(&seen_file)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(0);
    let shown = if all {
        hints.len()
    } else {
        (seen + 1).min(hints.len())
    };

    println!(
        "{}",
        style::bold(&format!("Lab {}, check {check}", lab.number))
    );
    for (level, text) in hints.iter().enumerate().take(shown) {
        println!(
            "\nhint {} of {}:\n{}",
            level + 1,
            hints.len(),
            style::indent(text, 2)
        );
        if let Some(page) = cited_page(workbook, text) {
            println!("{}", style::dim(&format!("  read: {page}")));
        }
    }
    if shown < hints.len() {
        println!(
            "\n{}",
            style::dim(&format!(
                "`cargo lab hint {}` again shows the next one.",
                lab.number
            ))
        );
    }
    std::fs::create_dir_all(workbook.state_dir())
        .and_then(|()| std::fs::write(&seen_file, shown.max(seen).to_string()))
        .map_err(|e| format!("cannot remember the hints shown: {e}"))?;
    Ok(true)
}

/// Where to read the section a hint cites ("Book 2.4, ..."): the file, and
/// its address while `cargo lab book` serves the book.
fn cited_page(workbook: &Workbook, hint: &str) -> Option<String> {
    let at = hint.find("Book ")? + "Book ".len();
    let number: String = hint[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let summary = std::fs::read_to_string(workbook.root.join("book/src/SUMMARY.md")).ok()?;
    let page = section_page(&summary, number.trim_end_matches('.'))?;
    Some(format!(
        "book/src/{page} (http://localhost:3000/{} with `cargo lab book`)",
        page.replace(".md", ".html")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HINTS: &str =
        "# Hints\n\n## first\nA nudge.\n\nThe concept,\non two lines.\n\n## second\nOther.\n";

    #[test]
    fn a_checks_hints_are_its_paragraphs() {
        assert_eq!(
            parse_hints(HINTS, "first"),
            vec!["A nudge.", "The concept,\non two lines."]
        );
        assert_eq!(parse_hints(HINTS, "second"), vec!["Other."]);
        assert!(parse_hints(HINTS, "third").is_empty());
    }
}
