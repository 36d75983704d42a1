/// What hyperion-server keeps of its privileges once its sockets are open: a pure function
/// of the config and of who started it, so that the choice is tested without root.
///
/// After the start the server needs only what the knock gate does on every knock: run
/// `nft` to add an element (CAP_NET_ADMIN, which `nft` must inherit, so it is ambient when
/// the server runs under another user: `nft` has no file capabilities) and, as the issue
/// asks, CAP_NET_RAW for the packet socket it already holds. CAP_NET_BIND_SERVICE is never
/// kept: the tunnel listener is bound once, before the drop, and the server never binds
/// again (its dials to 127.0.0.1 take an ephemeral port). Without knock it keeps nothing.
public struct PrivilegePlan: Hashable, Sendable {
    public enum Identity: Hashable, Sendable {
        /// Started as root with `[server] user`: switch to that account.
        case switchTo(user: String)
        /// Started as root without `[server] user`: stay uid 0 with the bounding set cut.
        case stayRoot
        /// Not started as root: nothing to switch; `expectedUser` is `[server] user`, which
        /// must then be the account it already runs as.
        case unprivileged(expectedUser: String?)
    }

    public var identity: Identity
    /// Effective, permitted and (as root) bounding set after the drop.
    public var kept: CapabilitySet
    /// Inheritable and ambient: what a spawned `nft` gets when the server is not root.
    public var ambient: CapabilitySet

    /// The plan for `hyperion-server run`.
    public static func server(knockEnabled: Bool, user: String?, startedAsRoot: Bool) -> PrivilegePlan {
        let kept: CapabilitySet = knockEnabled ? [.netAdmin, .netRaw] : []
        guard startedAsRoot else { return PrivilegePlan(identity: .unprivileged(expectedUser: user), kept: [], ambient: []) }
        guard let user else { return PrivilegePlan(identity: .stayRoot, kept: kept, ambient: []) }
        // Root's own exec of nft gets the bounding set; another user's only the ambient set.
        return PrivilegePlan(identity: .switchTo(user: user), kept: kept, ambient: kept.intersection(.netAdmin))
    }
}
