#if os(Linux)
import CHyperionLinux
import Glibc
import Synchronization

/// An open TUN interface: a layer-3 device whose packets are read and written as plain IP
/// (IFF_NO_PI), with a virtio-net header in front of each when `offloadEnabled`.
///
/// The interface is not persistent: it exists while the descriptor is open, and `close()`
/// (or the process exiting) removes it with its addresses and routes.
public final class TunDevice: Sendable {
    /// The actual interface name (the kernel's choice when the configuration had "%d").
    public let name: String
    /// The interface index, for routes and rules.
    public let index: Int32
    /// Whether packets carry a `TunOffloadHeader` (IFF_VNET_HDR with checksum and TSO
    /// offload accepted by the kernel).
    public let offloadEnabled: Bool
    /// The non-blocking descriptor. Owned by this object; valid until `close()`.
    public let fileDescriptor: Int32
    private let closed = Atomic<Bool>(false)

    /// Bytes in front of every packet read or written: `TunOffloadHeader.size` or 0.
    public var headerSize: Int { offloadEnabled ? TunOffloadHeader.size : 0 }

    private init(name: String, index: Int32, offloadEnabled: Bool, fileDescriptor: Int32) {
        self.name = name
        self.index = index
        self.offloadEnabled = offloadEnabled
        self.fileDescriptor = fileDescriptor
    }

    /// Creates the interface, probes offload (falling back to plain packets when the kernel
    /// refuses any part of it), sets MTU and queue length, adds the addresses and brings the
    /// link up. Needs CAP_NET_ADMIN. On failure nothing is left behind.
    public static func open(_ configuration: TunConfiguration) throws(TunError) -> TunDevice {
        try validate(configuration)
        let (fd, name, offload) = try attach(name: configuration.name, offload: configuration.offload)
        do throws(TunError) {
            let index = try TunLink.configure(name: name, configuration)
            return TunDevice(name: name, index: index, offloadEnabled: offload, fileDescriptor: fd)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Closes the descriptor, which removes the interface. Stop any `TunPacketLoop` on this
    /// device first. Safe to call more than once.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Glibc.close(fileDescriptor)
    }

    deinit { close() }

    private static func validate(_ configuration: TunConfiguration) throws(TunError) {
        let length = configuration.name.utf8.count
        guard length > 0, length < Int(CHYPERION_TUN_NAME_CAPACITY), !configuration.name.utf8.contains(0) else {
            throw TunError(.invalidConfiguration, "the TUN name \"\(configuration.name)\" must have 1 to 15 bytes")
        }
        guard (68...65535).contains(configuration.mtu) else {
            throw TunError(.invalidConfiguration, "the TUN MTU \(configuration.mtu) is outside 68...65535")
        }
        guard (1...1_000_000).contains(configuration.txQueueLength) else {
            throw TunError(.invalidConfiguration, "the TUN queue length \(configuration.txQueueLength) is outside 1...1000000")
        }
    }

    /// Opens the device, with offload when asked and the kernel agrees, else without.
    private static func attach(name: String, offload: Bool) throws(TunError) -> (Int32, String, Bool) {
        if offload {
            var actual = name
            let fd = openDescriptor(&actual, vnetHeader: true)
            if fd >= 0 {
                if chyperion_tun_enable_offload(fd) == 0 { return (fd, actual, true) }
                // Closing removes the interface, so the plain open below reuses the name.
                Glibc.close(fd)
            }
        }
        var actual = name
        let fd = openDescriptor(&actual, vnetHeader: false)
        guard fd >= 0 else {
            throw TunError.systemCall("creating the TUN device \(name)", -fd, hint: hint(for: -fd))
        }
        return (fd, actual, false)
    }

    private static func openDescriptor(_ name: inout String, vnetHeader: Bool) -> Int32 {
        var buffer = [CChar](repeating: 0, count: Int(CHYPERION_TUN_NAME_CAPACITY))
        for (offset, byte) in name.utf8.prefix(buffer.count - 1).enumerated() { buffer[offset] = CChar(bitPattern: byte) }
        let fd = chyperion_tun_open(&buffer, vnetHeader ? 1 : 0)
        if fd >= 0 { name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return fd
    }

    private static func hint(for code: Int32) -> String {
        switch code {
        case EPERM, EACCES: " (needs root or CAP_NET_ADMIN)"
        case ENOENT, ENODEV: " (is the tun module loaded and /dev/net/tun present?)"
        case EBUSY: " (an interface of that name is in use; pick another name)"
        default: ""
        }
    }
}
#endif
