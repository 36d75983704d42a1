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
    /// What `up --foreground` adds to `run`: the control socket and pid file in `files`, the
    /// passphrase `up` handed over, and the descriptor to report the start on.
    struct Daemon {
        let files: DaemonFiles
        let passphrase: String?
        let readyDescriptor: Int32?
    }

    static func run(configPath: String?, logLevel: String?, daemon: Daemon? = nil) throws {
        let started: Started
        do {
            started = try start(configPath: configPath, logLevel: logLevel, daemon: daemon)
        } catch {
            if let ready = daemon?.readyDescriptor { DaemonReadiness.failed(ready, message: "\(error)") }
            throw error
        }
        if let ready = daemon?.readyDescriptor { DaemonReadiness.ready(ready, summary: started.summary) }
        serve(started)
    }

    /// A server that is up: listening, its gate open, and for a daemon its control socket.
    struct Started {
        let server: TunnelServer
        let gate: SPAGate?
        let control: ControlServer?
        let files: DaemonFiles?
        let group: MultiThreadedEventLoopGroup
        let signals: TerminationSignals
        let logger: Logger
        let summary: String
    }

    static func start(configPath: String?, logLevel: String?, daemon: Daemon?) throws -> Started {
        let logger = try LogSetup.bootstrap(label: "hyperion-server", option: logLevel, environment: currentEnvironment())
        let path = try configPath ?? CommandFailure.wrapping { try HyperionPaths.current().serverConfig }
        let config = try CommandFailure.wrapping { try ServerConfig.load(path: path) }
        for warning in config.warnings { logger.warning("\(warning)") }
        OpenFilesLimit.raise(logger: logger)

        let resolver = daemon.map {
            DaemonSecret.resolver(handing: $0.passphrase, passphraseVariables: DaemonSecret.passphraseVariables([config.key]))
        } ?? KeySourceResolver()
        let presharedKey = try CommandFailure.wrapping { try resolver.resolveKey(for: config) }
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
        settings.admission.maximumUnauthenticated = config.limits.maxUnauthenticated
        settings.admission.maximumUnauthenticatedPerSource = config.limits.maxUnauthenticatedPerSource
        settings.admission.handshakesPerSecond = config.limits.handshakesPerSecond
        settings.admission.handshakeBurst = config.limits.handshakeBurst
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
        let bound = SocketAddress(ip: config.listen.ip, port: server.localAddress?.port.map { UInt16($0) } ?? config.listen.port)
        var control: ControlServer?
        if let daemon {
            do {
                control = try ControlServer.start(path: daemon.files.socket, group: group, logger: logger) { command in
                    answer(command, server: server, gate: gate, listening: "\(bound)", on: group.next(), logger: logger)
                }.wait()
                try daemon.files.writePid()
            } catch {
                gate?.stop()
                _ = try? server.shutdown().wait()
                try? group.syncShutdownGracefully()
                throw CommandFailure("cannot open the control socket \(daemon.files.socket): \(error)")
            }
        }
        // The packet socket, the listener, the control socket and nft's first answers are
        // ours: give up the rest.
        do {
            try ServerHardening.apply(config: config, presharedKey: presharedKey, serverKey: serverKey, logger: logger)
        } catch {
            gate?.stop()
            _ = try? control?.close().wait()
            daemon?.files.removeFiles()
            try? server.shutdown(endingDrainOn: group.next().makeSucceededFuture(())).wait()
            try? group.syncShutdownGracefully()
            throw error
        }
        // Logged once everything is up and privileges are down: tests and people wait for it.
        logger.notice("listening", metadata: [
            "address": "\(server.localAddress.map { "\($0)" } ?? "\(config.listen)")",
            "admins": "\(config.identity.adminPublicKeys.count)",
            "egress": "\(config.egress.allowedPorts.map(String.init).joined(separator: ","))",
        ])
        SystemdNotify.ready(status: "listening on \(bound)")
        return Started(
            server: server, gate: gate, control: control, files: daemon?.files, group: group, signals: signals, logger: logger,
            summary: "listening on \(bound), \(config.identity.adminPublicKeys.count) admin key(s), knock \(config.knock.isEnabled ? "on" : "off")"
        )
    }

    /// Serves until SIGINT or SIGTERM (or `down`), then drains and stops.
    static func serve(_ started: Started) {
        let (server, gate, group, signals, logger) = (started.server, started.gate, started.group, started.signals, started.logger)
        let signalNumber = signals.wait()
        logger.notice("received \(TerminationSignals.name(signalNumber))")
        SystemdNotify.stopping()
        gate?.stop()
        let cutShort = group.next().makePromise(of: Void.self)
        let cut = DrainCut(cut: { cutShort.succeed(()) }, finished: { cutShort.fail(DrainOver()) })
        signals.onSecondSignal { second in
            if cut.cut() { logger.notice("received \(TerminationSignals.name(second)) again: ending the drain now") }
        }
        _ = try? started.control?.close().wait()
        try? server.shutdown(endingDrainOn: cutShort.futureResult).wait()
        cut.finish()
        started.files?.removeFiles()
        try? group.syncShutdownGracefully()
        logger.notice("stopped")
    }

    /// The control socket's answers: live status, and stop.
    private static func answer(
        _ command: ControlCommand, server: TunnelServer, gate: SPAGate?, listening: String, on loop: EventLoop, logger: Logger
    ) -> EventLoopFuture<[UInt8]> {
        loop.makeCompletedFuture {
            switch command {
            case .status:
                let status = ServerDaemonStatus(
                    running: true, pid: getpid(), listening: listening, connections: server.connections(), knocks: gate?.statistics
                )
                return try ControlCoding.line(ControlReply(ok: true, status: status))
            case .reload:
                return try ControlCoding.line(ControlReply<NoStatus>(
                    ok: false, error: "the server reads its config only when it starts; apply a change with `hyperion-server down` then `up`"
                ))
            case .stop:
                logger.notice("stop requested over the control socket")
                loop.scheduleTask(in: .milliseconds(20)) { _ = kill(getpid(), SIGTERM) }
                return try ControlCoding.line(ControlReply<NoStatus>(ok: true))
            }
        }
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
