import HyperionWire
import NIOCore

/// The server's side of the stream-open exchange (PROTOCOL.md §6) as a pure state machine:
/// read the 2-byte port, check the egress policy, dial, answer. `StreamAcceptor` does the
/// I/O around it.
struct StreamAcceptMachine {
    enum Outcome: Equatable {
        case readMore
        /// Dial 127.0.0.1:`port`; `rest` (bytes behind the request) goes to the hold.
        case dial(port: UInt16, rest: ByteBuffer?)
        /// Answer `answer` and stop; `rest` goes to the hold, to be dropped with the stream.
        case refuse(StreamConnectResponse, rest: ByteBuffer?)
        /// Answer 0 and start relaying with the new connection.
        case relay
        /// The stream went away during the dial: close the new connection with a reset.
        case abandonDial
        /// The client ended the stream before its request was complete.
        case close
        /// Bytes after the request, before the relay: they go to the hold.
        case passOn
        case ignored
    }

    private enum State {
        case awaitingRequest(ByteBuffer?)
        case dialing
        case done
    }

    let egress: EgressPolicy
    private var state = State.awaitingRequest(nil)
    private(set) var port: UInt16?
    private var streamIsGone = false

    init(egress: EgressPolicy) {
        self.egress = egress
    }

    mutating func received(_ bytes: ByteBuffer) -> Outcome {
        guard case .awaitingRequest(var received) = state else { return .passOn }
        var bytes = bytes
        if received == nil { received = bytes } else { received!.writeBuffer(&bytes) }
        guard let request = StreamConnectRequest.read(from: &received!) else {
            state = .awaitingRequest(received)
            return .readMore
        }
        port = request.port
        let rest = received.flatMap { $0.readableBytes > 0 ? $0 : nil }
        guard egress.allows(request.port) else {
            state = .done
            return .refuse(.denied, rest: rest)
        }
        state = .dialing
        return .dial(port: request.port, rest: rest)
    }

    mutating func inputClosed() -> Outcome {
        guard case .awaitingRequest = state else { return .passOn }
        state = .done
        return .close
    }

    mutating func streamWentAway() {
        streamIsGone = true
    }

    mutating func dialFinished(succeeded: Bool) -> Outcome {
        guard case .dialing = state else { return .ignored }
        state = .done
        if streamIsGone { return succeeded ? .abandonDial : .ignored }
        return succeeded ? .relay : .refuse(.unreachable, rest: nil)
    }
}
