//! `cargo lab book`: serve the book with mdbook, installing it first if it
//! is missing (a one-time build of a few minutes).

use std::process::Command;

/// The mdbook release line the book is written for.
const MDBOOK_VERSION: &str = "^0.5";

pub fn serve() -> Result<bool, String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the runner lives one folder below the workbook")
        .to_path_buf();
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
        .arg(root.join("book"))
        .status()
        .map_err(|e| format!("cannot run mdbook: {e}"))?;
    Ok(status.success())
}
