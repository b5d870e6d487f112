//! From a byte stream to clean lines.

/// The longest line the room relays, in bytes; longer lines are cut.
pub const MAX_LINE: usize = 512;

// ANCHOR: line_buffer
/// Collects bytes until a `\n` completes a line. A line that runs past
/// [`MAX_LINE`] bytes is cut there, and the rest of it is skipped: memory
/// stays bounded whatever a client sends.
#[derive(Debug, Default)]
pub struct LineBuffer {
    partial: Vec<u8>,
    skipping: bool,
}

impl LineBuffer {
    /// Takes the bytes of one read; returns every line they complete
    /// (without the `\n`).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut lines = Vec::new();
        for &byte in bytes {
            if byte == b'\n' {
                if !self.skipping {
                    lines.push(std::mem::take(&mut self.partial));
                }
                self.skipping = false;
            } else if !self.skipping {
                self.partial.push(byte);
                if self.partial.len() == MAX_LINE {
                    lines.push(std::mem::take(&mut self.partial));
                    self.skipping = true;
                }
            }
        }
        lines
    }
}
// ANCHOR_END: line_buffer

// ANCHOR: sanitize
/// Makes a received line safe to show on someone else's terminal: invalid
/// UTF-8 becomes U+FFFD, a tab a space, and every other control character
/// (escape sequences start with one) is removed.
pub fn sanitize(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}
// ANCHOR_END: sanitize
