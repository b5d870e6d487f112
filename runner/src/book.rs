//! The book: `cargo lab book` serves it with mdbook (installing mdbook first
//! if it is missing), and [`section_page`] finds the page of a section
//! number such as "2.4", so that hints and failures can link to it.

use std::process::Command;

use crate::labs::Workbook;

/// The mdbook release line the book is written for.
const MDBOOK_VERSION: &str = "^0.5";

/// `cargo lab book`.
pub fn serve(workbook: &Workbook) -> Result<bool, String> {
    let installed = Command::new("mdbook")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !installed {
        println!("mdbook is not installed; installing it (once, a few minutes)...");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let status = Command::new(cargo)
            .args(["install", "mdbook", "--locked", "--version", MDBOOK_VERSION])
            .status()
            .map_err(|e| format!("cannot run cargo install: {e}"))?;
        if !status.success() {
            return Err("installing mdbook failed (see above)".to_string());
        }
    }
    println!("Serving the book at http://localhost:3000 (Ctrl-C stops it).");
    let status = Command::new("mdbook")
        .args(["serve", "--open"])
        .arg(workbook.root.join("book"))
        .status()
        .map_err(|e| format!("cannot run mdbook: {e}"))?;
    Ok(status.success())
}

/// The Markdown file (relative to `book/src`) of section `number` ("2.4"),
/// numbered as mdBook numbers SUMMARY.md: top-level list items are the
/// chapters 1, 2, ...; items nested under one are its sections.
pub fn section_page(summary: &str, number: &str) -> Option<String> {
    let (mut chapter, mut section) = (0, 0);
    for line in summary.lines() {
        let indent = line.len() - line.trim_start().len();
        let Some(item) = line.trim_start().strip_prefix("- [") else {
            continue;
        };
        if indent == 0 {
            chapter += 1;
            section = 0;
        } else {
            section += 1;
        }
        let here = if section == 0 {
            chapter.to_string()
        } else {
            format!("{chapter}.{section}")
        };
        if here == number {
            let link = item.split_once("](")?.1.split(')').next()?;
            return (!link.is_empty()).then(|| link.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUMMARY: &str = "# Summary\n\n[Welcome](welcome.md)\n\n# The core\n\n\
        - [Creating a socket](ch01/index.md)\n    - [Family](ch01/family.md)\n    - [Lab 1](ch01/lab.md)\n\
        - [Bind](ch02/index.md)\n    - [Calls](ch02/calls.md)\n- [Later]()\n";

    #[test]
    fn sections_are_numbered_as_mdbook_numbers_them() {
        assert_eq!(section_page(SUMMARY, "1").as_deref(), Some("ch01/index.md"));
        assert_eq!(section_page(SUMMARY, "1.2").as_deref(), Some("ch01/lab.md"));
        assert_eq!(
            section_page(SUMMARY, "2.1").as_deref(),
            Some("ch02/calls.md")
        );
        assert_eq!(section_page(SUMMARY, "3"), None, "a draft has no page");
        assert_eq!(section_page(SUMMARY, "9.9"), None);
    }

    #[test]
    fn every_section_the_labs_cite_has_a_page() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let summary = std::fs::read_to_string(root.join("book/src/SUMMARY.md")).unwrap();
        for source in [
            "tests/src/ch01.rs",
            "tests/src/ch02.rs",
            "tests/src/ch03.rs",
            "tests/src/ch04.rs",
        ] {
            let text = std::fs::read_to_string(root.join(source)).unwrap();
            for (at, _) in text.match_indices("see ") {
                let number: String = text[at + 4..]
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect();
                let number = number.trim_end_matches('.');
                if number.contains('.') {
                    let page = section_page(&summary, number)
                        .unwrap_or_else(|| panic!("{source} cites {number}, which has no page"));
                    assert!(root.join("book/src").join(page).exists());
                }
            }
        }
    }
}
