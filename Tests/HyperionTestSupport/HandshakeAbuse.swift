import Foundation

/// The attacker's tools of the handshake abuse tests (`HandshakeAbuseTests`): small Python
/// programs run on a host of the test network. Each one bounds its own run time and prints
/// one JSON line of counts at the end, which `AbuseReport` reads.
enum HandshakeAbuse {
    /// Starts `script` with `arguments` on `host` as a process the testbed stops at its end.
    static func launch(_ name: String, _ script: String, _ arguments: [String], on host: NetworkHost, in bed: SPATestbed) throws -> ChildProcess {
        let process = try ChildProcess(
            name: name, executable: SystemTool.ip, arguments: host.inside([SystemTool.python3, "-c", script] + arguments),
            directory: bed.files.directory, user: .runner
        )
        bed.files.adopt(process)
        return process
    }

    /// Listens on PORT, prints `ready`, and prints the first handshake frame (message 1,
    /// with its length prefix) the first client sends, as `message1 HEX`.
    static let captureMessage1 = #"""
    import socket, sys
    server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("::", int(sys.argv[1])))
    server.listen(4)
    server.settimeout(60)
    print("ready", flush=True)
    connection, _ = server.accept()
    connection.settimeout(20)
    data = b""
    while len(data) < 2 or len(data) < 2 + int.from_bytes(data[:2], "big"):
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    length = int.from_bytes(data[:2], "big")
    print("message1", data[:2 + length].hex(), flush=True)
    """#

    /// HOST PORT HEX COUNT: opens COUNT connections at once, sends HEX on each, and
    /// measures how long each stays open (at most 15 s) and whether it got any answer.
    static let replay = #"""
    import json, selectors, socket, sys, time
    host, port, message, count = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3]), int(sys.argv[4])
    selector = selectors.DefaultSelector()
    opened, answered, refused_at_connect, closed_after = {}, set(), 0, []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect((host, port))
            s.sendall(message)
        except OSError:
            refused_at_connect += 1
            s.close()
            continue
        s.setblocking(False)
        opened[s] = time.monotonic()
        selector.register(s, selectors.EVENT_READ)
    deadline = time.monotonic() + 15
    while selector.get_map() and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.5):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                answered.add(s)
                continue
            closed_after.append(time.monotonic() - opened[s])
            selector.unregister(s)
            s.close()
    print(json.dumps({"sent": len(opened), "refused_at_connect": refused_at_connect, "closed": len(closed_after),
                      "still_open": len(selector.get_map()), "answered": len(answered),
                      "max_open_seconds": max(closed_after, default=0)}), flush=True)
    """#

    /// HOST PORT COUNT SECONDS: holds COUNT idle connections, opening a new one for each
    /// that closes, for SECONDS; prints `holding` once all are open.
    static let holdIdle = #"""
    import json, resource, selectors, socket, sys, time
    host, port, count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    resource.setrlimit(resource.RLIMIT_NOFILE, (count + 512, count + 512))
    selector = selectors.DefaultSelector()
    def open_one():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((host, port))
        selector.register(s, selectors.EVENT_READ)
    for _ in range(count):
        open_one()
    print("holding", flush=True)
    end, renewed = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        for key, _ in selector.select(timeout=0.2):
            s = key.fileobj
            try:
                if s.recv(4096):
                    continue
            except BlockingIOError:
                continue
            except OSError:
                pass
            selector.unregister(s)
            s.close()
            open_one()
            renewed += 1
    print(json.dumps({"held": len(selector.get_map()), "renewed": renewed}), flush=True)
    """#

    /// HOST PORT MODE SECONDS SOURCE: for SECONDS, connects from SOURCE again and again and
    /// sends either a framed random 96-byte message 1 (MODE `message1`) or up to 2 KiB of
    /// random bytes (MODE `junk`), then closes.
    static let flood = #"""
    import json, os, random, socket, sys, time
    host, port, mode, seconds, source = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), sys.argv[5]
    end, connections, failures = time.monotonic() + seconds, 0, 0
    while time.monotonic() < end:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.bind((source, 0))
            s.connect((host, port))
            payload = b"\x00\x60" + os.urandom(96) if mode == "message1" else os.urandom(random.randint(1, 2048))
            s.sendall(payload)
            connections += 1
        except OSError:
            failures += 1
        finally:
            s.close()
    print(json.dumps({"connections": connections, "failures": failures}), flush=True)
    """#
}

/// The JSON line an abuse script prints last.
struct AbuseReport {
    let values: [String: Double]

    init(_ output: String) throws {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw TestFailure("no report in:\n\(output)") }
        values = object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }

    subscript(_ key: String) -> Double { values[key] ?? -1 }
}
