//! The checks for lab 05. Run them with `cargo lab check 5`, or with
//! `cargo test` in this folder. Each check is explained in the grader
//! (tests/src/ch05.rs at the top of the workbook).

use grader::Grade;
use grader::ch05::{self, Lab};
use select_server as lab;

const LAB: Lab<lab::Outbox> = Lab {
    new_outbox: lab::Outbox::default,
    push: lab::Outbox::push,
    len: lab::Outbox::len,
    is_empty: lab::Outbox::is_empty,
    flush_into: lab::Outbox::flush_into,
    serve: lab::serve,
    program: env!("CARGO_BIN_EXE_select-echo-server"),
};

#[test]
fn outbox_keeps_what_a_short_write_left() {
    ch05::outbox_keeps_what_a_short_write_left(&LAB).grade();
}

#[test]
fn outbox_keeps_order_across_pushes() {
    ch05::outbox_keeps_order_across_pushes(&LAB).grade();
}

#[test]
fn serves_100_clients_at_once() {
    ch05::serves_100_clients_at_once(&LAB).grade();
}

#[test]
fn a_stalled_client_does_not_delay_others() {
    ch05::a_stalled_client_does_not_delay_others(&LAB).grade();
}

#[test]
fn a_slow_reader_gets_everything_back() {
    ch05::a_slow_reader_gets_everything_back(&LAB).grade();
}

#[test]
fn idle_clients_cost_no_cpu() {
    ch05::idle_clients_cost_no_cpu(&LAB).grade();
}

#[test]
fn vanished_clients_free_their_slot() {
    ch05::vanished_clients_free_their_slot(&LAB).grade();
}

#[test]
fn refuses_a_connection_past_fd_setsize() {
    ch05::refuses_a_connection_past_fd_setsize(&LAB).grade();
}

#[test]
fn the_program_echoes() {
    ch05::the_program_echoes(&LAB).grade();
}
