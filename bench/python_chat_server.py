"""A chat server written the way the Python tutorials write it: one select
loop, every received chunk relayed at once, after the sender's address, to
every other client with a blocking sendall. It is the baseline the
benchmark compares with: no line framing (a line split across two reads is
relayed in two pieces, and pieces from different senders can interleave),
and one client that stops reading blocks everyone.

One line differs from the tutorials: accepted sockets get TCP_NODELAY, as
the Rust servers' sockets do, so that the comparison is between the two
designs, not between Nagle's algorithm on and off.

usage: python3 python_chat_server.py PORT
"""

import select
import socket
import sys

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(1024)
print("python chat server listening on 127.0.0.1:%d" % server.getsockname()[1], flush=True)
sockets = [server]
prefixes = {}


def broadcast(sender, data):
    for client in sockets:
        if client is not server and client is not sender:
            try:
                client.sendall(data)
            except OSError:
                pass


while True:
    readable, _, _ = select.select(sockets, [], [])
    for sock in readable:
        if sock is server:
            client, address = server.accept()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sockets.append(client)
            prefixes[client] = ("<%s:%d> " % address).encode()
            broadcast(client, b"* someone joined\n")
            continue
        try:
            data = sock.recv(4096)
        except OSError:
            data = b""
        if data:
            broadcast(sock, prefixes[sock] + data)
        else:
            sockets.remove(sock)
            del prefixes[sock]
            sock.close()
            broadcast(sock, b"* someone left\n")
