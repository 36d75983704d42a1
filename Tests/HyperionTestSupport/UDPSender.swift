import Foundation

/// UDP datagrams sent from inside a test host: forged knocks and junk.
enum UDPSender {
    /// argv: host, port, then one hex string per datagram.
    private static let sendScript = """
        import socket, sys
        host, port = sys.argv[1], int(sys.argv[2])
        s = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET, socket.SOCK_DGRAM)
        for datagram in sys.argv[3:]:
            s.sendto(bytes.fromhex(datagram), (host, port))
        """

    /// argv: host, port, count. A tenth of the junk is 44 bytes starting with the magic,
    /// so it gets past the cheap checks and costs the gate a ChaCha20-Poly1305 open; the
    /// rest has every length up to 199. Prints how long the sending took.
    private static let floodScript = """
        import os, socket, sys, time
        host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        s = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET, socket.SOCK_DGRAM)
        start = time.monotonic()
        for i in range(count):
            payload = b'HVPK' + os.urandom(40) if i % 10 == 0 else os.urandom(i % 200)
            s.sendto(payload, (host, port))
        print('sent', count, 'in', round(time.monotonic() - start, 3), 's')
        """

    static func send(_ datagrams: [[UInt8]], from source: NetworkHost, to address: String, port: Int) async throws {
        let result = try await source.python(sendScript, [address, "\(port)"] + datagrams.map(\.hex))
        guard result.status == 0 else { throw TestFailure("sending datagrams from \(source) failed:\n\(result.output)") }
    }

    /// Sends `count` junk datagrams; returns the sender's note on how long it took.
    static func flood(count: Int, from source: NetworkHost, to address: String, port: Int) async throws -> String {
        let result = try await source.python(floodScript, [address, "\(port)", "\(count)"], timeout: .seconds(60))
        guard result.status == 0 else { throw TestFailure("the flood from \(source) failed:\n\(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
