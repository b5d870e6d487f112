//! The chat room's logic: events in, messages out. No sockets, no I/O: the
//! server feeds it what happened and sends what it returns. Book: 6.2.

// The stubs do not use their arguments (or fields) yet; your code will.
#![allow(unused_variables, dead_code)]

use std::collections::BTreeMap;
use std::rc::Rc;

/// How the server names a connection (it never reuses one).
pub type ClientId = u64;

/// One line to send to one client (without the `\n`). The same line
/// usually goes to many clients: they share one copy of the text (an
/// `Rc<str>`: cloning it copies a pointer, not the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub to: ClientId,
    pub line: Rc<str>,
}

/// Why a client left the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leave {
    /// It closed the connection, typed /quit, or the connection broke.
    Gone,
    /// It read too slowly: its outbox passed the bound and it was dropped.
    TooSlow,
}

/// The longest name /nick accepts.
pub const MAX_NAME: usize = 16;

/// Every method returns the messages to send, as [`Outgoing`] values. Make
/// each line's text once (`Rc::from(format!(...))`) and give every
/// recipient an `Rc::clone` of it.
///
/// Who is in the room, by connection, and how many guests have come (for
/// the next guest name). A `BTreeMap` keeps clients in id order, so every
/// message list comes out in a predictable order: lowest id first.
#[derive(Debug, Default)]
pub struct Room {
    names: BTreeMap<ClientId, String>,
    guests: u64,
}

impl Room {
    pub fn new() -> Room {
        Room::default()
    }

    /// The name of a client in the room, if it is in.
    pub fn name(&self, id: ClientId) -> Option<&str> {
        todo!()
    }

    /// A client connected. It is named `guest1`, `guest2`, ... (counting
    /// every guest ever). Everyone else gets `* NAME joined` (lowest id
    /// first); then the newcomer gets, last:
    /// `* welcome, NAME: N others are here. /nick NAME changes your name, /quit leaves.`
    /// (with `1 other is here` when N is 1).
    pub fn join(&mut self, id: ClientId) -> Vec<Outgoing> {
        todo!()
    }

    /// A client sent a line (already sanitised). Trim it; an empty line
    /// sends nothing. Then:
    /// - `/nick NAME`: a name is 1 to [`MAX_NAME`] ASCII letters, digits,
    ///   `-` or `_`, and unique whatever the case. If valid and free,
    ///   everyone (the asker too) gets `* OLD is now NEW`. Otherwise only
    ///   the asker gets `* a name is 1 to 16 letters, digits, - or _; you
    ///   are still OLD` or `* the name NEW is taken; you are still OLD`.
    /// - `/quit`: the client leaves, as in [`Room::leave`] with `Leave::Gone`.
    /// - any other `/...`: only the sender gets
    ///   `* unknown command /... : try /nick NAME or /quit` (exactly
    ///   `* unknown command {text}: try /nick NAME or /quit`).
    /// - anything else: `<NAME> text` to everyone *but* the sender.
    pub fn line(&mut self, id: ClientId, text: &str) -> Vec<Outgoing> {
        todo!()
    }

    /// A client left. Everyone else gets `* NAME left`, or for
    /// `Leave::TooSlow` `* NAME was dropped: it stopped reading`.
    pub fn leave(&mut self, id: ClientId, why: Leave) -> Vec<Outgoing> {
        todo!()
    }
}
