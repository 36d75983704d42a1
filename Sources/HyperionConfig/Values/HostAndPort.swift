/// Where the client dials a server: an IP address or a DNS name, and a port.
/// Written `203.0.113.10:8443`, `[2001:db8::1]:8443` or `web1.example.net:8443`.
public struct HostAndPort: Hashable, Sendable, CustomStringConvertible {
    public enum Host: Hashable, Sendable, CustomStringConvertible {
        case ip(IPAddress)
        /// A DNS name, resolved when dialing.
        case name(String)

        public var description: String {
            switch self {
            case .ip(let ip): ip.family == .v6 ? "[\(ip)]" : ip.description
            case .name(let name): name
            }
        }
    }

    public var host: Host
    public var port: UInt16

    public init(host: Host, port: UInt16) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }

    init(parsing text: String) throws(ValueProblem) {
        let (hostText, port, bracketed) = try HostPortText.split(text)
        if bracketed {
            guard let ip = IPAddress(hostText), ip.family == .v6 else {
                throw ValueProblem("has \(Quoted(hostText)) in brackets, which is not an IPv6 address")
            }
            self.init(host: .ip(ip), port: port)
        } else if let ip = IPAddress(hostText) {
            self.init(host: .ip(ip), port: port)
        } else if NameRules.isDNSName(hostText) {
            self.init(host: .name(hostText), port: port)
        } else {
            throw ValueProblem("has host \(Quoted(hostText)), which is neither an IP address nor a DNS name")
        }
    }
}
