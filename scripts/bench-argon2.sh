#!/usr/bin/env bash
# Times Hyperion's Argon2id against the C reference implementation, side by side in one
# run, with the v1 parameters (m = 19456 KiB, t = 2, p = 1, 32-byte tag).
#
#   scripts/bench-argon2.sh [--bin DIR] [--json FILE] [ROUNDS] [RUNS_PER_ROUND]   (defaults 7 and 5)
#
# --bin DIR uses the release binaries already built there (scripts/bench passes it);
# --json FILE also writes the summary as JSON (scripts/bench folds it into its table).
#
# Three contenders, interleaved round by round so machine load hits them alike:
#   swift   hyperion-bench argon2 (release build), timed in-process
#   cffi    argon2-cffi's hash_secret_raw, timed in-process in Python
#   cli     Debian's argon2 CLI, timed per process; a near-zero-work run (m = 8 KiB,
#           t = 1) measures its process start cost, which is subtracted
# The requirement: swift median <= 1.5 x the median of the faster C contender.
set -euo pipefail

BIN="" JSON=""
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) BIN=$2; shift 2 ;;
        --json) JSON=$2; shift 2 ;;
        *) break ;;
    esac
done
ROUNDS=${1:-7}
RUNS=${2:-5}
cd "$(dirname "$0")/.."

if [ -n "$BIN" ]; then
    BENCH="$BIN/hyperion-bench"
else
    echo "== building hyperion-bench (release)"
    swift build -c release --product hyperion-bench 2>&1 | tail -n 1
    BENCH="$(swift build -c release --show-bin-path)/hyperion-bench"
fi

echo "== making sure the C reference is present"
if ! command -v argon2 >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get install -y argon2 >/dev/null || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y argon2 >/dev/null; }
fi
PYTHON=python3
CFFI_CHECK="import argon2.low_level, _argon2_cffi_bindings"
if ! python3 -c "$CFFI_CHECK" 2>/dev/null; then
    # Debian's system Python refuses pip (PEP 668) and its python3-argon2 is too old for
    # _argon2_cffi_bindings, so argon2-cffi goes into a private venv (from PyPI), once.
    VENV="${XDG_CACHE_HOME:-$HOME/.cache}/hyperion/argon2-venv"
    if ! "$VENV/bin/python" -c "$CFFI_CHECK" 2>/dev/null; then
        echo "== installing argon2-cffi into $VENV"
        python3 -m venv "$VENV" || { echo "bench-argon2: python3 -m venv failed; install python3-venv (scripts/install-deps bench)" >&2; exit 1; }
        "$VENV/bin/python" -m pip install --quiet 'argon2-cffi>=21.2'
    fi
    PYTHON="$VENV/bin/python"
fi

exec "$PYTHON" - "$BENCH" "$ROUNDS" "$RUNS" "$JSON" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time
import _argon2_cffi_bindings
from argon2.low_level import Type, hash_secret_raw

bench, rounds, runs, json_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
password = b"correct horse battery staple"
salt = b"change-me-shared-salt"
T, M, P, LEN = 2, 19456, 1, 32
cli = shutil.which("argon2")

def variant(path):
    """Which C code a binary carries: the SSE2 build of opt.c multiplies with pmuludq,
    the portable ref.c only with scalar imul."""
    if not shutil.which("objdump"):
        return "unknown (objdump missing)"
    asm = subprocess.run(["objdump", "-d", path], capture_output=True, text=True).stdout
    if "pmuludq" in asm:
        return "SSE2-optimized (opt.c)"
    return "reference (portable ref.c)"

cffi_so = next(os.path.join(os.path.dirname(_argon2_cffi_bindings.__file__), f)
               for f in os.listdir(os.path.dirname(_argon2_cffi_bindings.__file__)) if f.endswith(".so"))

def swift_round():
    out = subprocess.run([bench, "argon2", "--runs", str(runs)], capture_output=True, text=True, check=True).stdout
    fields = dict(f.split("=") for f in out.split() if "=" in f)
    return float(fields["median_ms"]), float(fields["min_ms"])

def cffi_round():
    hash_secret_raw(password, salt, T, M, P, LEN, Type.ID)  # warm, like hyperion-bench
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        hash_secret_raw(password, salt, T, M, P, LEN, Type.ID)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)

def cli_round(t=T, m=M):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([cli, salt.decode(), "-id", "-t", str(t), "-k", str(m), "-p", str(P), "-l", str(LEN), "-r"],
                       input=password, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)

# Same tag from all three before timing anything.
expected = hash_secret_raw(password, salt, T, M, P, LEN, Type.ID).hex()
cli_tag = subprocess.run([cli, salt.decode(), "-id", "-t", str(T), "-k", str(M), "-p", str(P), "-l", str(LEN), "-r"],
                         input=password, capture_output=True, check=True).stdout.decode().strip()
assert cli_tag == expected, "argon2 CLI disagrees with argon2-cffi"

samples = {"swift": [], "cffi": [], "cli": [], "cli-start": []}
for r in range(rounds):
    samples["swift"].append(swift_round())
    samples["cffi"].append(cffi_round())
    samples["cli"].append(cli_round())
    samples["cli-start"].append(cli_round(t=1, m=8))
    print(f"round {r + 1}/{rounds}: swift {samples['swift'][-1][0]:.1f}  cffi {samples['cffi'][-1][0]:.1f}  "
          f"cli {samples['cli'][-1][0]:.1f} (start {samples['cli-start'][-1][0]:.1f}) ms", flush=True)

def summary(name):
    medians = [s[0] for s in samples[name]]
    return statistics.median(medians), min(s[1] for s in samples[name])

swift_med, swift_min = summary("swift")
cffi_med, cffi_min = summary("cffi")
cli_med, cli_min = summary("cli")
start_med, _ = summary("cli-start")
cli_net = cli_med - start_med

print()
print(f"Argon2id v0x13, m={M} KiB, t={T}, p={P}, {LEN}-byte tag; {rounds} rounds x {runs} runs, interleaved")
print(f"{'implementation':<44} {'median ms':>10} {'min ms':>8}")
print(f"{'Swift HyperionCrypto (release)':<44} {swift_med:>10.2f} {swift_min:>8.2f}")
print(f"{'argon2-cffi, ' + variant(cffi_so):<44} {cffi_med:>10.2f} {cffi_min:>8.2f}")
print(f"{'argon2 CLI, ' + variant(cli) + ', raw':<44} {cli_med:>10.2f} {cli_min:>8.2f}")
print(f"{'  CLI process start (m=8 KiB, t=1)':<44} {start_med:>10.2f}")
print(f"{'  CLI minus process start':<44} {cli_net:>10.2f}")

faster_name, faster = min([("argon2-cffi", cffi_med), ("argon2 CLI (minus start)", cli_net)], key=lambda x: x[1])
ratio = swift_med / faster
print()
print(f"faster C: {faster_name}, {faster:.2f} ms")
print(f"ratio Swift / C = {ratio:.2f}  (limit 1.50)  {'PASS' if ratio <= 1.5 else 'MISS'}")
if json_file:
    with open(json_file, "w") as f:
        json.dump({"swift_ms": round(swift_med, 3), "c_ms": round(faster, 3), "c": faster_name,
                   "ratio": round(ratio, 3), "cffi_ms": round(cffi_med, 3), "cli_net_ms": round(cli_net, 3),
                   "rounds": rounds, "runs_per_round": runs}, f, indent=2)
PY
