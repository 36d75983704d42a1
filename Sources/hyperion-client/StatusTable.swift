import HyperionCommandLine
import HyperionTunnel

/// `hyperion-client status` as text: a line about the daemon, a row per server, then the
/// last error of each failing server.
enum StatusTable {
    static func render(_ status: ClientDaemonStatus) -> String {
        var text = status.running
            ? "hyperion-client is running (pid \(status.pid.map { "\($0)" } ?? "?"))\(status.device.map { " on \($0)" } ?? "")\(status.dns.map { ", DNS on \($0)" } ?? "")\n"
            : "hyperion-client is not running; the configured servers:\n"
        guard !status.servers.isEmpty else {
            return text + "no servers; add one with `hyperion-client add-server NAME HOST:PORT PUBKEY`\n"
        }
        var rows = [["NAME", "FAKE IP", "ADDRESS", "STATE", "CONNS", "STREAMS", "IN", "OUT", "HANDSHAKE", "PING"]]
        for server in status.servers {
            let pool = server.pool
            rows.append([
                server.name, server.fakeIP ?? "-", server.address, pool?.state.rawValue ?? "down",
                pool.map { "\($0.connectionsUp)/\($0.connectionsTotal)" } ?? "-",
                pool.map { "\($0.openStreams)" } ?? "-",
                pool.map { StatusFormat.bytes($0.bytesIn) } ?? "-", pool.map { StatusFormat.bytes($0.bytesOut) } ?? "-",
                pool?.lastHandshakeAgeSeconds.map { StatusFormat.age($0) + " ago" } ?? "-",
                pool?.pingMilliseconds.map { StatusFormat.milliseconds($0) } ?? "-",
            ])
        }
        text += TextTable.render(rows)
        for server in status.servers {
            if let error = server.pool?.lastError { text += "\(server.name): last error: \(error)\n" }
        }
        return text
    }
}
