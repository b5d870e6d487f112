//! Terminal output: colours only when writing to a terminal (and when
//! `NO_COLOR` is not set), plain text otherwise, so that logs stay readable.

use std::io::IsTerminal;

fn colour(code: &str, text: &str) -> String {
    let wanted = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    if wanted {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

pub fn pass(text: &str) -> String {
    colour("32", text)
}

pub fn fail(text: &str) -> String {
    colour("31", text)
}

pub fn dim(text: &str) -> String {
    colour("2", text)
}

pub fn bold(text: &str) -> String {
    colour("1", text)
}

pub fn error(text: &str) -> String {
    format!("error: {text}")
}

/// A progress bar such as `[#######-------------] 7/20`.
pub fn bar(done: usize, total: usize) -> String {
    const WIDTH: usize = 20;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(0);
    format!(
        "[{}{}] {done}/{total}",
        pass(&"#".repeat(filled)),
        "-".repeat(WIDTH - filled)
    )
}

/// Indents every line of `text` by `spaces`.
pub fn indent(text: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    text.lines()
        .map(|line| format!("{pad}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
