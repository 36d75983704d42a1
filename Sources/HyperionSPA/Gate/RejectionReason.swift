import HyperionWire

/// Why a frame that reached user space did not open the firewall.
///
/// The kernel filter should already have dropped everything but UDP to the knock port, so
/// the reasons before `knock` mostly count frames that raced the filter or a kernel that
/// disagrees with our parser; `knock` carries the verifier's verdict.
public enum RejectionReason: TalliedReason {
    /// The frame was longer than the receive buffer (MSG_TRUNC).
    case truncated
    /// Not captured on an Ethernet or loopback interface, so not parsed.
    case unsupportedLinkType
    /// Broadcast, multicast or promiscuously seen: not addressed to this host.
    case notForThisHost
    /// Not an unfragmented IPv4/IPv6 UDP datagram with consistent lengths.
    case notAUDPDatagram
    /// A UDP datagram, but not to the knock port.
    case wrongPort
    /// From the unspecified address, multicast or broadcast.
    case unusableSource
    /// The verifier refused it.
    case knock(KnockRejection)

    public static let allCases: [RejectionReason] =
        [.truncated, .unsupportedLinkType, .notForThisHost, .notAUDPDatagram, .wrongPort, .unusableSource]
        + KnockRejection.allCases.map { .knock($0) }

    public var description: String {
        switch self {
        case .truncated: "truncated frame"
        case .unsupportedLinkType: "unsupported link type"
        case .notForThisHost: "not for this host"
        case .notAUDPDatagram: "not a UDP datagram"
        case .wrongPort: "not to the knock port"
        case .unusableSource: "unusable source address"
        case .knock(let rejection): rejection.rawValue
        }
    }

    public var tallyIndex: Int {
        switch self {
        case .truncated: 0
        case .unsupportedLinkType: 1
        case .notForThisHost: 2
        case .notAUDPDatagram: 3
        case .wrongPort: 4
        case .unusableSource: 5
        case .knock(let rejection): 6 + KnockRejection.allCases.firstIndex(of: rejection)!
        }
    }
}
