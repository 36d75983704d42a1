#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension HostAndPort.Host {
    /// Every IPv4 and IPv6 address of the host, in the resolver's order without repeats:
    /// the address itself for an IP literal, else what getaddrinfo finds (A and AAAA).
    /// Throws `ConfigError` naming the host when it has none.
    public func resolveAll() throws -> [IPAddress] {
        switch self {
        case let .ip(ip):
            return [ip]
        case let .name(name):
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            #else
            hints.ai_socktype = SOCK_STREAM
            #endif
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(name, nil, &hints, &list)
            guard status == 0, let first = list else {
                let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
                throw ConfigError(.invalidValue, "cannot resolve \(Quoted(name)): \(reason); check the name, or write the server's address instead")
            }
            defer { freeaddrinfo(first) }
            var found: [IPAddress] = []
            var entry: UnsafeMutablePointer<addrinfo>? = first
            while let current = entry {
                if let ip = Self.address(of: current.pointee), !found.contains(ip) { found.append(ip) }
                entry = current.pointee.ai_next
            }
            return found
        }
    }

    private static func address(of info: addrinfo) -> IPAddress? {
        guard let raw = info.ai_addr else { return nil }
        switch Int32(info.ai_family) {
        case AF_INET:
            return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin_addr) { IPAddress(bytes: Array($0)) }
            }
        case AF_INET6:
            return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { IPAddress(bytes: Array($0)) }
            }
        default:
            return nil
        }
    }
}
