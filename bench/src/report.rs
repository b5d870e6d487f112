//! The results as Markdown (for chapter 6) and as an SVG bar chart.

use std::fmt::Write as _;

use crate::chat::ChatRow;
use crate::echo::EchoRow;

/// What machine the figures come from.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024 / 1024);
    format!(
        "{model}, {cores} cores, {memory} GiB, Linux; servers and clients on the same machine, over loopback"
    )
}

pub fn markdown(
    echo: &[EchoRow],
    chat: &[ChatRow],
    slow: &[ChatRow],
    idle: &[(String, f64)],
) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "Measured on {}, by `cargo run --release -p socklab-bench`.\n",
        machine()
    );
    let _ = writeln!(
        md,
        "![Chat deliveries per second](../images/bench-deliveries.svg)\n"
    );
    let _ = writeln!(
        md,
        "**Chat rooms.** The clients send in rounds: in each round every client sends one line \
         at the same moment, in two pieces, and the round ends when every line has reached \
         every other client ({} rounds with 10 clients, {} with 100, {} with 1000). \
         *Server busy* is the server's CPU time over the run's time: near 100 % the server \
         set the pace, lower the benchmark's own clients did. M is a million, k a thousand. Median of three runs (one run \
         for the thread-per-client and Python servers with 1000 clients).\n",
        rounds_of(chat, 10),
        rounds_of(chat, 100),
        rounds_of(chat, 1000),
    );
    let _ = writeln!(
        md,
        "| server | clients | + 1 not reading | deliveries/s | p50 (ms) | p99 (ms) | lost (garbled) | server busy | memory (MiB) |"
    );
    let _ = writeln!(md, "|---|---:|:---:|---:|---:|---:|---:|---:|---:|");
    for row in chat {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} ({}) | {:.0} % | {:.1} |",
            row.server,
            row.clients,
            if row.non_reader { "yes" } else { "no" },
            per_second(row.deliveries_per_second),
            millis(row.p50_ms),
            millis(row.p99_ms),
            row.lost(),
            row.garbled,
            row.server_busy_percent,
            row.peak_memory_mib
        );
    }
    let _ = writeln!(md, "\n{}", summary(chat));
    let _ = writeln!(
        md,
        "**A client that never reads, in a busy room.** 10 clients send rounds as above, and \
         one more client, with a 4 KiB receive buffer, never reads. The run goes on until the \
         server drops that client, or no line has arrived for {} s (the room froze):\n",
        crate::chat::STALL.as_secs()
    );
    let _ = writeln!(
        md,
        "| server | what happened | rounds | lost | p99 (ms) | memory (MiB) |\n|---|---|---:|---:|---:|---:|"
    );
    for row in slow {
        let outcome = if row.non_reader_dropped {
            "dropped the client that never reads; the room went on"
        } else if row.froze {
            "the room froze: everyone waited for the one client"
        } else {
            "still waiting for the client when the run ended"
        };
        let _ = writeln!(
            md,
            "| {} | {outcome} | {} | {} | {} | {:.1} |",
            row.server,
            row.rounds_run,
            row.lost(),
            millis(row.p99_ms),
            row.peak_memory_mib
        );
    }
    let _ = writeln!(
        md,
        "\n**Idle.** CPU used by a server with 100 connected clients that send nothing, over 2 s:\n"
    );
    let _ = writeln!(md, "| server | CPU (% of one core) |\n|---|---:|");
    for (kind, percent) in idle {
        let _ = writeln!(md, "| {kind} | {percent:.2} % |");
    }
    let _ = writeln!(
        md,
        "\n**The select echo server** (lab 5), each connection sending a message and waiting for its echo:\n"
    );
    let _ = writeln!(
        md,
        "| connections | message | echoes/s | MiB/s (both ways) |\n|---:|---:|---:|---:|"
    );
    for row in echo {
        let _ = writeln!(
            md,
            "| {} | {} B | {} | {:.1} |",
            row.connections,
            row.size,
            per_second(row.messages_per_second),
            row.mib_per_second
        );
    }
    md
}

/// A rate in about three significant figures: 4.16 M, 486 k, 9.3 k, 23.
fn per_second(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.2} M", v / 1e6)
    } else if v >= 1e5 {
        format!("{:.0} k", v / 1e3)
    } else if v >= 1e3 {
        format!("{:.1} k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

/// Milliseconds, as many decimals as they deserve: 0.21, 30.7, 2519.
fn millis(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.2}")
    } else if ms < 100.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

/// How many rounds the rows with `clients` clients ran.
fn rounds_of(chat: &[ChatRow], clients: usize) -> usize {
    chat.iter()
        .filter(|r| r.clients == clients)
        .map(|r| r.rounds_run)
        .max()
        .unwrap_or(0)
}

/// The comparisons the table is for, worked out from its rows.
fn summary(chat: &[ChatRow]) -> String {
    let find = |server: &str, clients: usize, non_reader: bool| {
        chat.iter()
            .find(|r| r.server == server && r.clients == clients && r.non_reader == non_reader)
    };
    let mut text = String::from("What the rows say:\n\n");
    for clients in [10, 100, 1000] {
        for non_reader in [false, true] {
            if let (Some(ours), Some(python)) = (
                find("select", clients, non_reader),
                find("python", clients, non_reader),
            ) {
                let _ = writeln!(
                    text,
                    "- {clients} clients{}: the select server delivered {:.1}x the Python \
                     server's lines per second, with a p99 latency {:.1}x lower.",
                    if non_reader {
                        " and one not reading"
                    } else {
                        ""
                    },
                    ours.deliveries_per_second / python.deliveries_per_second,
                    python.p99_ms / ours.p99_ms
                );
            }
        }
        if let (Some(alone), Some(with)) = (
            find("select", clients, false),
            find("select", clients, true),
        ) {
            let _ = writeln!(
                text,
                "- {clients} clients: one client that never reads moved the select server's \
                 p99 from {} ms to {} ms ({:.2}x).",
                millis(alone.p99_ms),
                millis(with.p99_ms),
                with.p99_ms / alone.p99_ms
            );
        }
    }
    text
}

/// A grouped bar chart of deliveries per second (every client reading),
/// on a log scale: one group per room size, one bar per server.
pub fn plot(chat: &[ChatRow]) -> String {
    let servers = ["select", "threaded", "python"];
    let colours = ["#4c78a8", "#72b7b2", "#e45756"];
    let sizes = [10, 100, 1000];
    let value = |server: &str, clients: usize| {
        chat.iter()
            .find(|r| r.server == server && r.clients == clients && !r.non_reader)
            .map_or(0.0, |r| r.deliveries_per_second)
    };
    let (width, height, left, bottom, top) = (700.0, 360.0, 70.0, 300.0, 40.0);
    let (low, high) = (3.0f64, 7.0f64); // 10^3 .. 10^7 deliveries/s
    let y = |v: f64| {
        bottom - (v.max(1.0).log10().clamp(low, high) - low) / (high - low) * (bottom - top)
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" font-family=\"system-ui, sans-serif\" font-size=\"13\">\n\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n\
         <text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"600\">Chat deliveries per second (log scale; higher is better)</text>\n",
        width / 2.0
    );
    for power in 3..=7 {
        let yy = y(10f64.powi(power));
        let _ = writeln!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy}\" y2=\"{yy}\" stroke=\"#dddddd\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#555555\">10^{power}</text>",
            width - 20.0,
            left - 8.0,
            yy + 4.0
        );
    }
    let group = (width - left - 20.0) / sizes.len() as f64;
    for (g, clients) in sizes.iter().enumerate() {
        let x0 = left + group * g as f64 + 20.0;
        let bar = (group - 40.0) / servers.len() as f64;
        for (s, server) in servers.iter().enumerate() {
            let v = value(server, *clients);
            let (x, top_y) = (x0 + bar * s as f64, y(v));
            let _ = writeln!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{top_y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
                bar - 4.0,
                bottom - top_y,
                colours[s],
                x + (bar - 4.0) / 2.0,
                top_y - 4.0,
                short(v)
            );
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{clients} clients</text>",
            x0 + (group - 40.0) / 2.0,
            bottom + 20.0
        );
    }
    for (s, server) in servers.iter().enumerate() {
        let x = left + 20.0 + 170.0 * s as f64;
        let _ = writeln!(
            svg,
            "<rect x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            bottom + 36.0,
            colours[s],
            x + 18.0,
            bottom + 47.0,
            match *server {
                "select" => "select (lab 6)",
                "threaded" => "thread per client",
                _ => "Python select",
            }
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn short(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.0}k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_keep_about_three_significant_digits() {
        assert_eq!(per_second(4_163_963.0), "4.16 M");
        assert_eq!(per_second(485_503.0), "486 k");
        assert_eq!(per_second(9_335.0), "9.3 k");
        assert_eq!(per_second(23.4), "23");
        assert_eq!(millis(0.214), "0.21");
        assert_eq!(millis(30.66), "30.7");
        assert_eq!(millis(2519.41), "2519");
    }
}
