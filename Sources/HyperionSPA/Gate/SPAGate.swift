import Logging

/// The server's Single Packet Authorization gate (PROTOCOL.md §7): watches every interface
/// for knocks and adds each authenticated knock's source to the nftables knock set, which
/// the admin's base ruleset (`FirewallRuleset`) consults for the tunnel port.
///
/// `start` refuses to run half-ready: it validates the settings, checks capabilities, nft,
/// the table and the sets (`NftablesFirewall.verifyReady`), empties the sets of elements a
/// previous run left (`reconcile`) and only then starts the sniffer thread. Linux only.
public final class SPAGate: Sendable {
    public let settings: SPASettings
    private let statisticsBox: StatisticsBox
    #if os(Linux)
    private let sniffer: KnockSniffer
    #endif

    #if os(Linux)
    private init(settings: SPASettings, statistics: StatisticsBox, sniffer: KnockSniffer) {
        self.settings = settings
        self.statisticsBox = statistics
        self.sniffer = sniffer
    }
    #endif

    public static func start(settings: SPASettings, logger: Logger) throws(SPAError) -> SPAGate {
        #if os(Linux)
        try settings.validate()
        let firewall = try NftablesFirewall(settings: settings)
        try firewall.verifyReady()
        try firewall.reconcile()
        let statistics = StatisticsBox()
        let sniffer = try KnockSniffer.start(settings: settings, firewall: firewall, logger: logger, statistics: statistics)
        logger.notice(
            "SPA gate started: knocks on UDP port \(settings.knockPort) open TCP port \(settings.tunnelPort) for \(settings.elementTimeoutSeconds) s",
            metadata: ["table": "\(settings.table)", "set": "\(settings.set)", "set6": "\(settings.set6)"]
        )
        return SPAGate(settings: settings, statistics: statistics, sniffer: sniffer)
        #else
        throw SPAError(
            .unsupportedPlatform,
            "SPA needs Linux (AF_PACKET and nftables); disable [knock] in the server config on this platform"
        )
        #endif
    }

    /// The gate's counters so far.
    public var statistics: SPAStatistics {
        statisticsBox.snapshot
    }

    /// Stops the sniffer thread and closes its sockets. Set elements already added stay
    /// until they time out. Safe to call more than once.
    public func stop() {
        #if os(Linux)
        sniffer.stop()
        #endif
    }

    deinit { stop() }
}
