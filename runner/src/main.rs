//! `cargo lab`: the learner's runner, the teacher's grader and the
//! maintainers' verifier.
//!
//! Learners: `list`, `check N`, `watch`, `hint N`, `solution N`, `reset N`,
//! `book`. Teachers: `report N`, `grade`. Maintainers: `verify`.
//!
//! The runner grades a lab by running its `tests/grade.rs` with `cargo
//! test`, asking the grader (through `SOCKLAB_REPORT`) to write one line per
//! check; it never parses cargo's human output.

mod book;
mod check;
mod hints;
mod labs;
mod report;
mod solution;
mod style;
mod teacher;
mod verify;
mod watch;

use std::path::Path;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};

use labs::Workbook;

/// The report formats.
#[derive(Clone, Copy)]
pub enum Format {
    /// socklab's own JSON report.
    Json,
    /// JUnit XML, as CI systems read it.
    Junit,
    /// results.json, the format common autograders (Gradescope) ingest.
    Gradescope,
}

/// The command line, written with clap's builder (no derive macros: they
/// would add a minute of compiling to every learner's first `cargo lab`).
fn cli() -> Command {
    let lab = || {
        Arg::new("lab")
            .required(true)
            .help("the lab's number, e.g. 2")
    };
    Command::new("cargo lab")
        .bin_name("cargo lab")
        .about("socklab: socket programming in Rust, hands on")
        .after_help(
            "`cargo test` inside labs/NN-* grades your lab too. `cargo test` at the top of the \
             workbook verifies the workbook itself (the reference solutions), not your work.",
        )
        .subcommand(Command::new("list").about(
            "Every lab, its state (not started, failing, passing), your progress and what to do next",
        ))
        .subcommand(
            Command::new("check")
                .about("Grade lab N: each check, and the lesson of every one that fails")
                .arg(lab()),
        )
        .subcommand(
            Command::new("watch")
                .about("Grade a lab again whenever you save it; move on when it passes")
                .arg(Arg::new("lab").help("the lab to start with (default: the first unfinished)"))
                .arg(
                    Arg::new("poll")
                        .long("poll")
                        .action(ArgAction::SetTrue)
                        .help("look for changes every second instead of asking the system"),
                ),
        )
        .subcommand(
            Command::new("hint")
                .about("The next hint for the first failing check of lab N (`all`: every hint at once)")
                .arg(lab())
                .arg(Arg::new("all").value_parser(["all"])),
        )
        .subcommand(
            Command::new("solution")
                .about("Your lab next to the reference solution; before your lab passes, only with --peek")
                .arg(lab())
                .arg(
                    Arg::new("peek")
                        .long("peek")
                        .action(ArgAction::SetTrue)
                        .help("show it although your lab does not pass yet"),
                ),
        )
        .subcommand(
            Command::new("reset")
                .about("Put lab N back as it was shipped; your version is kept as a backup")
                .arg(lab())
                .arg(
                    Arg::new("yes")
                        .long("yes")
                        .action(ArgAction::SetTrue)
                        .help("do not ask for confirmation"),
                ),
        )
        .subcommand(
            Command::new("report")
                .about("Grade lab N and print a report a machine can read")
                .arg(lab())
                .arg(
                    Arg::new("format")
                        .long("format")
                        .value_parser(["json", "junit", "gradescope"])
                        .default_value("json"),
                ),
        )
        .subcommand(
            Command::new("grade")
                .about("Teachers: grade a learner's workbook (a git URL or a folder), a time limit per check")
                .arg(Arg::new("work").required(true).help("the learner's work: a git URL or a folder"))
                .arg(
                    Arg::new("out")
                        .long("out")
                        .default_value("socklab-grades")
                        .help("where to write results.json, report.json and junit.xml"),
                )
                .arg(
                    Arg::new("timeout")
                        .long("timeout")
                        .value_parser(value_parser!(u64))
                        .default_value("30")
                        .help("seconds each check may take"),
                )
                .arg(
                    Arg::new("labs")
                        .long("lab")
                        .action(ArgAction::Append)
                        .help("grade only this lab (repeatable; default: all)"),
                ),
        )
        .subcommand(Command::new("verify").about(
            "Maintainers: stubs fail, solutions pass (pasted into the labs), mistakes rejected, the book builds",
        ))
        .subcommand(
            Command::new("book").about("Serve the book at http://localhost:3000 (installs mdbook if missing)"),
        )
}

fn text<'a>(args: &'a ArgMatches, name: &str) -> &'a str {
    args.get_one::<String>(name).map_or("", String::as_str)
}

fn run(matches: &ArgMatches) -> Result<bool, String> {
    let Some((command, args)) = matches.subcommand() else {
        return check::list(&Workbook::open()?);
    };
    match command {
        "list" => check::list(&Workbook::open()?),
        "check" => check::check(&Workbook::open()?, text(args, "lab")),
        "watch" => watch::watch(
            &Workbook::open()?,
            args.get_one::<String>("lab").map(String::as_str),
            args.get_flag("poll"),
        ),
        "hint" => hints::hint(
            &Workbook::open()?,
            text(args, "lab"),
            args.contains_id("all"),
        ),
        "solution" => solution::show(&Workbook::open()?, text(args, "lab"), args.get_flag("peek")),
        "reset" => solution::reset(&Workbook::open()?, text(args, "lab"), args.get_flag("yes")),
        "report" => {
            let format = match text(args, "format") {
                "junit" => Format::Junit,
                "gradescope" => Format::Gradescope,
                _ => Format::Json,
            };
            report::report(&Workbook::open()?, text(args, "lab"), format)
        }
        "grade" => {
            let labs: Vec<String> = args
                .get_many::<String>("labs")
                .map(|labs| labs.cloned().collect())
                .unwrap_or_default();
            let timeout = args.get_one::<u64>("timeout").copied().unwrap_or(30);
            teacher::grade(
                text(args, "work"),
                Path::new(text(args, "out")),
                timeout,
                &labs,
            )
        }
        "verify" => verify::verify(&Workbook::open()?),
        "book" => book::serve(&Workbook::open()?),
        other => Err(format!("unknown command {other}")),
    }
}

fn main() -> ExitCode {
    match run(&cli().get_matches()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("{}", style::error(&message));
            ExitCode::from(2)
        }
    }
}
