#if os(Linux)
import CHyperionLinux
import Glibc
import HyperionNAT
import Synchronization

/// TUN mode's kernel fast path as the kernel holds it (CHyperionFastPath.h): the BPF program
/// on the device's egress and its flow map. A map entry is one `FlowTranslation`; while a
/// flow's two are in, its segments (but SYN, FIN and RST) skip the TUN. Removing the device
/// detaches the program; `close` gives back the map.
public final class FastPathLink: Sendable {
    private let mapDescriptor: Int32
    private let linkDescriptor: Int32
    private let closed = Atomic<Bool>(false)

    private init(mapDescriptor: Int32, linkDescriptor: Int32) {
        self.mapDescriptor = mapDescriptor
        self.linkDescriptor = linkDescriptor
    }

    /// Loads the program with a map for `maximumFlows` flows (two entries each) and attaches
    /// it to `device`'s egress, or says why it cannot.
    public static func attach(to device: TunDevice, maximumFlows: Int) -> Result<FastPathLink, TunError> {
        var map: Int32 = -1, link: Int32 = -1
        var log = [CChar](repeating: 0, count: 16 * 1024)
        let entries = UInt32(clamping: max(2, maximumFlows * 2))
        let result = chyperion_fast_path_attach(device.index, entries, &map, &link, &log, UInt32(log.count))
        guard result == 0 else {
            let verifier = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(TunError.systemCall("loading the fast path's BPF program", -result, hint: hint(-result, verifier: verifier)))
        }
        return .success(FastPathLink(mapDescriptor: map, linkDescriptor: link))
    }

    /// Puts one direction in the map; -errno on failure (E2BIG when it is full).
    func put(_ translation: FlowTranslation) -> Int32 {
        var key = Self.tuple(translation.family, translation.original)
        var value = Self.tuple(translation.family, translation.rewritten)
        return chyperion_fast_path_put(mapDescriptor, &key, &value)
    }

    /// Takes one direction out; -errno on failure (ENOENT when it was not in).
    func remove(_ translation: FlowTranslation) -> Int32 {
        var key = Self.tuple(translation.family, translation.original)
        return chyperion_fast_path_remove(mapDescriptor, &key)
    }

    /// Detaches the program and frees the map. Only after the packet thread stopped.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Glibc.close(linkDescriptor)
        Glibc.close(mapDescriptor)
    }

    /// The map's layout: addresses left-aligned in 16 bytes, ports in network order, every
    /// other byte zero (the kernel hashes them all).
    static func tuple(_ family: IPFamily, _ ends: NATFourTuple) -> chyperion_fast_path_tuple {
        var tuple = chyperion_fast_path_tuple()
        withUnsafeMutableBytes(of: &tuple.source) { $0.copyBytes(from: ends.source.address.bytes(family)) }
        withUnsafeMutableBytes(of: &tuple.destination) { $0.copyBytes(from: ends.destination.address.bytes(family)) }
        tuple.source_port = ends.source.port.bigEndian
        tuple.destination_port = ends.destination.port.bigEndian
        tuple.family = family.rawValue
        return tuple
    }

    private static func hint(_ code: Int32, verifier: String) -> String {
        switch code {
        case EPERM:
            return " (it needs CAP_BPF and CAP_NET_ADMIN, or root)"
        case EINVAL where verifier.isEmpty, EOPNOTSUPP, ENOTSUP:
            return " (it needs Linux 6.6 or later, with TCX)"
        default:
            let lines = verifier.split(separator: "\n").suffix(3).joined(separator: " | ")
            return lines.isEmpty ? "" : " (the kernel's verifier: \(lines))"
        }
    }
}
#endif
