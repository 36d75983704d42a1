import HyperionCrypto
import HyperionMux
import HyperionWire
import Logging
import NIOCore
import NIOPosix

/// The tunnel server: a TCP listener whose connections run the Noise responder, then yamux
/// (server role), then one `StreamAcceptor` per stream.
public final class TunnelServer: Sendable {
    private let serverChannel: Channel
    private let registry: ConnectionRegistry
    private let settings: TunnelServerSettings
    private let logger: Logger

    /// The bound address (useful when the configured port was 0).
    public var localAddress: SocketAddress? { serverChannel.localAddress }

    private init(serverChannel: Channel, registry: ConnectionRegistry, settings: TunnelServerSettings, logger: Logger) {
        self.serverChannel = serverChannel
        self.registry = registry
        self.settings = settings
        self.logger = logger
    }

    public static func start(settings: TunnelServerSettings, group: EventLoopGroup, logger: Logger) -> EventLoopFuture<TunnelServer> {
        NoiseCipherState.prepareTransportCipher()
        let registry = ConnectionRegistry(limit: settings.maximumConnections)
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { ListenerGuard.install(on: $0, what: "tunnel port", logger: logger) }
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .tunnelChildSocketOptions(userTimeout: settings.pingTimeout)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.setTunnelOptionsIfSupported(userTimeout: settings.pingTimeout)
                    try Self.initializeConnection(channel, settings: settings, registry: registry, logger: logger)
                }
            }
            .bind(host: settings.listenHost, port: settings.listenPort)
            .map { TunnelServer(serverChannel: $0, registry: registry, settings: settings, logger: logger) }
    }

    private static func initializeConnection(
        _ channel: Channel, settings: TunnelServerSettings, registry: ConnectionRegistry, logger baseLogger: Logger
    ) throws {
        let logger = baseLogger.with(metadata: "peer", "\(channel.remoteAddress.map { "\($0)" } ?? "?")")
        guard registry.admit(channel) else {
            logger.notice("refusing a tunnel connection: \(registry.count) connections open (limits.max_connections)")
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { _ in registry.remove(channel) }

        let handshake = channel.eventLoop.makePromise(of: HandshakeOutcome.self)
        let driver = ResponderHandshake(serverKey: settings.serverKey, presharedKey: settings.presharedKey, allowlist: settings.adminKeys)
        let handler = NoiseHandshakeHandler(driver: driver, timeout: settings.handshakeTimeout, completion: handshake, logger: logger) {
            pipeline, transportHandler, admin in
            let sessionLogger = logger.with(metadata: "admin", "\(admin.base64)")
            let multiplexer = YamuxMultiplexer(
                configuration: Self.yamuxConfiguration(settings),
                channel: channel,
                logger: sessionLogger,
                inboundStreamInitializer: { stream in
                    Self.initializeStream(stream, settings: settings, logger: sessionLogger)
                }
            )
            try pipeline.addHandler(multiplexer, position: .after(transportHandler))
            registry.attach(NIOLoopBound(multiplexer, eventLoop: channel.eventLoop), to: channel)
            // Our streams take data right behind the port request; a v1 client sees a ping.
            if settings.announcesEarlyData { multiplexer.announce(opaque: EarlyDataAnnouncement.pingOpaque) }
            try RekeyPingListener.install(on: pipeline, role: .server, policy: settings.rekeying, transport: transportHandler, multiplexer: multiplexer)
            _ = try TunnelWatchdog.install(
                on: pipeline, after: transportHandler, channel: channel, multiplexer: multiplexer,
                configuration: .init(pingInterval: settings.pingInterval, pingTimeout: settings.pingTimeout), logger: sessionLogger
            )
            sessionLogger.notice("admin connected")
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        handshake.futureResult.whenFailure { error in
            logger.debug("tunnel handshake failed: \(error)")
        }
    }

    private static func yamuxConfiguration(_ settings: TunnelServerSettings) -> YamuxConfiguration {
        var configuration = YamuxConfiguration(role: .server)
        configuration.maximumStreams = settings.maximumStreamsPerConnection
        configuration.maximumReceiveWindow = max(configuration.initialWindow, settings.maximumReceiveWindow)
        return configuration
    }

    private static func initializeStream(_ stream: Channel, settings: TunnelServerSettings, logger: Logger) -> EventLoopFuture<Void> {
        stream.eventLoop.makeCompletedFuture {
            try stream.setOptionNow(.autoRead, value: false)
            try stream.setOptionNow(.allowRemoteHalfClosure, value: true)
            let id = try? stream.syncOptions?.getOption(YamuxChannelOptions.streamID)
            try stream.pipeline.syncOperations.addHandlers(
                StreamAcceptor(egress: settings.egress, dialTimeout: settings.dialTimeout, streamID: id, logger: logger),
                InputHold()
            )
        }
    }

    /// Stops accepting, sends go away on every connection, lets open streams finish for at
    /// most `drainTimeout`, then closes what is left. When `cutShort` succeeds first (a
    /// second SIGINT or SIGTERM), what is left is closed at once.
    public func shutdown(endingDrainOn cutShort: EventLoopFuture<Void>? = nil) -> EventLoopFuture<Void> {
        let loop = serverChannel.eventLoop
        let closeListener = serverChannel.close()
        let connections = registry.stopAccepting()
        logger.notice("shutting down: draining \(connections.count) tunnel connection(s) for at most \(settings.drainTimeout.milliseconds) ms")
        for connection in connections {
            let channel = connection.channel
            guard let multiplexer = connection.multiplexer else {
                channel.close(promise: nil)
                continue
            }
            channel.eventLoop.execute {
                multiplexer.value.goAway(code: .normal)
                channel.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(50)) { task in
                    if multiplexer.value.openStreamCount == 0 {
                        task.cancel()
                        channel.close(promise: nil)
                    }
                }
            }
        }
        let drained = EventLoopFuture.andAllComplete(connections.map(\.channel.closeFuture), on: loop)
        let logger = self.logger
        let closeRemaining: @Sendable (String) -> Void = { why in
            let open = connections.filter(\.channel.isActive)
            guard !open.isEmpty else { return }
            logger.notice("\(why): closing \(open.count) tunnel connection(s) with streams still open")
            for connection in open { connection.channel.close(promise: nil) }
        }
        let deadline = loop.scheduleTask(in: settings.drainTimeout) {
            closeRemaining("drain timeout (\(self.settings.drainTimeout.milliseconds) ms) reached")
        }
        cutShort?.whenSuccess {
            deadline.cancel()
            closeRemaining("drain ended early")
        }
        return closeListener.flatMapError { _ in loop.makeSucceededVoidFuture() }
            .flatMap { drained }
            .always { _ in deadline.cancel() }
    }

    /// Completes when the listener closes.
    public var closeFuture: EventLoopFuture<Void> { serverChannel.closeFuture }
}
