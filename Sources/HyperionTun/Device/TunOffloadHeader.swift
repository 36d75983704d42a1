#if os(Linux)
/// The virtio-net header in front of each packet when offload is on (`struct
/// virtio_net_hdr`, 10 bytes, in the host's byte order as the kernel uses for TUN).
///
/// Read: `needsChecksum` means the L4 checksum field holds only the pseudo-header sum and
/// the kernel expects whoever transmits to finish it; `gsoType` other than `.none` marks a
/// super-packet of up to ~64 KiB that is cut into `gsoSize`-byte segments later. A rewriter
/// keeps the header as it is and updates the pseudo-header sum for changed addresses.
/// Written: `.plain` (all zero) says "one packet, checksums complete".
public struct TunOffloadHeader: Hashable, Sendable {
    /// Bytes on the wire.
    public static let size = 10

    /// VIRTIO_NET_HDR_F_*.
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Checksum from `checksumStart` to the end, stored at `checksumStart + checksumOffset`.
        public static let needsChecksum = Flags(rawValue: 1)
        /// The checksum was verified already.
        public static let dataValid = Flags(rawValue: 2)
    }

    /// VIRTIO_NET_HDR_GSO_*: which segmentation the kernel will apply; bit 0x80 is ECN.
    public struct GSOType: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let none = GSOType(rawValue: 0)
        public static let tcpv4 = GSOType(rawValue: 1)
        public static let udp = GSOType(rawValue: 3)
        public static let tcpv6 = GSOType(rawValue: 4)
        public static let udpL4 = GSOType(rawValue: 5)
        /// The type without the ECN bit.
        public var kind: GSOType { GSOType(rawValue: rawValue & 0x7F) }
        public var ecn: Bool { rawValue & 0x80 != 0 }
        public var description: String {
            let names: [UInt8: String] = [0: "none", 1: "tcpv4", 3: "udp", 4: "tcpv6", 5: "udpL4"]
            return (names[rawValue & 0x7F] ?? "gso(\(rawValue & 0x7F))") + (ecn ? "+ecn" : "")
        }
    }

    public var flags: Flags
    public var gsoType: GSOType
    /// Bytes of IP plus transport headers (a hint for segmentation).
    public var headerLength: UInt16
    /// Payload bytes per segment when `gsoType` is not `.none`.
    public var gsoSize: UInt16
    /// Where checksumming starts, from the start of the IP packet (the L4 header).
    public var checksumStart: UInt16
    /// Where the checksum field is, from `checksumStart`.
    public var checksumOffset: UInt16

    /// One complete packet: no offload work left for the kernel.
    public static let plain = TunOffloadHeader()

    public var needsChecksum: Bool { flags.contains(.needsChecksum) }

    public init(
        flags: Flags = [], gsoType: GSOType = .none, headerLength: UInt16 = 0, gsoSize: UInt16 = 0,
        checksumStart: UInt16 = 0, checksumOffset: UInt16 = 0
    ) {
        self.flags = flags
        self.gsoType = gsoType
        self.headerLength = headerLength
        self.gsoSize = gsoSize
        self.checksumStart = checksumStart
        self.checksumOffset = checksumOffset
    }

    /// Parses the first `size` bytes; nil when there are fewer.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.size else { return nil }
        self.init(
            flags: Flags(rawValue: bytes[0]), gsoType: GSOType(rawValue: bytes[1]),
            headerLength: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self),
            gsoSize: bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self),
            checksumStart: bytes.loadUnaligned(fromByteOffset: 6, as: UInt16.self),
            checksumOffset: bytes.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        )
    }

    /// Writes the header into the first `size` bytes of `bytes`, which must have room.
    public func write(to bytes: UnsafeMutableRawBufferPointer) {
        precondition(bytes.count >= Self.size, "a virtio header needs \(Self.size) bytes")
        bytes[0] = flags.rawValue
        bytes[1] = gsoType.rawValue
        bytes.storeBytes(of: headerLength, toByteOffset: 2, as: UInt16.self)
        bytes.storeBytes(of: gsoSize, toByteOffset: 4, as: UInt16.self)
        bytes.storeBytes(of: checksumStart, toByteOffset: 6, as: UInt16.self)
        bytes.storeBytes(of: checksumOffset, toByteOffset: 8, as: UInt16.self)
    }
}
#endif
