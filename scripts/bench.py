#!/usr/bin/env python3
"""The benchmark driver behind scripts/bench (which builds the binaries first).

Paths measured, interleaved round by round so machine load hits them alike:
  raw        straight to the service on loopback: the ceiling
  hyperion   through hyperion-client -L and hyperion-server
  ssh        through ssh -L to a private sshd, default cipher (chacha20-poly1305)
  ssh-aes    the same with -c aes128-gcm@openssh.com

Figures: iperf3 throughput with 1 and 8 streams; 64-byte ping-pong latency p50 and p99
(samples merged over all rounds); for Hyperion, the time to open a stream on a live
tunnel (connect to the forward until the first echoed byte).
"""
import argparse
import base64
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

PATHS = ["raw", "hyperion", "ssh", "ssh-aes"]


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

    def stop_all(self):
        for _, child in reversed(self.children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for _, child in reversed(self.children):
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()


def run(argv, timeout):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


class Bench:
    def __init__(self, args):
        self.args = args
        self.bin = args.bin
        self.dir = tempfile.mkdtemp(prefix="hyperion-bench.")
        self.procs = Processes(self.dir)
        self.ports = {}  # path -> {"iperf": port, "echo": port}

    # -- set-up ---------------------------------------------------------------------

    def setup(self):
        iperf_port, ssh_port = free_port(), free_port()
        self.procs.start("iperf3", ["iperf3", "-s", "-p", str(iperf_port)])
        echo = self.procs.start("echo", [f"{self.bin}/hyperion-bench", "echo"], stdout=subprocess.PIPE)
        echo_port = int(echo.stdout.readline())
        wait_listening(iperf_port, "iperf3")
        self.ports["raw"] = {"iperf": iperf_port, "echo": echo_port}
        self.start_sshd(ssh_port)
        self.start_hyperion(iperf_port, echo_port)
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
        local_iperf, local_echo = free_port(), free_port()
        user = os.environ.get("USER") or "root"
        self.procs.start(path, ["ssh", "-N", "-p", str(ssh_port), "-i", f"{self.dir}/user_key",
                                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                                "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR",
                                *extra,
                                "-L", f"{local_iperf}:127.0.0.1:{iperf_port}", "-L", f"{local_echo}:127.0.0.1:{echo_port}",
                                f"{user}@127.0.0.1"])
        wait_listening(local_iperf, f"ssh -L ({path})")
        wait_listening(local_echo, f"ssh -L ({path})")
        self.ports[path] = {"iperf": local_iperf, "echo": local_echo}

    def start_hyperion(self, iperf_port, echo_port):
        d, b = self.dir, self.bin
        server_pub = run([f"{b}/hyperion-server", "keygen", "--out", f"{d}/server.key"], 30).strip()
        admin_pub = run([f"{b}/hyperion-client", "keygen", "--out", f"{d}/admin.key"], 30).strip()
        tunnel_port, local_iperf, local_echo = free_port(), free_port(), free_port()
        with open(f"{d}/server.toml", "w") as f:
            f.write(f"""listen = "127.0.0.1:{tunnel_port}"
[key]
source = "env"
env_var = "HYPERION_BENCH_PSK"
[identity]
static_key_file = "server.key"
admin_pubkeys = ["{admin_pub}"]
[egress]
allow = [{iperf_port}, {echo_port}]
""")
        with open(f"{d}/client.toml", "w") as f:
            f.write(f"""admin_static_key_file = "admin.key"
[key]
source = "env"
env_var = "HYPERION_BENCH_PSK"
[[server]]
name = "bench"
addr = "127.0.0.1:{tunnel_port}"
server_pubkey = "{server_pub}"
[[forward]]
local = "127.0.0.1:{local_iperf}"
server = "bench"
remote_port = {iperf_port}
[[forward]]
local = "127.0.0.1:{local_echo}"
server = "bench"
remote_port = {echo_port}
""")
        # A throwaway PSK, passed the way the config names: through the environment.
        env = dict(os.environ, HYPERION_BENCH_PSK=base64.b64encode(os.urandom(32)).decode())
        self.procs.start("hyperion-server", [f"{b}/hyperion-server", "run", "--config", f"{d}/server.toml"], env=env)
        wait_listening(tunnel_port, "hyperion-server")
        self.procs.start("hyperion-client", [f"{b}/hyperion-client", "run", "--config", f"{d}/client.toml"], env=env)
        wait_listening(local_iperf, "hyperion-client")
        self.ports["hyperion"] = {"iperf": local_iperf, "echo": local_echo}

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

    def measure(self):
        results = {p: {"1": [], "8": [], "lat": []} for p in PATHS}
        opens = []
        for round_index in range(self.args.rounds):
            # Rotate the order so no path always runs first (or right after another).
            order = PATHS[round_index % len(PATHS):] + PATHS[:round_index % len(PATHS)]
            log(f"== round {round_index + 1}/{self.args.rounds}: {' '.join(order)}")
            for path in order:
                port = self.ports[path]
                results[path]["1"].append(self.iperf(port["iperf"], 1))
                results[path]["8"].append(self.iperf(port["iperf"], 8))
                results[path]["lat"] += self.pingpong(port["echo"])
                log(f"   {path:9} 1 stream {results[path]['1'][-1]:6.2f} Gbit/s   8 streams {results[path]['8'][-1]:6.2f} Gbit/s")
            opens += self.open_latency(self.ports["hyperion"]["echo"])
        return results, opens


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(results, opens, args):
    rows = []
    med = {p: {k: statistics.median(results[p][k]) for k in ("1", "8")} for p in PATHS}
    lat = {p: (percentile(results[p]["lat"], 0.5), percentile(results[p]["lat"], 0.99)) for p in PATHS}

    def goal(name, value, unit, reference, ratio, target, better):
        ok = ratio >= target if better == "higher" else ratio <= target
        rows.append({"goal": name, "value": round(value, 3), "unit": unit, "reference": reference,
                     "ratio": round(ratio, 3), "target": f"{'>=' if better == 'higher' else '<='} {target}",
                     "result": "pass" if ok else "miss"})

    goal("1 stream vs ssh (chacha20)", med["hyperion"]["1"], "Gbit/s", f"{med['ssh']['1']:.2f} Gbit/s",
         med["hyperion"]["1"] / med["ssh"]["1"], 1.5, "higher")
    goal("1 stream vs ssh aes128-gcm", med["hyperion"]["1"], "Gbit/s", f"{med['ssh-aes']['1']:.2f} Gbit/s",
         med["hyperion"]["1"] / med["ssh-aes"]["1"], 1.0, "higher")
    goal("8 streams vs ssh (chacha20)", med["hyperion"]["8"], "Gbit/s", f"{med['ssh']['8']:.2f} Gbit/s",
         med["hyperion"]["8"] / med["ssh"]["8"], 2.0, "higher")
    goal("64 B ping-pong p50 vs ssh", lat["hyperion"][0], "us", f"{lat['ssh'][0]:.1f} us",
         lat["hyperion"][0] / lat["ssh"][0], 0.8, "lower")
    goal("64 B ping-pong p99 vs ssh", lat["hyperion"][1], "us", f"{lat['ssh'][1]:.1f} us",
         lat["hyperion"][1] / lat["ssh"][1], 1.0, "lower")
    open_p50 = percentile(opens, 0.5)
    goal("stream open on a live tunnel, p50", open_p50, "us", "300 us", open_p50 / 300.0, 1.0, "lower")

    figures = {p: {"gbit_1": round(med[p]["1"], 3), "gbit_8": round(med[p]["8"], 3),
                   "p50_us": round(lat[p][0], 1), "p99_us": round(lat[p][1], 1)} for p in PATHS}
    print()
    print(f"{'path':10} {'1 stream':>12} {'8 streams':>12} {'p50':>10} {'p99':>10}")
    for p in PATHS:
        f = figures[p]
        print(f"{p:10} {f['gbit_1']:>7.2f} Gb/s {f['gbit_8']:>7.2f} Gb/s {f['p50_us']:>7.1f} us {f['p99_us']:>7.1f} us")
    print()
    print(f"{'goal':36} {'value':>14} {'reference':>14} {'ratio':>7} {'target':>8}  result")
    for r in rows:
        print(f"{r['goal']:36} {r['value']:>9} {r['unit']:<4} {r['reference']:>14} {r['ratio']:>7.2f} {r['target']:>8}  {r['result']}")
    return {"machine": {"cpus": os.cpu_count(), "kernel": platform.release(), "processor": platform.processor()},
            "settings": {"rounds": args.rounds, "seconds": args.seconds, "pings_per_round": args.pings},
            "paths": figures, "goals": rows}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory of the release binaries")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--seconds", type=int, default=5, help="seconds per iperf3 run (default 5)")
    parser.add_argument("--pings", type=int, default=5000, help="ping-pong round trips per path per round")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    if not (1 <= args.rounds <= 50 and 1 <= args.seconds <= 120 and 100 <= args.pings <= 1_000_000):
        parser.error("--rounds 1..50, --seconds 1..120, --pings 100..1000000")
    for tool in ("iperf3", "ssh", "ssh-keygen"):
        if not shutil.which(tool):
            raise SystemExit(f"bench: {tool} is missing; run scripts/install-deps bench as root")
    bench = Bench(args)
    try:
        bench.setup()
        results, opens = bench.measure()
        table = report(results, opens, args)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(table, f, indent=2)
            log(f"== wrote {args.json}")
    finally:
        bench.procs.stop_all()
        shutil.rmtree(bench.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
