#if os(Linux)
import HyperionNAT

/// What the kernel fast path carries now and has carried.
public struct FastPathStatistics: Hashable, Sendable {
    /// Flows whose translations are in the map now.
    public var liveFlows = 0
    /// Flows put in the map since start.
    public var installed: UInt64 = 0
    /// Flows the map could not take (full, or a failed call): they stay on the TUN.
    public var refused: UInt64 = 0
}

/// The packet thread's side of the fast path: which flows it put in the kernel's map, so
/// each comes out exactly once, when its relay ends. The NAT stays the authority: a flow is
/// put in only once it is established, with the translations the NAT gives.
final class FastPathFlows {
    private let link: FastPathLink
    private var installed: [FlowHandle: [FlowTranslation]] = [:]
    private var installedTotal: UInt64 = 0
    private var refusedTotal: UInt64 = 0

    init(link: FastPathLink) {
        self.link = link
    }

    var statistics: FastPathStatistics {
        FastPathStatistics(liveFlows: installed.count, installed: installedTotal, refused: refusedTotal)
    }

    /// Puts a flow's translations in the map, all or none.
    func install(_ handle: FlowHandle, _ translations: [FlowTranslation]) {
        guard installed[handle] == nil else { return }
        for (index, translation) in translations.enumerated() where link.put(translation) != 0 {
            translations[..<index].forEach { _ = link.remove($0) }
            refusedTotal &+= 1
            return
        }
        installed[handle] = translations
        installedTotal &+= 1
    }

    /// Takes a flow's translations out, if they are in; its last segments then take the TUN,
    /// where the NAT still translates them while it holds the port.
    func remove(_ handle: FlowHandle) {
        installed.removeValue(forKey: handle)?.forEach { _ = link.remove($0) }
    }
}

@available(*, unavailable)
extension FastPathFlows: Sendable {}
#endif
