"""The bench's `managed` group (issue 18): the managed daemons as an admin runs them.

Two network namespaces (scripts/netlab.py). On the server host: `hyperion-server init`, the
printed firewall, `hyperion-server up`, an echo service on its 127.0.0.1. On the admin host:
`hyperion-client init`, `add-server`, then per round `hyperion-client up` timed to the first
byte echoed through the server's fake IP, `status --json` round trips, and `down`. Then a
thousand servers added with `add-server` (the rest at unreachable documentation addresses):
`up` time, the daemon's RSS, its CPU over an idle spell, and a first flow that still works.
"""

import base64
import os
import socket
import statistics
import subprocess
import sys
import time

import netlab

PASSPHRASE = "bench passphrase for the managed group"
FAKE_IP = "10.99.0.10"


class Managed:
    def __init__(self, bench, lab):
        self.bench, self.lab = bench, lab
        self.client = f"{bench.bin}/hyperion-client"
        self.server = f"{bench.bin}/hyperion-server"
        self.admin_env = self.env("admin")
        self.server_env = self.env("server")

    def env(self, side):
        env = {k: v for k, v in os.environ.items() if not k.startswith("HYPERION_")}
        env.update(HYPERION_HOME=f"{self.bench.dir}/managed-{side}/home", HYPERION_RUNTIME_DIR=f"{self.bench.dir}/managed-{side}/run",
                   HYPERION_PASSPHRASE=PASSPHRASE)
        return env

    def run(self, host, argv, env, timeout=120):
        result = subprocess.run(self.lab.argv(host, argv), env=env, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:2])} failed ({result.returncode}): {(result.stderr or result.stdout).strip()[-500:]}")
        return result.stdout

    def admin(self, *argv, timeout=120):
        return self.run(self.lab.admin, [self.client, *argv], self.admin_env, timeout)

    def set_up(self, echo_port, tunnel_port):
        lab = self.lab
        out = self.admin("init")
        admin_key = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("admin public key: "))
        salt = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("salt: "))
        out = self.run(lab.server, [self.server, "init", "--salt", salt, "--admin-key", admin_key, "--allow", str(echo_port),
                                    "--listen", f"{lab.SERVER}:{tunnel_port}"], self.server_env)
        server_key = out.strip().splitlines()[-1]
        ruleset = subprocess.run([self.server, "print-firewall", "--tunnel-port", str(tunnel_port)], capture_output=True,
                                 text=True, timeout=30, check=True).stdout
        subprocess.run(lab.argv(lab.server, ["nft", "-f", "-"]), input=ruleset, text=True, timeout=30, check=True)
        self.run(lab.server, [self.server, "up"], self.server_env)
        self.admin("add-server", "web1", f"{lab.SERVER}:{tunnel_port}", server_key)

    def up_to_first_byte(self, echo_port):
        """Seconds from starting `up` to one byte echoed through the fake IP."""
        started = time.monotonic()
        self.admin("up")
        self.first_byte(echo_port)
        return time.monotonic() - started

    def first_byte(self, echo_port, deadline_seconds=30):
        deadline = time.monotonic() + deadline_seconds
        while True:
            try:
                with self.lab.connect(self.lab.admin, FAKE_IP, echo_port, timeout=10) as s:
                    s.sendall(b"x")
                    if s.recv(1) == b"x":
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def status_round_trips(self, count):
        """Milliseconds per `status --json`: a new process, the socket, the reply."""
        samples = []
        for _ in range(count):
            started = time.monotonic()
            out = self.admin("status", "--json", timeout=30)
            samples.append((time.monotonic() - started) * 1000)
            if '"running":true' not in out:
                raise RuntimeError(f"status says the daemon is down: {out[:300]}")
        return samples

    def daemon_pid(self):
        with open(f"{self.admin_env['HYPERION_RUNTIME_DIR']}/client.pid") as f:
            return int(f.read().strip())

    def thousand_servers(self, echo_port, total):
        """add-server up to `total` servers, then up, RSS, idle CPU and a first flow."""
        config = f"{self.admin_env['HYPERION_HOME']}/client.toml"
        with open(config) as f:
            text = f.read()
        # A /20 for the fake addresses: a /24 holds 245 servers.
        with open(config, "w") as f:
            f.write(text.replace("[tun]\n", "[tun]\nprefix = 20\n", 1))
        started = time.monotonic()
        for index in range(1, total):
            key = base64.b64encode(os.urandom(32)).decode()
            self.admin("add-server", f"s{index}", f"198.51.100.{index % 250 + 1}:{8000 + index}", key)
        add_seconds = time.monotonic() - started
        started = time.monotonic()
        self.admin("up", timeout=300)
        up_seconds = time.monotonic() - started
        pid = self.daemon_pid()
        time.sleep(2)
        rss = rss_kib(pid)
        before, wall = cpu_seconds(pid), time.monotonic()
        time.sleep(10)
        idle_cpu = (cpu_seconds(pid) - before) / (time.monotonic() - wall) * 100
        self.first_byte(echo_port)
        status = self.status_round_trips(5)
        self.admin("down")
        return {"servers": total, "add_server_s": round(add_seconds, 2), "add_server_ms_each": round(add_seconds / (total - 1) * 1000, 1),
                "up_s": round(up_seconds, 3), "rss_mib": round(rss / 1024, 1), "idle_cpu_percent": round(idle_cpu, 3),
                "status_ms_p50": round(statistics.median(status), 1)}


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(bench, free_port, scripts):
    """The group's figures, or {"skipped": why}."""
    args = bench.args
    reason = netlab.cannot_run()
    if not reason and not os.access("/dev/net/tun", os.R_OK | os.W_OK):
        reason = "/dev/net/tun missing or not usable"
    if reason:
        return {"skipped": reason}
    result = {"up_to_first_byte_s": [], "status_ms": []}
    with netlab.NetLab(prefix="hman") as lab:
        managed = Managed(bench, lab)
        try:
            echo_port, tunnel_port = free_port(), free_port()
            echo = bench.procs.start("managed-echo", lab.argv(lab.server, [sys.executable, f"{scripts}/netlab.py", "echo",
                                                                           "--port", str(echo_port)]), stdout=subprocess.PIPE)
            echo.stdout.readline()
            managed.set_up(echo_port, tunnel_port)
            for round_index in range(args.rounds):
                result["up_to_first_byte_s"].append(managed.up_to_first_byte(echo_port))
                result["status_ms"] += managed.status_round_trips(20)
                managed.admin("down")
                print(f"   managed round {round_index + 1}: up to first byte {result['up_to_first_byte_s'][-1] * 1000:.0f} ms, "
                      f"status p50 {statistics.median(result['status_ms'][-20:]):.1f} ms", file=sys.stderr, flush=True)
            result["thousand"] = managed.thousand_servers(echo_port, args.managed_servers)
        finally:
            for env in (managed.admin_env, managed.server_env):
                for role in ("client", "server"):
                    try:
                        with open(f"{env['HYPERION_RUNTIME_DIR']}/{role}.pid") as f:
                            os.kill(int(f.read().strip()), 15)
                    except (OSError, ValueError):
                        pass
            time.sleep(0.5)
            bench.procs.stop(*[child for name, child in reversed(bench.procs.children) if name.startswith("managed-")])
    return result


def report(result, goal, info):
    up = statistics.median(result["up_to_first_byte_s"]) * 1000
    info("managed: up to first byte via fake IP, p50", up, "ms", f"{len(result['up_to_first_byte_s'])} runs")
    status = statistics.median(result["status_ms"])
    goal("managed: status round trip, p50", status, "ms", "50 ms", status / 50.0, 1.0, "lower")
    t = result["thousand"]
    info(f"managed: up with {t['servers']} servers", t["up_s"] * 1000, "ms")
    info(f"  daemon RSS, {t['servers']} servers", t["rss_mib"], "MiB")
    info(f"  daemon idle CPU, {t['servers']} servers", t["idle_cpu_percent"], "%")
    info(f"  add-server at up to {t['servers']}, each", t["add_server_ms_each"], "ms")
    info(f"  status with {t['servers']} servers, p50", t["status_ms_p50"], "ms")
    return result
