//! `chat-server [ADDR]`: the chat room. ADDR is `IP:PORT` or just a port;
//! without an IP it listens on 127.0.0.1 only (this machine), and without
//! ADDR on 127.0.0.1:7000. It prints `chat-server listening on IP:PORT`
//! first. Join with `nc 127.0.0.1 7000` or `cargo run --bin chat-client`.
//!
//! This program is complete: it calls the functions you write.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, ToSocketAddrs};

use anyhow::{Context, Result, bail};
use chat_room::server::serve;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = match args.as_slice() {
        [] => SocketAddr::from((Ipv4Addr::LOCALHOST, 7000)),
        [port] if port.parse::<u16>().is_ok() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, port.parse::<u16>()?))
        }
        [addr] => addr
            .to_socket_addrs()?
            .next()
            .with_context(|| format!("{addr} has no address"))?,
        _ => bail!("usage: chat-server [IP:PORT | PORT]   (default 127.0.0.1:7000)"),
    };
    let listener = TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    println!("chat-server listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;
    serve(listener).context("the server stopped")?;
    Ok(())
}
