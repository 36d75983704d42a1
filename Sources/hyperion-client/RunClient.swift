import HyperionCommandLine
import HyperionConfig
import HyperionTunnel
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// `hyperion-client run`: forwards from the config plus `-L`, until SIGINT or SIGTERM.
///
/// The signal stops the forwards from accepting; local connections already open go on
/// for at most `[limits] drain_timeout_ms`, a second signal ends that at once, then the
/// tunnels close and the client exits 0, like the server.
enum RunClient {
    static func run(configPath: String?, adHocForwards: [String], socks: String?, logLevel: String?) throws {
        let logger = try LogSetup.bootstrap(label: "hyperion-client", option: logLevel, environment: currentEnvironment())
        let setup = try ClientSetup.load(configPath: configPath, adHocForwards: adHocForwards, socks: socks)
        for warning in setup.config.warnings { logger.warning("\(warning)") }
        OpenFilesLimit.raise(logger: logger)
        guard !setup.config.forwards.isEmpty || setup.config.socksListen != nil else {
            throw CommandFailure("nothing to forward: \(setup.config.path) has no [[forward]] and no [socks], and neither -L nor -D was given (for example -L 2201:\(setup.config.servers.first?.name ?? "web1"):22 or -D 1080)")
        }
        if let socks = setup.config.socksListen, !socks.ip.isLoopback {
            logger.warning("the SOCKS5 listener is on \(socks), not on loopback: anyone who can reach it can use your tunnels (SOCKS5 here has no authentication)")
        }
        let signals = TerminationSignals()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let client: TunnelClient
        do {
            client = try TunnelClient.start(
                endpoints: setup.endpoints, forwards: setup.config.forwards,
                socks: setup.config.socksListen.map { Socks5Listening(address: $0, servers: setup.config.servers) },
                settings: setup.settings, group: group, logger: logger
            ).wait()
        } catch let unavailable as LocalPortUnavailable {
            try? group.syncShutdownGracefully()
            throw CommandFailure(BindFailure.message(
                address: "\(unavailable.endpoint)", purpose: unavailable.endpoint.purpose, program: "hyperion-client",
                code: (unavailable.underlying as? IOError)?.errnoCode, detail: "\(unavailable.underlying)"
            ))
        } catch {
            try? group.syncShutdownGracefully()
            throw CommandFailure("\(error)")
        }
        SystemdNotify.ready(status: "\(client.listeners.count) listener(s) up")
        StopOnSignal.wait(
            for: signals, group: group, drainTimeout: setup.config.limits.drainTimeout,
            stopping: "the forwards accept no new connections", logger: logger
        ) { loop, drainTimeout, cutShort in
            client.shutdown(on: loop, drainTimeout: drainTimeout, endingDrainOn: cutShort, logger: logger)
        }
    }
}
