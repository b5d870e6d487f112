"""A chat session the way people have one: the reference chat-server, two
`nc` clients (Python stand-ins where nc is not installed) and one
chat-client on a pseudo-terminal. Each step waits for what a person would
see before the next one; at the end the three screens are printed, and
compared with book/src/ch06/session.txt, the session the book shows.

usage: python3 .ci/chat_session.py           # run, compare with the book
       python3 .ci/chat_session.py --write   # run, and write the book's copy
       python3 .ci/chat_session.py --lab     # the same, with lab 6's programs
"""

import difflib
import os
import pathlib
import pty
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOK_COPY = ROOT / "book" / "src" / "ch06" / "session.txt"
WAIT = 10  # seconds any one step may take


def build(package):
    subprocess.run(
        ["cargo", "build", "--quiet", "--locked", "-p", package, "--bins"],
        cwd=ROOT,
        check=True,
    )
    return ROOT / "target" / "debug"


class Raw:
    """A raw client, as `nc HOST PORT`: what is typed goes to the server as
    it is, what arrives is printed as it is."""

    def __init__(self, name, port):
        self.name = name
        self.screen = []
        self.lines = queue.Queue()
        if shutil.which("nc"):
            self.process = subprocess.Popen(
                ["nc", "127.0.0.1", str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
            self.send, incoming = self._send_to_process, self.process.stdout
        else:
            self.process = None
            self.socket = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
            self.socket.settimeout(None)  # the reader waits as long as nc would
            self.send, incoming = self.socket.sendall, self.socket.makefile("rb")
        threading.Thread(target=self._read, args=(incoming,), daemon=True).start()

    def _send_to_process(self, data):
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def _read(self, incoming):
        try:
            for line in incoming:
                self.lines.put(line.decode("utf-8", "replace").rstrip("\n"))
        except OSError:
            pass  # closed here (killed): the end, as for nc
        self.lines.put(None)

    def type(self, text):
        # On the screen, ESC as a terminal echoes it: ^[
        self.screen.append(text.replace("\x1b", "^["))
        self.send(text.encode() + b"\n")

    def sees(self, expected):
        try:
            line = self.lines.get(timeout=WAIT)
        except queue.Empty:
            sys.exit(f"{self.name} waited {WAIT} s for {expected!r}; its screen:\n" + "\n".join(self.screen))
        if line is None:
            sys.exit(f"{self.name} expected {expected!r}, but the connection closed (did the server stop?)")
        if line != expected:
            sys.exit(f"{self.name} expected {expected!r}, got {line!r}")
        self.screen.append(line)

    def sees_the_end(self):
        # nc goes on reading the keyboard after the server has closed: end
        # its input too, as a person would with Ctrl-D. It then ends only
        # if the server really closed the connection.
        if self.process:
            self.process.stdin.close()
        try:
            line = self.lines.get(timeout=WAIT)
        except queue.Empty:
            line = "(nothing)"
        if line is not None:
            sys.exit(f"{self.name} expected the connection to close, got {line!r}")
        self.screen.append("(the server closed the connection)")

    def sees_nothing_more(self):
        """Nothing waiting: every line it got was checked."""
        try:
            line = self.lines.get(timeout=0.3)
        except queue.Empty:
            return
        sys.exit(f"{self.name} got a line nobody expected: {line!r}")

    def leave_abruptly(self):
        if self.process:
            self.process.kill()
            self.process.wait()
        else:
            # What the kernel does when a killed process's socket closes.
            self.socket.shutdown(socket.SHUT_RDWR)
            self.socket.close()
        self.screen.append("(killed: the connection dropped without a goodbye)")


class Screen:
    """Just enough of a terminal for chat-client: printable characters, \\r,
    \\n, backspace, and ESC [ K (erase to the end of the line)."""

    def __init__(self):
        self.rows, self.row, self.col = [""], 0, 0
        self.pending = b""

    def feed(self, data):
        text = (self.pending + data).decode("utf-8", "replace")
        self.pending = b""
        i = 0
        while i < len(text):
            c = text[i]
            if c == "\x1b":
                if text[i + 1 : i + 3] == "[K":
                    self.rows[self.row] = self.rows[self.row][: self.col]
                    i += 3
                    continue
                if len(text) - i < 3:
                    self.pending = text[i:].encode()
                    return
                raise AssertionError(f"chat-client wrote an escape sequence this screen does not know: {text[i:i + 8]!r}")
            if c == "\r":
                self.col = 0
            elif c == "\n":
                self.row += 1
                if self.row == len(self.rows):
                    self.rows.append("")
            elif c == "\x08":
                self.col = max(0, self.col - 1)
            else:
                line = self.rows[self.row].ljust(self.col)
                self.rows[self.row] = line[: self.col] + c + line[self.col + 1 :]
                self.col += 1
            i += 1

    def text(self):
        return "\n".join(row.rstrip() for row in self.rows).rstrip("\n")


class Terminal:
    """chat-client on a pseudo-terminal, as in a terminal window."""

    def __init__(self, program, port):
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [program, f"127.0.0.1:{port}"], stdin=slave, stdout=slave, stderr=slave, close_fds=True
        )
        os.close(slave)
        self.screen = Screen()
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.screen.feed(data)

    def type(self, keys):
        for key in keys:
            os.write(self.master, key.encode())
            time.sleep(0.01)

    def shows(self, expected):
        """Waits until the screen's last rows read `expected`."""
        deadline = time.monotonic() + WAIT
        want = expected.split("\n")
        while time.monotonic() < deadline:
            with self.lock:
                rows = self.screen.text().split("\n")
            if rows[-len(want) :] == want:
                return
            time.sleep(0.02)
        sys.exit(f"chat-client's screen should end with:\n{expected}\nit shows:\n{self.screen.text()}")

    def exits(self):
        try:
            code = self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            sys.exit("chat-client did not exit when the server went away")
        if code != 0:
            sys.exit(f"chat-client exited with {code}")


def session(bin_dir):
    server = subprocess.Popen(
        [bin_dir / "chat-server", "127.0.0.1:0"], stdout=subprocess.PIPE, text=True
    )
    try:
        first = server.stdout.readline().strip()
        if not first.startswith("chat-server listening on 127.0.0.1:"):
            sys.exit(f"chat-server did not start (it printed {first!r}; its own message is above)")
        port = int(first.rsplit(":", 1)[1])

        ann = Raw("ann (nc)", port)
        ann.sees("* welcome, guest1: 0 others are here. /nick NAME changes your name, /quit leaves.")
        ann.type("/nick ann")
        ann.sees("* guest1 is now ann")

        bob = Raw("bob (nc)", port)
        bob.sees("* welcome, guest2: 1 other is here. /nick NAME changes your name, /quit leaves.")
        ann.sees("* guest2 joined")
        bob.type("/nick ANN")
        bob.sees("* the name ANN is taken; you are still guest2")
        bob.type("/nick bob")
        bob.sees("* guest2 is now bob")
        ann.sees("* guest2 is now bob")

        cid = Terminal(bin_dir / "chat-client", port)
        cid.shows("* welcome, guest3: 2 others are here. /nick NAME changes your name, /quit leaves.\n>")
        ann.sees("* guest3 joined")
        bob.sees("* guest3 joined")

        ann.type("hi all")
        bob.sees("<ann> hi all")
        cid.shows("<ann> hi all\n>")

        # cid starts typing; a line arrives meanwhile; cid's half line is
        # redrawn below it, and cid goes on typing.
        cid.type("hel")
        cid.shows("> hel")
        bob.type("hey ann")
        ann.sees("<bob> hey ann")
        cid.shows("<bob> hey ann\n> hel")
        cid.type("p\x7flo\r")  # a typo, Backspace, the rest
        cid.shows("you: hello\n>")
        ann.sees("<guest3> hello")
        bob.sees("<guest3> hello")

        # Backspace takes a whole character, both bytes of an é.
        cid.type("/nick cidé\x7f\r")
        cid.shows("* guest3 is now cid\n>")
        ann.sees("* guest3 is now cid")
        bob.sees("* guest3 is now cid")

        # A line meant to paint the others' terminals red: the escape
        # characters are removed before anyone sees it.
        ann.type("\x1b[31mred alert\x1b[0m")
        bob.sees("<ann> [31mred alert[0m")
        cid.shows("<ann> [31mred alert[0m\n>")

        bob.type("/quit")
        bob.sees_the_end()
        ann.sees("* bob left")
        cid.shows("* bob left\n>")

        ann.sees_nothing_more()
        ann.leave_abruptly()
        cid.shows("* ann left\n>")
    finally:
        server.kill()
        server.wait()
    cid.shows("* the server closed the connection")
    cid.exits()
    return ann, bob, cid


def transcript(ann, bob, cid):
    parts = [
        "ann, with nc (what she typed, and the lines that arrived: those start with * or <name>):",
        *("    " + line for line in ann.screen),
        "",
        "bob, with nc:",
        *("    " + line for line in bob.screen),
        "",
        "cid, with chat-client (its screen at the end):",
        *("    " + line for line in cid.screen.text().split("\n")),
    ]
    return "\n".join(parts) + "\n"


def main():
    lab = "--lab" in sys.argv
    bin_dir = build("lab-06-chat-room" if lab else "solution-06-chat-room")
    result = transcript(*session(bin_dir))
    print(result)
    if "--write" in sys.argv and not lab:
        BOOK_COPY.write_text(result)
        print(f"wrote {BOOK_COPY.relative_to(ROOT)}")
        return
    book = BOOK_COPY.read_text()
    if result != book:
        diff = difflib.unified_diff(book.splitlines(), result.splitlines(), "book", "this run", lineterm="")
        sys.exit(
            "the session differs from the one the book shows:\n"
            + "\n".join(diff)
            + "\n(if the change is meant, run: python3 .ci/chat_session.py --write)"
        )
    print("the session reads as the book shows it, with " + ("nc" if shutil.which("nc") else "Python stand-ins for nc"))


main()
