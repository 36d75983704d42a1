import HyperionMux
import HyperionWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Makes one tunnel connection: knock (when configured), TCP connect, Noise handshake as
/// initiator, then yamux in client role with a keepalive.
public enum TunnelConnector {
    public static func connect(
        to endpoint: TunnelEndpoint, settings: TunnelClientSettings, on loop: EventLoop, logger: Logger
    ) -> EventLoopFuture<TunnelSession> {
        guard let knocker = settings.knocker else {
            return attempt(endpoint, at: nil, settings: settings, loop: loop, logger: logger, connectTimeout: settings.connectTimeout)
        }
        // Knock and connect go to the same resolved address (see `resolveForKnock`). The
        // firewall rule appears a moment after the knock lands, so try the connect a few
        // times with short timeouts rather than once with a long one.
        return endpoint.resolveForKnock(on: loop).flatMap { address in
            knocker.knock(endpoint, at: address, on: loop).flatMap {
                attemptAfterKnock(endpoint, at: address, settings: settings, loop: loop, logger: logger, remaining: settings.connectAttemptsAfterKnock)
            }
        }
    }

    private static func attemptAfterKnock(
        _ endpoint: TunnelEndpoint, at address: SocketAddress, settings: TunnelClientSettings, loop: EventLoop, logger: Logger, remaining: Int
    ) -> EventLoopFuture<TunnelSession> {
        attempt(endpoint, at: address, settings: settings, loop: loop, logger: logger, connectTimeout: settings.connectRetryDelayAfterKnock)
            .flatMapError { error in
                guard let tunnelError = error as? TunnelError,
                      [.connectTimedOut, .connectRefused].contains(tunnelError.kind)
                else { return loop.makeFailedFuture(error) }
                guard remaining > 1 else {
                    return loop.makeFailedFuture(TunnelError(
                        .portClosedAfterKnock,
                        "knock sent, port still closed: \(endpoint.address) did not accept a TCP connection after \(settings.connectAttemptsAfterKnock) tries (wrong PSK or server key for the knock, clock skew, or the server's sniffer is not running)"
                    ))
                }
                // A refused connect returns at once; pace the retries anyway.
                let pause: TimeAmount = tunnelError.kind == .connectRefused ? settings.connectRetryDelayAfterKnock : .zero
                return loop.flatScheduleTask(in: pause) {
                    attemptAfterKnock(endpoint, at: address, settings: settings, loop: loop, logger: logger, remaining: remaining - 1)
                }.futureResult
            }
    }

    /// One TCP connect and handshake: to `address` when given, else to the endpoint's host
    /// name (all its addresses, Happy Eyeballs).
    private static func attempt(
        _ endpoint: TunnelEndpoint, at address: SocketAddress?, settings: TunnelClientSettings, loop: EventLoop, logger: Logger,
        connectTimeout: TimeAmount
    ) -> EventLoopFuture<TunnelSession> {
        var logger = logger
        logger[metadataKey: "server"] = "\(endpoint.name)"
        let handshake = loop.makePromise(of: HandshakeOutcome.self)
        let multiplexerBox = MultiplexerHandOff()
        let features = ServerFeatures()
        let started = NIODeadline.now()
        let sessionLogger = logger
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .tunnelSocketOptions(mark: settings.mark, userTimeout: settings.pingTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.setTunnelOptionsIfSupported(userTimeout: settings.pingTimeout)
                    let driver = InitiatorHandshake(adminKey: settings.adminKey, serverKey: endpoint.serverKey, presharedKey: endpoint.presharedKey)
                    let handler = NoiseHandshakeHandler(driver: driver, timeout: settings.handshakeTimeout, completion: handshake, logger: sessionLogger) {
                        pipeline, transportHandler, _ in
                        var configuration = YamuxConfiguration(role: .client)
                        configuration.maximumReceiveWindow = max(configuration.initialWindow, settings.maximumReceiveWindow)
                        configuration.maximumStreams = settings.maximumStreamsPerConnection
                        let multiplexer = YamuxMultiplexer(configuration: configuration, channel: channel, logger: sessionLogger, inboundStreamInitializer: nil)
                        try pipeline.addHandler(multiplexer, position: .after(transportHandler))
                        try pipeline.addHandler(ServerFeatureListener(features: features), position: .after(multiplexer))
                        try RekeyPingListener.install(
                            on: pipeline, role: .client, policy: settings.rekeying, transport: transportHandler, multiplexer: multiplexer
                        )
                        let watchdog = try TunnelWatchdog.install(
                            on: pipeline, after: transportHandler, channel: channel, multiplexer: multiplexer,
                            configuration: settings.livenessConfiguration, logger: sessionLogger
                        )
                        multiplexerBox.set(SessionParts(
                            multiplexer: NIOLoopBound(multiplexer, eventLoop: channel.eventLoop),
                            watchdog: NIOLoopBound(watchdog, eventLoop: channel.eventLoop),
                            health: watchdog.health
                        ))
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let connected = (address.map { bootstrap.connect(to: $0) } ?? bootstrap.connect(host: endpoint.host, port: endpoint.port))
            .flatMapErrorThrowing { error in
                handshake.fail(error)
                throw ConnectErrorDescription.tunnelError(error, address: endpoint.address, timeout: connectTimeout)
            }
        return connected.flatMap { channel in
            let connectDuration = NIODeadline.now() - started
            return handshake.futureResult.flatMapThrowing { outcome in
                guard let parts = multiplexerBox.value else {
                    throw TunnelError(.handshakeFailed, "the session was not set up after the handshake")
                }
                return TunnelSession(
                    channel: channel, multiplexer: parts.multiplexer, watchdog: parts.watchdog, health: parts.health, features: features,
                    connectDuration: connectDuration, handshakeDuration: outcome.duration
                )
            }.flatMapErrorThrowing { error in
                channel.close(promise: nil)
                throw error
            }
        }
    }
}

/// What the pipeline set-up makes for the session, bound to the connection's loop.
private struct SessionParts: Sendable {
    let multiplexer: NIOLoopBound<YamuxMultiplexer>
    let watchdog: NIOLoopBound<TunnelWatchdog>
    let health: TunnelHealth
}

/// Carries the session's parts from the pipeline set-up to the code awaiting the handshake.
private final class MultiplexerHandOff: Sendable {
    private let box = NIOLockedValueBox<SessionParts?>(nil)
    func set(_ value: SessionParts) { box.withLockedValue { $0 = value } }
    var value: SessionParts? { box.withLockedValue { $0 } }
}

extension TunnelClientSettings {
    var livenessConfiguration: TunnelLiveness.Configuration {
        var configuration = TunnelLiveness.Configuration(pingInterval: pingInterval, pingTimeout: pingTimeout)
        configuration.freshnessFloor = earlyDataFreshness
        return configuration
    }
}
