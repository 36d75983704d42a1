#!/usr/bin/env bash
# End-to-end self test of hyperion-go-peer against itself, on loopback only.
# Usage: interop/go-peer/selftest.sh [BUILD_DIR]
# Env: HYPERION_VECTORS (default: the copy in Tests/HyperionCryptoTests/Vectors);
#      GOPEER_KEEP_WORK=1 keeps the temporary directory with all logs;
#      GOPEER_BIN=PATH tests that binary instead of building one.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
vectors="${HYPERION_VECTORS:-$here/../../Tests/HyperionCryptoTests/Vectors}"
work="$(mktemp -d "${TMPDIR:-/tmp}/gopeer-selftest.XXXXXX")"
pids=()
passed=0
failed=0

cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if ((failed)) || ((rc)); then
    for f in "$work"/*.log; do
      [[ -e $f ]] || continue
      echo "---- $(basename "$f") (last 40 lines)"
      tail -n 40 "$f"
    done
  fi
  if [[ -n ${GOPEER_KEEP_WORK:-} ]]; then echo "selftest: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@" >"$work/out" 2>&1; then pass "$name: $(tail -n 1 "$work/out")"; else fail "$name: $(tail -n 3 "$work/out" | tr '\n' ' ')"; fi
}

# wait_log FILE REGEX [SECONDS]: wait until REGEX appears in FILE; prints the matching line.
wait_log() {
  local file=$1 re=$2 secs=${3:-10} i
  for ((i = 0; i < secs * 20; i++)); do
    if grep -Eq -- "$re" "$file" 2>/dev/null; then grep -E -- "$re" "$file" | head -n 1; return 0; fi
    sleep 0.05
  done
  echo "timed out after ${secs}s waiting for /$re/ in $(basename "$file")" >&2
  return 1
}
wait_file() { # wait up to 10 s for a non-empty file
  local i
  for ((i = 0; i < 200; i++)); do [[ -s $1 ]] && return 0; sleep 0.05; done
  return 0
}
port_of() { sed -E 's/.*127\.0\.0\.1:([0-9]+).*/\1/'; }

start() { # start NAME COMMAND... : run in the background, log to $work/NAME.log
  local name=$1; shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
}

if [[ -n ${GOPEER_BIN:-} ]]; then bin="$GOPEER_BIN"; else bin="$("$here/build.sh" "${1:-$here/.build-go}")"; fi
peer() { "$bin" "$@"; }
tc="$here/tcpcheck.py"

echo "== vectors ($vectors)"
if peer selftest --vectors "$vectors" >"$work/vectors.out" 2>&1; then
  pass "vector selftest: $(tail -n 1 "$work/vectors.out")"
else
  cat "$work/vectors.out"; fail "vector selftest"
fi

echo "== CLI"
vec() { sed -n "s/^$1=//p" "$vectors/hyperion-v1.txt"; }
export GOPEER_PASS="$(vec passphrase)"
got="$(peer psk --passphrase-env GOPEER_PASS --salt "$(vec salt)")"
[[ $got == "$(vec psk_base64)" ]] && pass "psk command reproduces psk_base64" || fail "psk command: $got"
export GOPEER_VEC_PSK="$(python3 -c "import base64,sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())" "$(vec psk_hex)")"
got="$(peer knock --server-pubkey "$(vec server_public_base64)" --psk-env GOPEER_VEC_PSK --tunnel-port "$(vec tunnel_port)" \
  --time "$(vec unix_time)" --nonce "$(vec nonce_hex)" --print-hex)"
[[ $got == "$(vec knock_packet_hex)" ]] && pass "knock --print-hex reproduces knock_packet_hex" || fail "knock: $got"

start udp python3 "$here/tcpcheck.py" udp-recv "$work/udp.port" "$work/udp.hex"
wait_file "$work/udp.port"
peer knock --to "127.0.0.1:$(cat "$work/udp.port")" --server-pubkey "$(vec server_public_base64)" --psk-env GOPEER_VEC_PSK \
  --tunnel-port "$(vec tunnel_port)" --time "$(vec unix_time)" --nonce "$(vec nonce_hex)" 2>/dev/null
wait_file "$work/udp.hex"
[[ -s $work/udp.hex && $(cat "$work/udp.hex") == "$(vec knock_packet_hex)" ]] \
  && pass "knock --to sends the 44-byte datagram over UDP" || fail "knock over UDP: $(cat "$work/udp.hex" 2>/dev/null)"

server_pub="$(peer keygen --out "$work/server.key")"
admin_pub="$(peer keygen --out "$work/admin.key")"
peer keygen --out "$work/intruder.key" >/dev/null
mode="$(stat -c %a "$work/admin.key")"; len="$(wc -c <"$work/admin.key")"
[[ $mode == 600 && $len == 45 && $(peer pubkey --key-file "$work/admin.key") == "$admin_pub" ]] \
  && pass "keygen writes base64+newline with mode 0600 and prints the public key" || fail "keygen: mode $mode, $len bytes"
export GOPEER_PSK="$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')"
export GOPEER_WRONG_PSK="$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')"

echo "== tunnel"
start echo "$bin" echo --listen 127.0.0.1:0
start trailer "$bin" echo --listen 127.0.0.1:0 --trailer $'TRAILER\n' --trailer-delay 300ms
start banner "$bin" banner --listen 127.0.0.1:0 --text $'HELLO\n'
echo_port="$(wait_log "$work/echo.log" 'listening on' | port_of)"
trailer_port="$(wait_log "$work/trailer.log" 'listening on' | port_of)"
banner_port="$(wait_log "$work/banner.log" 'listening on' | port_of)"
dead_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
denied_port=9

start server "$bin" server --listen 127.0.0.1:0 --key-file "$work/server.key" --admin-pubkey "$admin_pub" \
  --psk-env GOPEER_PSK --allow "$echo_port,$trailer_port,$banner_port,$dead_port" --handshake-timeout 1s
server_port="$(wait_log "$work/server.log" 'server: listening on' | port_of)"
start client "$bin" client --server "127.0.0.1:$server_port" --server-pubkey "$server_pub" --key-file "$work/admin.key" \
  --psk-env GOPEER_PSK --knock -L "0:$echo_port" -L "0:$trailer_port" -L "0:$banner_port" -L "0:$denied_port" -L "0:$dead_port"
fwd() { wait_log "$work/client.log" "forwarding .* -> server port $1\$" | port_of; }
l_echo="$(fwd "$echo_port")"; l_trailer="$(fwd "$trailer_port")"; l_banner="$(fwd "$banner_port")"
l_denied="$(fwd "$denied_port")"; l_dead="$(fwd "$dead_port")"
grep -q 'handshake ok' "$work/client.log" && pass "client handshake with the server (after a knock)" || fail "client handshake"

check "8 MiB through one forward, both ways" timeout 120 python3 "$tc" bulk "$l_echo" 8
check "4 concurrent streams x 2 MiB" timeout 120 python3 "$tc" bulk "$l_echo" 2 4
check "half-close: reply after the client's FIN still arrives" timeout 30 python3 "$tc" halfclose "$l_trailer" 'ping' $'TRAILER\n'
if timeout 30 python3 "$tc" banner "$l_banner" $'HELLO\n' 100000 >"$work/out" 2>&1; then
  sum="$(sed -n 's/.*sha256 \([0-9a-f]*\).*/\1/p' "$work/out")"
  if wait_log "$work/banner.log" "received 100000 bytes sha256 $sum" 10 >/dev/null; then
    pass "half-close: target's FIN reaches the client, which then still sends 100000 bytes"
  else fail "banner target did not receive the client's bytes"; fi
else fail "half-close (target first): $(cat "$work/out")"; fi
check "denied port: local connection closed" timeout 20 python3 "$tc" closed "$l_denied"
wait_log "$work/client.log" "port $denied_port\): answer 1 \(denied" 5 >/dev/null && pass "denied port: server answered 1" || fail "no answer 1 in client log"
check "unreachable port: local connection closed" timeout 20 python3 "$tc" closed "$l_dead"
wait_log "$work/client.log" "port $dead_port\): answer 2 \(unreachable" 5 >/dev/null && pass "unreachable port: server answered 2" || fail "no answer 2 in client log"

echo "== load"
check "load over one session: 256 streams at once (first SYN held back), 1000 churned" timeout 120 "$bin" load \
  --server "127.0.0.1:$server_port" --server-pubkey "$server_pub" --key-file "$work/admin.key" --psk-env GOPEER_PSK \
  --port "$echo_port" --concurrent 256 --churn 1000 --hold-first-syn --timeout 60s
check "load through a forward: 256 connections at once, 1000 churned" timeout 120 "$bin" load \
  --connect "127.0.0.1:$l_echo" --concurrent 256 --churn 1000 --timeout 60s

echo "== refusals"
if timeout 20 "$bin" client --server "127.0.0.1:$server_port" --server-pubkey "$server_pub" --key-file "$work/intruder.key" \
  --psk-env GOPEER_PSK -L 0:1 >"$work/intruder.log" 2>&1; then
  fail "unknown admin key: client did not fail"
elif grep -q 'without replying (0 bytes received)' "$work/intruder.log" \
  && wait_log "$work/server.log" 'not in the admin allowlist' 5 >/dev/null; then
  pass "unknown admin key: server closed without replying (0 bytes received)"
else fail "unknown admin key: $(tail -n 1 "$work/intruder.log")"; fi
if timeout 20 "$bin" client --server "127.0.0.1:$server_port" --server-pubkey "$server_pub" --key-file "$work/admin.key" \
  --psk-env GOPEER_WRONG_PSK -L 0:1 >"$work/wrongpsk.log" 2>&1; then
  fail "wrong PSK: client did not fail"
elif grep -q 'did not decrypt' "$work/wrongpsk.log"; then
  pass "wrong PSK: handshake message 2 does not decrypt"
else fail "wrong PSK: $(tail -n 1 "$work/wrongpsk.log")"; fi
if timeout 20 "$bin" client --server "127.0.0.1:$server_port" --server-pubkey "$admin_pub" --key-file "$work/admin.key" \
  --psk-env GOPEER_PSK -L 0:1 >"$work/wrongserver.log" 2>&1; then
  fail "wrong server key: client did not fail"
elif grep -q 'without replying (0 bytes received)' "$work/wrongserver.log"; then
  pass "wrong server public key: server closed without replying"
else fail "wrong server key: $(tail -n 1 "$work/wrongserver.log")"; fi
check "silent connection closed by the handshake timeout" timeout 20 python3 "$tc" silent "$server_port" 5

if kill -0 "${pids[-1]}" 2>/dev/null; then pass "client still running after all tests"; else fail "client exited early"; fi
echo "$passed passed, $failed failed"
((failed == 0))
