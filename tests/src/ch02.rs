//! Checks for chapter 2, "Bind, listen, accept and connect".
//!
//! The grader plays the other side of every conversation: a client for the
//! lab's servers, a server for the lab's clients. Each exchange is written
//! down as a transcript and compared with a snapshot (ports blanked out).

use std::io;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::harness::{Failure, Outcome, Pending, ensure, learner};
use crate::net::{
    Program, accept, announced_address, any_port_v4, any_port_v6, connect, grader_listener, quoted,
    read_exactly, read_until_closed, returned_error, run_program, send,
};
use crate::proc_net::wait_until_read;
use crate::snapshot;

/// The greeting the grader asks the lab's greeting server to send.
pub const GREETING: &[u8] = b"Hello from socklab!\n";

/// The lab's functions and programs, handed to the grader by `tests/grade.rs`.
pub struct Lab {
    pub listen_on: fn(SocketAddr, i32) -> io::Result<Socket>,
    pub greet_one: fn(&Socket, &[u8]) -> io::Result<SocketAddr>,
    pub fetch_greeting: fn(SocketAddr) -> io::Result<Vec<u8>>,
    pub echo_connection: fn(&Socket) -> io::Result<u64>,
    pub serve_echo: fn(&Socket) -> io::Result<()>,
    pub echo_once: fn(SocketAddr, &[u8]) -> io::Result<Vec<u8>>,
    pub connect_ex: fn(SocketAddr) -> i32,
    /// Path of the lab's `echo-server` program (`env!("CARGO_BIN_EXE_echo-server")`).
    pub echo_server_program: &'static str,
    /// Path of the lab's `echo-client` program.
    pub echo_client_program: &'static str,
}

/// A check of this chapter.
pub type Check = fn(&Lab) -> Outcome;

/// Every check of chapter 2, by name, in the order `grade.rs` lists them.
pub fn checks() -> Vec<(&'static str, Check)> {
    vec![
        ("listener_reuses_its_address", listener_reuses_its_address),
        ("listener_listens_where_asked", listener_listens_where_asked),
        ("greeting_server_transcript", greeting_server_transcript),
        (
            "greeting_client_reads_until_closed",
            greeting_client_reads_until_closed,
        ),
        ("restart_right_after_serving", restart_right_after_serving),
        (
            "echo_connection_echoes_everything",
            echo_connection_echoes_everything,
        ),
        (
            "echo_server_serves_clients_in_turn",
            echo_server_serves_clients_in_turn,
        ),
        (
            "echo_server_survives_a_reset_client",
            echo_server_survives_a_reset_client,
        ),
        (
            "echo_client_gets_its_message_back",
            echo_client_gets_its_message_back,
        ),
        ("connect_ex_reports_refused", connect_ex_reports_refused),
        ("echo_programs_work", echo_programs_work),
    ]
}

/// Calls the lab's `listen_on` and returns the listener and its address.
fn lab_listener(lab: &Lab, addr: SocketAddr) -> Result<(Socket, SocketAddr), Failure> {
    let listen_on = lab.listen_on;
    let listener = learner("listen_on")
        .run(move || listen_on(addr, 16))?
        .map_err(|e| returned_error(&format!("listen_on({addr}, 16)"), e))?;
    let local = local_addr(&listener)?;
    Ok((listener, local))
}

fn local_addr(socket: &Socket) -> Result<SocketAddr, Failure> {
    socket
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .ok_or_else(|| {
            Failure::new("the listener has no local address: did you bind it? - see 2.1")
        })
}

/// `listen_on` turns `SO_REUSEADDR` on, binds where asked and listens.
pub fn listener_reuses_its_address(lab: &Lab) -> Outcome {
    let (listener, local) = lab_listener(lab, any_port_v4())?;
    ensure(listener.reuse_address().unwrap_or(false), || {
        "SO_REUSEADDR is off on the listener: a restarted server will fail with \
         \"Address already in use\" - call set_reuse_address(true) before bind - see 2.4"
            .to_string()
    })?;
    ensure(listener.is_listener().unwrap_or(false), || {
        "the socket is not listening: call listen(backlog) after bind - see 2.1".to_string()
    })?;
    ensure(
        local.ip() == any_port_v4().ip() && local.port() != 0,
        || {
            format!(
                "asked to listen on 127.0.0.1:0, the socket is bound to {local}: bind to the \
             address you are given; port 0 lets the kernel pick a free port - see 2.2"
            )
        },
    )
}

/// `listen_on` works for IPv6 too, and a client can connect to it.
pub fn listener_listens_where_asked(lab: &Lab) -> Outcome {
    let (listener, local) = lab_listener(lab, any_port_v6())?;
    ensure(local.ip() == any_port_v6().ip(), || {
        format!(
            "asked to listen on [::1]:0, the socket is bound to {local}: make the socket with \
             the family of the address (Domain::for_address) - see 2.2"
        )
    })?;
    let _client = connect(local)?;
    let accepted = listener.accept();
    ensure(accepted.is_ok(), || {
        "a client connected, but accept on your listener failed - see 2.1".to_string()
    })
}

/// A client of the lab's greeting server gets the greeting, then the end of
/// the stream; `greet_one` returns the client's address.
pub fn greeting_server_transcript(lab: &Lab) -> Outcome {
    let listener = grader_listening_socket()?;
    let server = local_addr(&listener)?;
    let greet_one = lab.greet_one;
    let greeting = learner("greet_one")
        .waiting_for("did it accept a client, send the greeting and return?")
        .spawn(move || greet_one(&listener, GREETING));

    let exchange = (|| {
        let mut client = connect(server)?;
        let client_addr = client
            .local_addr()
            .map_err(|e| Failure::new(e.to_string()))?;
        let received = read_until_closed(
            &mut client,
            "greet_one should close the connection after sending the greeting \
             (drop the accepted socket)",
        )?;
        Ok((client_addr, received))
    })();
    let (client_addr, received) = greeting.blame(exchange)?;
    let returned = greeting
        .wait()?
        .map_err(|e| returned_error("greet_one", e))?;
    let mut transcript = vec![
        "client connects".to_string(),
        format!("server -> client: {}", quoted(&received)),
        "server closes the connection".to_string(),
        format!(
            "greet_one returned the client's address: {}",
            if returned == client_addr { "yes" } else { "no" }
        ),
    ];
    if returned != client_addr {
        transcript.push(format!(
            "  (it returned {returned}, the client is {client_addr})"
        ));
    }
    snapshot::matches(
        "ch02_greeting_server",
        &transcript.join("\n"),
        "the greeting exchange went wrong - see 2.1",
    )
}

/// `fetch_greeting` reads until the server closes, not just once: the
/// grader's server sends the greeting in two parts.
pub fn greeting_client_reads_until_closed(lab: &Lab) -> Outcome {
    let listener = grader_listener()?;
    let server = listener
        .local_addr()
        .map_err(|e| Failure::new(e.to_string()))?;
    let fetch_greeting = lab.fetch_greeting;
    let fetched = learner("fetch_greeting")
        .waiting_for("does it stop reading when read returns 0 (the server closed)?")
        .spawn(move || fetch_greeting(server));

    let exchange = (|| {
        let mut connection = accept(&listener, "did fetch_greeting connect to the server?")?;
        let (first, second) = GREETING.split_at(6);
        send(&mut connection, first)?;
        // The second part goes only once the client has read the first: a
        // client that reads once then has all it will ever return, however
        // busy the machine. A correct client reads on.
        // (A client that never reads is caught below, when it fails to
        // return the greeting.)
        wait_until_read(&connection);
        if fetched.finished_within(Duration::ZERO) {
            return Ok(());
        }
        send(&mut connection, second)
    })();
    fetched.blame(exchange)?;

    let greeting = fetched
        .wait()?
        .map_err(|e| returned_error("fetch_greeting", e))?;
    ensure(greeting == GREETING, || {
        format!(
            "fetch_greeting returned {}, the server sent {} in two parts and then closed: \
             one read returns what has arrived so far; read until read returns 0 \
             (read_to_end) - see 2.1",
            quoted(&greeting),
            quoted(GREETING)
        )
    })
}

/// After a server has served a client and closed the connection first, a
/// new listener on the same port binds at once (SO_REUSEADDR).
pub fn restart_right_after_serving(lab: &Lab) -> Outcome {
    let (listener, local) = lab_listener(lab, any_port_v4())?;
    let greet_one = lab.greet_one;
    let greeting = learner("greet_one").spawn(move || {
        let result = greet_one(&listener, GREETING);
        drop(listener);
        result
    });
    let exchange = (|| {
        let mut client = connect(local)?;
        read_until_closed(
            &mut client,
            "greet_one should close the connection after sending the greeting",
        )
    })();
    greeting.blame(exchange)?;
    greeting
        .wait()?
        .map_err(|e| returned_error("greet_one", e))?;

    // The server closed first, so its side of the connection is in TIME_WAIT.
    let listen_on = lab.listen_on;
    let again = learner("listen_on").run(move || listen_on(local, 16))?;
    match again {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AddrInUse => Err(Failure::new(format!(
            "listen_on({local}) failed right after the previous server closed a connection: \
             \"{e}\". The closed connection waits in TIME_WAIT on that port; turn SO_REUSEADDR \
             on before bind - see 2.4"
        ))),
        Err(e) => Err(returned_error(
            &format!("listen_on({local}) (the restart)"),
            e,
        )),
    }
}

/// `echo_connection` sends back several messages and a 64 KiB block, and
/// returns when the client shuts down its side.
pub fn echo_connection_echoes_everything(lab: &Lab) -> Outcome {
    let listener = grader_listener()?;
    let mut client = connect(
        listener
            .local_addr()
            .map_err(|e| Failure::new(e.to_string()))?,
    )?;
    let connection = Socket::from(accept(&listener, "the grader's own client")?);
    let echo_connection = lab.echo_connection;
    let echoed = learner("echo_connection")
        .waiting_for("the client shut down its side: read returned 0, so stop and return")
        .spawn(move || echo_connection(&connection));

    let block: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    let messages: [&[u8]; 3] = [b"hello\n", b"how are you?\n", &block];
    let mut transcript = Vec::new();
    for message in messages {
        transcript.push(format!("client -> server: {}", describe_bytes(message)));
        let exchange = (|| {
            send(&mut client, message)?;
            read_exactly(
                &mut client,
                message.len(),
                "echo_connection must keep reading and echoing until the client closes; \
                 a server that reads once loses the rest - see 2.6",
            )
        })();
        let echo = echoed.blame(exchange)?;
        ensure(echo == message, || {
            "the echo differs from what the client sent: write back exactly the bytes you \
             read (&buffer[..n], not the whole buffer) - see 2.6"
                .to_string()
        })?;
        transcript.push(format!("server -> client: {}", describe_bytes(&echo)));
    }
    client
        .shutdown(Shutdown::Write)
        .map_err(|e| Failure::new(format!("the grader could not shut down: {e}")))?;
    transcript.push("client shuts down its side".to_string());
    let total = echoed
        .wait()?
        .map_err(|e| returned_error("echo_connection", e))?;
    transcript.push(format!("echo_connection returned Ok({total})"));
    let rest = read_until_closed(
        &mut client,
        "the connection should close when echo_connection returns",
    )?;
    transcript.push(if rest.is_empty() {
        "server closes the connection".to_string()
    } else {
        format!("server -> client after the end: {}", quoted(&rest))
    });
    snapshot::matches(
        "ch02_echo_connection",
        &transcript.join("\n"),
        "the echo exchange went wrong - see 2.6",
    )
}

/// `serve_echo` serves two clients one after the other; the second one
/// connects while the first is being served and waits in the backlog.
pub fn echo_server_serves_clients_in_turn(lab: &Lab) -> Outcome {
    let listener = grader_listening_socket()?;
    let server = local_addr(&listener)?;
    let serving = start_echo_server(lab, listener);

    let conversation = (|| {
        let mut transcript = Vec::new();
        let mut first = connect(server)?;
        transcript.push("client 1 connects".to_string());
        let mut second = connect(server)?;
        transcript.push("client 2 connects (it waits in the accept queue)".to_string());
        transcript.push(echo_exchange(&mut first, "client 1", b"first\n")?);
        drop(first);
        transcript.push("client 1 leaves".to_string());
        transcript.push(echo_exchange(&mut second, "client 2", b"second\n")?);
        drop(second);
        transcript.push("client 2 leaves".to_string());
        let mut third = connect(server)?;
        transcript.push(echo_exchange(&mut third, "client 3", b"third\n")?);
        Ok(transcript)
    })();
    let transcript = serving.blame(conversation)?;
    snapshot::matches(
        "ch02_echo_server",
        &transcript.join("\n"),
        "serve_echo should accept the next client when one leaves - see 2.6",
    )
}

/// A client that resets its connection must not stop `serve_echo`.
pub fn echo_server_survives_a_reset_client(lab: &Lab) -> Outcome {
    let listener = grader_listening_socket()?;
    let server = local_addr(&listener)?;
    let serving = start_echo_server(lab, listener);

    let reset = (|| {
        let mut resetter = connect(server)?;
        send(&mut resetter, b"bye\n")?;
        read_exactly(&mut resetter, 4, "serve_echo should echo the first client")?;
        send(&mut resetter, b"more")?;
        // SO_LINGER with a zero timeout: close sends RST instead of FIN.
        socket2::SockRef::from(&resetter)
            .set_linger(Some(Duration::ZERO))
            .map_err(|e| Failure::new(format!("the grader could not set SO_LINGER: {e}")))
    })();
    serving.blame(reset)?;

    let next = (|| {
        let mut next = connect(server)?;
        echo_exchange(&mut next, "the next client", b"still there?\n")
    })();
    serving.blame(next).map_err(|f| {
        Failure::new(format!(
            "after a client reset its connection, the next client got no echo:\n{f}\n\
             one client's error must not stop the server: report it and accept the next - see 2.6"
        ))
    })?;
    Ok(())
}

/// `echo_once` returns the echo of its message and then closes.
pub fn echo_client_gets_its_message_back(lab: &Lab) -> Outcome {
    let listener = grader_listener()?;
    let server = listener
        .local_addr()
        .map_err(|e| Failure::new(e.to_string()))?;
    let echo_once = lab.echo_once;
    let message: &'static [u8] = b"hello, socklab";
    let echoed = learner("echo_once")
        .waiting_for("did it read exactly as many bytes as it sent, and stop?")
        .spawn(move || echo_once(server, message));

    let exchange = (|| {
        let mut connection = accept(&listener, "did echo_once connect to the server?")?;
        let received = read_exactly(
            &mut connection,
            message.len(),
            "echo_once should send its whole message",
        )?;
        send(&mut connection, &received)?;
        Ok(connection)
    })();
    let mut connection = echoed.blame(exchange)?;
    let echo = echoed.wait()?.map_err(|e| returned_error("echo_once", e))?;
    ensure(echo == message, || {
        format!(
            "echo_once returned {}, the server echoed {} - see 2.6",
            quoted(&echo),
            quoted(message)
        )
    })?;
    let rest = read_until_closed(
        &mut connection,
        "echo_once should close its connection once it has the echo (drop the socket)",
    )?;
    ensure(rest.is_empty(), || {
        format!("echo_once sent more than its message: {}", quoted(&rest))
    })
}

/// `connect_ex` returns 0 for a listening port and ECONNREFUSED for a port
/// nobody listens on.
pub fn connect_ex_reports_refused(lab: &Lab) -> Outcome {
    let listening = grader_listener()?;
    let open = listening
        .local_addr()
        .map_err(|e| Failure::new(e.to_string()))?;
    // Bound but not listening: the kernel refuses connections to it, and the
    // port stays ours, so nobody else can start listening there meanwhile.
    let closed_socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
        .and_then(|s| s.bind(&SockAddr::from(any_port_v4())).map(|()| s))
        .map_err(|e| Failure::new(format!("the grader could not bind: {e}")))?;
    let closed = local_addr(&closed_socket)?;

    let connect_ex = lab.connect_ex;
    let to_open = learner("connect_ex").run(move || connect_ex(open))?;
    let to_closed = learner("connect_ex").run(move || connect_ex(closed))?;
    let transcript = [
        format!("connect_ex(a listening port) = {}", describe_code(to_open)),
        format!(
            "connect_ex(a port nobody listens on) = {}",
            describe_code(to_closed)
        ),
    ];
    snapshot::matches(
        "ch02_connect_ex",
        &transcript.join("\n"),
        "connect_ex should return 0 on success and the OS error number (raw_os_error) on \
         failure - see 2.5",
    )
}

/// The `echo-server` and `echo-client` programs work together, and
/// `echo-server` restarts on the same port at once while a client of the
/// previous run is still connected.
pub fn echo_programs_work(lab: &Lab) -> Outcome {
    let mut server = Program::start(lab.echo_server_program, &["127.0.0.1:0"])?;
    let addr = announced_address(&server.first_line, "echo-server", "standard output")?;
    let mut transcript = vec![redact_port(&server.first_line, addr.port())];

    let mut first = connect(addr)?;
    transcript.push(echo_exchange(&mut first, "a raw client", b"ping\n")?);
    drop(first);

    let printed = run_program(lab.echo_client_program, &[&addr.to_string(), "hello there"])?;
    transcript.push(format!("echo-client printed {printed:?}"));

    let mut last = connect(addr)?;
    transcript.push(echo_exchange(&mut last, "another raw client", b"pong\n")?);
    drop(server.stderr_after_kill());
    transcript.push("echo-server is killed while that client is connected".to_string());
    let rest = read_until_closed(&mut last, "killing the server closes its connections")?;
    ensure(rest.is_empty(), || {
        format!("unexpected bytes: {}", quoted(&rest))
    })?;
    drop(last);

    let port = addr.port().to_string();
    let again =
        Program::start(lab.echo_server_program, &[&format!("127.0.0.1:{port}")]).map_err(|f| {
            Failure::new(format!(
                "echo-server could not start again on port {port} right away: {f}\n\
                 a connection of the killed server waits in TIME_WAIT: SO_REUSEADDR - see 2.4"
            ))
        })?;
    transcript.push(format!(
        "restarted: {}",
        redact_port(&again.first_line, addr.port())
    ));
    snapshot::matches(
        "ch02_echo_programs",
        &transcript.join("\n"),
        "the echo-server and echo-client programs misbehaved - see 2.6",
    )
}

/// The address at the end of `echo-server listening on 127.0.0.1:PORT`.
fn redact_port(text: &str, port: u16) -> String {
    text.replace(&format!(":{port}"), ":[port]")
}

/// A listener made by the grader (socket2, SO_REUSEADDR on, backlog 16), for
/// checks of the lab's servers that should not depend on its `listen_on`.
fn grader_listening_socket() -> Result<Socket, Failure> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
        .map_err(|e| Failure::new(format!("the grader could not create a socket: {e}")))?;
    socket
        .set_reuse_address(true)
        .and_then(|()| socket.bind(&any_port_v4().into()))
        .and_then(|()| socket.listen(16))
        .map_err(|e| Failure::new(format!("the grader could not listen: {e}")))?;
    Ok(socket)
}

/// Runs the lab's `serve_echo` on `listener` in the background. It never
/// returns when it works; its thread ends with the test binary.
fn start_echo_server(lab: &Lab, listener: Socket) -> Pending<io::Result<()>> {
    let serve_echo = lab.serve_echo;
    learner("serve_echo")
        .within(Duration::from_secs(3600))
        .spawn(move || serve_echo(&listener))
}

/// Sends `message` and expects it back; returns a transcript line.
fn echo_exchange(client: &mut TcpStream, who: &str, message: &[u8]) -> Result<String, Failure> {
    send(client, message)?;
    let echo = read_exactly(
        client,
        message.len(),
        "no echo: is the server still busy with a previous client, or did it stop?",
    )?;
    Ok(format!(
        "{who}: sent {}, got back {}",
        quoted(message),
        quoted(&echo)
    ))
}

fn describe_bytes(bytes: &[u8]) -> String {
    if bytes.len() <= 64 {
        quoted(bytes)
    } else {
        format!("{} bytes", bytes.len())
    }
}

fn describe_code(code: i32) -> String {
    if code == 0 {
        return "0 (connected)".to_string();
    }
    let error = io::Error::from_raw_os_error(code);
    format!("{code} ({:?}: {error})", error.kind())
}
