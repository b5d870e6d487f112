//! `cargo lab watch`: grade the current lab every time a file of it is
//! saved, and move on to the next lab when it passes.
//!
//! Changes are reported by the operating system (the `notify` crate). Where
//! that does not work (some network or virtual-machine file systems never
//! report changes), `--poll` compares modification times every second
//! instead, and pressing Enter always checks at once.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, SystemTime};

use notify::{RecursiveMode, Watcher};

use crate::check::{grade, saved_results, show};
use crate::labs::Workbook;
use crate::style;

/// `cargo lab watch [N] [--poll]`.
pub fn watch(workbook: &Workbook, start: Option<&str>, poll: bool) -> Result<bool, String> {
    let mut index = match start {
        Some(number) => {
            let wanted = workbook.lab(number)?.number;
            workbook
                .labs
                .iter()
                .position(|lab| lab.number == wanted)
                .unwrap_or(0)
        }
        None => first_unfinished(workbook)?,
    };
    let (changed, changes) = mpsc::channel();
    enter_checks_now(changed.clone());
    loop {
        let lab = &workbook.labs[index];
        if std::io::stdout().is_terminal() {
            print!("\x1b[2J\x1b[H");
        }
        println!(
            "{}",
            style::bold(&format!("Lab {}: {} (watching)", lab.number, lab.title()))
        );
        println!(
            "{}",
            style::dim("Save a file to check again, Enter checks now, Ctrl-C stops.")
        );
        println!("{}", style::dim("grading..."));
        let passed = show(lab, &grade(workbook, lab)?);
        if passed {
            index += 1;
            match workbook.labs.get(index) {
                Some(next) => {
                    println!(
                        "\n{}",
                        style::pass(&format!(
                            "Moving on to lab {}: read chapter {} of the book first.",
                            next.number, next.number
                        ))
                    );
                    thread::sleep(Duration::from_secs(2));
                    continue;
                }
                None => {
                    println!("\n{}", style::pass("Every lab passes. Well done."));
                    return Ok(true);
                }
            }
        }
        wait_for_change(&lab.dir.join("src"), poll, &changed, &changes)?;
    }
}

/// The first lab whose last check did not pass (or that was never checked).
fn first_unfinished(workbook: &Workbook) -> Result<usize, String> {
    for (index, lab) in workbook.labs.iter().enumerate() {
        if !saved_results(workbook, lab)?.is_some_and(|r| r.all_pass()) {
            return Ok(index);
        }
    }
    Ok(workbook.labs.len().saturating_sub(1))
}

/// Every line typed on the terminal asks for a check.
fn enter_checks_now(changed: Sender<()>) {
    thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            if line.is_err() || changed.send(()).is_err() {
                break;
            }
        }
    });
}

/// Waits until something under `dir` changes (or Enter is pressed), then a
/// moment more, so that an editor's several writes count as one change.
fn wait_for_change(
    dir: &Path,
    poll: bool,
    changed: &Sender<()>,
    changes: &Receiver<()>,
) -> Result<(), String> {
    // Forget changes seen while grading: they are in this check already.
    while changes.try_recv().is_ok() {}
    let watcher = if poll {
        None
    } else {
        system_watcher(dir, changed.clone())
    };
    let stop_polling = Arc::new(AtomicBool::new(false));
    if watcher.is_none() {
        poll_in_background(dir.to_path_buf(), changed.clone(), stop_polling.clone());
    }
    let waited = changes.recv().map_err(|_| "stopped watching".to_string());
    stop_polling.store(true, Ordering::Relaxed);
    drop(watcher);
    waited?;
    thread::sleep(Duration::from_millis(200));
    while changes.try_recv().is_ok() {}
    Ok(())
}

/// Asks the operating system to report changes under `dir`; `None` where
/// it cannot.
fn system_watcher(dir: &Path, changed: Sender<()>) -> Option<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = changed.send(());
        }
    })
    .ok()?;
    watcher.watch(dir, RecursiveMode::Recursive).ok()?;
    Some(watcher)
}

/// Compares the newest modification time under `dir` every second and
/// reports the first change (then stops, as it does when told to).
fn poll_in_background(dir: PathBuf, changed: Sender<()>, stop: Arc<AtomicBool>) {
    thread::spawn(move || {
        let before = newest_change(&dir);
        loop {
            thread::sleep(Duration::from_secs(1));
            if stop.load(Ordering::Relaxed) {
                return;
            }
            if newest_change(&dir) != before {
                let _ = changed.send(());
                return;
            }
        }
    });
}

/// The newest modification time of any file under `dir`, and the number
/// of files (so that a deleted file counts as a change too).
pub fn newest_change(dir: &Path) -> (Option<SystemTime>, usize) {
    let mut newest = None;
    let mut files = 0;
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(modified) = entry.metadata().and_then(|m| m.modified()) {
                files += 1;
                newest = newest.max(Some(modified));
            }
        }
    }
    (newest, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_sees_a_new_file_and_a_removed_one() {
        let dir = std::env::temp_dir().join(format!("socklab-watch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.rs"), "a").unwrap();
        let before = newest_change(&dir);
        std::fs::write(dir.join("sub/b.rs"), "b").unwrap();
        let after = newest_change(&dir);
        assert_ne!(before, after);
        std::fs::remove_file(dir.join("sub/b.rs")).unwrap();
        assert_ne!(newest_change(&dir).1, after.1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_system_watcher_reports_a_save() {
        let dir = std::env::temp_dir().join(format!("socklab-notify-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (changed, changes) = mpsc::channel();
        let watcher = system_watcher(&dir, changed);
        assert!(watcher.is_some(), "inotify works on this machine");
        std::fs::write(dir.join("lib.rs"), "saved").unwrap();
        assert!(changes.recv_timeout(Duration::from_secs(10)).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
