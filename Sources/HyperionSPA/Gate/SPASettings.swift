import HyperionCrypto
import HyperionWire

/// Everything the SPA gate needs, in the server's terms. The server executable maps its
/// config file onto this; the gate itself knows nothing about TOML.
public struct SPASettings: Sendable {
    /// The UDP port knocks are sent to (by default the tunnel port's number).
    public var knockPort: UInt16
    /// The TCP port a knock opens.
    public var tunnelPort: UInt16
    public var knockKey: KnockKey
    /// This server's static public key: knocks sealed for another server fail to open.
    public var serverPublicKey: X25519PublicKey
    /// How far a knock's time may be from ours, both ways (PROTOCOL.md §7).
    public var windowSeconds: UInt64 = KnockVerifier.defaultWindowSeconds
    /// At most one firewall call per source per this many seconds.
    public var cooldownSeconds: UInt64 = 5
    public var table: String = FirewallRuleset.defaultTable
    public var set: String = FirewallRuleset.defaultSet
    public var set6: String = FirewallRuleset.defaultSet6
    /// How long a knocked address may open new connections to the tunnel port.
    public var elementTimeoutSeconds: UInt64 = 60
    /// How often refused datagrams are summarized in the log (only if any were refused).
    public var summaryIntervalSeconds: UInt64 = 30
    /// The packet socket's receive buffer, so a burst of junk does not push out a knock.
    public var receiveBufferBytes: Int = 4 << 20
    /// The `nft` binary; nil looks in the usual sbin and bin directories.
    public var nftPath: String?
    /// The clock for knock freshness and the cooldown; tests inject one.
    public var clock: UnixClock = .system

    public init(
        knockPort: UInt16, tunnelPort: UInt16, knockKey: KnockKey, serverPublicKey: X25519PublicKey
    ) {
        self.knockPort = knockPort
        self.tunnelPort = tunnelPort
        self.knockKey = knockKey
        self.serverPublicKey = serverPublicKey
    }

    /// Refuses combinations that cannot work, with a message that names the setting.
    public func validate() throws(SPAError) {
        guard knockPort != 0, tunnelPort != 0 else {
            throw SPAError(.invalidSettings, "the knock port and the tunnel port must be between 1 and 65535")
        }
        guard elementTimeoutSeconds >= 1, elementTimeoutSeconds <= 86_400 else {
            throw SPAError(.invalidSettings, "the firewall element timeout must be between 1 and 86400 seconds, got \(elementTimeoutSeconds)")
        }
        // A source in its cooldown gets no new element; if the old one could expire first,
        // a client would be locked out until the cooldown ended.
        guard cooldownSeconds < elementTimeoutSeconds else {
            throw SPAError(
                .invalidSettings,
                "the knock cooldown (\(cooldownSeconds) s) must be shorter than the firewall element timeout (\(elementTimeoutSeconds) s)"
            )
        }
        guard windowSeconds >= 1, windowSeconds <= 3600 else {
            throw SPAError(.invalidSettings, "the knock window must be between 1 and 3600 seconds, got \(windowSeconds)")
        }
        guard summaryIntervalSeconds >= 1, summaryIntervalSeconds <= 86_400 else {
            throw SPAError(.invalidSettings, "the rejection summary interval must be between 1 second and a day, got \(summaryIntervalSeconds) s")
        }
        guard (64 << 10)...(256 << 20) ~= receiveBufferBytes else {
            throw SPAError(.invalidSettings, "the receive buffer must be between 64 KiB and 256 MiB")
        }
        _ = try FirewallRuleset.render(tunnelPort: tunnelPort, table: table, set: set, set6: set6)
    }
}
