/// An IP address and a port: where the server listens, where a forward's local side listens.
/// Written `192.0.2.1:8443` or `[2001:db8::1]:8443`.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public var ip: IPAddress
    public var port: UInt16

    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    public var description: String {
        ip.family == .v6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// Whether a listener on `self` and one on `other` would want the same port: the same
    /// port and address, or the same port where one address is unspecified. `::` may also
    /// take IPv4 (dual-stack sockets), so it overlaps everything.
    public func overlaps(_ other: SocketAddress) -> Bool {
        guard port == other.port else { return false }
        if ip == other.ip { return true }
        if ip.family == .v6 && ip.isUnspecified || other.ip.family == .v6 && other.ip.isUnspecified { return true }
        return ip.family == other.ip.family && (ip.isUnspecified || other.ip.isUnspecified)
    }

    /// Parses `ip:port` or `[ipv6]:port`.
    init(parsing text: String) throws(ValueProblem) {
        let (host, port, bracketed) = try HostPortText.split(text)
        guard let ip = IPAddress(host) else {
            throw ValueProblem("has host \(Quoted(host)), which is not an IPv4 or IPv6 address")
        }
        guard bracketed == (ip.family == .v6) else {
            throw ValueProblem(bracketed ? "has \(Quoted(host)) in brackets, which only IPv6 addresses take" : "has an IPv6 address without brackets")
        }
        self.init(ip: ip, port: port)
    }
}

/// Why a value was refused, as a phrase that follows the value's name in a message.
struct ValueProblem: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Splitting `host:port` text, shared by every address form.
enum HostPortText {
    /// The host (brackets removed), the port (1...65535), and whether the host was in
    /// brackets (which only IPv6 addresses may be).
    static func split(_ text: String) throws(ValueProblem) -> (host: String, port: UInt16, bracketed: Bool) {
        let host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw ValueProblem("has \"[\" without \"]\"")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else {
                throw ValueProblem("has no \":port\" after \"]\"")
            }
            portText = rest.dropFirst()
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw ValueProblem(parts.count < 2
                    ? "has no port"
                    : "has more than one \":\" (an IPv6 address goes in brackets, as in [2001:db8::1]:8443)")
            }
            host = parts[0]
            portText = parts[1]
        }
        guard !host.isEmpty else { throw ValueProblem("has no host before the port") }
        return (String(host), try port(portText), text.hasPrefix("["))
    }

    /// A port number written in decimal, 1...65535.
    static func port(_ text: Substring) throws(ValueProblem) -> UInt16 {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let value = Int(text), (1...65535).contains(value)
        else {
            throw ValueProblem("has port \(Quoted(String(text))), which is not a number from 1 to 65535")
        }
        return UInt16(value)
    }
}
