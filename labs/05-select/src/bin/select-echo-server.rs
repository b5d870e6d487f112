//! `select-echo-server ADDR`: an echo server for many clients at once, on
//! one thread. It prints `select-echo-server listening on IP:PORT` first.
//! Try it with several `nc 127.0.0.1 7000` at once.
//!
//! This program is complete: it calls the function you write in `lib.rs`.

use std::io::Write;
use std::net::{TcpListener, ToSocketAddrs};

use anyhow::{Context, Result, bail};
use select_server::serve;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr] = args.as_slice() else {
        bail!("usage: select-echo-server ADDR   (for example: select-echo-server 127.0.0.1:7000)");
    };
    let addr = addr
        .to_socket_addrs()?
        .next()
        .with_context(|| format!("{addr} has no address"))?;
    let listener = TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    println!("select-echo-server listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;
    serve(listener).context("the server stopped")?;
    Ok(())
}
