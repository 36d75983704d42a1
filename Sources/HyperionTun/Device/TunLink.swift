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
        for address in configuration.addresses {
            try waitUntilLocal(address, name: name)
        }
        return index
    }

    /// Waits (up to 2 s) until the kernel routes `address` as local. For IPv6 that happens
    /// from a work queue shortly after the address is added, nodad or not; a packet to the
    /// address before then is dropped, which a caller who writes one at once would see.
    private static func waitUntilLocal(_ address: TunAddress, name: String) throws(TunError) {
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        var lastType: Int32 = 0
        for _ in 0..<2000 {
            lastType = address.bytes.withUnsafeBufferPointer { chyperion_route_type(family, $0.baseAddress) }
            if lastType == CHYPERION_ROUTE_TYPE_LOCAL { return }
            usleep(1000)
        }
        if lastType < 0 { throw TunError.systemCall("looking up the route of \(address) on \(name)", -lastType) }
        throw TunError(
            .systemCallFailed,
            "the kernel did not make \(address) a local address of \(name) within 2 s (route type \(lastType)); see `ip route get`"
        )
    }

    private static func check(_ result: Int32, _ what: String) throws(TunError) {
        guard result < 0 else { return }
        let hint = -result == EAFNOSUPPORT ? " (is IPv6 disabled on this host?)" : ""
        throw TunError.systemCall(what, -result, hint: hint)
    }
}
#endif
