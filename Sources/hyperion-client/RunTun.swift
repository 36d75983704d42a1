import HyperionCommandLine
import HyperionConfig
import Logging
import NIOCore
import NIOPosix
#if TUN && os(Linux)
import HyperionTun
#endif

/// `hyperion-client tun`: TUN mode in the foreground until SIGINT or SIGTERM, stopping like
/// `run` (drain, then close), and removing the device on the way out.
enum RunTun {
    struct Overrides {
        var address: String?
        var prefix: Int?
        var mtu: Int?
    }

    static func run(configPath: String, overrides: Overrides, logLevel: String?) throws {
        #if TUN && os(Linux)
        let logger = try LogSetup.bootstrap(label: "hyperion-client", option: logLevel, environment: currentEnvironment())
        let setup = try ClientSetup.load(configPath: configPath)
        for warning in setup.config.warnings { logger.warning("\(warning)") }
        let tun = try apply(overrides, to: setup.config)
        OpenFilesLimit.raise(logger: logger)
        let signals = TerminationSignals()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let mode: TunMode
        do {
            mode = try TunMode.start(
                endpoints: setup.endpoints, settings: setup.settings,
                options: TunMode.Options(tun: tun, servers: setup.config.servers), group: group, logger: logger
            )
        } catch {
            try? group.syncShutdownGracefully()
            throw CommandFailure("cannot start TUN mode: \(error)")
        }
        SystemdNotify.ready(status: "TUN mode on \(tun.name)")
        StopOnSignal.wait(
            for: signals, group: group, drainTimeout: setup.config.limits.drainTimeout, stopping: "no new flows", logger: logger
        ) { loop, drainTimeout, cutShort in
            mode.shutdown(on: loop, drainTimeout: drainTimeout, endingDrainOn: cutShort, logger: logger)
        }
        #else
        throw CommandFailure(
            "hyperion-client tun: this build has no TUN mode (built without the TUN trait, or not on Linux); rebuild with the default traits: swift build -c release"
        )
        #endif
    }

    /// `[tun]` with the command's flags applied, each checked like its config key.
    static func apply(_ overrides: Overrides, to config: ClientConfig) throws -> TunSection {
        var tun = config.tun
        if let text = overrides.address {
            guard let ip = IPAddress(text), ip.family == .v4, !ip.isUnspecified else {
                throw CommandFailure("--tun-addr \(text): not an IPv4 address; write it like 10.99.0.1")
            }
            tun.address = ip
        }
        if let prefix = overrides.prefix {
            guard (8...30).contains(prefix) else { throw CommandFailure("--prefix \(prefix): give a prefix length from 8 to 30") }
            tun.prefix = prefix
        }
        if let mtu = overrides.mtu {
            guard (1280...65535).contains(mtu) else { throw CommandFailure("--mtu \(mtu): give an MTU from 1280 to 65535") }
            tun.mtu = mtu
        }
        let subnet = tun.subnet
        guard tun.address != subnet.first, subnet.contains(tun.peerAddress), tun.peerAddress != subnet.last else {
            throw CommandFailure("--tun-addr/--prefix: \(tun.address) in \(subnet) leaves no room for the virtual peer after it; pick an address like 10.99.0.1/24")
        }
        return tun
    }
}
