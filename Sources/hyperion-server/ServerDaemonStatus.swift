import HyperionSPA
import HyperionTunnel

/// What `hyperion-server status` shows, and `status --json` prints.
struct ServerDaemonStatus: Codable, Sendable {
    var running: Bool
    var pid: Int32?
    /// The tunnel's bound address.
    var listening: String?
    var connections: [AdminConnectionStatus]
    /// The knock gate's counters; nil with knock off (or the daemon down).
    var knocks: SPAStatistics?
    /// With the daemon down: what its config says, when the config can be read.
    var configured: Configured?

    struct Configured: Codable, Sendable {
        var path: String
        var listen: String
        var admins: [String]
        var allowedPorts: [UInt16]
        var knock: Bool
    }
}
