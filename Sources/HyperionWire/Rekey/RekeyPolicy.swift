import NIOCore

/// How often a sending direction replaces its transport key, once both peers opted in
/// (PROTOCOL.md §10.3): whichever of the two limits comes first.
public struct RekeyPolicy: Sendable, Hashable {
    /// The most frames one key seals, the marker that retires it included (at least 2).
    public var framesPerKey: UInt64
    /// The age at which a key is retired, checked whenever the sender writes to the socket.
    public var keyLifetime: TimeAmount

    public init(framesPerKey: UInt64, keyLifetime: TimeAmount) {
        precondition(framesPerKey >= 2, "a key seals at least one frame besides the marker that retires it")
        precondition(keyLifetime > .zero, "a key lifetime is positive")
        self.framesPerKey = framesPerKey
        self.keyLifetime = keyLifetime
    }

    /// Issue 20: every 2²⁰ frames or 10 minutes.
    public static let standard = RekeyPolicy(framesPerKey: 1 << 20, keyLifetime: .minutes(10))
}
