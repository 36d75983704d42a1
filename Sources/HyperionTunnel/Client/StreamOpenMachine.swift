import HyperionMux
import HyperionWire
import NIOCore

/// The client's side of the stream-open exchange (PROTOCOL.md §6) as a pure state machine:
/// after the 2-byte port request, wait for the server's 1-byte answer, within a deadline.
/// `StreamOpener` does the I/O around it.
struct StreamOpenMachine {
    enum Mode: Equatable {
        /// v1: the stream is handed to the caller once the server connected it.
        case awaitAnswer
        /// Early data (`EarlyDataAnnouncement`): handed over as soon as it is active.
        case relayAtOnce
    }

    enum Outcome: Equatable {
        /// Nothing decided yet; keep reading.
        case readMore
        /// Hand the stream to the caller now (`.relayAtOnce`, on activation).
        case handOver
        /// The server connected the stream; what came after the answer goes on. `handOver`:
        /// the caller gets the stream now (it did not on activation).
        case connected(rest: ByteBuffer?, handOver: Bool)
        /// The stream failed before it was connected. `relayKnows`: it was handed over, so
        /// the relay behind must learn of the failure (and reset the local connection).
        case failed(TunnelError, relayKnows: Bool)
        /// Already settled: nothing to do.
        case ignored
    }

    let port: UInt16
    let mode: Mode
    let timeout: TimeAmount
    let deadline: NIODeadline
    private var received: ByteBuffer?
    private(set) var handedOver = false
    private(set) var settled = false

    /// The request left at `now`; the answer is due within `timeout`.
    init(port: UInt16, mode: Mode, now: NIODeadline, timeout: TimeAmount) {
        self.port = port
        self.mode = mode
        self.timeout = timeout
        self.deadline = now + timeout
    }

    mutating func activated() -> Outcome {
        guard !settled, mode == .relayAtOnce, !handedOver else { return .ignored }
        handedOver = true
        return .handOver
    }

    mutating func received(_ bytes: ByteBuffer) -> Outcome {
        guard !settled else { return .ignored }
        var bytes = bytes
        if received == nil { received = bytes } else { received!.writeBuffer(&bytes) }
        let answer: StreamConnectResponse
        do {
            guard let read = try StreamConnectResponse.read(from: &received!) else { return .readMore }
            answer = read
        } catch {
            return fail("the server answered the stream with an invalid byte: \(error)")
        }
        switch answer {
        case .connected:
            settled = true
            let rest = received.flatMap { $0.readableBytes > 0 ? $0 : nil }
            received = nil
            let handOver = !handedOver
            handedOver = true
            return .connected(rest: rest, handOver: handOver)
        case .denied:
            return fail(TunnelError(.streamDenied, "the server denied port \(port): it is not in the server's [egress] allow list"))
        case .unreachable:
            return fail(TunnelError(
                .streamUnreachable,
                "the server could not reach 127.0.0.1:\(port) (nothing listening, the dial timed out, or the server ran out of resources: its log says which)"
            ))
        }
    }

    mutating func inputClosed() -> Outcome {
        fail("the server ended the stream to port \(port) without answering")
    }

    mutating func closed() -> Outcome {
        fail("the stream to port \(port) closed before the server answered")
    }

    mutating func errorCaught(_ error: Error) -> Outcome {
        switch (error as? YamuxError)?.kind {
        case .some(.connectionClosed) where !handedOver:
            // Nothing of the application's can have left: the stream was never handed over.
            return fail(TunnelError(.streamLostUnanswered, "the tunnel connection ended before the server answered the stream to port \(port)"))
        case .some(.streamRefused):
            return fail("the server refused the stream to port \(port): it is at its limit of streams per connection ([limits] max_streams_per_connection) or shutting down")
        default:
            return fail("the stream to port \(port) failed before the server answered: \(error)")
        }
    }

    /// The clock reached `now`.
    mutating func timeElapsed(now: NIODeadline) -> Outcome {
        guard now >= deadline else { return .ignored }
        return fail("the server did not answer the stream to port \(port) within \(timeout.milliseconds) ms")
    }

    private mutating func fail(_ message: String) -> Outcome {
        fail(TunnelError(.streamRefused, message))
    }

    private mutating func fail(_ error: TunnelError) -> Outcome {
        guard !settled else { return .ignored }
        settled = true
        received = nil
        return .failed(error, relayKnows: handedOver)
    }
}
