#!/usr/bin/env python3
"""A minimal SOCKS5 client (RFC 1928: no authentication, a domain-name destination), shared
by the benchmark's rootless group and the SOCKS5 process tests.

As a module: `open_stream(port, host, dest_port, command=1, timeout=20)` returns
(reply code, socket), the socket positioned after the reply.

As a program, for the tests: `socks5_client.py PORT HOST DEST_PORT [COMMAND]` prints
`reply N`; on success it sends one line and prints `echo <what came back>`.
"""
import socket
import sys


def open_stream(port, host, dest_port, command=1, timeout=20):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(b"\x05\x01\x00")
        if s.recv(2) != b"\x05\x00":
            raise RuntimeError("SOCKS5: no method accepted")
        name = host.encode()
        s.sendall(bytes([5, command, 0, 3, len(name)]) + name + dest_port.to_bytes(2, "big"))
        reply = b""
        while len(reply) < 10:
            chunk = s.recv(10 - len(reply))
            if not chunk:
                break
            reply += chunk
        if len(reply) < 2:
            raise RuntimeError("SOCKS5: the connection closed before the reply")
        return reply[1], s
    except BaseException:
        s.close()
        raise


def main():
    port, host, dest_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    command = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    code, s = open_stream(port, host, dest_port, command)
    with s:
        print("reply", code)
        if code == 0:
            s.sendall(b"through socks\n")
            echoed = b""
            while not echoed.endswith(b"\n"):
                chunk = s.recv(100)
                if not chunk:
                    break
                echoed += chunk
            print("echo", echoed.decode().strip())


if __name__ == "__main__":
    main()
