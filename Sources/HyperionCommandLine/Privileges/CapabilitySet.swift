/// A set of Linux capabilities as the kernel keeps them: bit N is capability N
/// (`include/uapi/linux/capability.h`), the form of the `Cap*:` lines of /proc/PID/status.
public struct CapabilitySet: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let netBindService = CapabilitySet(rawValue: 1 << 10)
    public static let netAdmin = CapabilitySet(rawValue: 1 << 12)
    public static let netRaw = CapabilitySet(rawValue: 1 << 13)

    /// The names of the capabilities the server deals in; others by number.
    static let names: [(CapabilitySet, String)] = [
        (.netBindService, "CAP_NET_BIND_SERVICE"), (.netAdmin, "CAP_NET_ADMIN"), (.netRaw, "CAP_NET_RAW"),
    ]

    /// `CAP_NET_ADMIN CAP_NET_RAW`, or `none`; a set with other capabilities (root's
    /// full set, in an error) as /proc shows it, `0x000001ffffffffff`.
    public var description: String {
        guard rawValue != 0 else { return "none" }
        let named = Self.names.filter { isSuperset(of: $0.0) }
        guard named.reduce(0, { $0 | $1.0.rawValue }) == rawValue else {
            let hex = String(rawValue, radix: 16)
            return "0x" + String(repeating: "0", count: 16 - hex.count) + hex
        }
        return named.map(\.1).joined(separator: " ")
    }
}
