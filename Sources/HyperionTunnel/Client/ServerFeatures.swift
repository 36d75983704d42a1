import HyperionMux
import HyperionWire
import NIOCore
import Synchronization

/// What one tunnel connection's server has told us it can do beyond v1: so far, whether it
/// accepts data right behind a stream's port request (`EarlyDataAnnouncement`).
/// A v1 server tells nothing, and is treated as v1.
public final class ServerFeatures: Sendable {
    private let earlyData = Atomic<Bool>(false)

    public init() {}

    public var acceptsEarlyData: Bool { earlyData.load(ordering: .relaxed) }

    func serverAnnouncedEarlyData() { earlyData.store(true, ordering: .relaxed) }
}

/// Sits after the client's multiplexer and notes the server's announcements in a
/// `ServerFeatures`.
final class ServerFeatureListener: ChannelInboundHandler {
    typealias InboundIn = Never

    private let features: ServerFeatures

    init(features: ServerFeatures) {
        self.features = features
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.pingReceived(EarlyDataAnnouncement.pingOpaque)) = event as? YamuxSessionEvent {
            features.serverAnnouncedEarlyData()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

@available(*, unavailable)
extension ServerFeatureListener: Sendable {}
