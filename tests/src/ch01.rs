//! Checks for chapter 1, "Creating a socket".
//!
//! The lab makes four kinds of socket and describes a socket's facts. The
//! grader inspects the sockets with socket2's getters, and compares the
//! descriptions with snapshots (the file descriptor, port and buffer size
//! vary from run to run, so they are compared with the real values first,
//! then blanked out).

use std::fmt::Debug;
use std::io;
use std::net::TcpListener;
use std::os::fd::AsRawFd;

use socket2::{Domain, Protocol, Socket, Type};

use crate::harness::{Failure, Outcome, ensure, learner};
use crate::net::{any_port_v4, returned_error};
use crate::snapshot;

/// The lab's functions, handed to the grader by `tests/grade.rs`.
pub struct Lab<F> {
    pub tcp_v4: fn() -> io::Result<Socket>,
    pub tcp_v6: fn() -> io::Result<Socket>,
    pub udp_v4: fn() -> io::Result<Socket>,
    pub udp_v6: fn() -> io::Result<Socket>,
    pub describe: fn(&Socket) -> io::Result<F>,
}

/// A check of this chapter.
pub type Check<F> = fn(&Lab<F>) -> Outcome;

/// Every check of chapter 1, by name, in the order `grade.rs` lists them.
pub fn checks<F: Debug + Send + 'static>() -> Vec<(&'static str, Check<F>)> {
    vec![
        ("tcp_v4_is_an_ipv4_stream", tcp_v4_is_an_ipv4_stream),
        ("tcp_v6_is_an_ipv6_stream", tcp_v6_is_an_ipv6_stream),
        (
            "udp_v4_is_an_ipv4_datagram_socket",
            udp_v4_is_an_ipv4_datagram_socket,
        ),
        (
            "udp_v6_is_an_ipv6_datagram_socket",
            udp_v6_is_an_ipv6_datagram_socket,
        ),
        ("facts_of_a_fresh_tcp_socket", facts_of_a_fresh_tcp_socket),
        (
            "facts_of_a_fresh_udp_v6_socket",
            facts_of_a_fresh_udp_v6_socket,
        ),
        ("facts_follow_the_options", facts_follow_the_options),
        ("facts_of_a_std_listener", facts_of_a_std_listener),
    ]
}

/// `tcp_v4` makes an `AF_INET` / `SOCK_STREAM` / TCP socket.
pub fn tcp_v4_is_an_ipv4_stream<F>(lab: &Lab<F>) -> Outcome {
    expect_socket(
        "tcp_v4",
        lab.tcp_v4,
        Domain::IPV4,
        Type::STREAM,
        Protocol::TCP,
    )
}

/// `tcp_v6` makes an `AF_INET6` / `SOCK_STREAM` / TCP socket.
pub fn tcp_v6_is_an_ipv6_stream<F>(lab: &Lab<F>) -> Outcome {
    expect_socket(
        "tcp_v6",
        lab.tcp_v6,
        Domain::IPV6,
        Type::STREAM,
        Protocol::TCP,
    )
}

/// `udp_v4` makes an `AF_INET` / `SOCK_DGRAM` / UDP socket.
pub fn udp_v4_is_an_ipv4_datagram_socket<F>(lab: &Lab<F>) -> Outcome {
    expect_socket(
        "udp_v4",
        lab.udp_v4,
        Domain::IPV4,
        Type::DGRAM,
        Protocol::UDP,
    )
}

/// `udp_v6` makes an `AF_INET6` / `SOCK_DGRAM` / UDP socket.
pub fn udp_v6_is_an_ipv6_datagram_socket<F>(lab: &Lab<F>) -> Outcome {
    expect_socket(
        "udp_v6",
        lab.udp_v6,
        Domain::IPV6,
        Type::DGRAM,
        Protocol::UDP,
    )
}

fn expect_socket(
    function: &'static str,
    make: fn() -> io::Result<Socket>,
    domain: Domain,
    kind: Type,
    protocol: Protocol,
) -> Outcome {
    let socket = learner(function)
        .run(make)?
        .map_err(|e| returned_error(function, e))?;
    let actual_domain = socket
        .domain()
        .map_err(|e| Failure::new(format!("could not read the socket's family: {e}")))?;
    ensure(actual_domain == domain, || {
        format!(
            "{function} made a socket of family {actual_domain:?}, expected {domain:?}: \
             the family picks the kind of address (IPv4 or IPv6) - see 1.1"
        )
    })?;
    let actual_kind = socket
        .r#type()
        .map_err(|e| Failure::new(format!("could not read the socket's type: {e}")))?;
    ensure(actual_kind == kind, || {
        format!(
            "{function} made a socket of type {actual_kind:?}, expected {kind:?}: \
             TCP is a byte stream (SOCK_STREAM), UDP sends datagrams (SOCK_DGRAM) - see 1.1"
        )
    })?;
    let actual_protocol = socket
        .protocol()
        .map_err(|e| Failure::new(format!("could not read the socket's protocol: {e}")))?;
    ensure(actual_protocol == Some(protocol), || {
        format!(
            "{function} made a socket with protocol {actual_protocol:?}, expected {protocol:?} - see 1.1"
        )
    })
}

/// `describe` tells the facts of a brand-new TCP socket: unbound, blocking,
/// `SO_REUSEADDR` off.
pub fn facts_of_a_fresh_tcp_socket<F: Debug + Send + 'static>(lab: &Lab<F>) -> Outcome {
    let socket = grader_socket(Domain::IPV4, Type::STREAM, Protocol::TCP)?;
    expect_facts(
        lab,
        socket,
        "ch01_fresh_tcp_socket",
        "describe got a fresh TCP socket wrong (a new socket is unbound and blocking, options off) - see 1.4",
    )
}

/// `describe` tells the facts of a brand-new IPv6 UDP socket.
pub fn facts_of_a_fresh_udp_v6_socket<F: Debug + Send + 'static>(lab: &Lab<F>) -> Outcome {
    let socket = grader_socket(Domain::IPV6, Type::DGRAM, Protocol::UDP)?;
    expect_facts(
        lab,
        socket,
        "ch01_fresh_udp_v6_socket",
        "describe got a fresh IPv6 UDP socket wrong - see 1.4",
    )
}

/// `describe` reads each option from the socket instead of assuming its
/// default: this socket is non-blocking, reuses its address and is bound.
pub fn facts_follow_the_options<F: Debug + Send + 'static>(lab: &Lab<F>) -> Outcome {
    let socket = grader_socket(Domain::IPV4, Type::STREAM, Protocol::TCP)?;
    socket
        .set_nonblocking(true)
        .and_then(|()| socket.set_reuse_address(true))
        .and_then(|()| socket.bind(&any_port_v4().into()))
        .map_err(|e| Failure::new(format!("the grader could not prepare its socket: {e}")))?;
    expect_facts(
        lab,
        socket,
        "ch01_socket_with_options",
        "describe must read every fact from the socket, not assume the defaults - see 1.4",
    )
}

/// `describe` on a listener made by `std::net::TcpListener::bind`: std
/// turns `SO_REUSEADDR` on, socket2 does not.
pub fn facts_of_a_std_listener<F: Debug + Send + 'static>(lab: &Lab<F>) -> Outcome {
    let listener = TcpListener::bind(any_port_v4())
        .map_err(|e| Failure::new(format!("the grader could not bind a std listener: {e}")))?;
    expect_facts(
        lab,
        Socket::from(listener),
        "ch01_std_listener",
        "describe got a std TcpListener wrong - see 1.2",
    )
}

fn grader_socket(domain: Domain, kind: Type, protocol: Protocol) -> Result<Socket, Failure> {
    Socket::new(domain, kind, Some(protocol))
        .map_err(|e| Failure::new(format!("the grader could not create its socket: {e}")))
}

/// Runs the learner's `describe` on `socket`, checks the facts that vary
/// against the real values, blanks them out, and compares with a snapshot.
fn expect_facts<F: Debug + Send + 'static>(
    lab: &Lab<F>,
    socket: Socket,
    snapshot_name: &str,
    lesson: &str,
) -> Outcome {
    let fd = socket.as_raw_fd().to_string();
    let buffer = socket
        .recv_buffer_size()
        .map_err(|e| Failure::new(format!("could not read SO_RCVBUF: {e}")))?
        .to_string();
    let port = socket
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .map(|a| a.port())
        .unwrap_or(0);
    let describe = lab.describe;
    let facts = learner("describe")
        .run(move || describe(&socket).map(|facts| format!("{facts:#?}")))?
        .map_err(|e| returned_error("describe", e))?;

    let reported_fd = field(&facts, "fd");
    ensure(reported_fd == Some(fd.as_str()), || {
        format!(
            "describe reported fd {}, but the socket's descriptor is {fd}: \
             ask the socket with as_raw_fd() - see 1.3",
            reported_fd.unwrap_or("(none)")
        )
    })?;
    let reported_buffer = field(&facts, "recv_buffer_size");
    ensure(reported_buffer == Some(buffer.as_str()), || {
        format!(
            "describe reported recv_buffer_size {}, but SO_RCVBUF is {buffer}: \
             read it from the socket - see 1.4",
            reported_buffer.unwrap_or("(none)")
        )
    })?;

    let mut redacted = redact_field(&facts, "fd", "[fd]");
    redacted = redact_field(&redacted, "recv_buffer_size", "[bytes]");
    if port != 0 {
        redacted = redacted.replace(&format!(":{port}"), ":[port]");
    }
    snapshot::matches(snapshot_name, &redacted, lesson)
}

/// The value of `name: value,` in a `{:#?}` dump.
fn field<'a>(dump: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("{name}: ");
    dump.lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .map(|value| value.trim_end_matches(','))
}

/// Replaces the value of `name` in a `{:#?}` dump with `placeholder`.
fn redact_field(dump: &str, name: &str, placeholder: &str) -> String {
    let prefix = format!("{name}: ");
    dump.lines()
        .map(
            |line| match line.trim_start().strip_prefix(prefix.as_str()) {
                Some(_) => {
                    let indent = &line[..line.len() - line.trim_start().len()];
                    format!("{indent}{prefix}{placeholder},")
                }
                None => line.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "Facts {\n    fd: 7,\n    local_addr: None,\n}";

    #[test]
    fn fields_are_found_and_redacted() {
        assert_eq!(field(DUMP, "fd"), Some("7"));
        assert_eq!(field(DUMP, "port"), None);
        assert_eq!(
            redact_field(DUMP, "fd", "[fd]"),
            "Facts {\n    fd: [fd],\n    local_addr: None,\n}"
        );
    }
}
