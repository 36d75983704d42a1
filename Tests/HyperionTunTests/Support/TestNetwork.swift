import HyperionTun

/// A device name and private prefixes of their own for one test, so parallel runs (and
/// other worktrees' tests on this host) do not clash: "hyptestNNNNNN", 10.201.x.0/24 and
/// fd00:201:x::/64 with a random x.
struct TestNetwork {
    let name = "hyptest\(Int.random(in: 100_000...999_999))"
    let subnet = UInt8.random(in: 1...254)

    /// 10.201.x.host
    func v4(_ host: UInt8) -> [UInt8] { [10, 201, subnet, host] }
    /// fd00:201:x::host
    func v6(_ host: UInt8) -> [UInt8] { [0xfd, 0, 0x02, 0x01, 0, subnet] + [UInt8](repeating: 0, count: 9) + [host] }

    func configuration(offload: Bool, mtu: Int = 1500, txQueueLength: Int = 2000) -> TunConfiguration {
        TunConfiguration(
            name: name, mtu: mtu, txQueueLength: txQueueLength,
            addresses: [TunAddress(bytes: v4(1), prefixLength: 24)!, TunAddress(bytes: v6(1), prefixLength: 64)!],
            offload: offload
        )
    }
}
