#if os(Linux)
import HyperionConfig
import HyperionCrypto
import HyperionDNS
import Logging
import HyperionTunnel
import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The managed client daemon's runtime (`hyperion-client up`): TUN mode serving every server
/// at its fake addresses (each pool connects on its first flow, as in `tun`, so a thousand
/// servers cost nothing until used), a control socket for `status`, `down` and live config
/// changes (`add-server`, `rm-server`).
public final class ManagedClientDaemon: Sendable {
    public let mode: TunMode
    /// Answers `NAME.hyperion` with the fake addresses, on the device's IPv4 address.
    public let dns: DNSServer
    /// The resolver routing set up for `dns`, undone at shutdown.
    public let resolved: ResolvedLink
    /// What `configure` reported: how names reach `dns`.
    public let namesNote: String
    private let configPath: String
    private let keys: ClientKeyBook
    private let control: NIOLockedValueBox<ControlServer?>
    private let logger: Logger

    /// The DNS zone the daemon answers for.
    public static let zone = "hyperion"

    private init(mode: TunMode, dns: DNSServer, configPath: String, keys: ClientKeyBook, logger: Logger) {
        self.mode = mode
        self.dns = dns
        self.resolved = ResolvedLink(device: mode.device.name, address: "\(dns.localAddress.ipAddress ?? "?")", zone: Self.zone)
        self.namesNote = resolved.configure(logger: logger)
        self.configPath = configPath
        self.keys = keys
        self.control = NIOLockedValueBox(nil)
        self.logger = logger
    }

    /// Brings up TUN mode for `config` (its servers may be none yet) and the control socket
    /// at `socketPath`. Throws with nothing left behind.
    public static func start(
        config: ClientConfig, keys: ClientKeyBook, adminKey: X25519SecretKey, socketPath: String, group: EventLoopGroup, logger: Logger
    ) throws -> ManagedClientDaemon {
        let endpoints = try config.tunnelEndpoints(keys: keys.keys(for: config))
        let mode = try TunMode.start(
            endpoints: endpoints, settings: config.tunnelSettings(adminKey: adminKey),
            options: TunMode.Options(tun: config.tun, servers: config.servers), group: group, logger: logger
        )
        let dns: DNSServer
        do {
            let responder = DNSResponder(zone: zone, ttl: 5, records: records(config.servers))
            dns = try DNSServer.start(host: "\(config.tun.address)", port: 53, responder: responder, group: group, logger: logger).wait()
        } catch {
            try? mode.shutdown(on: group.next(), drainTimeout: .zero, logger: nil).wait()
            throw error
        }
        let daemon = ManagedClientDaemon(mode: mode, dns: dns, configPath: config.path, keys: keys, logger: logger)
        do {
            let server = try ControlServer.start(path: socketPath, group: group, logger: logger) { command in
                daemon.answer(command, on: group.next())
            }.wait()
            daemon.control.withLockedValue { $0 = server }
        } catch {
            _ = try? dns.close().wait()
            try? mode.shutdown(on: group.next(), drainTimeout: .zero, logger: nil).wait()
            throw TunnelError(.bindFailed, "cannot open the control socket \(socketPath): \(error)")
        }
        return daemon
    }

    /// Each server's name with its fake addresses, for DNS.
    static func records(_ servers: [ClientConfig.Server]) -> [String: DNSRecords] {
        var records: [String: DNSRecords] = [:]
        for server in servers where server.fakeAddress != nil || server.fakeAddress6 != nil {
            records[server.name] = DNSRecords(ipv4: server.fakeAddress?.bytes, ipv6: server.fakeAddress6?.bytes)
        }
        return records
    }

    /// Reads the config again and applies its servers.
    public func reload() throws -> TunMode.Changes {
        let config = try ClientConfig.load(path: configPath, allowingNoServers: true)
        let endpoints = try config.tunnelEndpoints(keys: keys.keys(for: config))
        defer { dns.update(Self.records(mode.servers.withLockedValue { $0 })) }
        return try mode.apply(servers: config.servers, endpoints: endpoints, logger: logger)
    }

    /// The live status: a row per server, in config order.
    public func status() -> ClientDaemonStatus {
        let pools = Dictionary(mode.snapshot().map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let servers = mode.servers.withLockedValue { $0 }.map { server in
            ClientDaemonStatus.Server(
                name: server.name, fakeIP: server.fakeAddress.map { "\($0)" }, fakeIP6: server.fakeAddress6.map { "\($0)" },
                address: "\(server.address)", pool: pools[server.name]
            )
        }
        return ClientDaemonStatus(running: true, pid: getpid(), device: mode.device.name, dns: "\(dns.localAddress)", servers: servers)
    }

    /// Stops answering the control socket, then drains and stops TUN mode.
    public func shutdown(on loop: EventLoop, drainTimeout: TimeAmount, endingDrainOn cutShort: EventLoopFuture<Void>?) -> EventLoopFuture<Void> {
        let control = self.control.withLockedValue { $0 }
        resolved.revert(logger: logger)
        let closed = (control?.close() ?? loop.makeSucceededVoidFuture()).and(dns.close()).map { _ in }
        return closed.flatMapError { _ in loop.makeSucceededVoidFuture() }.flatMap {
            self.mode.shutdown(on: loop, drainTimeout: drainTimeout, endingDrainOn: cutShort, logger: self.logger)
        }
    }

    private func answer(_ command: ControlCommand, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        loop.makeCompletedFuture {
            switch command {
            case .status:
                return try ControlCoding.line(ControlReply(ok: true, status: status()))
            case .reload:
                do {
                    let changes = try reload()
                    logger.notice("config reloaded", metadata: ["added": "\(changes.added.count)", "removed": "\(changes.removed.count)", "replaced": "\(changes.replaced.count)"])
                    return try ControlCoding.line(ControlReply(ok: true, status: status()))
                } catch {
                    logger.warning("config reload failed: \(error)")
                    return try ControlCoding.line(ControlReply<NoStatus>(ok: false, error: "\(error)"))
                }
            case .stop:
                logger.notice("stop requested over the control socket")
                // Answered first; the signal then takes the same path as `kill`.
                loop.scheduleTask(in: .milliseconds(20)) { _ = kill(getpid(), SIGTERM) }
                return try ControlCoding.line(ControlReply<NoStatus>(ok: true))
            }
        }
    }
}
#endif
