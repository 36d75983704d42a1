#!/usr/bin/env python3
"""Two network namespaces joined by one veth pair, for the `faults` group of scripts/bench
and for scripts/bench-loss.py. Needs root.

  admin host  (namespace <tag>-adm, eth0 10.79.0.2/24)  the client side
  server host (namespace <tag>-srv, eth0 10.79.0.1/24)  the server side

Segmentation offloads (GSO, TSO, GRO) are off on both ends of the veth pair, so every
packet the drop rules see is one TCP segment. Faults are nft rules in the *input* chain of
the receiving host (table inet hyperion_lab), so the sender's stack never learns of a drop,
as on a real path; they match eth0 only, never loopback:

  loss       `numgen random mod 100 < N drop` on a TCP port, both ways
  blackhole  every packet of a TCP port dropped, both ways, no RST

With a delay (`NetLab(delay_ms=D)`), the two hosts are not joined directly: each host's
eth0 is paired with an interface of a third namespace (<tag>-mid, interfaces `to-adm`
and `to-srv`), where two forwarders, one per direction,
copy every Ethernet frame from one interface to the other D ms after it arrived (AF_PACKET
sockets; this kernel has no netem). The hosts still share one subnet, frames are neither
reordered nor dropped by the forwarders while their bounded queues have room (what
overflows is dropped, counted, and reported on stderr when they stop), and the loss rules
stay on the hosts. Checksum offload is off on the hosts' eth0 too, since a frame leaving
a veth with its checksum left to the hardware would reach the forwarder without one.

Sockets are made inside a namespace by a thread that joined it (setns(2)), so the driver
connects, times and checks from its own process. Processes run in a namespace with
`ip netns exec`. Run as a program it offers the echo service used on the server host, and
the delay line's forwarder:

  netlab.py echo --port P                       echo service on 0.0.0.0:P (one thread per connection)
  netlab.py delay --source A --sink B --ms D    frames from interface A out of B, D ms later
"""
import argparse
import collections
import ctypes
import os
import queue
import random
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
TABLE = "hyperion_lab"
SUBNET_BITS = 24


def tool(name):
    for directory in ("/usr/sbin", "/sbin", "/usr/bin", "/bin"):
        if os.access(f"{directory}/{name}", os.X_OK):
            return f"{directory}/{name}"
    return shutil.which(name)


def missing_tools():
    return [name for name in ("ip", "nft", "ethtool") if not tool(name)]


def cannot_run():
    """Why the namespaces cannot be built here, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces, nftables)"
    missing = missing_tools()
    if missing:
        return f"{', '.join(missing)} missing (scripts/install-deps bench installs them)"
    return None


def check(argv, timeout=10, stdin=None):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=stdin)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


class NamespaceThread:
    """A thread that joined a network namespace and makes sockets there on request.
    A socket stays in the namespace it was made in, whichever thread uses it later."""

    def __init__(self, namespace):
        self.requests = queue.Queue()
        ready = queue.Queue()
        self.thread = threading.Thread(target=self._serve, args=(namespace, ready), daemon=True,
                                       name=f"netns {namespace}")
        self.thread.start()
        error = ready.get(timeout=10)
        if error:
            raise RuntimeError(f"cannot enter network namespace {namespace}: {error}")

    def _serve(self, namespace, ready):
        libc = ctypes.CDLL(None, use_errno=True)
        try:
            fd = os.open(f"/run/netns/{namespace}", os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
            finally:
                os.close(fd)
        except OSError as error:
            ready.put(str(error))
            return
        ready.put(None)
        while True:
            work, answer = self.requests.get()
            if work is None:
                return
            try:
                answer.put((work(), None))
            except BaseException as error:  # handed to the caller
                answer.put((None, error))

    def call(self, work, timeout=30):
        answer = queue.Queue()
        self.requests.put((work, answer))
        value, error = answer.get(timeout=timeout)
        if error:
            raise error
        return value

    def socket(self):
        return self.call(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))

    def stop(self):
        self.requests.put((None, None))


class NetLab:
    SERVER = "10.79.0.1"
    ADMIN = "10.79.0.2"
    ADMIN_MOVED = "10.79.0.22"

    def __init__(self, prefix="hflt", offloads=False, delay_ms=0):
        self.prefix = prefix
        self.offloads = offloads  # True leaves GSO/TSO/GRO on: a drop then takes a whole super-packet
        self.delay_ms = delay_ms  # one way; 0 joins the hosts directly
        if delay_ms and offloads:
            raise ValueError("the delay line forwards frames, not super-packets: offloads must stay off")
        self.tag = f"{prefix}-{os.getpid()}"
        self.admin = f"{self.tag}-adm"
        self.server = f"{self.tag}-srv"
        self.middle = f"{self.tag}-mid" if delay_ms else None
        self.admin_address = self.ADMIN
        self.threads = {}
        self.forwarders = []
        self.forwarder_report = []
        self.ip, self.nft, self.ethtool = tool("ip"), tool("nft"), tool("ethtool")

    def __enter__(self):
        self.create()
        return self

    def __exit__(self, *exc):
        self.destroy()

    # -- building and tearing down ---------------------------------------------------

    def create(self):
        self.remove_leftovers()
        try:
            for namespace in (self.admin, self.server, self.middle):
                if namespace:
                    check([self.ip, "netns", "add", namespace])
                    check([self.ip, "-n", namespace, "link", "set", "lo", "up"])
            if self.middle:
                self._create_delay_line()
            else:
                check([self.ip, "-n", self.admin, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0",
                       "netns", self.server])
            for namespace, address in ((self.admin, self.ADMIN), (self.server, self.SERVER)):
                setting = "on" if self.offloads else "off"
                check([self.ip, "netns", "exec", namespace, self.ethtool, "-K", "eth0", "gso", setting, "tso", setting,
                       "gro", setting] + (["tx", "off"] if self.middle else []))
                check([self.ip, "-n", namespace, "addr", "add", f"{address}/{SUBNET_BITS}", "dev", "eth0"])
                check([self.ip, "-n", namespace, "link", "set", "eth0", "up"])
                check(self.argv(namespace, [self.nft, "-f", "-"]), stdin=self._table(namespace, []))
            for namespace in (self.admin, self.server):
                self.threads[namespace] = NamespaceThread(namespace)
        except BaseException:
            self.destroy()
            raise

    def _create_delay_line(self):
        """The middle namespace: `to-adm` paired with the admin host's eth0, `to-srv` with the
        server host's, no addresses (its own stack stays out of the way: IPv6 off, so it sends
        nothing of its own), and one forwarder per direction."""
        check([self.ip, "netns", "exec", self.middle, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
               "net.ipv6.conf.default.disable_ipv6=1"])
        for host, name in ((self.admin, "to-adm"), (self.server, "to-srv")):
            check([self.ip, "-n", host, "link", "add", "eth0", "type", "veth", "peer", "name", name, "netns", self.middle])
            check([self.ip, "netns", "exec", self.middle, self.ethtool, "-K", name, "gso", "off", "tso", "off",
                   "gro", "off", "tx", "off"])
            check([self.ip, "-n", self.middle, "link", "set", "dev", name, "up"])
        for source, sink in (("to-adm", "to-srv"), ("to-srv", "to-adm")):
            child = subprocess.Popen(
                self.argv(self.middle, [sys.executable, os.path.abspath(__file__), "delay", "--source", source,
                                        "--sink", sink, "--ms", str(self.delay_ms)]),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.forwarders.append(child)
            ready = child.stdout.readline().strip()
            if ready != "ready":
                raise RuntimeError(f"the delay line's forwarder {source}->{sink} did not start: "
                                   f"{ready or child.stderr.read().strip()}")

    def destroy(self):
        """Deletes the namespaces: the veth pairs and the nft tables go with them.
        Processes still inside must be stopped first, or they keep the namespace alive."""
        for thread in self.threads.values():
            thread.stop()
        self.threads = {}
        for child in self.forwarders:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.forwarders:
            try:
                _, said = child.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                _, said = child.communicate()
            self.forwarder_report += [line for line in said.splitlines() if line.strip()]
        self.forwarders = []
        for namespace in (self.admin, self.server, self.middle):
            if namespace:
                subprocess.run([self.ip, "netns", "del", namespace], capture_output=True, timeout=10)

    def remove_leftovers(self):
        """Namespaces of an earlier run whose driver is gone (killed before its clean-up)."""
        try:
            names = os.listdir("/run/netns")
        except OSError:
            return
        for name in names:
            fields = name.split("-")
            if len(fields) != 3 or fields[0] != self.prefix or not fields[1].isdigit():
                continue
            pid = int(fields[1])
            if pid == os.getpid():
                continue
            try:
                os.kill(pid, 0)
                continue  # still running
            except ProcessLookupError:
                pass
            except PermissionError:
                continue
            subprocess.run([self.ip, "netns", "del", name], capture_output=True, timeout=10)

    # -- faults ----------------------------------------------------------------------

    def _table(self, namespace, rules, hook="input"):
        # On input, the admin host receives what the server's port sends and the server host
        # what is sent to it; on output, the other way round.
        receiving = hook == "input"
        interface = "iifname" if receiving else "oifname"
        lines = [f"table inet {TABLE} {{}}", f"delete table inet {TABLE}", f"table inet {TABLE} {{",
                 f"  chain {hook} {{", f"    type filter hook {hook} priority 0; policy accept;"]
        for kind, port, percent in rules:
            direction = "sport" if (namespace == self.admin) == receiving else "dport"
            match = f'{interface} "eth0" tcp {direction} {port}'
            if kind == "loss":
                lines.append(f"    {match} numgen random mod 100 < {percent} counter drop")
            else:
                lines.append(f"    {match} counter drop")
        lines += ["  }", "}"]
        return "\n".join(lines) + "\n"

    def set_faults(self, loss=None, blackhole=(), hook="input"):
        """Replaces the drop rules on both hosts: `loss` maps a port to a percentage,
        `blackhole` lists ports whose every packet is dropped. No arguments: no faults.
        `hook` "output" drops in the sender's own output chain instead, which its TCP
        notices (the transmission fails, and is retried later): not how a path loses
        packets, kept only to compare with measurements made that way."""
        rules = [("loss", port, percent) for port, percent in (loss or {}).items() if percent > 0]
        rules += [("blackhole", port, None) for port in blackhole]
        for namespace in (self.admin, self.server):
            check(self.argv(namespace, [self.nft, "-f", "-"]), stdin=self._table(namespace, rules, hook))

    def drop_counters(self):
        """Packets dropped so far on each host (the counters of every rule summed)."""
        counts = {}
        for namespace in (self.admin, self.server):
            text = self.run(namespace, [self.nft, "list", "table", "inet", TABLE])
            counts[namespace] = sum(int(line.split("packets", 1)[1].split()[0])
                                    for line in text.splitlines() if "packets" in line)
        return counts

    def move_admin_address(self, new_address=None):
        """Moves the admin host's address to another one in the same subnet: the old one is
        deleted, and with it its connected route; adding the new one brings the route back
        (the hosts have no other route to restore)."""
        new_address = new_address or (self.ADMIN_MOVED if self.admin_address == self.ADMIN else self.ADMIN)
        check([self.ip, "-n", self.admin, "addr", "del", f"{self.admin_address}/{SUBNET_BITS}", "dev", "eth0"])
        check([self.ip, "-n", self.admin, "addr", "add", f"{new_address}/{SUBNET_BITS}", "dev", "eth0"])
        self.admin_address = new_address

    # -- processes and sockets ---------------------------------------------------------

    def argv(self, namespace, argv):
        return [self.ip, "netns", "exec", namespace, *argv]

    def run(self, namespace, argv, timeout=10):
        return check(self.argv(namespace, argv), timeout=timeout)

    def socket(self, namespace):
        return self.threads[namespace].socket()

    def connect(self, namespace, host, port, timeout):
        s = self.socket(namespace)
        try:
            s.settimeout(timeout)
            s.connect((host, port))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except BaseException:
            s.close()
            raise
        return s

    def wait_listening(self, namespace, host, port, what, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.connect(namespace, host, port, 0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{what} did not listen on {host}:{port} in {namespace} within {seconds} s")

    def netstat(self, namespace):
        """The TCP counters of /proc/net/snmp and /proc/net/netstat of a host, by name."""
        counters = {}
        for path in ("/proc/net/snmp", "/proc/net/netstat"):
            lines = self.run(namespace, ["cat", path]).splitlines()
            for names, values in zip(lines[::2], lines[1::2]):
                prefix, names = names.split(":", 1)
                if prefix not in ("Tcp", "TcpExt"):
                    continue
                for name, value in zip(names.split(), values.split(":", 1)[1].split()):
                    counters[f"{prefix}.{name}"] = int(value)
        return counters


# -- the echo transfer -------------------------------------------------------------------

def echo_transfer(sock, payload, deadline_seconds=120, stall_threshold=0.1):
    """Sends `payload` on a connected socket to an echo service while reading the echo, then
    half-closes. Returns the wall time, whether the echo was byte-exact, and the stalls:
    gaps of more than `stall_threshold` s between two reads before all came back."""
    size = len(payload)
    sent = [0]
    send_error = []
    sock.settimeout(deadline_seconds)
    started = time.monotonic()

    def sender():
        view = memoryview(payload)
        try:
            while sent[0] < size:
                n = sock.send(view[sent[0]:sent[0] + 65536])
                sent[0] += n
            sock.shutdown(socket.SHUT_WR)
        except OSError as error:
            send_error.append(error)

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    received = bytearray(size)
    view = memoryview(received)
    got = 0
    last = started
    stalls = []  # (start offset s, length s, bytes echoed by then, bytes sent by then)
    error = None
    try:
        while got < size:
            if time.monotonic() - started > deadline_seconds:
                raise TimeoutError(f"echo incomplete after {deadline_seconds} s")
            n = sock.recv_into(view[got:], min(262144, size - got))
            now = time.monotonic()
            if n == 0:
                raise EOFError(f"end of input after {got} of {size} bytes")
            if now - last > stall_threshold:
                stalls.append((round(last - started, 3), round(now - last, 3), got, sent[0]))
            last = now
            got += n
    except (OSError, EOFError, TimeoutError) as failure:
        error = str(failure)
    seconds = time.monotonic() - started
    thread.join(timeout=10)
    exact = error is None and not send_error and received == payload
    return {"seconds": round(seconds, 3), "bytes": got, "exact": exact,
            "error": error or (str(send_error[0]) if send_error else None),
            "longest_stall": max((s[1] for s in stalls), default=0.0), "stalls": stalls}


def payload_of(size, seed=1):
    """Incompressible, reproducible bytes (nothing on the path compresses, but be honest)."""
    return random.Random(seed).randbytes(size)


# -- the echo service (run inside the server host) --------------------------------------

def serve_echo(port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port))
    listener.listen(1024)
    print(listener.getsockname()[1], flush=True)

    def serve(connection):
        buffer = bytearray(262144)
        view = memoryview(buffer)
        with connection:
            try:
                while True:
                    n = connection.recv_into(buffer)
                    if n == 0:
                        break
                    connection.sendall(view[:n])
                connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    while True:
        connection, _ = listener.accept()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(connection,), daemon=True).start()


# -- the delay line's forwarder (run inside the middle namespace) -------------------------

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET = 263  # <linux/socket.h>; with the next one, not named by Python's socket module
PACKET_IGNORE_OUTGOING = 23  # <linux/if_packet.h>
SO_RCVBUFFORCE = 33
SO_SNDBUFFORCE = 32


def forward_delayed(source, sink, delay_ms, limit):
    """Copies every frame that arrives on interface `source` out of interface `sink`,
    `delay_ms` after it arrived, in order. At most `limit` frames wait (a router's queue;
    more are dropped and counted). Stops on SIGTERM or SIGINT and prints its counts."""
    delay = delay_ms / 1000.0
    receiver = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    receiver.bind((source, ETH_P_ALL))
    # Frames the other direction's forwarder sends out of this interface are not ours.
    receiver.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
    receiver.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)  # bursts while we send
    receiver.setblocking(False)
    sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    sender.bind((sink, 0))
    sender.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20)
    waiting = collections.deque()
    counts = {"forwarded": 0, "overflow": 0, "send_errors": 0}
    stopping = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.append(True))
    poller = select.poll()
    poller.register(receiver, select.POLLIN)
    print("ready", flush=True)
    while not stopping:
        timeout = 200 if not waiting else max(0.0, (waiting[0][0] - time.monotonic()) * 1000)
        try:
            ready = poller.poll(timeout)
        except InterruptedError:
            continue
        if ready:
            arrived = time.monotonic()
            for _ in range(512):  # then send what is due, so that one direction cannot starve it
                try:
                    frame, address = receiver.recvfrom(65536)
                except BlockingIOError:
                    break
                if address[2] == PACKET_OUTGOING:
                    continue
                if len(waiting) >= limit:
                    counts["overflow"] += 1
                    continue
                waiting.append((arrived + delay, frame))
        now = time.monotonic()
        while waiting and waiting[0][0] <= now:
            frame = waiting.popleft()[1]
            try:
                sender.send(frame)
                counts["forwarded"] += 1
            except OSError:
                counts["send_errors"] += 1
    print(f"delay line {source}->{sink}: " + ", ".join(f"{key} {value}" for key, value in counts.items()),
          file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    echo = sub.add_parser("echo", help="echo service on 0.0.0.0")
    echo.add_argument("--port", type=int, default=0)
    delay = sub.add_parser("delay", help="one direction of the delay line")
    delay.add_argument("--source", required=True)
    delay.add_argument("--sink", required=True)
    delay.add_argument("--ms", type=float, required=True)
    delay.add_argument("--limit", type=int, default=4096, help="frames that may wait (default 4096)")
    args = parser.parse_args()
    if args.command == "echo":
        serve_echo(args.port)
    elif args.command == "delay":
        forward_delayed(args.source, args.sink, args.ms, args.limit)


if __name__ == "__main__":
    sys.exit(main())
