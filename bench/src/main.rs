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

    println!("\n== the chat servers");
    let mut chat_rows = Vec::new();
    for clients in [10, 100, 1000] {
        for non_reader in [false, true] {
            for kind in server::CHAT_SERVERS {
                let lines = match (clients, quick) {
                    (10, false) => 2000,
                    (100, false) => 100,
                    (1000, false) => 2,
                    (10, true) => 40,
                    (100, true) => 4,
                    _ => 1,
                };
                // The median of three runs (one where a run takes half a
                // minute): a single run on a busy 2-core machine is noisy.
                let runs = if quick || (kind == "threaded" && clients == 1000) {
                    1
                } else {
                    3
                };
                let mut tries: Vec<chat::ChatRow> = (0..runs)
                    .map(|_| chat::run(kind, clients, lines, non_reader))
                    .collect();
                tries.sort_by(|a, b| a.deliveries_per_second.total_cmp(&b.deliveries_per_second));
                let row = tries.swap_remove(tries.len() / 2);
                println!("{row}");
                chat_rows.push(row);
            }
        }
    }

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

    if quick {
        println!("\n(--quick: results not written)");
        return;
    }
    let markdown = report::markdown(&echo_rows, &chat_rows, &idle);
    std::fs::write(root.join("bench/results.md"), &markdown).expect("bench/results.md is writable");
    std::fs::write(
        root.join("book/src/images/bench-deliveries.svg"),
        report::plot(&chat_rows),
    )
    .expect("the plot is writable");
    println!("\nwrote bench/results.md and book/src/images/bench-deliveries.svg");
}
