import Foundation
import Testing
@testable import HyperionTestSupport

/// The faults a path can suffer, made with the kernel's own tools on the test network of
/// `SPATestbed` (server and admin hosts in namespaces, joined by a bridge): a silent
/// blackhole and random loss with nftables in the server's namespace, a new address on
/// the admin host, tunnel connections destroyed with `ss -K`.
extension SPATestbed {
    /// The nftables table the faults live in, in the server's namespace.
    static let faultTable = "hyperion_fault"

    /// Drops every packet to and from the tunnel port, both ways, without a reset: the
    /// path goes silent, as when a middlebox or a link dies.
    func startBlackhole() async throws {
        try await applyFault("drop")
    }

    /// Drops `percent` % of the tunnel port's packets, each way, at random.
    func startLoss(percent: Int) async throws {
        try await disableOffloads()
        try await applyFault("numgen random mod 100 < \(percent) drop")
    }

    /// Packets the fault has dropped so far, both ways: proof that it was in the path.
    func droppedPackets() async throws -> Int {
        let listing = try await server.check(["nft", "list", "table", "inet", Self.faultTable])
        return listing.split(separator: "\n").compactMap { line -> Int? in
            guard let range = line.range(of: "packets ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }.reduce(0, +)
    }

    func endFault() async throws {
        try await server.check(["nft", "delete", "table", "inet", Self.faultTable])
    }

    private func applyFault(_ verdict: String) async throws {
        let rules = """
            table inet \(Self.faultTable) {
                chain input {
                    type filter hook input priority -10;
                    tcp dport \(Self.tunnelPort) counter \(verdict)
                }
                chain output {
                    type filter hook output priority -10;
                    tcp sport \(Self.tunnelPort) counter \(verdict)
                }
            }
            """
        let file = try files.write("fault-\(UUID().uuidString.prefix(8)).nft", rules)
        try await server.check(["nft", "-f", file])
    }

    /// Segmentation and receive offloads off on both hosts' interfaces, so that a dropped
    /// packet is one packet on the wire and not a 64 KiB super-packet.
    private func disableOffloads() async throws {
        guard let ethtool = SystemTool.path("ethtool") else { throw TestFailure("ethtool is missing (scripts/install-deps test installs it)") }
        for host in [server, admin] {
            try await host.check([ethtool, "-K", "eth0", "gso", "off", "tso", "off", "gro", "off"])
        }
    }

    /// Moves the admin host to `newAddress` (same /24): the old address goes away under the
    /// client's open tunnel connections. (Removed first: deleting a primary address takes
    /// its secondaries with it.)
    func moveAdmin(to newAddress: String) async throws {
        try await admin.check(["ip", "addr", "del", "\(admin.v4)/24", "dev", "eth0"])
        try await admin.check(["ip", "addr", "add", "\(newAddress)/24", "dev", "eth0"])
    }

    /// Sends `megabytes` through the forward at about 10 MB/s while reading the echo, and
    /// says how the connection ended: "complete", or the error that ended it.
    func slowUpload(megabytes: Int) async throws -> String {
        let script = """
            import socket, sys, threading, time
            s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=20)
            chunk, total, received, ended = b'x' * 65536, int(sys.argv[2]) << 20, [0], []
            def read():
                try:
                    while True:
                        data = s.recv(65536)
                        if not data:
                            ended.append('EOF')
                            return
                        received[0] += len(data)
                except Exception as error:
                    ended.append(type(error).__name__)
            reader = threading.Thread(target=read)
            reader.start()
            try:
                sent = 0
                while sent < total:
                    s.sendall(chunk)
                    sent += len(chunk)
                    time.sleep(0.006)
                s.shutdown(socket.SHUT_WR)
            except Exception as error:
                ended.append(type(error).__name__)
            reader.join()
            complete = received[0] == total and ended and ended[0] == 'EOF'
            print('complete' if complete else f'ended by {ended} after {received[0]} of {total} bytes echoed')
            """
        let result = try await admin.python(script, ["\(Self.forwardPort)", "\(megabytes)"], timeout: .seconds(60))
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Destroys the client's tunnel connections on the admin host (each end gets a reset).
    func killTunnelConnections() async throws {
        try await admin.check(["ss", "-K", "-t", "state", "established", "( dport = :\(Self.tunnelPort) )"])
    }

    /// Runs an exchange through the forward and reports how long it took, byte-exact or
    /// not (a failure is an outcome here, not an error).
    /// With `after`, the exchange starts that long from now (and is timed from then).
    func timedExchange(_ payload: [UInt8], timeout: Int = 30, after delay: Duration = .zero) async -> (ok: Bool, seconds: Double, detail: String) {
        try? await Task.sleep(for: delay)
        let start = ContinuousClock.now
        do {
            let reply = try await ForwardExchange.exchange(on: admin, port: Self.forwardPort, payload: payload, directory: files.directory, timeout: timeout)
            let elapsed = (ContinuousClock.now - start).seconds
            return (reply == payload, elapsed, reply == payload ? "" : "reply of \(reply.count) bytes differs from the \(payload.count) sent")
        } catch {
            return (false, (ContinuousClock.now - start).seconds, "\(error)")
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
