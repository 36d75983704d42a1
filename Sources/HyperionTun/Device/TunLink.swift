#if os(Linux)
import CHyperionLinux
import Glibc

/// The link settings of a freshly opened TUN: MTU, queue length, addresses and the up flag,
/// all through ioctl and rtnetlink (never by running `ip`).
enum TunLink {
    /// Applies `configuration` to the interface `name` and returns its index.
    static func configure(name: String, _ configuration: TunConfiguration) throws(TunError) -> Int32 {
        let index = chyperion_link_index(name)
        guard index > 0 else { throw TunError.systemCall("looking up the index of \(name)", -index) }
        try check(chyperion_link_set_mtu(name, Int32(configuration.mtu)), "setting the MTU of \(name) to \(configuration.mtu)")
        try check(
            chyperion_link_set_txqueuelen(name, Int32(configuration.txQueueLength)),
            "setting the queue length of \(name) to \(configuration.txQueueLength)"
        )
        // Up before the addresses: the kernel then adds the prefix routes at once.
        try check(chyperion_link_set_up(name), "bringing \(name) up")
        for address in configuration.addresses {
            let family = address.isIPv6 ? AF_INET6 : AF_INET
            let result = address.bytes.withUnsafeBufferPointer {
                chyperion_link_add_address(index, family, $0.baseAddress, Int32(address.prefixLength))
            }
            try check(result, "adding the address \(address) to \(name)")
        }
        return index
    }

    private static func check(_ result: Int32, _ what: String) throws(TunError) {
        guard result < 0 else { return }
        let hint = -result == EAFNOSUPPORT ? " (is IPv6 disabled on this host?)" : ""
        throw TunError.systemCall(what, -result, hint: hint)
    }
}
#endif
