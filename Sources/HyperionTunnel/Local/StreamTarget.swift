import Logging
import NIOCore

/// Where a local connection's bytes go: the one question a `LocalListener` asks for each
/// connection it accepts.
public enum StreamTarget: Sendable {
    /// Open a stream to `port` on the loopback of `pool`'s server, as a `-L` forward does.
    case server(ServerPool, port: UInt16)
    /// A stream opened and answered before the connection was even accepted: TUN mode
    /// holds the application's SYN until the server has connected the stream.
    case opened(OpenedStream)
}

/// Serves one accepted local connection: finds its stream and relays between the two.
enum LocalConnection {
    /// Every failure before the relay carries data (no target, no tunnel, refused, denied,
    /// unreachable, no answer) reaches the local application the same way, as a reset, with
    /// one line in the log saying why. Runs on `local`'s loop, once it is active.
    static func serve(_ local: Channel, target: StreamTarget?, wait: TimeAmount, logger: Logger) {
        let loop = local.eventLoop
        switch target {
        case nil:
            logResetting(local, "nothing is routed to this connection", logger)
            local.closeWithReset()
        case let .opened(opened):
            relay(local, opened, logger: logger)
        case let .server(pool, port):
            pool.openStream(port: port, preferring: loop, wait: wait)
                .hop(to: loop)
                .assumeIsolated()
                .whenComplete { result in
                    switch result {
                    case let .success(opened):
                        relay(local, opened, logger: logger)
                    case let .failure(error):
                        logResetting(local, error, logger)
                        local.closeWithReset()
                    }
                }
        }
    }

    static func relay(_ local: Channel, _ opened: OpenedStream, logger: Logger) {
        // With early data the answer comes after the relay started; a refusal then closes
        // the stream, and the relay resets the local connection. (Not logged when the user
        // went away first and the stream ended for that.)
        opened.answer.whenFailure { error in
            if local.isActive { logResetting(local, error, logger) }
        }
        // A local connection that is gone by now is noticed by the relay, which then
        // resets the stream.
        Relay.start(local, opened.channel)
    }

    static func logResetting(_ local: Channel, _ reason: Any, _ logger: Logger) {
        logger.notice("resetting local connection from \(local.remoteAddress.map { "\($0)" } ?? "?"): \(reason)")
    }
}
