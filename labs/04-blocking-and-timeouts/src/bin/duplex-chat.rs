//! `duplex-chat listen ADDR` waits for one peer; `duplex-chat connect ADDR`
//! connects to it. Then each side sends what you type and shows what the
//! other side types, both at once. Ctrl-D ends your side; the chat ends when
//! the peer leaves.
//!
//! Status lines (the address, who connected) go to standard error, so that
//! standard output carries only the conversation.
//!
//! This program is complete: it calls the functions you write in `lib.rs`.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use blocking_and_timeouts::{connect_with_timeout, run_duplex};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, addr) = match args.as_slice() {
        [mode, addr] if mode == "listen" || mode == "connect" => (mode.as_str(), resolve(addr)?),
        _ => bail!("usage: duplex-chat listen ADDR | duplex-chat connect ADDR"),
    };
    let stream = if mode == "listen" {
        let listener =
            TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
        eprintln!("duplex-chat listening on {}", listener.local_addr()?);
        let (stream, peer) = listener.accept()?;
        eprintln!("{peer} connected; type away (Ctrl-D to stop sending)");
        stream
    } else {
        let stream = connect_with_timeout(addr, Duration::from_secs(5))
            .with_context(|| format!("cannot connect to {addr}"))?;
        eprintln!("connected to {addr}; type away (Ctrl-D to stop sending)");
        stream
    };
    run_duplex(
        stream,
        Box::new(std::io::stdin()),
        Box::new(std::io::stdout()),
    )?;
    eprintln!("the peer left");
    Ok(())
}

fn resolve(text: &str) -> Result<SocketAddr> {
    text.to_socket_addrs()?
        .next()
        .with_context(|| format!("{text} has no address"))
}
