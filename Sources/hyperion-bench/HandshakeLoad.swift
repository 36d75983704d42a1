// `hyperion-bench handshakes`: complete tunnel handshakes against a running server, a new
// TCP connection each, from `concurrency` threads at once. The driver reads the server's
// CPU time around it; this tool reports the count, the wall time and the rate.
//
// "Complete" means the whole life of a tunnel connection that did nothing: connect,
// message 1, message 2, then the server's first transport frame — the yamux ping it sends
// as soon as its session is up — must decrypt and be a ping, and is answered; then we
// half-close and wait for the server to close its side, so its teardown is inside the
// measurement too.
import Foundation
import Synchronization

/// Each thread's samples and first failure; the threads only append.
private final class HandshakeTally: Sendable {
    let samples = Mutex<[Double]>([])
    let failures = Mutex<[String]>([])
}

func runHandshakes(port: UInt16, keys: TunnelKeys, count: Int, concurrency: Int) throws {
    let tally = HandshakeTally()
    let group = DispatchGroup()
    let start = nowMilliseconds()
    for worker in 0..<concurrency {
        let share = count / concurrency + (worker < count % concurrency ? 1 : 0)
        group.enter()
        Thread.detachNewThread {
            defer { group.leave() }
            var samples = [Double]()
            samples.reserveCapacity(share)
            do {
                for _ in 0..<share {
                    let began = nowMicroseconds()
                    try completeHandshake(port: port, keys: keys)
                    samples.append(nowMicroseconds() - began)
                }
            } catch {
                tally.failures.withLock { $0.append("\(error)") }
            }
            tally.samples.withLock { $0 += samples }
        }
    }
    group.wait()
    let seconds = (nowMilliseconds() - start) / 1000
    if let failure = tally.failures.withLock({ $0.first }) {
        throw BenchFailure("a handshake failed: \(failure)")
    }
    let samples = tally.samples.withLock { $0 }.sorted()
    precondition(samples.count == count)
    let p50 = samples[samples.count / 2], p99 = samples[min(samples.count - 1, samples.count * 99 / 100)]
    print("handshakes=\(count) concurrency=\(concurrency) seconds=\(format3(seconds))"
        + " per_second=\(format3(Double(count) / seconds)) p50_us=\(format3(p50)) p99_us=\(format3(p99))")
}

private func completeHandshake(port: UInt16, keys: TunnelKeys) throws {
    let tunnel = try MinimalTunnel.connect(port: port, keys: keys)
    let first = try tunnel.nextFrame()
    guard try tunnel.answerIfPing(first) else {
        throw BenchFailure("the server's first transport frame was \(first.header), not a ping")
    }
    try tunnel.closeAndDrain()
}
