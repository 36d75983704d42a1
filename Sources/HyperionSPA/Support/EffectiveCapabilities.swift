/// The effective capability bits of a process, read from the `CapEff:` line of
/// `/proc/self/status`. Parsing the text keeps the C shim out of it, and the parser can
/// be tested with any status text.
public struct EffectiveCapabilities: Hashable, Sendable {
    public static let netAdmin = 12
    public static let netRaw = 13

    public let bits: UInt64

    public init(bits: UInt64) { self.bits = bits }

    /// Nil when the text has no well-formed `CapEff:` line.
    public init?(procStatus text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where line.hasPrefix("CapEff:") {
            let hex = line.dropFirst("CapEff:".count).trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            guard !hex.isEmpty, hex.count <= 16, let bits = UInt64(hex, radix: 16) else { return nil }
            self.bits = bits
            return
        }
        return nil
    }

    public func contains(_ capability: Int) -> Bool {
        capability >= 0 && capability < 64 && bits & (1 << UInt64(capability)) != 0
    }
}
