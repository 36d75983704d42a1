#!/usr/bin/env python3
"""Socket-level checks for the interop scripts; every operation has a timeout.

  tcpcheck.py bulk PORT MIB [CONNS]   push random data through an echo forward, compare sha256
  tcpcheck.py halfclose PORT TEXT TRAILER
                                      send TEXT, shut down writing, expect TEXT+TRAILER then EOF
  tcpcheck.py banner PORT BANNER NBYTES
                                      read BANNER until EOF with writing still open, then send
                                      NBYTES and shut down; prints their sha256
  tcpcheck.py closed PORT             expect the connection to be closed with 0 bytes received
  tcpcheck.py silent PORT SECONDS     connect, send nothing, expect EOF with 0 bytes within SECONDS
  tcpcheck.py udp-recv PORTFILE OUTFILE
                                      bind a free UDP port, write it to PORTFILE, receive one
                                      datagram and write its hex to OUTFILE
"""
import hashlib
import os
import socket
import sys
import threading
import time

TIMEOUT = 60


def fail(msg):
    print("tcpcheck: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.settimeout(TIMEOUT)
    return s


def read_all(s, limit=1 << 30):
    chunks = []
    total = 0
    while True:
        b = s.recv(65536)
        if not b:
            return b"".join(chunks)
        chunks.append(b)
        total += len(b)
        if total > limit:
            fail("received more than %d bytes" % limit)


def bulk_one(port, nbytes, results, idx):
    data = os.urandom(nbytes)
    s = connect(port)

    def sender():
        view = memoryview(data)
        while view:
            n = s.send(view[:262144])
            view = view[n:]
        s.shutdown(socket.SHUT_WR)

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    got = hashlib.sha256()
    count = 0
    while True:
        b = s.recv(262144)
        if not b:
            break
        got.update(b)
        count += len(b)
    t.join(TIMEOUT)
    s.close()
    results[idx] = (hashlib.sha256(data).hexdigest(), got.hexdigest(), count)


def cmd_bulk(port, mib, conns="1"):
    port, nbytes, conns = int(port), int(float(mib) * (1 << 20)), int(conns)
    results = [None] * conns
    t0 = time.time()
    threads = [threading.Thread(target=bulk_one, args=(port, nbytes, results, i), daemon=True) for i in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 2)
    for i, r in enumerate(results):
        if r is None:
            fail("bulk connection %d did not finish" % i)
        sent, got, count = r
        if count != nbytes or sent != got:
            fail("bulk connection %d: sent %d bytes sha256 %s, got back %d bytes sha256 %s" % (i, nbytes, sent, count, got))
    print("bulk: %d connection(s) x %d bytes echoed intact in %.2fs (sha256 %s...)" % (conns, nbytes, time.time() - t0, results[0][0][:16]))


def cmd_halfclose(port, text, trailer):
    s = connect(int(port))
    s.sendall(text.encode())
    s.shutdown(socket.SHUT_WR)
    got = read_all(s)
    s.close()
    want = (text + trailer).encode()
    if got != want:
        fail("half-close: got %r, want %r" % (got, want))
    print("halfclose: wrote %d bytes, shut down writing, still read %r then EOF" % (len(text), got))


def cmd_banner(port, banner, nbytes):
    s = connect(int(port))
    got = read_all(s)
    if got != banner.encode():
        fail("banner: got %r, want %r" % (got, banner))
    data = os.urandom(int(nbytes))
    s.sendall(data)  # our write side is still open after the server's EOF
    s.shutdown(socket.SHUT_WR)
    rest = read_all(s)
    s.close()
    if rest:
        fail("banner: unexpected %d bytes after EOF" % len(rest))
    print("banner: read %r then EOF, then sent %d bytes sha256 %s" % (got, len(data), hashlib.sha256(data).hexdigest()))


def cmd_closed(port):
    s = connect(int(port))
    s.settimeout(10)
    try:
        got = s.recv(1)
    except ConnectionResetError:
        got = b""
    if got:
        fail("closed: expected the connection to be closed, got %r" % got)
    s.close()
    print("closed: connection closed with 0 bytes received")


def cmd_silent(port, seconds):
    t0 = time.time()
    s = connect(int(port))
    s.settimeout(float(seconds))
    try:
        got = s.recv(1)
    except ConnectionResetError:
        got = b""
    except socket.timeout:
        fail("silent: still open after %ss" % seconds)
    if got:
        fail("silent: got %r" % got)
    print("silent: closed by the server after %.2fs with 0 bytes received" % (time.time() - t0))


def cmd_udp_recv(portfile, outfile):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.settimeout(20)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(u.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    data, _ = u.recvfrom(2048)
    with open(outfile, "w") as f:
        f.write(data.hex())


if __name__ == "__main__":
    cmds = {"bulk": cmd_bulk, "halfclose": cmd_halfclose, "banner": cmd_banner, "closed": cmd_closed,
            "silent": cmd_silent, "udp-recv": cmd_udp_recv}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    cmds[sys.argv[1]](*sys.argv[2:])
