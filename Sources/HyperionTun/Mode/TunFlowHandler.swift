#if os(Linux)
import HyperionNAT

/// What the packet thread asks of the rest of TUN mode: open a stream for a held SYN, and
/// drop the stream of a flow that timed out. Both must return at once (they run on the
/// packet thread); the answers come back as `TunFlowHandler.Command`s.
protocol TunFlowDelegate: Sendable {
    func flowRequested(_ request: FlowRequest)
    func flowExpired(_ handle: FlowHandle)
}

/// The packet thread's side of TUN mode: each packet goes through the NAT and back to the
/// device inline, so a flow's packets keep their order. Decisions about flows come in as
/// commands from the event loops that opened their streams.
final class TunFlowHandler: TunPacketHandler {
    enum Command: Sendable {
        /// The stream is connected: let the held SYN through.
        case admit(FlowHandle)
        /// The server denied or could not reach the port: `connect()` fails with ECONNREFUSED.
        case refuse(FlowHandle)
        /// No tunnel to the server: `connect()` fails with EHOSTUNREACH.
        case unreachable(FlowHandle)
        /// The listener accepted the flow's connection.
        case accepted(FlowHandle)
        /// The flow's relay ended.
        case closed(FlowHandle)
    }

    private var translator: TCPAddressTranslator
    private let delegate: TunFlowDelegate
    private let published: NATStatisticsBox
    /// The kernel fast path, when it could be loaded: established flows go in, and come out
    /// when their relay ends.
    private let fastPath: FastPathFlows?

    init(translator: TCPAddressTranslator, delegate: TunFlowDelegate, published: NATStatisticsBox, fastPath: FastPathFlows?) {
        self.translator = translator
        self.delegate = delegate
        self.published = published
        self.fastPath = fastPath
    }

    func handlePacket(_ packet: UnsafeMutableRawBufferPointer, header: TunOffloadHeader?, out: TunWriter) {
        let checksum: ChecksumState = header?.needsChecksum == true ? .partial : .complete
        switch translator.process(packet, checksum: checksum, now: .now) {
        case .rewritten:
            out.writeBack()
        case let .held(request):
            delegate.flowRequested(request)
        case let .reply(forged):
            out.write(forged)
        case .dropped:
            break
        }
    }

    func handleCommand(_ command: Command, out: TunWriter) {
        let now = ContinuousClock.now
        switch command {
        case let .admit(handle):
            if let syn = translator.admit(handle, now: now) { out.write(syn) } else { delegate.flowExpired(handle) }
        case let .refuse(handle):
            if let reset = translator.refuse(handle) { out.write(reset) }
        case let .unreachable(handle):
            if let icmp = translator.unreachable(handle) { out.write(icmp) }
        case let .accepted(handle):
            if translator.accepted(handle, now: now), let fastPath, let translations = translator.translations(handle) {
                fastPath.install(handle, translations)
            }
        case let .closed(handle):
            fastPath?.remove(handle)
            _ = translator.closed(handle, now: now)
        }
    }

    func tick(out: TunWriter) {
        let now = ContinuousClock.now
        for handle in translator.expire(now: now) {
            delegate.flowExpired(handle)
        }
        published.publish(translator.statistics, fastPath: fastPath?.statistics)
    }
}

@available(*, unavailable)
extension TunFlowHandler: Sendable {}
#endif
