#!/usr/bin/env python3
"""The benchmark driver behind scripts/bench (which builds the binaries first).

Groups (--only picks some; the default runs all):
  throughput  iperf3 with 1 and 8 streams through each path below
  latency     64-byte ping-pong p50/p99 through each path; for Hyperion and ssh -L, the time
              to open a stream on a live tunnel (connect to the forward until the first
              echoed byte)
  handshake   the server's CPU time per complete tunnel handshake (hyperion-bench
              handshakes, a minimal v1 initiator, 2 concurrent connections) against the
              cost of the 4 X25519 operations of the responder, measured in the same run
  cold        cold connect, no knock: TCP connect + handshake + stream open + first echoed
              byte (hyperion-bench cold), p50 and p99
  streams     10,000 idle streams through one tunnel connection: RSS per stream of the
              client and of the server (a fresh pair of processes, pool_size 1)
  argon2      scripts/bench-argon2.sh: our Argon2id against the C reference
  faults      root only: a tunnel between two network namespaces (scripts/netlab.py): a
              5%-loss echo through it against a direct TCP echo on the same path, 20 ms
              RTT (the lab's delay line); after a silent 10 s blackhole of the tunnel port,
              and after the admin host's address changed, the time to the first new
              connection through a -L forward that works
  tun         root only: the same two namespaces; iperf3 single stream to the server host's
              real address through `hyperion-client tun` (routes by `print-routes | sh`)
              against `hyperion-client run -L` to the same iperf3 (on the server host's
              127.0.0.1), both directions, TUN offload on and off, interleaved round by
              round, with the client's kernel fast path as --tun-fast-path says (default on);
              and the first flow to a cold server through the TUN (the pool starts on its SYN)
              against hyperion-bench cold on the same path

  rootless    `hyperion-client connect` (ssh's ProxyCommand): a new process to the first
              echoed byte, against a new `run -L` process to its first byte through the
              forward; and one stream's bulk throughput through the SOCKS5 listener
              against the same through a -L forward (a sink service counts the bytes)
  managed     root only: two namespaces, the managed daemons as an admin runs them
              (scripts/bench_managed.py): `up` to the first byte through a fake IP,
              `status` round trips, then 1,000 servers added: `up` time, the daemon's RSS
              and idle CPU

Paths of throughput and latency, interleaved round by round so machine load hits them alike:
  raw        straight to the service on loopback: the ceiling
  hyperion   through hyperion-client (a [[forward]]) and hyperion-server
  ssh        through ssh -L to a private sshd, default cipher (chacha20-poly1305)
  ssh-aes    the same with -c aes128-gcm@openssh.com
Handshake and cold run once per round too, after the paths; streams, argon2, faults and tun
once (tun has rounds of its own, --rounds of them).
"""
import argparse
import base64
import json
import math
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import bench_managed
import netlab
import socks5_client

PATHS = ["raw", "hyperion", "ssh", "ssh-aes"]
GROUPS = ["throughput", "latency", "handshake", "cold", "streams", "argon2", "faults", "tun", "rootless", "managed"]
SCRIPTS = os.path.dirname(os.path.abspath(__file__))

# [limits] for a bench server: one source (loopback) opens connections as fast as it can.
BENCH_SOURCE_LIMITS = ("[limits]\nhandshakes_per_sec = 10000\nhandshake_burst = 10000\n"
                       "max_unauthenticated_per_source = 1024\n")


def log(text):
    print(text, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"bench: {what} did not listen on 127.0.0.1:{port} within {seconds} s")


class Processes:
    """Every child started, stopped in reverse order at the end."""

    def __init__(self, directory):
        self.directory = directory
        self.children = []

    def start(self, name, argv, env=None, stdout=None):
        log_file = open(os.path.join(self.directory, f"{name}.log"), "wb")
        child = subprocess.Popen(argv, cwd=self.directory, env=env, stdin=subprocess.DEVNULL,
                                 stdout=stdout or log_file, stderr=log_file, start_new_session=True)
        self.children.append((name, child))
        return child

    def stop(self, *children):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def stop_all(self):
        self.stop(*[child for _, child in reversed(self.children)])

    def log_tail(self, name, lines=3):
        try:
            with open(os.path.join(self.directory, f"{name}.log"), errors="replace") as f:
                return " | ".join(line.strip() for line in f.readlines()[-lines:])
        except OSError:
            return ""


def machine_cpu_seconds():
    """CPU time spent on all cores (not idle, not waiting for I/O) since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


class CPUUsage:
    """CPU seconds per gigabyte over the admin host's veth, from now until `per_gigabyte()`:
    of one client process (all its threads, kernel time included) and of the whole machine.
    The veth carries each path's tunnel traffic, so both paths are divided by the same
    measure of work."""

    def __init__(self, lab, client):
        self.lab, self.pid = lab, client.pid
        self.client, self.machine, self.bytes = sum(cpu_seconds(self.pid)), machine_cpu_seconds(), self.veth_bytes()

    def veth_bytes(self):
        counters = self.lab.run(self.lab.admin, ["cat", "/sys/class/net/eth0/statistics/rx_bytes",
                                                 "/sys/class/net/eth0/statistics/tx_bytes"]).split()
        return sum(int(x) for x in counters)

    def per_gigabyte(self):
        gigabytes = max(1, self.veth_bytes() - self.bytes) / 1e9
        return {"client": (sum(cpu_seconds(self.pid)) - self.client) / gigabytes,
                "machine": (machine_cpu_seconds() - self.machine) / gigabytes}


def run(argv, timeout):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def key_values(text):
    """The `name=value` fields of a hyperion-bench summary line."""
    return dict(field.split("=", 1) for field in text.split() if "=" in field)


def cpu_seconds(pid):
    """(utime, stime) of the whole process (all threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def raise_open_file_limit(wanted=65536):
    """10,000 streams need about 10,000 descriptors in this process, the client, the server and
    the echo service each; children inherit the limit. Root may raise the hard limit too."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), max(hard, wanted)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def echo_one_byte(port, timeout=15):
    """A new connection, one byte out, its echo back; the socket stays open."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(b"x")
        if s.recv(1) != b"x":
            raise OSError("the connection closed before the byte came back")
    except BaseException:
        s.close()
        raise
    return s


class Bench:
    def __init__(self, args):
        self.args = args
        self.groups = args.groups
        self.bin = os.path.abspath(args.bin)
        self.dir = tempfile.mkdtemp(prefix="hyperion-bench.")
        self.procs = Processes(self.dir)
        self.ports = {}  # path -> {"iperf": port, "echo": port}
        # One throwaway PSK for every tunnel of the run: the server and client read it from the
        # environment (as their config says), hyperion-bench from a 0600 file. Never in argv.
        psk = base64.b64encode(os.urandom(32)).decode()
        self.env = dict(os.environ, HYPERION_BENCH_PSK=psk)
        self.psk_file = f"{self.dir}/psk"
        with os.fdopen(os.open(self.psk_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(psk + "\n")
        self.server_pub = run([f"{self.bin}/hyperion-server", "keygen", "--out", f"{self.dir}/server.key"], 30).strip()
        self.admin_pub = run([f"{self.bin}/hyperion-client", "keygen", "--out", f"{self.dir}/admin.key"], 30).strip()

    def wants(self, *groups):
        return any(g in self.groups for g in groups)

    # -- set-up ---------------------------------------------------------------------

    def setup(self):
        paths = self.wants("throughput", "latency")
        iperf_port = echo_port = None
        if self.wants("throughput"):
            iperf_port = free_port()
            self.procs.start("iperf3", ["iperf3", "-s", "-p", str(iperf_port)])
            wait_listening(iperf_port, "iperf3")
        if self.wants("latency", "cold", "rootless"):
            echo = self.procs.start("echo", [f"{self.bin}/hyperion-bench", "echo"], stdout=subprocess.PIPE)
            echo_port = int(echo.stdout.readline())
        self.echo_port = echo_port
        if paths:
            self.ports["raw"] = {"iperf": iperf_port, "echo": echo_port}
        if self.wants("rootless"):
            sink = self.procs.start("sink", [sys.executable, "-c", SINK], stdout=subprocess.PIPE)
            self.sink_port = int(sink.stdout.readline())
        if self.wants("throughput", "latency", "handshake", "cold", "rootless"):
            targets = {k: v for k, v in (("iperf", iperf_port), ("echo", echo_port),
                                         ("sink", getattr(self, "sink_port", None))) if v}
            self.socks_port = free_port() if self.wants("rootless") else None
            # Every bench connection comes from 127.0.0.1: lift the per-source handshake
            # limits, which would otherwise refuse the handshake and cold rounds' bursts.
            self.tunnel = self.start_hyperion("hyperion", targets, socks_port=self.socks_port, server_limits=BENCH_SOURCE_LIMITS)
            self.ports["hyperion"] = self.tunnel["forwards"]
        if paths:
            ssh_port = free_port()
            self.start_sshd(ssh_port)
            self.start_ssh_forward("ssh", ssh_port, iperf_port, echo_port, [])
            self.start_ssh_forward("ssh-aes", ssh_port, iperf_port, echo_port, ["-c", "aes128-gcm@openssh.com"])

    def start_sshd(self, port):
        d = self.dir
        for key in ("host_key", "user_key"):
            run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{d}/{key}"], 30)
        shutil.copy(f"{d}/user_key.pub", f"{d}/authorized_keys")
        with open(f"{d}/sshd_config", "w") as f:
            f.write(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {d}/host_key
AuthorizedKeysFile {d}/authorized_keys
PidFile {d}/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
""")
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", exist_ok=True)
        self.procs.start("sshd", [shutil.which("sshd") or "/usr/sbin/sshd", "-D", "-e", "-f", f"{d}/sshd_config"])
        wait_listening(port, "sshd")
        self.ssh_port = port

    def start_ssh_forward(self, path, ssh_port, iperf_port, echo_port, extra):
        forwards, argv = {}, []
        for label, target in (("iperf", iperf_port), ("echo", echo_port)):
            if target:
                forwards[label] = free_port()
                argv += ["-L", f"{forwards[label]}:127.0.0.1:{target}"]
        user = os.environ.get("USER") or "root"
        self.procs.start(path, ["ssh", "-N", "-p", str(ssh_port), "-i", f"{self.dir}/user_key",
                                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                                "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR",
                                *extra, *argv, f"{user}@127.0.0.1"])
        for port in forwards.values():
            wait_listening(port, f"ssh -L ({path})")
        self.ports[path] = forwards

    def start_hyperion(self, name, targets, server_limits="", pool_size=None, lab=None, client_log_level=None,
                       server_log_level=None, socks_port=None):
        """A hyperion-server and a hyperion-client with one forward per target port.
        Returns the processes, the tunnel port and the local forward port of each target.
        With `lab` (a netlab.NetLab) the server runs on its server host and listens on its
        address, the client on its admin host, with `-L` forwards on that host's loopback."""
        d, b = self.dir, self.bin
        tunnel_port = free_port()
        forwards = {label: free_port() for label in targets}
        listen_host = lab.SERVER if lab else "127.0.0.1"
        with open(f"{d}/{name}-server.toml", "w") as f:
            f.write(f"""listen = "{listen_host}:{tunnel_port}"
[key]
source = "env"
env_var = "HYPERION_BENCH_PSK"
[identity]
static_key_file = "server.key"
admin_pubkeys = ["{self.admin_pub}"]
[egress]
allow = [{", ".join(str(p) for p in targets.values())}]
{server_limits}""")
        with open(f"{d}/{name}-client.toml", "w") as f:
            f.write(f"""admin_static_key_file = "admin.key"
[key]
source = "env"
env_var = "HYPERION_BENCH_PSK"
[[server]]
name = "bench"
addr = "{listen_host}:{tunnel_port}"
server_pubkey = "{self.server_pub}"
{f"pool_size = {pool_size}" if pool_size else ""}
""")
            if socks_port:
                f.write(f'[socks]\nlisten = "127.0.0.1:{socks_port}"\n')
            if not lab:
                for label, target in targets.items():
                    f.write(f"""[[forward]]
local = "127.0.0.1:{forwards[label]}"
server = "bench"
remote_port = {target}
""")
        server_argv = [f"{b}/hyperion-server", "run", "--config", f"{d}/{name}-server.toml"]
        client_argv = [f"{b}/hyperion-client", "run", "--config", f"{d}/{name}-client.toml"]
        if client_log_level:
            client_argv += ["--log-level", client_log_level]
        if server_log_level:
            server_argv += ["--log-level", server_log_level]
        if lab:
            for label, target in targets.items():
                client_argv += ["-L", f"{forwards[label]}:bench:{target}"]
            server_argv, client_argv = lab.argv(lab.server, server_argv), lab.argv(lab.admin, client_argv)
        server = self.procs.start(f"{name}-server", server_argv, env=self.env)
        if lab:
            lab.wait_listening(lab.server, listen_host, tunnel_port, f"hyperion-server ({name})")
        else:
            wait_listening(tunnel_port, f"hyperion-server ({name})")
        client = self.procs.start(f"{name}-client", client_argv, env=self.env)
        for port in forwards.values():
            if lab:
                try:
                    lab.wait_listening(lab.admin, "127.0.0.1", port, f"hyperion-client ({name})")
                except RuntimeError as error:
                    raise RuntimeError(f"{error}; it said: {self.procs.log_tail(f'{name}-client')}") from None
            else:
                wait_listening(port, f"hyperion-client ({name})")
        return {"server": server, "client": client, "port": tunnel_port, "forwards": forwards}

    def initiator_keys(self):
        return ["--admin-key", f"{self.dir}/admin.key", "--server-pubkey", self.server_pub, "--psk-file", self.psk_file]

    # -- measurements ---------------------------------------------------------------

    def iperf(self, port, streams):
        # iperf3's server runs one test at a time and may still be closing the last one:
        # a "busy" answer is retried a few times.
        for attempt in range(5):
            result = subprocess.run(["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(self.args.seconds),
                                     "-P", str(streams), "-O", "1", "-J"],
                                    capture_output=True, text=True, timeout=self.args.seconds + 60)
            try:
                report = json.loads(result.stdout)
            except json.JSONDecodeError:
                report = {"error": result.stderr.strip() or "no JSON output"}
            if "error" not in report:
                return report["end"]["sum_received"]["bits_per_second"] / 1e9
            log(f"   iperf3 on port {port}: {report['error']} (attempt {attempt + 1})")
            time.sleep(1)
        raise RuntimeError(f"iperf3 through port {port} kept failing")

    def pingpong(self, port):
        out = run([f"{self.bin}/hyperion-bench", "pingpong", "--port", str(port), "--count", str(self.args.pings),
                   "--size", "64"], timeout=120)
        return [float(x) for x in out.split()]

    def open_latency(self, port):
        out = run([f"{self.bin}/hyperion-bench", "open", "--port", str(port), "--count", "300"], timeout=120)
        return [float(x) for x in out.split()]

    def x25519(self):
        return key_values(run([f"{self.bin}/hyperion-bench", "x25519"], timeout=120))

    def handshake_round(self):
        """Server CPU around a batch of complete handshakes, with the X25519 yardstick
        measured just before and just after, in this same run."""
        before_x = self.x25519()
        server = self.tunnel["server"]
        cpu_before = cpu_seconds(server.pid)
        load = key_values(run([f"{self.bin}/hyperion-bench", "handshakes", "--port", str(self.tunnel["port"]),
                               "--count", str(self.args.handshakes), "--concurrency", str(self.args.handshake_concurrency),
                               *self.initiator_keys()], timeout=300))
        time.sleep(0.3)  # the last connections' teardown on the server
        cpu_after = cpu_seconds(server.pid)
        after_x = self.x25519()
        count = int(load["handshakes"])
        user, system = ((after - before) * 1e6 / count for before, after in zip(cpu_before, cpu_after))
        result = {"handshakes": count, "server_cpu_us": user + system,
                  "server_user_us": user, "server_system_us": system,
                  "per_second": float(load["per_second"]), "wall_p50_us": float(load["p50_us"]),
                  "x25519_dh_us": [float(before_x["dh_us"]), float(after_x["dh_us"])],
                  "x25519_keygen_us": [float(before_x["keygen_us"]), float(after_x["keygen_us"])],
                  "hyperion_dh_us": [float(before_x["hyperion_dh_us"]), float(after_x["hyperion_dh_us"])],
                  "responder_us": [float(before_x["responder_us"]), float(after_x["responder_us"])]}
        log(f"   handshakes: {result['server_cpu_us']:.0f} us server CPU each ({user:.0f} user, {system:.0f} system), "
            f"{result['per_second']:.0f}/s; "
            f"X25519 {result['x25519_dh_us'][0]:.1f}/{result['x25519_dh_us'][1]:.1f} us per DH")
        return result

    def cold_round(self, count):
        out = run([f"{self.bin}/hyperion-bench", "cold", "--port", str(self.tunnel["port"]), "--target", str(self.echo_port),
                   "--count", str(count), "--warmup", "3", *self.initiator_keys()], timeout=300)
        samples = [float(x) for x in out.split()]
        log(f"   cold connect: p50 {percentile(samples, 0.5) / 1000:.2f} ms over {len(samples)}")
        return samples

    def idle_streams(self):
        """Opens up to --streams connections through a fresh tunnel (pool_size --stream-pool),
        each checked with one echoed byte, and reads the RSS of both ends before and after."""
        args = self.args
        log(f"== idle streams: up to {args.streams} through {args.stream_pool} tunnel connection(s)")
        limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if limit < args.streams + 100:
            log(f"   warning: RLIMIT_NOFILE is {limit}; this process, the client, the server and the echo service "
                f"each need about {args.streams} descriptors")
        echo = self.procs.start("idle-echo", [sys.executable, f"{SCRIPTS}/bench-idle-echo.py"], stdout=subprocess.PIPE)
        echo_port = int(echo.stdout.readline())
        # The default per-connection limit is 512; the server allows up to 16384 when asked.
        per_connection = min(16384, -(-args.streams // args.stream_pool) + 16)
        pair = self.start_hyperion("streams", {"echo": echo_port}, pool_size=args.stream_pool,
                                   server_limits=f"[limits]\nmax_streams_per_connection = {per_connection}\nmax_connections = 1024\n")
        client, server, forward = pair["client"], pair["server"], pair["forwards"]["echo"]
        sockets, failure = [], None
        try:
            for _ in range(3):  # the tunnel is up and the first-use allocations are done
                echo_one_byte(forward).close()
            time.sleep(1.0)
            before = {"client": rss_kib(client.pid), "server": rss_kib(server.pid)}
            fds_before = {"client": open_fds(client.pid), "server": open_fds(server.pid)}
            started = time.monotonic()
            while len(sockets) < args.streams:
                if time.monotonic() - started > args.streams_timeout:
                    failure = f"gave up after {args.streams_timeout} s"
                    break
                try:
                    sockets.append(echo_one_byte(forward))
                except OSError as error:
                    time.sleep(0.3)  # let the client log why
                    why = self.procs.log_tail("streams-client", 1).split("] ", 1)[-1] or "-"
                    failure = f"stream {len(sockets) + 1} failed ({error}); the client said: {why}"
                    break
                if len(sockets) % 2000 == 0:
                    log(f"   {len(sockets)} streams open")
            open_seconds = time.monotonic() - started
            time.sleep(1.0)
            after = {"client": rss_kib(client.pid), "server": rss_kib(server.pid)}
            fds_after = {"client": open_fds(client.pid), "server": open_fds(server.pid)}
        finally:
            for s in sockets:
                s.close()
        time.sleep(2.0)
        after_close = {"client": rss_kib(client.pid), "server": rss_kib(server.pid)}
        self.procs.stop(client, server, echo)
        opened = len(sockets)
        result = {"wanted": args.streams, "opened": opened, "tunnel_connections": args.stream_pool,
                  "seconds_to_open": round(open_seconds, 2), "failure": failure,
                  "rss_kib_before": before, "rss_kib_after": after, "rss_kib_after_close": after_close,
                  "fds_before": fds_before, "fds_after": fds_after,
                  "kib_per_stream": {k: (after[k] - before[k]) / opened if opened else None for k in before}}
        log(f"   {opened} streams open in {open_seconds:.1f} s; RSS client {before['client']} -> {after['client']} KiB, "
            f"server {before['server']} -> {after['server']} KiB" + (f"; stopped: {failure}" if failure else ""))
        return result

    def argon2(self):
        log("== argon2: scripts/bench-argon2.sh")
        out_file = f"{self.dir}/argon2.json"
        result = subprocess.run([f"{SCRIPTS}/bench-argon2.sh", "--bin", self.bin, "--json", out_file],
                                capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            return {"error": (result.stderr.strip() or result.stdout.strip()).splitlines()[-1:]}
        for line in result.stdout.splitlines():
            if line.startswith("round "):
                log(f"   {line}")
        with open(out_file) as f:
            return json.load(f)

    # -- faults: two network namespaces (scripts/netlab.py) ---------------------------

    def faults(self):
        """The tunnel between an admin host and a server host in network namespaces: the
        5%-loss echo through it against a direct TCP echo on the same path, on a path with
        delay (the lab's delay line); then, on a direct veth, a silent blackhole of the
        tunnel port and a change of the admin host's address, each timed to the first new
        connection through the forward that works."""
        args = self.args
        reason = netlab.cannot_run()
        if reason:
            log(f"== faults: skipped: {reason}")
            return {"skipped": reason}
        log(f"== faults: two namespaces; {args.loss_percent}% loss, {2 * args.loss_delay_ms:g} ms RTT, "
            f"{args.loss_mb} MB echo x {args.loss_runs}; blackhole {args.blackhole_seconds:g} s and address change "
            f"x {args.fault_rounds}")
        result = {}
        with netlab.NetLab(delay_ms=args.loss_delay_ms) as lab:
            with self.lab_processes():
                self.prepare_lab_hosts(lab, args.loss_cc)
                result["loss_cc"] = lab.run(lab.admin, ["sysctl", "-n", "net.ipv4.tcp_congestion_control"]).strip()
                log(f"   loss path: {result['loss_cc']} on both hosts, {args.loss_delay_ms:g} ms each way")
                echo_port = self.start_lab_echo(lab)
                pair = self.start_hyperion("lab-loss", {"echo": echo_port}, lab=lab, client_log_level="info")
                self.wait_forward_works(lab, pair["forwards"]["echo"], 30)
                result["loss"] = self.loss_runs(lab, pair, echo_port)
        result["delay_line"] = lab.forwarder_report
        for line in lab.forwarder_report:
            log(f"   {line}")
        with netlab.NetLab() as lab:
            with self.lab_processes():
                self.prepare_lab_hosts(lab, None)
                echo_port = self.start_lab_echo(lab)
                pair = self.start_hyperion("lab", {"echo": echo_port}, lab=lab, client_log_level="info")
                self.wait_forward_works(lab, pair["forwards"]["echo"], 30)
                result["blackhole"], result["address_change"] = [], []
                for round_index in range(args.fault_rounds):
                    result["blackhole"].append(self.blackhole_round(lab, pair))
                    result["address_change"].append(self.address_change_round(lab, pair))
        return result

    def lab_processes(self):
        """A context in which processes started for a lab (names "lab-…") are stopped at its
        end, also what a failed start left running: before the namespaces go."""
        bench = self

        class Stopper:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                bench.procs.stop(*[child for name, child in reversed(bench.procs.children) if name.startswith("lab-")])

        return Stopper()

    def prepare_lab_hosts(self, lab, congestion_control):
        """Both hosts' congestion control (None: the kernel's default) and `--lab-sysctl`."""
        settings = [f"net.ipv4.tcp_congestion_control={congestion_control}"] if congestion_control else []
        for setting in settings + self.args.lab_sysctl:  # --lab-sysctl: experiments only
            for namespace in (lab.admin, lab.server):
                lab.run(namespace, ["sysctl", "-q", "-w", setting])

    def start_lab_echo(self, lab):
        echo = self.procs.start("lab-echo", lab.argv(lab.server, [sys.executable, f"{SCRIPTS}/netlab.py", "echo"]),
                                stdout=subprocess.PIPE)
        return int(echo.stdout.readline())

    def forward_exchange(self, lab, port, timeout, opened=None):
        """One new connection through the forward: 64 bytes out, their echo back. `opened`,
        if given, is handed the socket once connected (so that it can be shut down)."""
        data = os.urandom(64)
        with lab.connect(lab.admin, "127.0.0.1", port, timeout) as s:
            if opened:
                opened(s)
            s.sendall(data)
            got = b""
            while len(got) < len(data):
                chunk = s.recv(len(data) - len(got))
                if not chunk:
                    raise OSError(f"end of input after {len(got)} of {len(data)} echoed bytes")
                got += chunk
            if got != data:
                raise OSError("the echo differs from what was sent")

    def wait_forward_works(self, lab, port, seconds):
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.forward_exchange(lab, port, 10)
                return
            except OSError as error:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the forward did not work within {seconds} s: {error}")
                time.sleep(0.2)

    def first_working_connection(self, lab, port, since, every=0.2, attempt_timeout=20.0, limit=30.0):
        """From now on, a new connection through the forward every `every` s (each in its own
        thread, each with `attempt_timeout`), until one has completed its echo or `limit` s
        passed. Returns the seconds from `since` to that first completion (None if none did)
        and every attempt as (started, ended, error), in seconds from `since`; attempts still
        open 3 s after the first success are shut down ("abandoned")."""
        attempts, sockets, lock, done = [], [], threading.Lock(), threading.Event()

        def attempt():
            start = time.monotonic() - since
            try:
                self.forward_exchange(lab, port, attempt_timeout, opened=lambda s: sockets.append(s))
                error = None
            except OSError as failure:
                error = "abandoned" if done.is_set() else (str(failure) or type(failure).__name__)
            with lock:
                attempts.append((round(start, 3), round(time.monotonic() - since, 3), error))
            if error is None:
                done.set()

        threads = []
        while not done.is_set() and time.monotonic() - since < limit:
            thread = threading.Thread(target=attempt, daemon=True)
            thread.start()
            threads.append(thread)
            done.wait(every)
        wait_until = time.monotonic() + (3.0 if done.is_set() else attempt_timeout)
        for thread in threads:
            thread.join(timeout=max(0.0, wait_until - time.monotonic()))
        for s in list(sockets):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in threads:
            thread.join(timeout=5)
        with lock:
            ok = [ended for _, ended, error in attempts if error is None]
            return (min(ok) if ok else None), sorted(attempts)

    def client_log_since(self, offset, name="lab-client", lines=12):
        """The client's log lines written after byte `offset`, the last `lines` of them."""
        try:
            with open(os.path.join(self.dir, f"{name}.log"), "rb") as f:
                f.seek(offset)
                text = f.read().decode(errors="replace")
        except OSError:
            return []
        return [line.strip() for line in text.splitlines() if line.strip()][-lines:]

    def client_log_size(self, name="lab-client"):
        try:
            return os.path.getsize(os.path.join(self.dir, f"{name}.log"))
        except OSError:
            return 0

    def fault_round(self, lab, pair, what, fault):
        """Waits until the forward works and the pool settled, applies `fault` (which returns
        the moment its effect on the path began or ended, whichever counts), then times the
        first new connection that works."""
        forward = pair["forwards"]["echo"]
        self.wait_forward_works(lab, forward, 30)
        time.sleep(2.0)  # a pool connection replaced after the last fault is up again
        mark = self.client_log_size()
        since = fault()
        seconds, attempts = self.first_working_connection(lab, forward, since)
        failed = [a for a in attempts if a[2] is not None and (seconds is None or a[1] <= seconds + 0.001)]
        client_said = self.client_log_since(mark)
        log(f"   {what}: first new connection worked after "
            + (f"{seconds:.2f} s" if seconds is not None else "none within the limit")
            + f"; {len(attempts)} tries, {len(failed)} failed before it")
        if seconds is None or seconds > self.fault_goal(what):
            for line in client_said:
                log(f"     client: {line[:160]}")
        return {"seconds": seconds, "attempts": attempts, "client_log": client_said}

    @staticmethod
    def fault_goal(what):
        return 2.0 if what == "blackhole" else 5.0

    def blackhole_round(self, lab, pair):
        def fault():
            lab.set_faults(blackhole=[pair["port"]])
            time.sleep(self.args.blackhole_seconds)
            lab.set_faults()
            return time.monotonic()
        return self.fault_round(lab, pair, "blackhole", fault)

    def address_change_round(self, lab, pair):
        def fault():
            changed = time.monotonic()
            lab.move_admin_address()
            return changed
        result = self.fault_round(lab, pair, "address change", fault)
        result["address"] = lab.admin_address
        return result

    def loss_runs(self, lab, pair, echo_port):
        """`--loss-runs` echoes of `--loss-mb` MB each way through the tunnel and straight to
        the echo service on the server host, alternating which goes first, under
        `--loss-percent` random loss on both ports (the rules match only the veth, so the
        server's loopback leg to the echo service is loss-free). Returns the samples."""
        args = self.args
        payload = netlab.payload_of(args.loss_mb * 1_000_000)
        forward = pair["forwards"]["echo"]
        samples = {"tunnel": [], "direct": []}
        lab.set_faults(loss={pair["port"]: args.loss_percent, echo_port: args.loss_percent})
        try:
            for run_index in range(args.loss_runs):
                order = ["tunnel", "direct"] if run_index % 2 == 0 else ["direct", "tunnel"]
                for path in order:
                    host, port = ("127.0.0.1", forward) if path == "tunnel" else (lab.SERVER, echo_port)
                    with lab.connect(lab.admin, host, port, 30) as s:
                        sample = netlab.echo_transfer(s, payload, deadline_seconds=args.loss_deadline)
                    samples[path].append(sample)
                    log(f"   {path:6} {args.loss_mb} MB echo at {args.loss_percent}% loss: {sample['seconds']:6.2f} s, "
                        f"longest stall {sample['longest_stall']:.2f} s"
                        + ("" if sample["exact"] else f", NOT byte-exact ({sample['error']})"))
        finally:
            lab.set_faults()
        return samples

    # -- tun: L3 TUN mode against a -L forward, two network namespaces (scripts/netlab.py) --

    TUN_DEVICE = "hyperion0"

    def tun_cannot_run(self):
        """Why the tun group cannot run here, or None."""
        reason = netlab.cannot_run()
        if reason:
            return reason
        if not os.access("/dev/net/tun", os.R_OK | os.W_OK):
            return "/dev/net/tun missing or not usable"
        if not shutil.which("iperf3"):
            return "iperf3 missing (scripts/install-deps bench installs it)"
        return None

    def tun(self):
        """`hyperion-client tun` (with `print-routes | sh`) against `hyperion-client run -L`,
        both to one hyperion-server on a server host, iperf3 single stream to an iperf3 on that
        host's 127.0.0.1, both directions, TUN offload on and off, interleaved, each run with
        the CPU its client and the whole machine spent per GB; then the first flow to a cold
        server through the TUN against `hyperion-bench cold` on the same path."""
        args = self.args
        reason = self.tun_cannot_run()
        if reason:
            log(f"== tun: skipped: {reason}")
            return {"skipped": reason}
        log(f"== tun: two namespaces; iperf3 1 stream x {args.rounds} rounds, {args.seconds} s each, "
            f"TUN and -L interleaved, both directions, offload on and off; {args.tun_cold} cold first flows; "
            f"fast path {args.tun_fast_path}")
        keys = [f"{path}/{direction}/{offload}" for path in ("tun", "L") for direction in ("up", "down")
                for offload in ("on", "off")]
        result = {"throughput": {key: [] for key in keys}, "cpu": {key: [] for key in keys}, "route_check": None,
                  "fast_path": {"asked": args.tun_fast_path, "on_in_runs": 0, "off_in_runs": 0}}
        with netlab.NetLab(prefix="htun", offloads=True) as lab:
            try:
                iperf_port, echo_port, tunnel_port, forward = free_port(), free_port(), free_port(), free_port()
                self.procs.start("tun-iperf3", lab.argv(lab.server, ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(iperf_port)]))
                echo = self.procs.start("tun-echo", lab.argv(lab.server, [sys.executable, f"{SCRIPTS}/netlab.py", "echo",
                                                                          "--port", str(echo_port)]), stdout=subprocess.PIPE)
                echo.stdout.readline()
                lab.wait_listening(lab.server, "127.0.0.1", iperf_port, "iperf3 (tun)")
                server_config = self.write_tun_server_config(lab, tunnel_port, [iperf_port, echo_port])
                self.procs.start("tun-server", lab.argv(lab.server, [f"{self.bin}/hyperion-server", "run", "--config",
                                                                     server_config]), env=self.env)
                lab.wait_listening(lab.server, lab.SERVER, tunnel_port, "hyperion-server (tun)")
                # The -L client reads the same kind of config as the TUN client ([tun] is
                # ignored by `run`): the top-level mark on its tunnel sockets keeps them off the
                # TUN's routes, as it does for the TUN client's own.
                forward_config = self.write_tun_client_config(lab, tunnel_port, "tun-forward")
                forward_client = self.procs.start("tun-forward", lab.argv(lab.admin, [
                    f"{self.bin}/hyperion-client", "run", "--config", forward_config,
                    "-L", f"{forward}:bench:{iperf_port}"]), env=self.env)
                lab.wait_listening(lab.admin, "127.0.0.1", forward, "hyperion-client run -L (tun)")

                for round_index in range(args.rounds):
                    offloads = ["on", "off"] if round_index % 2 == 0 else ["off", "on"]
                    log(f"== tun round {round_index + 1}/{args.rounds}")
                    for offload in offloads:
                        name = f"tun-client-{round_index}-{offload}"
                        client, config = self.start_tun_client(lab, tunnel_port, name, offload=offload == "on")
                        # What the client says it got, not what was asked: a kernel without
                        # TCX or BPF leaves it off, and the figures are then the plain path's.
                        on = "fast_path=true" in self.procs.log_tail(name, 50)
                        result["fast_path"]["on_in_runs" if on else "off_in_runs"] += 1
                        if on != (args.tun_fast_path == "on"):
                            log(f"   the fast path is {'on' if on else 'off'}, not {args.tun_fast_path} as asked: see {name}'s log")
                        try:
                            self.tun_flow_works(lab, echo_port)
                            if result["route_check"] is None:
                                result["route_check"] = self.tun_route_check(lab)
                            for direction in (("up", "down") if round_index % 2 == 0 else ("down", "up")):
                                paths = ("tun", "L") if (round_index + (direction == "down")) % 2 == 0 else ("L", "tun")
                                figures = {}
                                for path in paths:
                                    host, port = (lab.SERVER, iperf_port) if path == "tun" else ("127.0.0.1", forward)
                                    usage = CPUUsage(lab, client if path == "tun" else forward_client)
                                    figures[path] = self.lab_iperf(lab, host, port, reverse=direction == "down")
                                    result["throughput"][f"{path}/{direction}/{offload}"].append(figures[path])
                                    result["cpu"][f"{path}/{direction}/{offload}"].append(usage.per_gigabyte())
                                used = {path: result["cpu"][f"{path}/{direction}/{offload}"][-1] for path in paths}
                                log(f"   offload {offload:3} {direction:4}: TUN {figures['tun']:6.2f} Gbit/s, "
                                    f"-L {figures['L']:6.2f} Gbit/s ({figures['tun'] / figures['L']:.2f}x); CPU s/GB "
                                    f"client {used['tun']['client']:.3f} / {used['L']['client']:.3f}, "
                                    f"machine {used['tun']['machine']:.3f} / {used['L']['machine']:.3f}")
                        finally:
                            self.stop_tun_client(lab, client, config)
                result["cold"] = self.tun_cold(lab, tunnel_port, echo_port)
            finally:
                # Before the namespaces go: everything started for them (the TUN device goes
                # with its client), also what a failed start left running.
                self.procs.stop(*[child for name, child in reversed(self.procs.children) if name.startswith("tun-")])
        return result

    def write_tun_server_config(self, lab, tunnel_port, allow):
        path = f"{self.dir}/tun-server.toml"
        with open(path, "w") as f:
            f.write(f"""listen = "{lab.SERVER}:{tunnel_port}"
[key]
source = "env"
env_var = "HYPERION_BENCH_PSK"
[identity]
static_key_file = "server.key"
admin_pubkeys = ["{self.admin_pub}"]
[egress]
allow = [{", ".join(str(p) for p in allow)}]
""")
        return path

    def write_tun_client_config(self, lab, tunnel_port, name, offload=True, idle_secs=300):
        fast_path = "true" if self.args.tun_fast_path == "on" else "false"
        path = f"{self.dir}/{name}.toml"
        with open(path, "w") as f:
            f.write(f"""admin_static_key_file = "admin.key"
mark = 26745
[key]
source = "env"
env_var = "HYPERION_BENCH_PSK"
[limits]
drain_timeout_ms = 1000
[tun]
name = "{self.TUN_DEVICE}"
offload = {"true" if offload else "false"}
fast_path = {fast_path}
idle_secs = {idle_secs}
[[server]]
name = "bench"
addr = "{lab.SERVER}:{tunnel_port}"
server_pubkey = "{self.server_pub}"
""")
        return path

    def start_tun_client(self, lab, tunnel_port, name, offload=True, idle_secs=300):
        """`hyperion-client tun` on the admin host, once it says it is up, and the routes of
        `print-routes --config F | sh` applied there. Returns the process and its config."""
        config = self.write_tun_client_config(lab, tunnel_port, name, offload=offload, idle_secs=idle_secs)
        client = self.procs.start(name, lab.argv(lab.admin, [f"{self.bin}/hyperion-client", "tun", "--config", config,
                                                             "--log-level", "info"]), env=self.env)
        deadline = time.monotonic() + 60
        while "TUN mode up" not in self.procs.log_tail(name, 50):
            if client.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"hyperion-client tun did not come up: {self.procs.log_tail(name, 5)}")
            time.sleep(0.05)
        routes = run([f"{self.bin}/hyperion-client", "print-routes", "--config", config], 30)
        check = subprocess.run(lab.argv(lab.admin, ["sh", "-e"]), input=routes, capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"the print-routes script failed: {check.stderr.strip()}")
        return client, config

    def stop_tun_client(self, lab, client, config):
        """SIGTERM (the device goes with the client), then the `--down` script, so that the
        next client, or a connection that must not use the TUN, starts from clean routes."""
        self.procs.stop(client)
        routes = run([f"{self.bin}/hyperion-client", "print-routes", "--config", config, "--down"], 30)
        subprocess.run(lab.argv(lab.admin, ["sh"]), input=routes, capture_output=True, text=True, timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            links = subprocess.run(lab.argv(lab.admin, [lab.ip, "-o", "link", "show"]), capture_output=True, text=True,
                                   timeout=10).stdout
            if f" {self.TUN_DEVICE}:" not in links:
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.TUN_DEVICE} still exists 10 s after its client stopped")

    def tun_route_check(self, lab):
        """What the admin host's kernel does with the server's address once the routes are in:
        it must leave through the TUN (and a marked socket through the veth)."""
        plain = lab.run(lab.admin, [lab.ip, "-4", "route", "get", lab.SERVER]).strip()
        marked = lab.run(lab.admin, [lab.ip, "-4", "route", "get", lab.SERVER, "mark", "26745"]).strip()
        if f"dev {self.TUN_DEVICE}" not in plain or "dev eth0" not in marked:
            raise RuntimeError(f"the routes are not as print-routes meant them: {plain!r}; marked: {marked!r}")
        return {"plain": plain.splitlines()[0], "marked": marked.splitlines()[0]}

    def tun_flow_works(self, lab, echo_port, seconds=30):
        deadline = time.monotonic() + seconds
        while True:
            try:
                with lab.connect(lab.admin, lab.SERVER, echo_port, 10) as s:
                    s.sendall(b"ping")
                    if s.recv(4) == b"ping":
                        return
                    raise OSError("no echo")
            except OSError as error:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no flow through the TUN within {seconds} s: {error}")
                time.sleep(0.2)

    def lab_iperf(self, lab, host, port, reverse):
        """iperf3 single stream from the admin host (client) to `host:port`; -R: the server sends."""
        for attempt in range(5):
            result = subprocess.run(lab.argv(lab.admin, ["iperf3", "-c", host, "-p", str(port), "-t", str(self.args.seconds),
                                                         "-O", "1", "-J", *(["-R"] if reverse else [])]),
                                    capture_output=True, text=True, timeout=self.args.seconds + 60)
            try:
                report = json.loads(result.stdout)
            except json.JSONDecodeError:
                report = {"error": result.stderr.strip() or "no JSON output"}
            if "error" not in report:
                return report["end"]["sum_received"]["bits_per_second"] / 1e9
            log(f"   iperf3 to {host}:{port}: {report['error']} (attempt {attempt + 1})")
            time.sleep(1)
        raise RuntimeError(f"iperf3 to {host}:{port} in the lab kept failing")

    def tun_cold(self, lab, tunnel_port, echo_port):
        """The first flow to a cold server through the TUN: a TUN client whose pool closes
        after 1 s without a flow (idle_secs = 1), so every try finds no tunnel connection and
        the pool starts on its SYN. Timed from just before connect() to the server's real
        address until the first echoed byte. In batches alternating with `hyperion-bench
        cold` (TCP connect + handshake + stream open + first echoed byte, no knock) from the
        admin host over the same veth to the same server, with the TUN client stopped."""
        args = self.args
        batches = max(1, min(args.rounds, args.tun_cold))
        per_batch = math.ceil(args.tun_cold / batches)
        samples = {"tun": [], "cold_connect": []}
        for batch in range(batches):
            client, config = self.start_tun_client(lab, tunnel_port, f"tun-cold-{batch}", idle_secs=1)
            name = f"tun-cold-{batch}"
            try:
                for index in range(per_batch):
                    if index:
                        # The previous flow's pool must be closed: its client says so.
                        deadline = time.monotonic() + 15
                        while self.tun_log_count(name, "closing the pool") < index:
                            if time.monotonic() > deadline:
                                raise RuntimeError(f"the TUN pool did not close after 1 s idle: {self.procs.log_tail(name, 3)}")
                            time.sleep(0.05)
                        time.sleep(0.2)  # the connections' close on both ends
                    samples["tun"].append(self.tun_first_flow(lab, echo_port))
                started = self.tun_log_count(name, "starting the pool on first use")
                if started != per_batch:
                    raise RuntimeError(f"{per_batch} cold flows but the pool started {started} times")
            finally:
                self.stop_tun_client(lab, client, config)
            out = run(lab.argv(lab.admin, [f"{self.bin}/hyperion-bench", "cold", "--host", lab.SERVER,
                                           "--port", str(tunnel_port), "--target", str(echo_port), "--count", str(per_batch),
                                           "--warmup", "3", *self.initiator_keys()]), timeout=300)
            samples["cold_connect"] += [float(x) / 1000 for x in out.split()]
            log(f"   cold: TUN first flow p50 {statistics.median(samples['tun'][-per_batch:]):.2f} ms, "
                f"cold connect p50 {statistics.median(samples['cold_connect'][-per_batch:]):.2f} ms ({per_batch} each)")
        return samples

    def tun_log_count(self, name, text):
        try:
            with open(os.path.join(self.dir, f"{name}.log"), errors="replace") as f:
                return sum(text in line for line in f)
        except OSError:
            return 0

    def tun_first_flow(self, lab, echo_port):
        s = lab.socket(lab.admin)
        try:
            s.settimeout(15)
            started = time.monotonic()
            s.connect((lab.SERVER, echo_port))
            s.sendall(b"x")
            if s.recv(1) != b"x":
                raise RuntimeError("the first flow through the TUN got no echo")
            return (time.monotonic() - started) * 1000
        finally:
            s.close()

    def measure(self):
        results = {p: {"1": [], "8": [], "lat": []} for p in PATHS}
        measured = {"paths": results, "opens": [], "opens_ssh": [], "handshake": [], "cold": []}
        paths = self.wants("throughput", "latency")
        cold_per_round = math.ceil(self.args.cold / self.args.rounds)
        for round_index in range(self.args.rounds):
            # Rotate the order so no path always runs first (or right after another).
            order = PATHS[round_index % len(PATHS):] + PATHS[:round_index % len(PATHS)]
            log(f"== round {round_index + 1}/{self.args.rounds}" + (f": {' '.join(order)}" if paths else ""))
            for path in order if paths else []:
                port = self.ports[path]
                if self.wants("throughput"):
                    results[path]["1"].append(self.iperf(port["iperf"], 1))
                    results[path]["8"].append(self.iperf(port["iperf"], 8))
                    log(f"   {path:9} 1 stream {results[path]['1'][-1]:6.2f} Gbit/s   8 streams {results[path]['8'][-1]:6.2f} Gbit/s")
                if self.wants("latency"):
                    results[path]["lat"] += self.pingpong(port["echo"])
            if self.wants("latency"):
                # ssh -L opens in the same round, for comparison (the goal is absolute);
                # which of the two goes first alternates.
                openers = [("hyperion", "opens"), ("ssh", "opens_ssh")]
                if round_index % 2:
                    openers.reverse()
                for path, key in openers:
                    measured[key] += self.open_latency(self.ports[path]["echo"])
            if self.wants("handshake"):
                measured["handshake"].append(self.handshake_round())
            if self.wants("cold"):
                measured["cold"] += self.cold_round(cold_per_round)
        if self.wants("streams"):
            measured["streams"] = self.idle_streams()
        if self.wants("argon2"):
            measured["argon2"] = self.argon2()
        if self.wants("faults"):
            measured["faults"] = self.faults()
        if self.wants("tun"):
            measured["tun"] = self.tun()
        if self.wants("rootless"):
            measured["rootless"] = self.rootless()
        if self.wants("managed"):
            log(f"== managed: two namespaces; {self.args.rounds} rounds of up, first byte, status, down; "
                f"then {self.args.managed_servers} servers")
            measured["managed"] = bench_managed.measure(self, free_port, SCRIPTS)
        return measured

    # -- rootless ways in -------------------------------------------------------------

    def rootless(self):
        """`connect` against a new `run -L`, each from process start to the first echoed
        byte, alternating; then SOCKS5 against -L bulk throughput, alternating."""
        config = f"{self.dir}/bare-client.toml"
        with open(config, "w") as f:
            f.write(f"""admin_static_key_file = "admin.key"
[key]
source = "env"
env_var = "HYPERION_BENCH_PSK"
[[server]]
name = "bench"
addr = "127.0.0.1:{self.tunnel['port']}"
server_pubkey = "{self.server_pub}"
pool_size = 1
""")
        client = f"{self.bin}/hyperion-client"
        connect, forward = [], []
        for index in range(self.args.rootless_tries):
            for which in (("connect", "forward") if index % 2 == 0 else ("forward", "connect")):
                if which == "connect":
                    connect.append(self.connect_first_byte(client, config))
                else:
                    forward.append(self.forward_first_byte(client, config))
        log(f"   connect first byte p50 {statistics.median(connect):.1f} ms, new run -L {statistics.median(forward):.1f} ms")
        socks, direct = [], []
        for index in range(self.args.rounds):
            for which in (("socks", "forward") if index % 2 == 0 else ("forward", "socks")):
                if which == "socks":
                    socks.append(self.bulk(self.socks_port, socks=True))
                else:
                    direct.append(self.bulk(self.tunnel["forwards"]["sink"]))
            log(f"   bulk {self.args.rootless_mb} MB: SOCKS5 {socks[-1]:.2f} Gbit/s, -L {direct[-1]:.2f} Gbit/s")
        return {"connect_ms": connect, "forward_ms": forward, "socks_gbit": socks, "forward_gbit": direct}

    def connect_first_byte(self, client, config):
        start = time.perf_counter()
        child = subprocess.Popen([client, "connect", "--config", config, "bench", str(self.echo_port)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.env)
        try:
            child.stdin.write(b"x")
            child.stdin.flush()
            if child.stdout.read(1) != b"x":
                raise RuntimeError("connect: no echo")
            elapsed = (time.perf_counter() - start) * 1000
            child.stdin.close()
            child.wait(timeout=15)
            return elapsed
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()

    def forward_first_byte(self, client, config):
        port = free_port()
        start = time.perf_counter()
        child = subprocess.Popen([client, "run", "--config", config, "-L", f"{port}:bench:{self.echo_port}"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env)
        try:
            deadline = start + 15
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                        s.sendall(b"x")
                        if s.recv(1) != b"x":
                            raise RuntimeError("run -L: no echo")
                        return (time.perf_counter() - start) * 1000
                except ConnectionRefusedError:
                    if time.perf_counter() > deadline:
                        raise RuntimeError("run -L did not listen within 15 s") from None
                    time.sleep(0.0005)
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def bulk(self, port, socks=False):
        """Sends --rootless-mb MB to the sink through `port` (as a SOCKS5 client when
        `socks`) and returns Gbit/s from the first byte to the sink's count."""
        total = self.args.rootless_mb * 1024 * 1024
        chunk = bytes(256 * 1024)
        if socks:
            code, s = socks5_client.open_stream(port, "bench.hyperion", self.sink_port, timeout=60)
            if code != 0:
                s.close()
                raise RuntimeError(f"SOCKS5 reply {code}")
        else:
            s = socket.create_connection(("127.0.0.1", port), timeout=60)
        with s:
            start = time.perf_counter()
            sent = 0
            while sent < total:
                s.sendall(chunk)
                sent += len(chunk)
            s.shutdown(socket.SHUT_WR)
            answer = b""
            while len(answer) < 8:
                more = s.recv(8 - len(answer))
                if not more:
                    break
                answer += more
            elapsed = time.perf_counter() - start
        if int.from_bytes(answer, "big") != sent:
            raise RuntimeError(f"the sink counted {int.from_bytes(answer, 'big') if answer else 'nothing'} of {sent} bytes")
        return sent * 8 / elapsed / 1e9


# A sink for the rootless group: reads each connection to its end, then answers with the
# byte count (8 bytes, big-endian). Prints its port first.
SINK = """
import socket, threading
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(64)
print(server.getsockname()[1], flush=True)
def serve(conn):
    total = 0
    while True:
        data = conn.recv(1 << 20)
        if not data:
            break
        total += len(data)
    conn.sendall(total.to_bytes(8, "big"))
    conn.close()
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
"""


def loss_row_name(args):
    rtt = f", {2 * args.loss_delay_ms:g} ms RTT" if args.loss_delay_ms else ""
    return f"{args.loss_percent}% loss{rtt}: {args.loss_mb} MB echo vs direct TCP"


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


TUN_CASES = [(direction, offload) for offload in ("on", "off") for direction in ("up", "down")]


def tun_report(t, goal, info):
    """The tun group's rows: the first flow to a cold server, then TUN/-L per direction and
    offload: the medians over the rounds, and the median of the rounds' own ratios."""
    tun, cold = t["cold"]["tun"], t["cold"]["cold_connect"]
    p50, cold_p50 = percentile(tun, 0.5), percentile(cold, 0.5)
    goal("TUN first flow, cold server, p50", p50, "ms", "5 ms", p50 / 5.0, 1.0, "lower")
    info("  cold connect, same path, p50", cold_p50, "ms", f"TUN {p50 / cold_p50:.2f}x")
    info("  TUN first flow, cold server, p99", percentile(tun, 0.99), "ms", f"cold connect {percentile(cold, 0.99):.2f} ms")
    summary = {"first_flow_ms": {"p50": round(p50, 3), "p99": round(percentile(tun, 0.99), 3), "tries": len(tun)},
               "cold_connect_ms": {"p50": round(cold_p50, 3), "p99": round(percentile(cold, 0.99), 3), "tries": len(cold)},
               "first_flow_vs_cold_connect": round(p50 / cold_p50, 3), "throughput": {},
               "fast_path": t["fast_path"]}
    on = t["fast_path"]["on_in_runs"]
    info("  kernel fast path on, in TUN client runs", on, "", f"of {on + t['fast_path']['off_in_runs']} (asked: {t['fast_path']['asked']})")
    for direction, offload in TUN_CASES:
        through_tun = t["throughput"][f"tun/{direction}/{offload}"]
        through_l = t["throughput"][f"L/{direction}/{offload}"]
        a, b = statistics.median(through_tun), statistics.median(through_l)
        # Each round's TUN and -L runs are back to back, so their ratio sees the same load;
        # the median of those ratios is steadier than the ratio of the two medians.
        paired = [x / y for x, y in zip(through_tun, through_l)]
        ratio = statistics.median(paired)
        way = "up" if direction == "up" else "down (-R)"
        goal(f"TUN vs -L 1 stream {way}, offload {offload}", a, "Gbit/s", f"-L {b:.2f} Gbit/s", ratio, 0.9, "higher")
        cpu = {}
        for who in ("client", "machine"):
            cpu[who] = [statistics.median(sample[who] for sample in t["cpu"][f"{path}/{direction}/{offload}"])
                        for path in ("tun", "L")]
            info(f"  {who} CPU per GB, TUN", cpu[who][0], "s", f"-L {cpu[who][1]:.3f} s ({cpu[who][0] / cpu[who][1]:.2f}x)")
        summary["throughput"][f"{direction}/offload_{offload}"] = {
            "tun_gbit": round(a, 3), "forward_gbit": round(b, 3), "ratio": round(ratio, 3),
            "ratio_of_medians": round(a / b, 3), "round_ratios": [round(x, 3) for x in paired],
            "cpu_seconds_per_gb": {who: {"tun": round(v[0], 4), "forward": round(v[1], 4)} for who, v in cpu.items()},
            "tun_samples": [round(x, 3) for x in through_tun], "forward_samples": [round(x, 3) for x in through_l]}
    summary["route_check"] = t["route_check"]
    summary["cold"] = {k: [round(x, 3) for x in v] for k, v in t["cold"].items()}
    return summary


def report(measured, args, environment):
    rows = []

    def goal(name, value, unit, reference, ratio, target, better):
        ok = ratio >= target if better == "higher" else ratio <= target
        rows.append({"goal": name, "value": round(value, 3), "unit": unit, "reference": reference,
                     "ratio": round(ratio, 3), "target": f"{'>=' if better == 'higher' else '<='} {target}",
                     "result": "pass" if ok else "miss"})

    def info(name, value, unit, reference=""):
        rows.append({"goal": name, "value": round(value, 3) if value is not None else None, "unit": unit,
                     "reference": reference, "ratio": None, "target": None, "result": "info"})

    def failed(name, reason):
        rows.append({"goal": name, "value": None, "unit": "", "reference": reason, "ratio": None, "target": None,
                     "result": "error"})

    results, figures = measured["paths"], {}
    if "throughput" in args.groups:
        med = {p: {k: statistics.median(results[p][k]) for k in ("1", "8")} for p in PATHS}
        goal("1 stream vs ssh (chacha20)", med["hyperion"]["1"], "Gbit/s", f"{med['ssh']['1']:.2f} Gbit/s",
             med["hyperion"]["1"] / med["ssh"]["1"], 1.5, "higher")
        goal("1 stream vs ssh aes128-gcm", med["hyperion"]["1"], "Gbit/s", f"{med['ssh-aes']['1']:.2f} Gbit/s",
             med["hyperion"]["1"] / med["ssh-aes"]["1"], 1.0, "higher")
        goal("8 streams vs ssh (chacha20)", med["hyperion"]["8"], "Gbit/s", f"{med['ssh']['8']:.2f} Gbit/s",
             med["hyperion"]["8"] / med["ssh"]["8"], 2.0, "higher")
        for p in PATHS:
            figures.setdefault(p, {}).update({"gbit_1": round(med[p]["1"], 3), "gbit_8": round(med[p]["8"], 3)})
    if "latency" in args.groups:
        lat = {p: (percentile(results[p]["lat"], 0.5), percentile(results[p]["lat"], 0.99)) for p in PATHS}
        goal("64 B ping-pong p50 vs ssh", lat["hyperion"][0], "us", f"{lat['ssh'][0]:.1f} us",
             lat["hyperion"][0] / lat["ssh"][0], 0.8, "lower")
        goal("64 B ping-pong p99 vs ssh", lat["hyperion"][1], "us", f"{lat['ssh'][1]:.1f} us",
             lat["hyperion"][1] / lat["ssh"][1], 1.0, "lower")
        open_p50 = percentile(measured["opens"], 0.5)
        goal("stream open on a live tunnel, p50", open_p50, "us", "300 us", open_p50 / 300.0, 1.0, "lower")
        if measured["opens_ssh"]:
            ssh_open_p50 = percentile(measured["opens_ssh"], 0.5)
            info("  ssh -L stream open p50, same run", ssh_open_p50, "us", f"hyperion {open_p50 / ssh_open_p50:.2f}x")
        for p in PATHS:
            figures.setdefault(p, {}).update({"p50_us": round(lat[p][0], 1), "p99_us": round(lat[p][1], 1)})

    details = {}
    if measured["handshake"]:
        rounds = measured["handshake"]
        cpu = statistics.median(r["server_cpu_us"] for r in rounds)
        dh = statistics.median(x for r in rounds for x in r["x25519_dh_us"])
        keygen = statistics.median(x for r in rounds for x in r["x25519_keygen_us"])
        hyperion_dh = statistics.median(x for r in rounds for x in r["hyperion_dh_us"])
        rate = statistics.median(r["per_second"] for r in rounds)
        system = statistics.median(r["server_system_us"] for r in rounds)
        responder = statistics.median(x for r in rounds for x in r["responder_us"])
        # Two readings of one goal: the handshake's own computation (in process, the same
        # code the server runs), and everything a connection costs the server (accept,
        # kernel TCP, NIO set-up, the session, the log line, close), measured from outside.
        goal("handshake compute (server side) vs 4 X25519", responder, "us", f"{4 * dh:.0f} us", responder / (4 * dh), 1.5, "lower")
        goal("server CPU per tunnel connection vs 4 X25519", cpu, "us", f"{4 * dh:.0f} us", cpu / (4 * dh), 1.5, "lower")
        info("  of which in the kernel (stime)", system, "us")
        info("  X25519 per DH (swift-crypto)", dh, "us", f"keygen {keygen:.1f} us")
        info(f"  handshakes/s, {args.handshake_concurrency} concurrent", rate, "/s")
        details["handshake"] = {"server_cpu_us_per_handshake": round(cpu, 1), "responder_compute_us": round(responder, 1), "server_system_us_per_handshake": round(system, 1),
                                "x25519_dh_us": round(dh, 2),
                                "x25519_keygen_us": round(keygen, 2), "hyperion_dh_us": round(hyperion_dh, 2),
                                "four_x25519_us": round(4 * dh, 1), "handshakes_per_second": round(rate, 1),
                                "concurrency": args.handshake_concurrency, "rounds": rounds}
    if measured["cold"]:
        samples = measured["cold"]
        p50, p99 = percentile(samples, 0.5) / 1000, percentile(samples, 0.99) / 1000
        goal("cold connect p50 (no knock)", p50, "ms", "5 ms", p50 / 5.0, 1.0, "lower")
        info("  cold connect p99", p99, "ms")
        details["cold"] = {"tries": len(samples), "p50_ms": round(p50, 3), "p99_ms": round(p99, 3)}
    if "tun" in measured:
        t = measured["tun"]
        if "skipped" in t:
            rows.append({"goal": "tun", "value": None, "unit": "", "reference": "", "ratio": None, "target": None,
                         "result": "skipped", "why": t["skipped"]})
        else:
            details["tun"] = tun_report(t, goal, info)
    if "rootless" in measured:
        r = measured["rootless"]
        connect, forward = statistics.median(r["connect_ms"]), statistics.median(r["forward_ms"])
        goal("connect: new process to first byte, p50", connect, "ms", f"run -L {forward:.1f} ms", connect / forward, 1.5, "lower")
        socks, direct = statistics.median(r["socks_gbit"]), statistics.median(r["forward_gbit"])
        goal("SOCKS5 1 stream vs -L", socks, "Gbit/s", f"{direct:.2f} Gbit/s", socks / direct, 0.95, "higher")
        details["rootless"] = {k: [round(x, 3) for x in v] for k, v in r.items()}
    if "managed" in measured:
        m = measured["managed"]
        if "skipped" in m:
            rows.append({"goal": "managed", "value": None, "unit": "", "reference": "", "ratio": None, "target": None,
                         "result": "skipped", "why": m["skipped"]})
        else:
            details["managed"] = bench_managed.report(m, goal, info)
    if "streams" in measured:
        s = measured["streams"]
        where = "one tunnel" if s["tunnel_connections"] == 1 else f"{s['tunnel_connections']} tunnel conns"
        goal(f"idle streams through {where}", s["opened"], "", str(s["wanted"]), s["opened"] / s["wanted"], 1.0, "higher")
        for side in ("client", "server"):
            per = s["kib_per_stream"][side]
            if per is None:
                failed(f"RSS per idle stream, {side}", "no stream opened")
            else:
                goal(f"RSS per idle stream, {side}", per, "KiB", f"32 KiB @{s['opened']}", per / 32.0, 1.0, "lower")
        details["streams"] = s
    if "argon2" in measured:
        a = measured["argon2"]
        if "error" in a:
            failed("Argon2id vs the C reference", " ".join(a["error"])[:60])
        else:
            goal("Argon2id vs the C reference", a["swift_ms"], "ms", f"{a['c_ms']:.1f} ms", a["ratio"], 1.5, "lower")
        details["argon2"] = a

    if "faults" in measured:
        f = measured["faults"]
        if "skipped" in f:
            rows.append({"goal": "faults", "value": None, "unit": "", "reference": "", "ratio": None, "target": None,
                         "result": "skipped", "why": f["skipped"]})
        else:
            tunnel = [x["seconds"] for x in f["loss"]["tunnel"]]
            direct = [x["seconds"] for x in f["loss"]["direct"]]
            inexact = [path for path in ("tunnel", "direct") for x in f["loss"][path] if not x["exact"]]
            name = loss_row_name(args)
            if inexact:
                failed(name, f"not byte-exact: {', '.join(sorted(set(inexact)))}")
            else:
                t, d = statistics.median(tunnel), statistics.median(direct)
                goal(name, t, "s", f"direct {d:.2f} s", t / d, 1.3, "lower")
                info("  worst run, tunnel", max(tunnel), "s", f"direct {max(direct):.2f} s")
                info("  longest stall, tunnel", max(x["longest_stall"] for x in f["loss"]["tunnel"]), "s",
                     f"direct {max(x['longest_stall'] for x in f['loss']['direct']):.2f} s")
            for key, name, target in (("blackhole", f"blackhole {args.blackhole_seconds:g} s, then a new connection", 2.0),
                                      ("address_change", "address change, then a new connection", 5.0)):
                values = [r["seconds"] for r in f[key]]
                if None in values:
                    failed(name, "none worked in 30 s")
                    continue
                goal(name, statistics.median(values), "s", f"{target:g} s", statistics.median(values) / target, 1.0, "lower")
                info(f"  worst of {len(values)}", max(values), "s", " ".join(f"{v:.2f}" for v in values))
        details["faults"] = f

    if figures:
        print()
        print(f"{'path':10} {'1 stream':>12} {'8 streams':>12} {'p50':>10} {'p99':>10}")
        for p in PATHS:
            f = figures[p]
            cells = [f"{f['gbit_1']:>7.2f} Gb/s" if "gbit_1" in f else f"{'-':>12}",
                     f"{f['gbit_8']:>7.2f} Gb/s" if "gbit_8" in f else f"{'-':>12}",
                     f"{f['p50_us']:>7.1f} us" if "p50_us" in f else f"{'-':>10}",
                     f"{f['p99_us']:>7.1f} us" if "p99_us" in f else f"{'-':>10}"]
            print(f"{p:10} {' '.join(cells)}")
    print()
    print(f"{'goal':40} {'value':>16} {'reference':>16} {'ratio':>7} {'target':>8}  result")
    for r in rows:
        value = "-" if r["value"] is None else f"{r['value']:.0f}" if abs(r["value"]) >= 1000 else f"{r['value']:.4g}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        print(f"{r['goal']:40} {value:>11} {r['unit']:<4} {r['reference']:>16} {ratio:>7} {r['target'] or '':>8}  {r['result']}")
    if measured.get("faults", {}).get("skipped"):
        print(f"\nfaults: skipped: {measured['faults']['skipped']}")
    if measured.get("tun", {}).get("skipped"):
        print(f"\ntun: skipped: {measured['tun']['skipped']}")
    if "streams" in measured and measured["streams"]["failure"]:
        print(f"\nstreams: {measured['streams']['failure']}")
    return {"machine": {"cpus": os.cpu_count(), "kernel": platform.release(), "processor": platform.processor(),
                        **environment},
            "settings": {"groups": args.groups, "rounds": args.rounds, "seconds": args.seconds,
                         "pings_per_round": args.pings, "handshakes_per_round": args.handshakes,
                         "handshake_concurrency": args.handshake_concurrency, "cold_tries": args.cold,
                         "streams": args.streams, "stream_pool": args.stream_pool,
                         "loss_percent": args.loss_percent, "loss_mb": args.loss_mb, "loss_runs": args.loss_runs,
                         "loss_cc": args.loss_cc, "loss_delay_ms": args.loss_delay_ms,
                         "blackhole_seconds": args.blackhole_seconds, "fault_rounds": args.fault_rounds,
                         "tun_cold": args.tun_cold, "rootless_tries": args.rootless_tries, "rootless_mb": args.rootless_mb,
                         "managed_servers": args.managed_servers,
                         "lab_sysctl": args.lab_sysctl},
            "paths": figures, "goals": rows, **details}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory of the release binaries")
    parser.add_argument("--only", default=",".join(GROUPS), metavar="GROUPS",
                        help=f"comma-separated groups to run (default all: {','.join(GROUPS)})")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--seconds", type=int, default=5, help="seconds per iperf3 run (default 5)")
    parser.add_argument("--pings", type=int, default=5000, help="ping-pong round trips per path per round (default 5000)")
    parser.add_argument("--handshakes", type=int, default=1500, help="handshakes per round (default 1500)")
    parser.add_argument("--handshake-concurrency", type=int, default=2, help="concurrent handshakes (default 2)")
    parser.add_argument("--cold", type=int, default=300, help="cold connects in all, spread over the rounds (default 300)")
    parser.add_argument("--streams", type=int, default=10000, help="idle streams to open (default 10000)")
    parser.add_argument("--stream-pool", type=int, default=1, help="tunnel connections for them (pool_size, default 1)")
    parser.add_argument("--streams-timeout", type=int, default=120, help="give up opening streams after this many seconds")
    parser.add_argument("--loss-percent", type=int, default=5, help="faults: random loss on the path, in %% (default 5)")
    parser.add_argument("--loss-mb", type=int, default=20, help="faults: MB echoed each way per loss run (default 20)")
    parser.add_argument("--loss-runs", type=int, default=5, help="faults: loss runs per path, interleaved (default 5)")
    parser.add_argument("--loss-deadline", type=int, default=120, help="faults: give up on one loss run after this many seconds")
    parser.add_argument("--loss-cc", default=None,
                        help="faults: the loss hosts' TCP congestion control (default: the kernel's; reno takes minutes "
                             "per 20 MB at 5%% loss and 20 ms RTT)")
    parser.add_argument("--loss-delay-ms", type=float, default=10,
                        help="faults: one-way delay of the loss path (default 10, a 20 ms RTT; 0: a direct veth)")
    parser.add_argument("--blackhole-seconds", type=float, default=10, help="faults: length of the silent blackhole (default 10)")
    parser.add_argument("--fault-rounds", type=int, default=3, help="faults: blackholes and address changes (default 3 each)")
    parser.add_argument("--lab-sysctl", action="append", default=[], metavar="NAME=VALUE",
                        help="faults: set a sysctl on both hosts first (repeatable; for experiments)")
    parser.add_argument("--tun-fast-path", choices=["on", "off"], default="on",
                        help="tun: the client's kernel fast path ([tun] fast_path; default on, as in a default config)")
    parser.add_argument("--tun-cold", type=int, default=30,
                        help="tun: cold first flows through the TUN, and as many cold connects (default 30)")
    parser.add_argument("--rootless-tries", type=int, default=20,
                        help="rootless: new connect and run -L processes, each (default 20)")
    parser.add_argument("--rootless-mb", type=int, default=512,
                        help="rootless: MB per bulk transfer, SOCKS5 and -L, one each per round (default 512)")
    parser.add_argument("--managed-servers", type=int, default=1000,
                        help="managed: servers configured for the large-config rows (default 1000)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    args.groups = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = [g for g in args.groups if g not in GROUPS]
    if unknown or not args.groups:
        parser.error(f"--only takes a comma-separated list of {', '.join(GROUPS)}")
    if not (1 <= args.rounds <= 50 and 1 <= args.seconds <= 120 and 100 <= args.pings <= 1_000_000):
        parser.error("--rounds 1..50, --seconds 1..120, --pings 100..1000000")
    if not (1 <= args.handshakes <= 1_000_000 and 1 <= args.handshake_concurrency <= 64 and 1 <= args.cold <= 100_000
            and 1 <= args.streams <= 60_000 and 1 <= args.stream_pool <= 16 and 1 <= args.streams_timeout <= 3600):
        parser.error("--handshakes 1..1000000, --handshake-concurrency 1..64, --cold 1..100000, --streams 1..60000, "
                     "--stream-pool 1..16, --streams-timeout 1..3600")
    if not (0 <= args.loss_percent <= 50 and 1 <= args.loss_mb <= 1000 and 1 <= args.loss_runs <= 50
            and 1 <= args.loss_deadline <= 3600 and 0.5 <= args.blackhole_seconds <= 120 and 1 <= args.fault_rounds <= 20
            and 0 <= args.loss_delay_ms <= 500 and 1 <= args.tun_cold <= 1000):
        parser.error("--loss-percent 0..50, --loss-mb 1..1000, --loss-runs 1..50, --loss-deadline 1..3600, "
                     "--blackhole-seconds 0.5..120, --fault-rounds 1..20, --loss-delay-ms 0..500, --tun-cold 1..1000")
    if not (1 <= args.rootless_tries <= 1000 and 1 <= args.rootless_mb <= 100000):
        parser.error("--rootless-tries 1..1000, --rootless-mb 1..100000")
    if not 2 <= args.managed_servers <= 4000:
        parser.error("--managed-servers 2..4000")
    needed = (["iperf3"] if "throughput" in args.groups else []) + \
             (["ssh", "ssh-keygen"] if {"throughput", "latency"} & set(args.groups) else [])
    for tool in needed:
        if not shutil.which(tool):
            raise SystemExit(f"bench: {tool} is missing; run scripts/install-deps bench as root")
    # A SIGTERM (a CI timeout, a kill) unwinds through the finally below, so the daemons
    # this run started are stopped rather than left behind.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(f"bench: stopped by signal {number}"))
    limit = raise_open_file_limit()
    environment = {"open_file_limit": limit[0], "load_average_start": [round(x, 2) for x in os.getloadavg()]}
    started = time.monotonic()
    bench = Bench(args)
    try:
        bench.setup()
        measured = bench.measure()
        environment["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        environment["run_seconds"] = round(time.monotonic() - started)
        table = report(measured, args, environment)
        print(f"\nload average {environment['load_average_start']} -> {environment['load_average_end']}, "
              f"{environment['run_seconds']} s, RLIMIT_NOFILE {limit[0]}")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(table, f, indent=2)
            log(f"== wrote {args.json}")
    finally:
        bench.procs.stop_all()
        shutil.rmtree(bench.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
