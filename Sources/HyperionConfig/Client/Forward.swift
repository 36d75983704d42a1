/// A local port forward: connections accepted on `local` become streams to `remotePort`
/// on the loopback of server `server`. From `[[forward]]` or from `-L`.
public struct Forward: Sendable, Hashable, CustomStringConvertible {
    public var local: SocketAddress
    /// The `name` of a `[[server]]`.
    public var server: String
    public var remotePort: UInt16

    public init(local: SocketAddress, server: String, remotePort: UInt16) {
        self.local = local
        self.server = server
        self.remotePort = remotePort
    }

    public var description: String { "\(local) -> \(server):\(remotePort)" }

    /// Parses the `-L` form: `lport:server:rport` (listening on 127.0.0.1) or
    /// `addr:lport:server:rport`, where addr is IPv4 or `[IPv6]`. Syntax only: whether the
    /// server exists and the port is free is checked by `ClientConfig.addingAdHocForwards`.
    public init(adHoc spec: String) throws {
        func problem(_ reason: String) -> ConfigError {
            ConfigError(.invalidValue, "-L \(Quoted(spec)): \(reason); write it as lport:server:rport, for example -L 2201:web1:22")
        }
        // Server names cannot contain ":", so the last two fields are the server and the
        // remote port, and everything before them is the local side.
        var fields = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count >= 3 else { throw problem("it has \(fields.count) field\(fields.count == 1 ? "" : "s"), not 3 or 4") }
        let portText = fields.removeLast()
        let server = String(fields.removeLast())
        let localText = fields.joined(separator: ":")
        guard NameRules.isServerName(server) else {
            throw problem("\(Quoted(server)) is not a server name")
        }
        let local: SocketAddress
        do throws(ValueProblem) {
            local = try LocalAddress.parse(localText)
        } catch {
            throw problem("the local side \(Quoted(localText)) \(error.reason)")
        }
        guard let remotePort = try? HostPortText.port(portText) else {
            throw problem("the remote port \(Quoted(String(portText))) is not a number from 1 to 65535")
        }
        self.init(local: local, server: server, remotePort: remotePort)
    }
}

/// The local side of a forward: `ip:port`, `[ipv6]:port`, or a bare port on 127.0.0.1,
/// the safe default: a forward is for this machine unless it says otherwise.
enum LocalAddress {
    static let hint = "write it as \"127.0.0.1:2201\", \"[::1]:2201\" or just \"2201\" (meaning 127.0.0.1:2201)"

    static func parse(_ text: String) throws(ValueProblem) -> SocketAddress {
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            return SocketAddress(ip: .loopbackV4, port: try HostPortText.port(Substring(text)))
        }
        return try SocketAddress(parsing: text)
    }
}
