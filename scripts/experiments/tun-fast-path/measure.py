#!/usr/bin/env python3
"""A measurement prototype for issue 17, not a feature: how fast would `hyperion-client tun`
be if established flows never crossed the TUN? Runs the `tun` group of scripts/bench.py
(root, same lab, same arguments), but each TUN iperf3 runs 14 s, and 4 s in, once the
flow's NAT port is known from `ss`, fast_path.c is compiled for that flow (clang, BPF
target) and attached at hyperion0's tc egress; 2 s later the device's TX counter shows
whether the packets stopped crossing the TUN. Prints each TUN run's per-second throughput
and the medians before (seconds 2-4) and on the fast path (7-14); the group's own rows
then compare the fast path with -L.

    python3 scripts/experiments/tun-fast-path/measure.py --bin "$(swift build -c release --show-bin-path)" \\
        --only tun --rounds 4 --seconds 8 --tun-cold 1
"""
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
import bench  # noqa: E402

plain_iperf = bench.Bench.lab_iperf


def address_constant(address):
    """An IPv4 address as the u32 the program reads from the packet (network order)."""
    return str(int.from_bytes(socket.inet_aton(address), "little"))


def port_constant(port):
    return str(((port & 0xff) << 8) | (port >> 8))


def established(lab):
    """The admin host's established TCP sockets with the bytes each has moved."""
    rows, current = [], None
    for line in lab.run(lab.admin, ["ss", "-tni"]).splitlines():
        if line.startswith("ESTAB"):
            fields = line.split()
            current = {"local": fields[3], "peer": fields[4], "bytes": 0}
            rows.append(current)
        elif current is not None:
            current["bytes"] += sum(int(x) for x in re.findall(r"bytes_(?:acked|received):(\d+)", line))
    return rows


def tx_packets(lab, device):
    return int(lab.run(lab.admin, ["cat", f"/sys/class/net/{device}/statistics/tx_packets"]))


def lab_iperf(self, lab, host, port, reverse):
    if host != lab.SERVER:
        return plain_iperf(self, lab, host, port, reverse)
    device = self.TUN_DEVICE
    iperf = subprocess.Popen(lab.argv(lab.admin, ["iperf3", "-c", host, "-p", str(port), "-t", "14", "-i", "1", "-J",
                                                  *(["-R"] if reverse else [])]), stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(4)
        rows = established(lab)
        # The busiest of each kind is iperf3's data connection (the other is its control one).
        app = max((r for r in rows if r["peer"] == f"{lab.SERVER}:{port}"), key=lambda r: r["bytes"])
        accepted = max((r for r in rows if r["peer"].startswith("10.99.0.2:")), key=lambda r: r["bytes"])
        app_address, app_port = app["local"].rsplit(":", 1)
        tun_address, listener_port = accepted["local"].rsplit(":", 1)
        peer_address, nat_port = accepted["peer"].rsplit(":", 1)
        constants = {"APP_ADDR": address_constant(app_address), "APP_PORT": port_constant(int(app_port)),
                     "SRV_ADDR": address_constant(lab.SERVER), "SRV_PORT": port_constant(port),
                     "PEER_ADDR": address_constant(peer_address), "NAT_PORT": port_constant(int(nat_port)),
                     "TUN_ADDR": address_constant(tun_address), "LST_PORT": port_constant(int(listener_port))}
        with tempfile.TemporaryDirectory() as scratch:
            program = os.path.join(scratch, "fast_path.o")
            subprocess.run(["clang", "-target", "bpf", "-O2", "-g", f"-I/usr/include/{os.uname().machine}-linux-gnu",
                            *[f"-D{k}={v}" for k, v in constants.items()], "-c", os.path.join(HERE, "fast_path.c"),
                            "-o", program], check=True)
            before = tx_packets(lab, device)
            subprocess.run(lab.argv(lab.admin, ["tc", "qdisc", "add", "dev", device, "clsact"]), check=True)
            subprocess.run(lab.argv(lab.admin, ["tc", "filter", "add", "dev", device, "egress", "bpf", "da", "obj",
                                                program, "sec", "tc"]), check=True)
        time.sleep(1)
        settled = tx_packets(lab, device)
        time.sleep(1)
        crossed = tx_packets(lab, device) - settled
        output, _ = iperf.communicate(timeout=60)
    finally:
        iperf.kill()
        subprocess.run(lab.argv(lab.admin, ["tc", "qdisc", "del", "dev", device, "clsact"]), capture_output=True)
    report = json.loads(output)
    if "error" in report:
        raise RuntimeError(f"iperf3: {report['error']}")
    series = [interval["sum"]["bits_per_second"] / 1e9 for interval in report["intervals"]]
    through_tun, fast = statistics.median(series[1:4]), statistics.median(series[6:])
    print(f"   TUN {'down' if reverse else 'up'}: {app['local']} -> NAT {accepted['peer']} -> {accepted['local']}; "
          f"per second {[round(x, 2) for x in series]}; through the TUN {through_tun:.2f}, fast path {fast:.2f} Gbit/s "
          f"({fast / through_tun:.2f}x); TUN TX packets in 1 s on the fast path: {crossed} (before it: {before})",
          flush=True)
    return fast


bench.Bench.lab_iperf = lab_iperf
if __name__ == "__main__":
    bench.main()
