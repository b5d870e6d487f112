//! The socklab benchmark: the select echo server's throughput, and the chat
//! servers (select, thread per client, and a Python select server written
//! the way the tutorials write it) side by side: deliveries per second,
//! p50/p99 delivery latency, lost and garbled lines, the server's memory,
//! and the CPU an idle server burns.
//!
//! `cargo run --release -p socklab-bench` runs everything (a few minutes),
//! prints the tables, and writes `bench/results.md` and the plot
//! `book/src/images/bench-deliveries.svg`, which chapter 6 shows.
//! `--quick` runs smaller workloads (for a try, not for the book).
//!
//! Every server runs in a process of its own (this program started again
//! with `serve KIND`), so its memory and CPU can be read from /proc.

mod chat;
mod echo;
mod report;
mod server;

use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [serve, kind] = args.as_slice()
        && serve == "serve"
    {
        server::serve(kind);
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");

    println!("== the select echo server (lab 5's solution)");
    let mut echo_rows = Vec::new();
    for connections in [1, 10, 100] {
        for size in [64, 64 * 1024] {
            let row = echo::run(
                connections,
                size,
                Duration::from_millis(if quick { 300 } else { 1500 }),
            );
            println!("{row}");
            echo_rows.push(row);
        }
    }

    println!("\n== the chat servers: every client sends one line per round, all at once");
    let mut chat_rows = Vec::new();
    // --quick leaves out the 1000-client rooms: they take most of the time.
    let sizes: &[usize] = if quick { &[10, 100] } else { &[10, 100, 1000] };
    for &clients in sizes {
        for non_reader in [false, true] {
            for kind in server::CHAT_SERVERS {
                let rounds = match (clients, quick) {
                    (10, false) => 2000,
                    (100, false) => 200,
                    (1000, false) => 5,
                    (10, true) => 100,
                    _ => 10,
                };
                let workload = chat::Workload {
                    clients,
                    rounds,
                    non_reader,
                    stop_once_dropped: false,
                };
                // The median of three runs (one where a run takes many
                // seconds): a single run on a busy 2-core machine is noisy.
                let runs = if quick || (kind != "select" && clients == 1000) {
                    1
                } else {
                    3
                };
                let row = median(runs, || chat::run(kind, workload));
                println!("{row}");
                chat_rows.push(row);
            }
        }
    }

    println!("\n== a client that never reads, in a busy room, until the server deals with it");
    let slow_rows: Vec<chat::ChatRow> = server::CHAT_SERVERS
        .iter()
        .map(|kind| {
            let row = chat::run(
                kind,
                chat::Workload {
                    clients: 10,
                    rounds: if quick { 500 } else { 40_000 },
                    non_reader: true,
                    stop_once_dropped: true,
                },
            );
            println!("{row} after {} rounds", row.rounds_run);
            row
        })
        .collect();

    println!("\n== an idle server with 100 connected clients");
    let idle: Vec<(String, f64)> = server::CHAT_SERVERS
        .iter()
        .map(|kind| {
            (
                kind.to_string(),
                chat::idle_cpu(kind, 100, Duration::from_secs(2)),
            )
        })
        .collect();
    for (kind, percent) in &idle {
        println!("{kind:>10}: {percent:.2} % of a core");
    }

    // Our servers frame lines and keep every one: a lost or garbled line
    // is a bug, whatever the machine's speed.
    let broken: Vec<&chat::ChatRow> = chat_rows
        .iter()
        .chain(&slow_rows)
        .filter(|row| row.server != "python" && (row.lost() > 0 || row.garbled > 0))
        .collect();
    if !broken.is_empty() {
        for row in broken {
            eprintln!("lost or garbled lines: {row}");
        }
        std::process::exit(1);
    }

    if quick {
        println!("\n(--quick: results not written)");
        return;
    }
    let markdown = report::markdown(&echo_rows, &chat_rows, &slow_rows, &idle);
    std::fs::write(root.join("bench/results.md"), &markdown).expect("bench/results.md is writable");
    std::fs::write(
        root.join("book/src/images/bench-deliveries.svg"),
        report::plot(&chat_rows),
    )
    .expect("the plot is writable");
    println!("\nwrote bench/results.md and book/src/images/bench-deliveries.svg");
}

/// Runs `run` `runs` times and keeps the run with the median deliveries/s.
fn median(runs: usize, mut run: impl FnMut() -> chat::ChatRow) -> chat::ChatRow {
    let mut tries: Vec<chat::ChatRow> = (0..runs).map(|_| run()).collect();
    tries.sort_by(|a, b| a.deliveries_per_second.total_cmp(&b.deliveries_per_second));
    tries.swap_remove(tries.len() / 2)
}
