import ArgumentParser
import HyperionCommandLine
import HyperionConfig
import HyperionCrypto
import HyperionSPA
import HyperionWire
import HyperionTunnel
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// `hyperion-server run`: load the config, resolve the secrets, start the listener, and
/// serve until SIGINT or SIGTERM, then drain and exit 0. A second signal ends the drain.
/// The drain ending early or not, the exit is 0: the shutdown was asked for.
enum RunServer {
    static func run(configPath: String?, logLevel: String?) throws {
        let logger = try LogSetup.bootstrap(label: "hyperion-server", option: logLevel, environment: currentEnvironment())
        let path = try configPath ?? CommandFailure.wrapping { try HyperionPaths.current().serverConfig }
        let config = try CommandFailure.wrapping { try ServerConfig.load(path: path) }
        for warning in config.warnings { logger.warning("\(warning)") }
        OpenFilesLimit.raise(logger: logger)

        let presharedKey = try CommandFailure.wrapping { try KeySourceResolver().resolveKey(for: config) }
        let serverKey = try CommandFailure.wrapping { try config.readServerKey() }

        var settings = TunnelServerSettings(
            listenHost: config.listen.ip.description, listenPort: Int(config.listen.port), serverKey: serverKey,
            presharedKey: presharedKey, adminKeys: config.identity.adminPublicKeys,
            egress: EgressPolicy(allowedPorts: config.egress.allowedPorts)
        )
        settings.handshakeTimeout = TimeAmount(config.limits.handshakeTimeout)
        settings.dialTimeout = TimeAmount(config.limits.dialTimeout)
        settings.drainTimeout = TimeAmount(config.limits.drainTimeout)
        settings.maximumConnections = config.limits.maxConnections
        settings.maximumStreamsPerConnection = config.limits.maxStreamsPerConnection
        settings.maximumReceiveWindow = UInt32(clamping: config.limits.maxReceiveWindowBytes)

        // The gate comes first: with knock enabled the tunnel port is useless without it,
        // and its readiness check (capabilities, nft, table and sets) should fail fast.
        let gate = try config.knock.isEnabled ? startGate(config, presharedKey: presharedKey, serverKey: serverKey, logger: logger) : nil

        let signals = TerminationSignals()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let server: TunnelServer
        do {
            server = try TunnelServer.start(settings: settings, group: group, logger: logger).wait()
        } catch {
            gate?.stop()
            try? group.syncShutdownGracefully()
            throw CommandFailure(BindFailure.message(
                address: "\(config.listen)", purpose: "the tunnel (listen in \(config.path))", program: "hyperion-server",
                code: (error as? IOError)?.errnoCode, detail: "\(error)"
            ))
        }
        // The packet socket, the listener and nft's first answers are ours: give up the rest.
        do {
            try ServerHardening.apply(config: config, presharedKey: presharedKey, serverKey: serverKey, logger: logger)
        } catch {
            gate?.stop()
            try? server.shutdown(endingDrainOn: group.next().makeSucceededFuture(())).wait()
            try? group.syncShutdownGracefully()
            throw error
        }
        logger.notice("listening", metadata: [
            "address": "\(server.localAddress.map { "\($0)" } ?? "\(config.listen)")",
            "admins": "\(config.identity.adminPublicKeys.count)",
            "egress": "\(config.egress.allowedPorts.map(String.init).joined(separator: ","))",
        ])
        let bound = SocketAddress(ip: config.listen.ip, port: server.localAddress?.port.map { UInt16($0) } ?? config.listen.port)
        SystemdNotify.ready(status: "listening on \(bound)")

        let signalNumber = signals.wait()
        logger.notice("received \(TerminationSignals.name(signalNumber))")
        SystemdNotify.stopping()
        gate?.stop()
        let cutShort = group.next().makePromise(of: Void.self)
        let cut = DrainCut(cut: { cutShort.succeed(()) }, finished: { cutShort.fail(DrainOver()) })
        signals.onSecondSignal { second in
            if cut.cut() { logger.notice("received \(TerminationSignals.name(second)) again: ending the drain now") }
        }
        try? server.shutdown(endingDrainOn: cutShort.futureResult).wait()
        cut.finish()
        try? group.syncShutdownGracefully()
        logger.notice("stopped")
    }

    /// Starts the knock sniffer and the nftables gate of `[knock]` and `[firewall]`.
    private static func startGate(_ config: ServerConfig, presharedKey: PresharedKey, serverKey: X25519SecretKey, logger: Logger) throws -> SPAGate {
        var settings = SPASettings(
            knockPort: config.knock.port, tunnelPort: config.listen.port,
            knockKey: KnockKey(presharedKey: presharedKey), serverPublicKey: serverKey.publicKey
        )
        settings.windowSeconds = UInt64(config.knock.window.components.seconds)
        settings.cooldownSeconds = UInt64(config.knock.cooldown.components.seconds)
        settings.table = config.firewall.table
        settings.set = config.firewall.ipv4Set
        settings.set6 = config.firewall.ipv6Set
        settings.elementTimeoutSeconds = UInt64(config.firewall.elementTimeout.components.seconds)
        do {
            let gate = try SPAGate.start(settings: settings, logger: logger)
            logger.notice("knock gate open", metadata: [
                "knock_port": "\(settings.knockPort)", "table": "\(settings.table)", "ttl_secs": "\(settings.elementTimeoutSeconds)",
            ])
            return gate
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}
