//! The book is part of the product, so it is tested like code:
//!
//! - every `{{#include file:anchor}}` names a file that exists and an anchor
//!   that the file marks (mdBook itself would silently print the raw text, or
//!   an empty code block);
//! - every Rust code block is such an include, so CI compiled and tested it,
//!   unless it is a deliberate "This is wrong" example marked `rust,ignore`;
//! - every picture the book shows exists and is an SVG drawn for it;
//! - the book builds, and no `{{#` survives in the HTML.

use std::path::{Path, PathBuf};

fn book_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../book")
}

/// Every Markdown page of the book, with its text.
fn pages() -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut folders = vec![book_dir().join("src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("book/src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path).expect("a page is readable");
                found.push((path, text));
            }
        }
    }
    found.sort();
    assert!(found.len() > 10, "the book has its pages");
    found
}

/// The `{{#include ...}}` directives of a page: (file, optional anchor).
fn includes(text: &str) -> Vec<(String, Option<String>)> {
    text.match_indices("{{#")
        .map(|(at, _)| {
            let rest = &text[at + 3..];
            let end = rest.find("}}").expect("an include is closed with }}");
            let directive = rest[..end].trim();
            let target = directive
                .strip_prefix("include ")
                .unwrap_or_else(|| panic!("unexpected mdBook directive {{{{#{directive}}}}}"))
                .trim();
            match target.split_once(':') {
                Some((file, anchor)) => (file.to_string(), Some(anchor.to_string())),
                None => (target.to_string(), None),
            }
        })
        .collect()
}

#[test]
fn every_include_and_anchor_resolves() {
    let mut count = 0;
    for (page, text) in pages() {
        for (file, anchor) in includes(&text) {
            count += 1;
            let path = page.parent().unwrap().join(&file);
            let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: includes {file}, which cannot be read: {e}",
                    page.display()
                )
            });
            if let Some(anchor) = anchor {
                for marker in [format!("ANCHOR: {anchor}"), format!("ANCHOR_END: {anchor}")] {
                    assert!(
                        source.lines().any(|line| line
                            .trim_start()
                            .trim_start_matches("//")
                            .trim()
                            == marker),
                        "{}: {file} has no `// {marker}` line",
                        page.display()
                    );
                }
            }
        }
    }
    assert!(
        count >= 10,
        "the book quotes its code by include ({count} found)"
    );
}

#[test]
fn every_rust_block_is_tested_code_or_marked_wrong() {
    for (page, text) in pages() {
        let lines: Vec<&str> = text.lines().collect();
        let mut at = 0;
        while at < lines.len() {
            let line = lines[at].trim_start();
            let Some(info) = line.strip_prefix("```") else {
                at += 1;
                continue;
            };
            let end = (at + 1..lines.len())
                .find(|&i| lines[i].trim_start().starts_with("```"))
                .unwrap_or_else(|| panic!("{}: a code block is not closed", page.display()));
            let body = &lines[at + 1..end];
            if info.split(',').next() == Some("rust") {
                let only_includes = body
                    .iter()
                    .all(|l| l.trim().is_empty() || l.trim().starts_with("{{#include "));
                let marked_wrong = info.split(',').any(|word| word == "ignore")
                    && lines[at.saturating_sub(4)..at]
                        .iter()
                        .any(|l| l.contains("This is wrong"));
                assert!(
                    only_includes || marked_wrong,
                    "{}:{}: a Rust block that CI does not compile; include it from a crate \
                     by anchor, or mark a deliberate mistake `rust,ignore` under \"This is wrong\"",
                    page.display(),
                    at + 1
                );
            }
            at = end + 1;
        }
    }
}

#[test]
fn every_picture_exists_and_is_an_svg() {
    let mut count = 0;
    for (page, text) in pages() {
        for (at, _) in text.match_indices("](") {
            let rest = &text[at + 2..];
            let target = &rest[..rest.find(')').unwrap_or(0)];
            if !target.ends_with(".svg") {
                continue;
            }
            count += 1;
            let path = page.parent().unwrap().join(target);
            let svg = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!("{}: shows {target}, which is missing: {e}", page.display())
            });
            assert!(
                svg.contains("<svg") && svg.contains("viewBox"),
                "{target} is an SVG with a viewBox"
            );
            assert!(
                svg.trim_end().ends_with("</svg>"),
                "{target} is a complete SVG"
            );
        }
    }
    assert!(count >= 2, "the book shows its diagrams ({count} found)");
}

#[test]
fn the_book_builds_with_every_include_expanded() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("book");
    let _ = std::fs::remove_dir_all(&out);
    let mut book = mdbook_driver::MDBook::load(book_dir()).expect("the book loads");
    book.config.build.build_dir = out.clone();
    book.build().expect("the book builds");

    let mut html_pages = 0;
    let mut folders = vec![out];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                html_pages += 1;
                let html = std::fs::read_to_string(&path).unwrap();
                assert!(
                    !html.contains("{{#"),
                    "{} still contains an unexpanded mdBook directive",
                    path.display()
                );
            }
        }
    }
    assert!(
        html_pages > 10,
        "the book has its pages ({html_pages} found)"
    );
}
