#if os(Linux)
/// What `TunDevice.open` creates: the interface's name, link settings and addresses.
public struct TunConfiguration: Sendable {
    /// The interface name, at most 15 bytes; "%d" lets the kernel number it ("hyp%d").
    public var name: String
    /// The link MTU. With offload the kernel still hands over GSO packets up to ~64 KiB.
    public var mtu: Int
    /// How many packets the kernel queues for the reader before it drops (the default, 500,
    /// is small for a burst while the loop is busy).
    public var txQueueLength: Int
    /// Assigned in order; each makes its prefix on-link on the device.
    public var addresses: [TunAddress]
    /// Ask for checksum and TCP segmentation offload (IFF_VNET_HDR). When the kernel
    /// refuses, the device opens without it: see `TunDevice.offloadEnabled`.
    public var offload: Bool

    public init(
        name: String = "hyperion0", mtu: Int = 1500, txQueueLength: Int = 1000,
        addresses: [TunAddress] = [], offload: Bool = true
    ) {
        self.name = name
        self.mtu = mtu
        self.txQueueLength = txQueueLength
        self.addresses = addresses
        self.offload = offload
    }
}
#endif
