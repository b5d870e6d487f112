//! `cargo lab`: the learner's runner.
//!
//! - `cargo lab list`: every lab, its state, and what to do next.
//! - `cargo lab check N`: grade lab N and show each failing check's lesson.
//! - `cargo lab hint N`: the next hint for the first failing check of lab N.
//! - `cargo lab book`: serve the book in a browser (installs mdbook if missing).
//!
//! The runner grades a lab by running its `tests/grade.rs` with
//! `cargo test`, asking the grader (through `SOCKLAB_REPORT`) to write one
//! line per check; it never parses cargo's human output.

mod book;
mod check;
mod hints;
mod labs;
mod style;

use std::process::ExitCode;

const USAGE: &str = "\
socklab: socket programming in Rust, hands on

usage: cargo lab <command>

commands:
  list        every lab, its state (not started, failing, passing) and what to do next
  check N     grade lab N: each check, and the lesson of every one that fails
  hint N      the next hint for the first failing check of lab N
  hint N all  every hint for lab N's first failing check at once
  book        serve the book at http://localhost:3000 (installs mdbook if missing)
  help        this text

`cargo test` inside labs/NN-* grades your lab too. `cargo test` at the top of
the workbook verifies the workbook itself (the reference solutions), not your work.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        [] | ["list"] => labs::Workbook::open().and_then(|w| check::list(&w)),
        ["check", n] => labs::Workbook::open().and_then(|w| check::check(&w, n)),
        ["hint", n] => labs::Workbook::open().and_then(|w| hints::hint(&w, n, false)),
        ["hint", n, "all"] => labs::Workbook::open().and_then(|w| hints::hint(&w, n, true)),
        ["book"] => book::serve(),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(true)
        }
        _ => Err(format!("unknown command: {}\n\n{USAGE}", args.join(" "))),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("{}", style::error(&message));
            ExitCode::from(2)
        }
    }
}
