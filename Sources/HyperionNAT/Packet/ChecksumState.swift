/// What the TCP checksum field of a packet read from the TUN holds.
public enum ChecksumState: Sendable, Hashable {
    /// A finished checksum over pseudo-header, header and payload (no virtio header, or a
    /// virtio header without NEEDS_CSUM). Rewrites keep it finished.
    case complete
    /// virtio NEEDS_CSUM (the kernel's CHECKSUM_PARTIAL): the field holds only the folded
    /// pseudo-header sum, not complemented; whoever receives the packet sums the rest. The
    /// pseudo-header covers the addresses but not the ports, so only an address change
    /// touches it.
    case partial
}
