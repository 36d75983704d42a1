import Foundation
import Synchronization

/// A user of a forwarded port on the admin host: connects to 127.0.0.1:PORT there, sends
/// a payload while reading the reply, half-closes, and collects the reply until EOF.
/// Sending and reading run at once, or a large payload deadlocks against the echo.
enum ForwardExchange {
    /// argv: port, payload file, reply file, per-operation timeout in seconds.
    private static let script = """
        import socket, sys, threading
        port, source, target, timeout = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
        payload = open(source, 'rb').read()
        s = socket.create_connection(('127.0.0.1', port), timeout=timeout)
        def send():
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
        sender = threading.Thread(target=send)
        sender.start()
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
        sender.join()
        open(target, 'wb').write(b''.join(chunks))
        """

    private static let counter = Counter()

    /// The bytes that came back; throws with the helper's output if the exchange failed.
    static func exchange(on host: NetworkHost, port: Int, payload: [UInt8], directory: String, timeout: Int = 20) async throws -> [UInt8] {
        let name = "\(directory)/exchange-\(counter.next())"
        try Data(payload).write(to: URL(fileURLWithPath: name + ".out"))
        defer {
            try? FileManager.default.removeItem(atPath: name + ".out")
            try? FileManager.default.removeItem(atPath: name + ".in")
        }
        let result = try await host.python(script, ["\(port)", name + ".out", name + ".in", "\(timeout)"], timeout: .seconds(Int64(timeout) + 10))
        guard result.status == 0 else {
            throw TestFailure("the exchange through 127.0.0.1:\(port) on \(host) failed:\n\(result.output)")
        }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: name + ".in")))
    }
}

/// Unique numbers for file names within one test run.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
