//! `echo-client ADDR MESSAGE`: sends MESSAGE to an echo server and prints
//! the echo it gets back.
//!
//! This program is complete: it calls the functions you write in `lib.rs`.

use anyhow::{Context, Result, bail};
use bind_listen_accept::{echo_once, resolve};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, message] = args.as_slice() else {
        bail!("usage: echo-client ADDR MESSAGE   (for example: echo-client 127.0.0.1:7000 hello)");
    };
    let addr = resolve(addr)?;
    let echo =
        echo_once(addr, message.as_bytes()).with_context(|| format!("no echo from {addr}"))?;
    println!("{}", String::from_utf8_lossy(&echo));
    Ok(())
}
