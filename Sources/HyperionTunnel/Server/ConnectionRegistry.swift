import HyperionMux
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// The server's live tunnel connections, so that shutdown can reach every multiplexer to
/// send go away. Limits are `AdmissionGate`'s.
final class ConnectionRegistry: Sendable {
    struct Entry: Sendable {
        let channel: Channel
        var multiplexer: NIOLoopBound<YamuxMultiplexer>?
        /// Set once the client proved itself (its first transport frame), for status.
        var session: Session?
    }

    struct Session: Sendable {
        let admin: String
        let meter: TunnelMeter
        /// Streams open on the connection, counted by its stream initializer.
        let streams: StreamCount
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

    func attach(_ session: Session, to channel: Channel) {
        entries.withLockedValue { $0[ObjectIdentifier(channel)]?.session = session }
    }

    /// The admins' connections, oldest first.
    func snapshot(now: NIODeadline = .now()) -> [AdminConnectionStatus] {
        entries.withLockedValue { Array($0.values) }.compactMap { entry -> (NIODeadline, AdminConnectionStatus)? in
            guard let session = entry.session else { return nil }
            let since = session.meter.establishedAt
            return (since, AdminConnectionStatus(
                admin: session.admin, address: entry.channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?",
                connectedSeconds: Double((now - since).nanoseconds) / 1e9, openStreams: session.streams.value,
                bytesIn: session.meter.bytesIn, bytesOut: session.meter.bytesOut
            ))
        }.sorted { $0.0 < $1.0 }.map(\.1)
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

/// Streams open on one connection, from any thread.
final class StreamCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func opened() { count.add(1, ordering: .relaxed) }
    func closed() { count.subtract(1, ordering: .relaxed) }
}
