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
    private let context: ServerContext
    private let settings: TunnelServerSettings
    private let logger: Logger

    /// The bound address (useful when the configured port was 0).
    public var localAddress: SocketAddress? { serverChannel.localAddress }

    /// What every connection of the server shares.
    private struct ServerContext: Sendable {
        let registry = ConnectionRegistry()
        let gate: AdmissionGate
        let replays = ReplayGuard()
    }

    private init(serverChannel: Channel, context: ServerContext, settings: TunnelServerSettings, logger: Logger) {
        self.serverChannel = serverChannel
        self.context = context
        self.settings = settings
        self.logger = logger
    }

    public static func start(settings: TunnelServerSettings, group: EventLoopGroup, logger: Logger) -> EventLoopFuture<TunnelServer> {
        NoiseCipherState.prepareTransportCipher()
        let context = ServerContext(gate: AdmissionGate(limits: settings.admission))
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { ListenerGuard.install(on: $0, what: "tunnel port", logger: logger) }
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .tunnelChildSocketOptions(userTimeout: settings.pingTimeout)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.setTunnelOptionsIfSupported(userTimeout: settings.pingTimeout)
                    try Self.initializeConnection(channel, settings: settings, context: context, logger: logger)
                }
            }
            .bind(host: settings.listenHost, port: settings.listenPort)
            .map { channel in
                context.gate.startSummaries(on: channel.eventLoop, logger: logger)
                return TunnelServer(serverChannel: channel, context: context, settings: settings, logger: logger)
            }
    }

    /// Admits the connection (`AdmissionGate`), runs the handshake, and makes the client an
    /// admin only when its first transport frame decrypts, within the handshake timeout from
    /// the accept. A v1 client sends one at the latest to answer the ping that follows
    /// message 2. Until then it is no admin: message 1 can be replayed by anyone.
    private static func initializeConnection(
        _ channel: Channel, settings: TunnelServerSettings, context: ServerContext, logger baseLogger: Logger
    ) throws {
        guard let ticket = context.gate.admit(from: channel.remoteAddress) else {
            channel.close(promise: nil)
            return
        }
        let logger = baseLogger.with(metadata: "peer", "\(channel.remoteAddress.map { "\($0)" } ?? "?")")
        let registry = context.registry
        let proof = NIOLoopBound(ConnectionProof(ticket: ticket, gate: context.gate), eventLoop: channel.eventLoop)
        let deadline = channel.eventLoop.scheduleTask(in: settings.handshakeTimeout) {
            proof.value.refuse(.unproven)
            channel.close(promise: nil)
        }
        channel.closeFuture.whenComplete { _ in
            deadline.cancel()
            registry.remove(channel)
            proof.value.closed()
        }
        guard registry.admit(channel) else {
            proof.value.refuse(.shuttingDown)
            channel.close(promise: nil)
            return
        }

        let handshake = channel.eventLoop.makePromise(of: HandshakeOutcome.self)
        let driver = ResponderHandshake(
            serverKey: settings.serverKey, presharedKey: settings.presharedKey, allowlist: settings.adminKeys, replays: context.replays
        )
        let handler = NoiseHandshakeHandler(
            driver: driver, timeout: nil, completion: handshake, logger: logger, refused: { proof.value.refuse($0) }
        ) { pipeline, transportHandler, admin in
            let sessionLogger = logger.with(metadata: "admin", "\(admin.base64)")
            let streams = StreamCount()
            let multiplexer = YamuxMultiplexer(
                configuration: Self.yamuxConfiguration(settings),
                channel: channel,
                logger: sessionLogger,
                inboundStreamInitializer: { stream in
                    streams.opened()
                    stream.closeFuture.whenComplete { _ in streams.closed() }
                    return Self.initializeStream(stream, settings: settings, logger: sessionLogger)
                }
            )
            try pipeline.addHandler(multiplexer, position: .after(transportHandler))
            registry.attach(NIOLoopBound(multiplexer, eventLoop: channel.eventLoop), to: channel)
            // Our streams take data right behind the port request; a v1 client sees a ping.
            // Either ping asks the client for the frame that proves it.
            if settings.announcesEarlyData {
                multiplexer.announce(opaque: EarlyDataAnnouncement.pingOpaque)
            } else {
                multiplexer.ping(promise: channel.eventLoop.makePromise())
            }
            try RekeyPingListener.install(on: pipeline, role: .server, policy: settings.rekeying, transport: transportHandler, multiplexer: multiplexer)
            let watchdog = try TunnelWatchdog.install(
                on: pipeline, after: transportHandler, channel: channel, multiplexer: multiplexer,
                configuration: .init(pingInterval: settings.pingInterval, pingTimeout: settings.pingTimeout), logger: sessionLogger
            )
            let session = ConnectionRegistry.Session(admin: admin.base64, meter: watchdog.health.meter, streams: streams)
            transportHandler.firstFrameOpened = {
                deadline.cancel()
                if proof.value.prove() {
                    // Only now an admin's, in status as in the log.
                    registry.attach(session, to: channel)
                    sessionLogger.notice("admin connected")
                } else {
                    channel.close(promise: nil)
                }
            }
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
        let connections = context.registry.stopAccepting()
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
        let gate = context.gate
        return closeListener.flatMapError { _ in loop.makeSucceededVoidFuture() }
            .flatMap { drained }
            .always { _ in
                deadline.cancel()
                gate.stopSummaries(logger: logger)
            }
    }

    /// The admins' live connections, for status.
    public func connections() -> [AdminConnectionStatus] { context.registry.snapshot() }

    /// Completes when the listener closes.
    public var closeFuture: EventLoopFuture<Void> { serverChannel.closeFuture }
}
