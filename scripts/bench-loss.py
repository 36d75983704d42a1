#!/usr/bin/env python3
"""The loss study of docs/PERFORMANCE.md ("Loss"): an echo through the tunnel against a
direct TCP echo on the same lossy path, run after run, interleaved, with the kernel's TCP
counters of each run. Needs root and the release binaries (scripts/bench builds them).

  scripts/bench-loss.py --bin .build/release [--percent 5] [--mb 50] [--runs 6] [--delay-ms 10] [--trace]

Two namespaces joined by a veth pair, or with --delay-ms by the lab's delay line
(scripts/netlab.py): hyperion-client on the admin host
with a -L forward, hyperion-server and a Python echo service on the server host. Loss is
`numgen random mod 100 < N drop` in the receiving host's input chain, on the tunnel port and
on the echo port, both ways; the server's loopback leg to the echo service has none.

Per run it prints the wall time, the longest stall (gap between two reads of the echo) and,
summed over both hosts, the TCP counters that tell how the losses were repaired: RTO
timeouts (TCPTimeouts), tail loss probes, fast retransmits, retransmitted segments.
--trace also samples `ss -tin` of the connections on the measured port every 50 ms into
the JSON file (--json), for stall-by-stall reading.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import netlab  # noqa: E402

COUNTERS = ["TcpExt.TCPTimeouts", "TcpExt.TCPLossProbes", "TcpExt.TCPLossProbeRecovery", "TcpExt.TCPFastRetrans",
            "TcpExt.TCPSlowStartRetrans", "TcpExt.TCPSpuriousRTOs", "TcpExt.TCPDSACKRecv", "Tcp.RetransSegs",
            "TcpExt.TCPRetransFail", "TcpExt.TCPFromZeroWindowAdv", "TcpExt.TCPToZeroWindowAdv",
            "TcpExt.TCPWantZeroWindowAdv", "TcpExt.DelayedACKs", "TcpExt.TCPAutoCorking", "Tcp.OutSegs"]


def counters(lab):
    """Both hosts' TCP counters summed, and each host's own as admin.NAME / server.NAME: a
    host's RTOs are those of the data it sends (admin: the upload, server: the echo)."""
    total = {}
    for side, namespace in (("admin", lab.admin), ("server", lab.server)):
        for name, value in lab.netstat(namespace).items():
            total[name] = total.get(name, 0) + value
            total[f"{side}.{name}"] = value
    return total


class Sampler:
    """`ss -tinH` of the connections on `port` on both hosts every `interval` s."""

    def __init__(self, lab, port, interval=0.05):
        self.lab, self.port, self.interval = lab, port, interval
        self.samples, self.stop = [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        started = time.monotonic()
        while not self.stop.is_set():
            t = round(time.monotonic() - started, 3)
            for side, namespace in (("admin", self.lab.admin), ("server", self.lab.server)):
                result = subprocess.run(self.lab.argv(namespace, ["ss", "-tinH", "state", "established",
                                                                  f"( sport = :{self.port} or dport = :{self.port} )"]),
                                        capture_output=True, text=True, timeout=5)
                self.samples.append((t, side, " ".join(result.stdout.split())))
            self.stop.wait(self.interval)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory of the release binaries")
    parser.add_argument("--percent", type=int, default=5, help="random loss, in %% (default 5)")
    parser.add_argument("--mb", type=int, default=50, help="MB echoed per run (default 50)")
    parser.add_argument("--runs", type=int, default=6, help="runs per path (default 6)")
    parser.add_argument("--paths", default="tunnel,direct", help="tunnel, direct or both (default)")
    parser.add_argument("--pool-size", type=int, default=None, help="the client's pool_size (default: its default)")
    parser.add_argument("--sysctl", action="append", default=[], metavar="NAME=VALUE",
                        help="set a sysctl in both namespaces first (repeatable), e.g. net.ipv4.tcp_congestion_control=cubic")
    parser.add_argument("--delay-ms", type=float, default=0, help="one-way delay of the path (the lab's delay line; default 0)")
    parser.add_argument("--offloads", action="store_true",
                        help="leave GSO/TSO/GRO on (a drop then takes a whole super-packet: bursts of loss)")
    parser.add_argument("--hook", choices=["input", "output"], default="input",
                        help="drop in the receiver's input chain (default) or the sender's output chain")
    parser.add_argument("--warmup-mb", type=int, default=4, help="a loss-free echo through the tunnel first (default 4 MB; 0: none)")
    parser.add_argument("--quickack", action="store_true",
                        help="the hosts' route to each other with quickack 1: no delayed ACKs (an experiment)")
    parser.add_argument("--trace", action="store_true", help="sample ss -tin every 50 ms (into --json)")
    parser.add_argument("--deadline", type=int, default=300, help="give up on one run after this many seconds")
    parser.add_argument("--json", metavar="FILE", help="write every run as JSON")
    parser.add_argument("--log-level", default="info",
                        help="of the client and the server (default info; debug logs each wait for a yamux window)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (configs, logs) and say where")
    args = parser.parse_args()
    paths = [p for p in args.paths.split(",") if p]
    if not (0 <= args.percent <= 50 and 1 <= args.mb <= 2000 and 1 <= args.runs <= 100 and paths
            and set(paths) <= {"tunnel", "direct"}):
        parser.error("--percent 0..50, --mb 1..2000, --runs 1..100, --paths tunnel,direct")
    reason = netlab.cannot_run()
    if reason:
        raise SystemExit(f"bench-loss: {reason}")

    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(f"bench-loss: stopped by signal {number}"))
    driver = bench.Bench(argparse.Namespace(groups=["faults"], bin=args.bin))
    payload = netlab.payload_of(args.mb * 1_000_000)
    runs = []
    try:
        with netlab.NetLab(offloads=args.offloads, delay_ms=args.delay_ms) as lab:
            started = []
            try:
                if args.quickack:
                    for namespace, address in ((lab.admin, lab.ADMIN), (lab.server, lab.SERVER)):
                        lab.run(namespace, ["ip", "route", "replace", "10.79.0.0/24", "dev", "eth0", "proto", "kernel",
                                            "scope", "link", "src", address, "quickack", "1"])
                for setting in args.sysctl:
                    for namespace in (lab.admin, lab.server):
                        lab.run(namespace, ["sysctl", "-q", "-w", setting])
                echo = driver.procs.start("lab-echo", lab.argv(lab.server, [sys.executable, f"{bench.SCRIPTS}/netlab.py", "echo"]),
                                          stdout=subprocess.PIPE)
                started.append(echo)
                echo_port = int(echo.stdout.readline())
                pair = driver.start_hyperion("lab", {"echo": echo_port}, lab=lab, pool_size=args.pool_size,
                                             client_log_level=args.log_level, server_log_level=args.log_level)
                started += [pair["server"], pair["client"]]
                driver.wait_forward_works(lab, pair["forwards"]["echo"], 30)
                # One loss-free echo first: the pool is up and both ends measured a round trip.
                if args.warmup_mb:
                    with lab.connect(lab.admin, "127.0.0.1", pair["forwards"]["echo"], 30) as s:
                        netlab.echo_transfer(s, payload[:args.warmup_mb * 1_000_000])
                lab.set_faults(loss={pair["port"]: args.percent, echo_port: args.percent}, hook=args.hook)
                for run_index in range(args.runs):
                    order = paths if run_index % 2 == 0 else list(reversed(paths))
                    for path in order:
                        host, port = ("127.0.0.1", pair["forwards"]["echo"]) if path == "tunnel" else (lab.SERVER, echo_port)
                        watched = pair["port"] if path == "tunnel" else echo_port
                        before = counters(lab)
                        with lab.connect(lab.admin, host, port, 30) as s:
                            if args.trace:
                                with Sampler(lab, watched) as sampler:
                                    sample = netlab.echo_transfer(s, payload, deadline_seconds=args.deadline)
                                sample["ss"] = sampler.samples
                            else:
                                sample = netlab.echo_transfer(s, payload, deadline_seconds=args.deadline)
                        time.sleep(0.2)
                        after = counters(lab)
                        sample["tcp"] = {name.split(".")[1]: after.get(name, 0) - before.get(name, 0) for name in COUNTERS}
                        for side in ("admin", "server"):
                            for counter, label in (("TcpExt.TCPTimeouts", "RTOs"), ("TcpExt.DelayedACKs", "delayed_acks"),
                                                   ("TcpExt.TCPLossProbes", "TLPs")):
                                name = f"{side}.{counter}"
                                sample["tcp"][f"{side}_{label}"] = after.get(name, 0) - before.get(name, 0)
                        sample["path"] = path
                        runs.append(sample)
                        tcp = sample["tcp"]
                        print(f"{path:6} {sample['seconds']:7.2f} s  stall {sample['longest_stall']:5.2f} s  "
                              f"stalls>0.1s {len(sample['stalls']):3}  RTOs {tcp['TCPTimeouts']:4} ({tcp['admin_RTOs']} up, {tcp['server_RTOs']} down)  TLPs {tcp['TCPLossProbes']:4}  "
                              f"fast {tcp['TCPFastRetrans']:5}  retrans {tcp['RetransSegs']:5}  out {tcp['OutSegs']:7}  "
                              f"delayed ACKs {tcp['admin_delayed_acks']}/{tcp['server_delayed_acks']}"
                              + ("" if sample["exact"] else f"  NOT EXACT: {sample['error']}"), flush=True)
            finally:
                driver.procs.stop_all()  # before the namespaces go
        for line in lab.forwarder_report:
            print(line)
    finally:
        if args.keep:
            print(f"logs and configs kept in {driver.dir}")
        else:
            shutil.rmtree(driver.dir, ignore_errors=True)
    print()
    for path in paths:
        mine = [r for r in runs if r["path"] == path]
        seconds = [r["seconds"] for r in mine]
        print(f"{path:6} median {statistics.median(seconds):6.2f} s  min {min(seconds):6.2f}  max {max(seconds):6.2f}  "
              f"longest stall {max(r['longest_stall'] for r in mine):.2f} s  "
              f"RTOs/run {statistics.median(r['tcp']['TCPTimeouts'] for r in mine):.0f}  "
              f"exact {sum(r['exact'] for r in mine)}/{len(mine)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"settings": vars(args), "runs": runs}, f)


if __name__ == "__main__":
    main()
