//! `echo-server ADDR`: serves echo clients one after another until killed.
//!
//! It prints `echo-server listening on IP:PORT` first (with the real port
//! when ADDR asks for port 0), then one line per client on standard error.
//! Try it with `nc 127.0.0.1 7000` or `cargo run --bin echo-client`.
//!
//! This program is complete: it calls the functions you write in `lib.rs`.

use std::io::Write;

use anyhow::{Context, Result, bail};
use bind_listen_accept::{listen_on, resolve, serve_echo};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr] = args.as_slice() else {
        bail!("usage: echo-server ADDR   (for example: echo-server 127.0.0.1:7000)");
    };
    let addr = resolve(addr)?;
    let listener = listen_on(addr, 128).with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener
        .local_addr()?
        .as_socket()
        .context("the listener has no IP address")?;
    println!("echo-server listening on {local}");
    std::io::stdout().flush()?;
    serve_echo(&listener).context("accept failed")?;
    Ok(())
}
