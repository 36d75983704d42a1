#!/usr/bin/env python3
"""Traffic for scripts/demo.

  demo-traffic.py serve             echo service on 127.0.0.1 (prints its port), half-close aware
  demo-traffic.py push PORT MIB N   N concurrent streams, each sending MIB MiB of random data through
                                    PORT and reading the echo back; checks every byte, prints throughput
"""
import hashlib, os, socket, sys, threading, time

CHUNK = 256 * 1024


def serve():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(listener.getsockname()[1], flush=True)

    def echo(conn):
        with conn:
            while True:
                data = conn.recv(CHUNK)
                if not data:
                    conn.shutdown(socket.SHUT_WR)
                    return
                conn.sendall(data)

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=echo, args=(conn,), daemon=True).start()


def push(port, mib, streams):
    size = mib * 1024 * 1024
    results = [None] * streams

    def one(index):
        block = os.urandom(1024 * 1024)
        sent_hash, got_hash, got = hashlib.sha256(), hashlib.sha256(), 0
        conn = socket.create_connection(("127.0.0.1", port), timeout=60)

        def reader():
            nonlocal got
            while True:
                data = conn.recv(CHUNK)
                if not data:
                    return
                got += len(data)
                got_hash.update(data)

        thread = threading.Thread(target=reader)
        thread.start()
        for _ in range(mib):
            conn.sendall(block)
            sent_hash.update(block)
        conn.shutdown(socket.SHUT_WR)
        thread.join(120)
        conn.close()
        results[index] = (got == size and got_hash.digest() == sent_hash.digest(), got)

    start = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(streams)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    elapsed = time.monotonic() - start
    ok = all(r is not None and r[0] for r in results)
    total = size * streams
    # Every byte crosses the tunnel twice (there and back).
    rate = 2 * total * 8 / elapsed / 1e9
    print(f"  {streams} stream(s) x {mib} MiB echoed: {'byte-exact' if ok else 'CORRUPTED OR SHORT'}, "
          f"{elapsed:.2f} s, {rate:.2f} Gbit/s through the tunnel (both directions)")
    return ok


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve()
    elif sys.argv[1] == "push":
        sys.exit(0 if push(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])) else 1)
