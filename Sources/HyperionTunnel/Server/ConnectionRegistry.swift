import HyperionMux
import NIOConcurrencyHelpers
import NIOCore

/// The server's live tunnel connections, so that shutdown can reach every multiplexer to
/// send go away. Limits are `AdmissionGate`'s.
final class ConnectionRegistry: Sendable {
    struct Entry: Sendable {
        let channel: Channel
        var multiplexer: NIOLoopBound<YamuxMultiplexer>?
    }

    private let entries = NIOLockedValueBox<[ObjectIdentifier: Entry]>([:])
    private let accepting = NIOLockedValueBox(true)

    /// Records a new connection, or returns false when shutting down.
    func admit(_ channel: Channel) -> Bool {
        guard accepting.withLockedValue({ $0 }) else { return false }
        entries.withLockedValue { $0[ObjectIdentifier(channel)] = Entry(channel: channel) }
        return true
    }

    func attach(_ multiplexer: NIOLoopBound<YamuxMultiplexer>, to channel: Channel) {
        entries.withLockedValue { $0[ObjectIdentifier(channel)]?.multiplexer = multiplexer }
    }

    func remove(_ channel: Channel) {
        _ = entries.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Refuses new connections from now on and returns those still open.
    func stopAccepting() -> [Entry] {
        accepting.withLockedValue { $0 = false }
        return entries.withLockedValue { Array($0.values) }
    }

    var count: Int { entries.withLockedValue { $0.count } }
}
