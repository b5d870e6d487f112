//! The checks for lab 06. Run them with `cargo lab check 6`, or with
//! `cargo test` in this folder. Each check is explained in the grader
//! (tests/src/ch06.rs at the top of the workbook).

use chat_room as lab;
use chat_room::lines::LineBuffer;
use chat_room::room::{Leave, Outgoing, Room};
use grader::Grade;
use grader::ch06::{self, Lab};

const LAB: Lab<Room, Outgoing, LineBuffer> = Lab {
    new_room: Room::new,
    join: Room::join,
    line: Room::line,
    leave: |room, id| room.leave(id, Leave::Gone),
    new_line_buffer: LineBuffer::default,
    push: LineBuffer::push,
    sanitize: lab::lines::sanitize,
    serve: lab::server::serve,
    server_program: env!("CARGO_BIN_EXE_chat-server"),
    client_program: env!("CARGO_BIN_EXE_chat-client"),
};

#[test]
fn room_transcript() {
    ch06::room_transcript(&LAB).grade();
}

#[test]
fn names_follow_the_rules() {
    ch06::names_follow_the_rules(&LAB).grade();
}

#[test]
fn a_line_is_never_sent_back_to_its_sender() {
    ch06::a_line_is_never_sent_back_to_its_sender(&LAB).grade();
}

#[test]
fn line_buffer_reassembles_and_caps() {
    ch06::line_buffer_reassembles_and_caps(&LAB).grade();
}

#[test]
fn sanitize_strips_what_drives_a_terminal() {
    ch06::sanitize_strips_what_drives_a_terminal(&LAB).grade();
}

#[test]
fn server_transcript() {
    ch06::server_transcript(&LAB).grade();
}

#[test]
fn a_line_in_pieces_arrives_whole() {
    ch06::a_line_in_pieces_arrives_whole(&LAB).grade();
}

#[test]
fn a_slow_reader_does_not_stall_the_room() {
    ch06::a_slow_reader_does_not_stall_the_room(&LAB).grade();
}

#[test]
fn hostile_lines_are_cleaned() {
    ch06::hostile_lines_are_cleaned(&LAB).grade();
}

#[test]
fn a_reset_client_is_announced() {
    ch06::a_reset_client_is_announced(&LAB).grade();
}

#[test]
fn two_hundred_clients() {
    ch06::two_hundred_clients(&LAB).grade();
}

#[test]
fn the_programs_talk() {
    ch06::the_programs_talk(&LAB).grade();
}
