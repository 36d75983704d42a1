#if os(Linux)
import HyperionConfig
import HyperionNAT
import HyperionTunnel
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// `hyperion-client tun`: the TUN device, the NAT on its packet thread, one listener per
/// family on the device's addresses, and a pool for every server, started on its first flow.
/// Applications reach a server at its real addresses (with `print-routes`) or its fake ones.
public final class TunMode: Sendable {
    public let client: TunnelClient
    public let device: TunDevice
    private let loop: TunPacketLoop<TunFlowHandler>
    private let flows: TunFlows
    private let published: NATStatisticsBox
    private let fastPath: FastPathLink?
    /// What `apply` needs to start pools for servers added later.
    let running: Running
    /// The servers as last applied, to tell what a new config changed.
    let servers: NIOLockedValueBox<[ClientConfig.Server]>

    struct Running: Sendable {
        let group: EventLoopGroup
        let idleAfter: TimeAmount?
    }

    /// What `start` needs beyond the client's settings.
    public struct Options: Sendable {
        public var tun: TunSection
        /// The servers as configured, for their addresses and fake addresses.
        public var servers: [ClientConfig.Server]

        public init(tun: TunSection, servers: [ClientConfig.Server]) {
            self.tun = tun
            self.servers = servers
        }
    }

    private init(
        client: TunnelClient, device: TunDevice, loop: TunPacketLoop<TunFlowHandler>, flows: TunFlows, published: NATStatisticsBox,
        fastPath: FastPathLink?, running: Running, servers: [ClientConfig.Server]
    ) {
        self.client = client
        self.device = device
        self.loop = loop
        self.flows = flows
        self.published = published
        self.fastPath = fastPath
        self.running = running
        self.servers = NIOLockedValueBox(servers)
    }

    /// The NAT's counters as of its last tick (every 100 ms); nil before the first.
    public var statistics: NATStatistics? { published.latest }

    /// The kernel fast path's counters as of the NAT's last tick; nil when it is off.
    public var fastPathStatistics: FastPathStatistics? { published.latestFastPath }

    /// Brings everything up, or throws with nothing left behind. Needs CAP_NET_ADMIN.
    public static func start(
        endpoints: [TunnelEndpoint], settings: TunnelClientSettings, options: Options, group: EventLoopGroup, logger: Logger
    ) throws -> TunMode {
        var settings = settings
        settings.mark = options.tun.mark
        let pools = ServerPools(endpoints: endpoints, settings: settings, logger: logger)
        try route(options.servers, into: pools, logger: logger)

        let tun = options.tun
        let device = try TunDevice.open(TunConfiguration(
            name: tun.name, mtu: tun.mtu ?? TunSection.defaultMTU, txQueueLength: 1000,
            addresses: [
                TunAddress(bytes: tun.address.bytes, prefixLength: tun.prefix)!,
                TunAddress(bytes: tun.address6.bytes, prefixLength: TunSection.prefix6)!,
            ],
            offload: tun.offload
        ))
        let peers = TunPeers(v4: tun.peerAddress.bytes, v6: tun.peerAddress6.bytes)
        // One order of the loops for both: a flow's stream opens on the loop whose listener
        // socket accepts its connection (`SourcePortSteering`).
        let loops = Array(group.makeIterator())
        let flows = TunFlows(pools: pools, loops: loops, streamWait: settings.streamWait, peers: peers, logger: logger)
        var fastPath: FastPathLink?
        do {
            let listeners = try startListeners(tun, loops: loops, settings: settings, flows: flows, logger: logger)
            let published = NATStatisticsBox()
            let nat = natConfiguration(tun, listeners: listeners, settings: settings)
            fastPath = tun.fastPath ? attachFastPath(device, maximumFlows: nat.maximumFlows, logger: logger) : nil
            let handler = TunFlowHandler(
                translator: TCPAddressTranslator(configuration: nat), delegate: flows, published: published,
                fastPath: fastPath.map { FastPathFlows(link: $0) }
            )
            let loop = try TunPacketLoop(device: device, handler: handler)
            flows.connect { loop.send($0) }
            try loop.start()
            let idle = tun.idleSeconds == 0 ? nil : TimeAmount.seconds(Int64(tun.idleSeconds))
            let running = Running(group: group, idleAfter: idle)
            for (index, pool) in pools.all.enumerated() {
                running.start(pool, loopOffset: index)
            }
            logger.notice("TUN mode up", metadata: [
                "device": "\(device.name)", "offload": "\(device.offloadEnabled)", "fast_path": "\(fastPath != nil)",
                "addresses": "\(tun.address)/\(tun.prefix) \(tun.address6)/\(TunSection.prefix6)",
                "servers": "\(pools.all.count)",
            ])
            return TunMode(
                client: TunnelClient(pools: pools, listeners: listeners), device: device, loop: loop, flows: flows, published: published,
                fastPath: fastPath, running: running, servers: options.servers
            )
        } catch {
            fastPath?.close()
            device.close()
            throw error
        }
    }

    /// The kernel fast path on `device`, or nil (logged) where this kernel or these
    /// privileges cannot have it: then every packet takes the TUN, which is slower, not wrong.
    private static func attachFastPath(_ device: TunDevice, maximumFlows: Int, logger: Logger) -> FastPathLink? {
        switch FastPathLink.attach(to: device, maximumFlows: maximumFlows) {
        case let .success(link):
            return link
        case let .failure(error):
            logger.notice("the kernel fast path is off: \(error); every packet takes the TUN (set fast_path = false in [tun] to stop trying)")
            return nil
        }
    }

    /// Each server at every address of its host (resolved now, A and AAAA) and at its fake
    /// addresses. Two servers on one address: the first keeps it, and the log says so.
    static func route(_ servers: [ClientConfig.Server], into pools: ServerPools, logger: Logger) throws {
        for server in servers {
            try route(server, into: pools, logger: logger)
        }
    }

    static func route(_ server: ClientConfig.Server, into pools: ServerPools, logger: Logger) throws {
        let real = try server.address.host.resolveAll()
        for ip in real + [server.fakeAddress, server.fakeAddress6].compactMap({ $0 }) where !pools.route(ip.bytes, to: server.name) {
            logger.warning("\(ip) is an address of more than one server; it reaches the first of them, not \(server.name)")
        }
    }

    private static func startListeners(
        _ tun: TunSection, loops: [EventLoop], settings: TunnelClientSettings, flows: TunFlows, logger: Logger
    ) throws -> [LocalListener] {
        let resolve: LocalListener.Resolver = { flows.take($0) }
        var started: [LocalListener] = []
        do {
            for address in [tun.address, tun.address6] {
                let endpoint = LocalEndpoint(host: "\(address)", port: 0, purpose: "TUN flows on \(address)")
                let steering = SourcePortSteering.setup(sockets: loops.count, ipv6: address.bytes.count == 16, logger: logger)
                started.append(try LocalListener.start(
                    endpoint, loops: loops, streamWait: settings.streamWait, logger: logger, steering: steering, resolve: resolve
                ).wait())
            }
        } catch {
            started.forEach { _ = $0.close() }
            throw error
        }
        return started
    }

    /// The NAT's counters as log metadata.
    static func metadata(_ statistics: NATStatistics) -> Logger.Metadata {
        [
            "live_flows": "\(statistics.liveFlows)", "pending": "\(statistics.pendingFlows)", "admitted": "\(statistics.admittedFlows)",
            "established": "\(statistics.establishedFlows)", "closing": "\(statistics.closingFlows)",
            "flows_opened": "\(statistics.flowsOpened)", "refused_table_full": "\(statistics.refusedTableFull)",
            "refused": "\(statistics.refusedByCaller)", "unreachable": "\(statistics.unreachableSent)",
            "resets_unknown": "\(statistics.resetsForUnknownFlows)", "skipped": "\(statistics.skipped.total)",
        ]
    }

    /// The fast path's counters as log metadata.
    static func metadata(_ statistics: FastPathStatistics) -> Logger.Metadata {
        [
            "fast_path_flows": "\(statistics.liveFlows)", "fast_path_installed": "\(statistics.installed)",
            "fast_path_refused": "\(statistics.refused)",
        ]
    }

    static func natConfiguration(_ tun: TunSection, listeners: [LocalListener], settings: TunnelClientSettings) -> NATConfiguration {
        var configuration = NATConfiguration(
            v4: FamilyAddresses(tun: tun.address.bytes, peer: tun.peerAddress.bytes, listenerPort: UInt16(listeners[0].boundPort)),
            v6: FamilyAddresses(tun: tun.address6.bytes, peer: tun.peerAddress6.bytes, listenerPort: UInt16(listeners[1].boundPort))
        )
        // A held SYN waits for a tunnel (stream_wait) and then for the server's answer.
        let wait = settings.streamWait + settings.streamAnswerTimeout
        configuration.pendingTimeout = .nanoseconds(wait.nanoseconds) + .seconds(1)
        configuration.admittedTimeout = .seconds(10)
        configuration.closedHold = .seconds(tun.portHoldSeconds)
        return configuration
    }

    /// Stops accepting, drains like `run` (see `TunnelClient.shutdown`), then stops the
    /// packet thread and removes the device.
    public func shutdown(
        on eventLoop: EventLoop, drainTimeout: TimeAmount, endingDrainOn cutShort: EventLoopFuture<Void>? = nil, logger: Logger?
    ) -> EventLoopFuture<Void> {
        client.shutdown(on: eventLoop, drainTimeout: drainTimeout, endingDrainOn: cutShort, logger: logger).always { _ in
            self.flows.dropAll()
            self.loop.stop()
            self.fastPath?.close()
            self.device.close()
            if let statistics = self.statistics {
                let fastPath = self.fastPathStatistics.map(Self.metadata) ?? [:]
                logger?.notice("TUN mode stopped", metadata: Self.metadata(statistics).merging(fastPath) { old, _ in old })
            }
        }
    }
}
#endif
