import HyperionCrypto

/// Decides whether a datagram is a valid knock for this server (PROTOCOL.md §7): length
/// and magic, tag, version 1, |now − time| <= window, and a nonce not seen before.
///
/// Pure apart from the injected clock; the SPA sniffer feeds it datagrams and acts on the
/// verdict. The replay guard is consulted last, so only authentic, fresh knocks occupy it.
public struct KnockVerifier: Sendable {
    public static let defaultWindowSeconds: UInt64 = 30

    public let key: KnockKey
    public let serverPublicKey: X25519PublicKey
    public let windowSeconds: UInt64
    public let clock: UnixClock
    private var replayGuard: KnockReplayGuard

    public init(
        key: KnockKey, serverPublicKey: X25519PublicKey, windowSeconds: UInt64 = defaultWindowSeconds,
        replayCapacity: Int = KnockReplayGuard.defaultCapacity, clock: UnixClock = .system
    ) {
        self.key = key
        self.serverPublicKey = serverPublicKey
        self.windowSeconds = windowSeconds
        self.clock = clock
        self.replayGuard = KnockReplayGuard(capacity: replayCapacity)
    }

    /// The contents of a valid knock, or the reason it was refused.
    public mutating func verify(_ datagram: some Collection<UInt8>) -> Result<KnockContents, KnockRejection> {
        let contents: KnockContents
        do {
            contents = try KnockPacket.open(datagram, key: key, serverPublicKey: serverPublicKey)
        } catch {
            return .failure(error)
        }
        guard contents.version == KnockPacket.version else { return .failure(.unsupportedVersion) }
        let now = clock.now()
        if contents.unixTime + windowSeconds < now { return .failure(.stale) }
        if contents.unixTime > now + windowSeconds { return .failure(.fromTheFuture) }
        switch replayGuard.admit(nonce: contents.nonce, freshUntil: contents.unixTime + windowSeconds, now: now) {
        case .admitted: return .success(contents)
        case .replayed: return .failure(.replayed)
        case .full: return .failure(.replayCacheFull)
        }
    }
}
