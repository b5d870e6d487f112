//! Lab 06, solved: a multi-user chat room.
//!
//! - [`room`]: the room's logic as a pure state machine: who is here, what
//!   each event makes the server send, to whom. No sockets: testable alone.
//! - [`lines`]: turning a byte stream into clean lines: reassembled, capped,
//!   invalid UTF-8 replaced, control characters stripped.
//! - [`server`]: the select loop that drives the room: one thread, one
//!   bounded outbox per client, slow clients dropped.
//! - [`threaded`]: the same room served with a thread per client, to
//!   compare the two designs.
//!
//! Book: chapter 6, "The chat room".

pub mod lines;
pub mod room;
pub mod server;
pub mod threaded;
