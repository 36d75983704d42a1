import HyperionCommandLine
import HyperionConfig
import HyperionTunnel
import Logging
import NIOCore
import NIOPosix
#if TUN && os(Linux)
import HyperionTun
#endif

#if canImport(Glibc)
import Glibc
#endif

/// `hyperion-client up`, `down` and `status`: the managed daemon (`ManagedClientDaemon`).
enum RunDaemon {
    static let role = "client"

    /// `up`: checks, takes the passphrase, starts the daemon in the background and returns
    /// once it has started (or prints why it did not).
    static func up(configPath: String?, logLevel: String?) throws {
        let path = try managedConfigPath(configPath)
        let config = try CommandFailure.wrapping { try ClientConfig.load(path: path, allowingNoServers: true) }
        try DaemonControl.up(
            program: "hyperion-client", role: role, configPath: path, keySource: config.key, logLevel: logLevel, status: "each server"
        )
    }

    /// `up --foreground`: the daemon itself. With `readyDescriptor` it was started by `up`:
    /// it reads the passphrase from `secretDescriptor` and reports its start there.
    static func foreground(configPath: String?, secretDescriptor: Int32?, readyDescriptor: Int32?, logLevel: String?) throws {
        #if TUN && os(Linux)
        if readyDescriptor != nil { DaemonReadiness.detach() }
        let passphrase = try secretDescriptor.map { try DaemonReadiness.readSecret(from: $0) } ?? nil
        let started: (daemon: ManagedClientDaemon, group: MultiThreadedEventLoopGroup, files: DaemonFiles, config: ClientConfig, signals: TerminationSignals, logger: Logger)
        do {
            let logger = try LogSetup.bootstrap(label: "hyperion-client", option: logLevel, environment: currentEnvironment())
            let path = try managedConfigPath(configPath)
            let config = try CommandFailure.wrapping { try ClientConfig.load(path: path, allowingNoServers: true) }
            for warning in config.warnings { logger.warning("\(warning)") }
            let files = try DaemonControl.prepare(role: role, program: "hyperion-client")
            let secret = try passphrase ?? DaemonSecret.passphrase(for: config.key, origin: "[key] of \(path)")
            let resolver = DaemonSecret.resolver(
                handing: secret, passphraseVariables: DaemonSecret.passphraseVariables([config.key] + config.servers.map(\.keyOverride))
            )
            let keys = try CommandFailure.wrapping { try ClientKeyBook(config: config, resolver: resolver) }
            let adminKey = try CommandFailure.wrapping { try config.readAdminKey() }
            OpenFilesLimit.raise(logger: logger)
            let signals = TerminationSignals()
            let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
            do {
                let daemon = try ManagedClientDaemon.start(
                    config: config, keys: keys, adminKey: adminKey, socketPath: files.socket, group: group, logger: logger
                )
                try files.writePid()
                started = (daemon, group, files, config, signals, logger)
            } catch {
                try? group.syncShutdownGracefully()
                throw CommandFailure("cannot start: \(error)")
            }
        } catch {
            if let readyDescriptor { DaemonReadiness.failed(readyDescriptor, message: "\(error)") }
            throw error
        }
        let summary = "\(started.config.servers.count) server(s) on \(started.daemon.mode.device.name) (\(started.config.tun.address)/\(started.config.tun.prefix)); \(started.daemon.namesNote)"
        started.logger.notice("managed client up", metadata: ["servers": "\(started.config.servers.count)", "pid": "\(getpid())"])
        if let readyDescriptor { DaemonReadiness.ready(readyDescriptor, summary: summary) }
        SystemdNotify.ready(status: summary)
        StopOnSignal.wait(
            for: started.signals, group: started.group, drainTimeout: started.config.limits.drainTimeout, stopping: "no new flows",
            logger: started.logger
        ) { loop, drainTimeout, cutShort in
            started.daemon.shutdown(on: loop, drainTimeout: drainTimeout, endingDrainOn: cutShort).always { _ in
                started.files.removeFiles()
            }
        }
        #else
        throw CommandFailure(
            "hyperion-client up: this build has no TUN mode (built without the TUN trait, or not on Linux); rebuild with the default traits: swift build -c release"
        )
        #endif
    }

    /// `down`: asks the daemon to stop and waits until it has.
    static func down() throws {
        try DaemonControl.stop(role: role, program: "hyperion-client")
    }

    /// `status`: the daemon's live table, or the configured one when it is down.
    static func status(configPath: String?, json: Bool) throws {
        let files = try DaemonFiles.current(role: role)
        let status: ClientDaemonStatus
        if let live = try DaemonControl.status(ClientDaemonStatus.self, files: files, program: "hyperion-client") {
            status = live
        } else {
            let path = try managedConfigPath(configPath)
            let config = try CommandFailure.wrapping { try ClientConfig.load(path: path, allowingNoServers: true) }
            status = ClientDaemonStatus(running: false, servers: config.servers.map {
                .init(name: $0.name, fakeIP: $0.fakeAddress.map { "\($0)" }, fakeIP6: $0.fakeAddress6.map { "\($0)" }, address: "\($0.address)", pool: nil)
            })
        }
        if json {
            print(String(decoding: try ControlCoding.line(status), as: UTF8.self), terminator: "")
        } else {
            print(StatusTable.render(status), terminator: "")
        }
    }

    /// Tells a running daemon to read its config again (after `add-server`, `rm-server`).
    static func reloadIfRunning() {
        DaemonControl.reloadIfRunning(role: role, program: "hyperion-client")
    }

    static func managedConfigPath(_ given: String?) throws -> String {
        if let given { return given }
        let path = try CommandFailure.wrapping { try HyperionPaths.current().clientConfig }
        guard ManagedClientConfig.exists(path) else {
            throw CommandFailure("no client config at \(path); run `hyperion-client init` first (or set HYPERION_HOME to the directory that has it)")
        }
        return path
    }
}
