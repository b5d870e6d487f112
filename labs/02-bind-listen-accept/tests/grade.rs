//! The checks for lab 02. Run them with `cargo lab check 2`, or with
//! `cargo test` in this folder. Each check is explained in the grader
//! (tests/src/ch02.rs at the top of the workbook).

use bind_listen_accept as lab;
use grader::Grade;
use grader::ch02::{self, Lab};

const LAB: Lab = Lab {
    listen_on: lab::listen_on,
    greet_one: lab::greet_one,
    fetch_greeting: lab::fetch_greeting,
    echo_connection: lab::echo_connection,
    serve_echo: lab::serve_echo,
    echo_once: lab::echo_once,
    connect_ex: lab::connect_ex,
    echo_server_program: env!("CARGO_BIN_EXE_echo-server"),
    echo_client_program: env!("CARGO_BIN_EXE_echo-client"),
};

#[test]
fn listener_reuses_its_address() {
    ch02::listener_reuses_its_address(&LAB).grade();
}

#[test]
fn listener_listens_where_asked() {
    ch02::listener_listens_where_asked(&LAB).grade();
}

#[test]
fn greeting_server_transcript() {
    ch02::greeting_server_transcript(&LAB).grade();
}

#[test]
fn greeting_client_reads_until_closed() {
    ch02::greeting_client_reads_until_closed(&LAB).grade();
}

#[test]
fn restart_right_after_serving() {
    ch02::restart_right_after_serving(&LAB).grade();
}

#[test]
fn echo_connection_echoes_everything() {
    ch02::echo_connection_echoes_everything(&LAB).grade();
}

#[test]
fn echo_server_serves_clients_in_turn() {
    ch02::echo_server_serves_clients_in_turn(&LAB).grade();
}

#[test]
fn echo_server_survives_a_reset_client() {
    ch02::echo_server_survives_a_reset_client(&LAB).grade();
}

#[test]
fn echo_client_gets_its_message_back() {
    ch02::echo_client_gets_its_message_back(&LAB).grade();
}

#[test]
fn connect_ex_reports_refused() {
    ch02::connect_ex_reports_refused(&LAB).grade();
}

#[test]
fn echo_programs_work() {
    ch02::echo_programs_work(&LAB).grade();
}
