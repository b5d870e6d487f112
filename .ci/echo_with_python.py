"""The reference echo-server with a client written in Python (not by us in
Rust), then killed while a client is connected and restarted on the same
port at once: SO_REUSEADDR must let it bind through TIME_WAIT."""

import pathlib
import socket
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
subprocess.run(["cargo", "build", "--quiet", "--locked", "-p", "solution-02-bind-listen-accept", "--bins"], cwd=ROOT, check=True)
SERVER = ROOT / "target" / "debug" / "echo-server"


def start(addr):
    server = subprocess.Popen([SERVER, addr], stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline().strip()
    assert line.startswith("echo-server listening on "), line
    host, port = line.rsplit(" ", 1)[1].rsplit(":", 1)
    return server, int(port)


def echo(port, message):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(message)
        received = b""
        while len(received) < len(message):
            chunk = client.recv(65536)
            assert chunk, "the server closed before echoing everything"
            received += chunk
        return received


server, port = start("127.0.0.1:0")
try:
    assert echo(port, b"hello from python\n") == b"hello from python\n"
    big = bytes(range(256)) * 256  # 64 KiB: fits the socket buffers, so sendall cannot stall
    assert echo(port, big) == big
    # Kill the server while a client is connected: the server's side closes
    # first and waits in TIME_WAIT.
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    client.sendall(b"x")
    assert client.recv(1) == b"x"
finally:
    server.kill()
    server.wait()
assert client.recv(1) == b""
client.close()

server, again = start(f"127.0.0.1:{port}")
try:
    assert again == port
    assert echo(port, b"back again\n") == b"back again\n"
finally:
    server.kill()
    server.wait()
print(f"echo-server served a Python client, and restarted on port {port} at once")
