//! The chat room's logic: events in, messages out. No sockets, no I/O: the
//! server feeds it what happened and sends what it returns.

use std::collections::BTreeMap;
use std::rc::Rc;

/// How the server names a connection (it never reuses one).
pub type ClientId = u64;

// ANCHOR: outgoing
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
// ANCHOR_END: outgoing

/// The longest name /nick accepts.
pub const MAX_NAME: usize = 16;

// ANCHOR: room
/// Who is in the room, by connection, and the next guest number.
#[derive(Debug, Default)]
pub struct Room {
    names: BTreeMap<ClientId, String>,
    guests: u64,
}

impl Room {
    pub fn new() -> Room {
        Room::default()
    }

    /// The name of a client in the room.
    pub fn name(&self, id: ClientId) -> Option<&str> {
        self.names.get(&id).map(String::as_str)
    }

    /// A client connected: it gets a guest name and a welcome; everyone
    /// else hears that it joined.
    pub fn join(&mut self, id: ClientId) -> Vec<Outgoing> {
        self.guests += 1;
        let name = format!("guest{}", self.guests);
        let others = self.names.len();
        let mut out = self.to_all_but(id, format!("* {name} joined"));
        out.push(Outgoing {
            to: id,
            line: Rc::from(format!(
                "* welcome, {name}: {others} other{} here. /nick NAME changes your name, /quit leaves.",
                if others == 1 { " is" } else { "s are" }
            )),
        });
        self.names.insert(id, name);
        out
    }

    /// A client sent a line: a command, or a message for everyone else.
    pub fn line(&mut self, id: ClientId, text: &str) -> Vec<Outgoing> {
        let Some(name) = self.names.get(&id).cloned() else {
            return Vec::new();
        };
        let text = text.trim();
        if text.is_empty() {
            return Vec::new();
        }
        if let Some(wanted) = text.strip_prefix("/nick") {
            return self.rename(id, &name, wanted.trim());
        }
        if text == "/quit" {
            return self.leave(id, Leave::Gone);
        }
        if text.starts_with('/') {
            return vec![Outgoing {
                to: id,
                line: Rc::from(format!("* unknown command {text}: try /nick NAME or /quit")),
            }];
        }
        // Everyone but the sender: it already sees what it typed.
        self.to_all_but(id, format!("<{name}> {text}"))
    }

    /// A client left; everyone else hears it.
    pub fn leave(&mut self, id: ClientId, why: Leave) -> Vec<Outgoing> {
        let Some(name) = self.names.remove(&id) else {
            return Vec::new();
        };
        let line = match why {
            Leave::Gone => format!("* {name} left"),
            Leave::TooSlow => format!("* {name} was dropped: it stopped reading"),
        };
        self.to_all_but(id, line)
    }

    fn rename(&mut self, id: ClientId, old: &str, wanted: &str) -> Vec<Outgoing> {
        let valid = !wanted.is_empty()
            && wanted.len() <= MAX_NAME
            && wanted
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let reply = |line: String| {
            vec![Outgoing {
                to: id,
                line: Rc::from(line),
            }]
        };
        if !valid {
            return reply(format!(
                "* a name is 1 to {MAX_NAME} letters, digits, - or _; you are still {old}"
            ));
        }
        let taken = self
            .names
            .iter()
            .any(|(&other, name)| other != id && name.eq_ignore_ascii_case(wanted));
        if taken {
            return reply(format!("* the name {wanted} is taken; you are still {old}"));
        }
        self.names.insert(id, wanted.to_string());
        let line: Rc<str> = Rc::from(format!("* {old} is now {wanted}"));
        self.names
            .keys()
            .map(|&to| Outgoing {
                to,
                line: Rc::clone(&line),
            })
            .collect()
    }

    fn to_all_but(&self, sender: ClientId, line: String) -> Vec<Outgoing> {
        let line: Rc<str> = Rc::from(line);
        self.names
            .keys()
            .filter(|&&to| to != sender)
            .map(|&to| Outgoing {
                to,
                line: Rc::clone(&line),
            })
            .collect()
    }
}
// ANCHOR_END: room
