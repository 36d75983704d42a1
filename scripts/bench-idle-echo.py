#!/usr/bin/env python3
"""An echo service for scripts/bench's idle-streams row: one thread and epoll, so it holds
tens of thousands of idle connections for a few KiB each (hyperion-bench echo spends a
thread per connection). Listens on 127.0.0.1, prints its port, serves until killed."""
import selectors
import socket

selector = selectors.DefaultSelector()
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(4096)
listener.setblocking(False)
selector.register(listener, selectors.EVENT_READ)
print(listener.getsockname()[1], flush=True)


def close(connection):
    selector.unregister(connection)
    connection.close()


while True:
    for key, _ in selector.select():
        if key.fileobj is listener:
            while True:
                try:
                    connection, _ = listener.accept()
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:  # out of descriptors: leave the rest in the backlog for now
                    break
                connection.setblocking(False)
                selector.register(connection, selectors.EVENT_READ)
            continue
        connection = key.fileobj
        try:
            data = connection.recv(65536)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            close(connection)
            continue
        if not data:
            close(connection)
            continue
        # The benchmark sends one byte and waits: a blocking send of what came is enough.
        connection.setblocking(True)
        try:
            connection.sendall(data)
        except OSError:
            close(connection)
            continue
        connection.setblocking(False)
