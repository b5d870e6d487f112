//! From a byte stream to clean lines. Book: 6.4.

// The stubs do not use their arguments (or fields) yet; your code will.
#![allow(unused_variables, dead_code)]

/// The longest line the room relays, in bytes; longer lines are cut.
pub const MAX_LINE: usize = 512;

/// Collects bytes until a `\n` completes a line.
#[derive(Debug, Default)]
pub struct LineBuffer {
    partial: Vec<u8>,
    skipping: bool,
}

impl LineBuffer {
    /// Take the bytes of one read; return every line they complete, without
    /// the `\n`, and keep a partial line for the next call. A line that
    /// reaches [`MAX_LINE`] bytes without a `\n` is returned at that point,
    /// cut, and the rest of it (up to its `\n`) is skipped: memory stays
    /// bounded whatever a client sends.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        todo!()
    }
}

/// Make a received line safe to show on someone else's terminal: invalid
/// UTF-8 becomes U+FFFD (`String::from_utf8_lossy`), a tab becomes a
/// space, and every other control character (`char::is_control`: escape
/// sequences start with one) is removed.
pub fn sanitize(raw: &[u8]) -> String {
    todo!()
}
