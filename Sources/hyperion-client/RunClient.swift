import HyperionCommandLine
import HyperionTunnel
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// `hyperion-client run`: forwards from the config plus `-L`, until SIGINT or SIGTERM.
enum RunClient {
    static func run(configPath: String?, adHocForwards: [String], logLevel: String?) throws {
        let logger = try LogSetup.bootstrap(label: "hyperion-client", option: logLevel, environment: currentEnvironment())
        let setup = try ClientSetup.load(configPath: configPath, adHocForwards: adHocForwards)
        for warning in setup.config.warnings { logger.warning("\(warning)") }
        OpenFilesLimit.raise(logger: logger)
        guard !setup.config.forwards.isEmpty else {
            throw CommandFailure("nothing to forward: \(setup.config.path) has no [[forward]] and no -L was given (for example -L 2201:\(setup.config.servers.first?.name ?? "web1"):22)")
        }
        let forwards = setup.config.forwards.map { forward in
            ForwardSpec(
                localHost: forward.local.ip.description, localPort: Int(forward.local.port),
                serverName: forward.server, remotePort: forward.remotePort
            )
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let client: TunnelClient
        do {
            client = try TunnelClient.start(
                endpoints: setup.endpoints, forwards: forwards, settings: setup.settings, group: group, logger: logger
            ).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw CommandFailure("\(error)")
        }
        let signalNumber = TerminationSignal.wait()
        logger.notice("received \(signalNumber == SIGINT ? "SIGINT" : "SIGTERM"); stopping")
        try? client.shutdown(on: group.next()).wait()
        try? group.syncShutdownGracefully()
    }
}
