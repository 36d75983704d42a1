#!/usr/bin/env python3
"""Writes the seed corpora in Fuzz/Corpus/<target>/: a handful of inputs per target, each a
script in that target's input language (see the comment at the top of its Fuzz.swift), so
that fuzzing starts from flows, streams and knocks that reach deep states rather than from
nothing. Deterministic: running it again rewrites the same bytes. Inputs that a run found
worth keeping (nat/reply-to-app-not-on-tun) are committed beside these and not written here.

    Fuzz/make-seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    directory = os.path.join(HERE, "Corpus", target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(bytes(data))


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


# --- nat: operations are op % 10: 0-3 a built packet, 4 raw bytes, 5-6 admit/refuse/
# unreachable by (op >> 4) % 3, 7 accepted (bit 0x10 clear) or closed, 8-9 time passes.
OPTIONS = bytes([2, 4, 0x05, 0xB4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7])


def nat_packet(shape, choices, port_choices, extra_ports=b"", flags=0x02, seq=0x11223344, ack=0,
               options=OPTIONS, payload_units=0):
    """One built packet (op 0). choices: source | destination << 3 (0 tun, 2 server, 3 peer,
    4 multicast); port_choices: source | destination << 2 (0 listener, 1 a flow's NAT port
    (reads an index), 2 port 443, 3 a port read from the input)."""
    assert len(options) % 4 == 0
    lengths = (len(options) // 4) | (payload_units << 4)
    body = bytes([0, shape, choices, port_choices]) + extra_ports + bytes([flags]) + u32(seq) + u32(ack)
    return body + bytes([lengths]) + options + bytes((i * 7) & 0xFF for i in range(payload_units * 19))


APP = 0 | 2 << 3          # tun -> server
LISTENER = 0 | 3 << 3     # tun -> peer
APP_PORTS = 3 | 2 << 2    # a chosen source port -> 443
REPLY_PORTS = 0 | 1 << 2  # listener port -> a flow's NAT port


def nat_flow(v6):
    shape = 1 if v6 else 0
    s = nat_packet(shape, APP, APP_PORTS, u16(40001))                      # SYN: held
    s += bytes([5, 0])                                                   # admit flow 0
    s += bytes([7, 0])                                                   # accepted
    s += nat_packet(shape, APP, APP_PORTS, u16(40001), flags=0x18, ack=77, options=b"", payload_units=2)
    s += nat_packet(shape, LISTENER, REPLY_PORTS, bytes([0]), flags=0x12, seq=9, ack=0x11223345, payload_units=1)
    s += nat_packet(shape | 2, APP, APP_PORTS, u16(40001), flags=0x10, options=b"")  # partial checksum
    s += bytes([17, 0])                                                  # closed
    s += nat_packet(shape, LISTENER, REPLY_PORTS, bytes([0]), flags=0x11, options=b"")
    s += bytes([8, 200])                                                 # 50 s: hold over
    s += nat_packet(shape, APP, APP_PORTS, u16(40001), flags=0x10, options=b"")  # unknown: RST
    return s


def nat_seeds():
    write("nat", "flow-v4", nat_flow(False))
    write("nat", "flow-v6", nat_flow(True))
    s = nat_packet(0, APP, APP_PORTS, u16(40002)) + bytes([25, 0])        # refuse
    s += nat_packet(1, APP, APP_PORTS, u16(40003)) + bytes([35, 1])       # unreachable
    s += nat_packet(0, APP, APP_PORTS, u16(40004)) + bytes([8, 60])       # pending expires
    write("nat", "refuse-unreachable-expire", s)
    s = b"".join(nat_packet(i & 1, APP, APP_PORTS, u16(41000 + i)) for i in range(12))
    write("nat", "table-full", s)
    s = nat_packet(0x38, APP, APP_PORTS, u16(40005)) + bytes([1])         # v4 fragment
    s += nat_packet(0x39, APP, APP_PORTS, u16(40006)) + bytes([3])        # v6 extension header
    s += nat_packet(0, LISTENER, REPLY_PORTS, b"", flags=0x10)            # reply, no flow
    s += nat_packet(0, 4 << 3, APP_PORTS, u16(40007))                     # multicast
    raw = bytes([0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 99, 0, 1, 93, 184, 216, 34,
                 0x9C, 0x41, 1, 0xBB, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 2, 0xFF, 0xFF, 0, 0, 0, 0])
    s += bytes([4]) + u16(len(raw)) + raw                                 # raw (bad checksums)
    write("nat", "skips", s)


# --- yamux: first byte even = server, odd = client; then op % 8: 0-4 peer bytes
# (length byte + 1, then the bytes), 5 we open a stream, 6 ping/announce/go away/close,
# 7 time passes.
def frame(type_, flags, stream, length, payload=b""):
    return bytes([0, type_]) + u16(flags) + u32(stream) + u32(length) + payload


def chunks(data):
    out = b""
    while data:
        piece, data = data[:200], data[200:]
        out += bytes([0, len(piece) - 1]) + piece
    return out


def yamux_seeds():
    peer = frame(1, 1, 1, 0)                      # SYN stream 1
    peer += frame(0, 0, 1, 5, b"hello")
    peer += frame(2, 1, 0, 0x1234)                # ping
    peer += frame(1, 0, 1, 4096)                  # window update
    peer += frame(0, 4, 1, 0)                     # FIN
    peer += frame(1, 1, 3, 0) + frame(0, 8, 3, 0)  # SYN then RST stream 3
    write("yamux", "server-streams", b"\x00" + chunks(peer) + bytes([7]) + u16(3000))
    s = b"\x01" + bytes([5, 3]) + b"abc" + bytes([5, 0])  # client: open two streams
    peer = frame(1, 2, 1, 0) + frame(0, 0, 1, 3, b"abc") + frame(1, 2, 3, 0) + frame(0, 4, 3, 0)
    peer += frame(2, 2, 0, 1)                      # a ping answer
    s += chunks(peer) + bytes([6]) + bytes([0x16]) + bytes([7]) + u16(6000)
    write("yamux", "client-streams", s)
    peer = frame(1, 1, 1, 0) + frame(0, 0, 1, 2000, bytes(200))   # more than the window
    write("yamux", "window-overrun", b"\x00" + chunks(peer))
    write("yamux", "go-away", b"\x00" + chunks(frame(1, 1, 1, 0) + frame(3, 0, 0, 0)) + bytes([0x26]))
    write("yamux", "bad-version", b"\x00" + chunks(bytes([1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0x41])))


# --- frames: mode byte (bit 0: round trip; bits 5-7: how many read sizes follow, u16 each).
def frames_seeds():
    write("frames", "wire-junk", bytes([0]) + u16(16) + bytes(range(16)) + u16(3) + b"abc")
    write("frames", "wire-too-long", bytes([0x20]) + u16(7) + u16(0xFFFF) + bytes(32))
    # Round trip: 3 writes (one past a frame), sealed in between or not, no flip.
    s = bytes([1 | 2 << 5]) + u16(5) + u16(1000) + bytes([3]) + u16(100) + b"\x01" + u16(20000) + b"\x00" + u16(0) + b"\x00" + u32(0)
    write("frames", "round-trip", s)
    s = bytes([1]) + bytes([2]) + u16(300) + b"\x00" + u16(17000) + b"\x00" + u32(0x000A0003)
    write("frames", "round-trip-flipped", s)
    s = bytes([0]) + u16(4) + b"\x00\x00\x00\x00" + u16(5000) + bytes(10)  # handshake frames
    write("frames", "handshake-frames", s)


# --- knock: op % 4: 0 raw frame (length byte), 1 frame around a payload, 2-3 a genuine
# knock (nonce, time byte (64 = now), port, flip byte; bit 0x20 flips); bit 0x80: packet
# and hardware type follow; bit 0x10: the kernel reported a longer frame.
def knock(op, nonce, time=64, port=22, flip=0, shape=0):
    return bytes([op]) + bytes(nonce) + bytes([time]) + u16(port) + bytes([flip, shape])


def knock_seeds():
    n1, n2 = bytes(range(12)), bytes(range(12, 24))
    write("knock", "genuine-v4", knock(2, n1))
    write("knock", "genuine-v6-vlan-replay", knock(2, n1, shape=3) + knock(2, n1, shape=3) + knock(2, n2, shape=3))
    write("knock", "stale-and-future", knock(2, n1, time=0) + knock(2, n2, time=200))
    write("knock", "flipped", knock(0x22, n1, flip=37))
    write("knock", "outgoing-loopback", bytes([0x82, 4, 1]) + knock(2, n1)[1:] + bytes([0x82, 0, 1]) + knock(2, n2)[1:])
    write("knock", "junk-payload", bytes([1, 44]) + b"HVPK" + bytes(40) + bytes([0]) + bytes([0x41, 10]) + b"0123456789" + u16(9) + bytes([8]))
    write("knock", "raw", bytes([0, 60]) + bytes(12) + b"\x08\x00\x45" + bytes(45))


# --- handshake: mode 0 message 1 into a responder, 1 message 2 into an initiator,
# 2 a genuine handshake (payload lengths and bytes, a flip word, then transport bytes).
def handshake_seeds():
    write("handshake", "message1-junk", bytes([0]) + bytes(range(96)))
    write("handshake", "message2-junk", bytes([1]) + bytes(range(48)))
    write("handshake", "genuine", bytes([2, 3]) + b"abc" + bytes([0]) + u16(0) + b"transport")
    write("handshake", "genuine-payloads", bytes([2, 0, 5]) + b"hello" + u16(0) + bytes(40))
    write("handshake", "flipped-1", bytes([2, 0, 0]) + u16(0x4000 | 40 << 3 | 5))
    write("handshake", "flipped-2", bytes([2, 0, 0]) + u16(0xC000 | 20 << 3 | 2))


SERVER = b'''listen = "0.0.0.0:8443"

[key]
source = "passphrase"
salt   = "fleet-salt-2026"

[identity]
static_key_file = "server.key"
admin_pubkeys   = ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]

[egress]
allow = [22, 5432]

[knock]
enabled = true
[firewall]
ttl_secs = 60
'''

CLIENT = b'''admin_static_key_file = "admin.key"

[key]
source = "passphrase"
salt   = "fleet-salt-2026"

[[server]]
name          = "web1"
addr          = "203.0.113.10:8443"
server_pubkey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

[[forward]]
local       = "127.0.0.1:2201"
server      = "web1"
remote_port = 22

[tun]
name = "hyperion0"
mtu = 1400
'''


def config_seeds():
    write("config", "server.toml", SERVER)
    write("config", "client.toml", CLIENT)
    write("config", "inline.toml", b'a = { b = [1, 2.5, "x", 1979-05-27T07:32:00Z] }\n"q" = \'\'\'\nml\'\'\'\n')


# --- dns: the input is one datagram, as it arrives on port 53.
def dns_name(name):
    return b"".join(bytes([len(label)]) + label.encode() for label in name.split(".") if label) + b"\0"


def dns_query(name, qtype=1, qid=0x1234, flags=0x0100, opt=None, qdcount=1):
    """A query; opt is (version, options bytes) for an OPT record in the additional section."""
    header = u16(qid) + u16(flags) + u16(qdcount) + u16(0) + u16(0) + u16(0 if opt is None else 1)
    body = dns_name(name) + u16(qtype) + u16(1)
    if opt is not None:
        version, options = opt
        body += b"\0" + u16(41) + u16(1232) + bytes([0, version, 0, 0]) + u16(len(options)) + options
    return header + body


def dns_seeds():
    cookie = u16(10) + u16(8) + bytes(range(8))
    write("dns", "a", dns_query("web1.hyperion"))
    write("dns", "aaaa-edns-cookie", dns_query("Web1.Hyperion", 28, opt=(0, cookie)))
    write("dns", "any-dotted", dns_query("db.prod.hyperion", 255, opt=(0, b"")))
    write("dns", "nodata-apex-ent", dns_query("prod.hyperion", 15))
    write("dns", "soa-apex", dns_query("hyperion", 6))
    write("dns", "nxdomain", dns_query("a.b.hyperion"))
    write("dns", "refused", dns_query("example.com"))
    write("dns", "badvers", dns_query("v4.hyperion", 28, opt=(1, b"")))
    write("dns", "notimp", dns_query("web1.hyperion", flags=5 << 11))
    write("dns", "two-questions", dns_query("web1.hyperion", qdcount=2) + dns_name("v6.hyperion") + u16(28) + u16(1))
    write("dns", "pointer", dns_query("web1.hyperion")[:17] + bytes([0xC0, 12]) + u16(1) + u16(1))


# --- control: one byte of chunk size, then what a local client sends on the socket.
def control_seeds():
    for command in ("status", "reload", "stop"):
        write("control", command, bytes([6]) + b'{"command":"%s"}\n' % command.encode())
    write("control", "unknown-command", bytes([0]) + b'{"command":"format"}\n')
    write("control", "two-lines", bytes([255]) + b'{"command":"stop"}\n{"command":"stop"}\n')
    write("control", "reply", bytes([31]) + b'{"ok":true,"status":{"running":true,"pid":1,"servers":[{"name":"web1",'
          b'"address":"192.0.2.1:8443","fakeIP":"10.99.0.10","pool":{"name":"web1","address":"192.0.2.1:8443",'
          b'"state":"connected","connectionsUp":1,"connectionsTotal":2,"openStreams":0,"bytesIn":1,"bytesOut":2}}]}}\n')


if __name__ == "__main__":
    nat_seeds()
    yamux_seeds()
    frames_seeds()
    knock_seeds()
    handshake_seeds()
    config_seeds()
    dns_seeds()
    control_seeds()
