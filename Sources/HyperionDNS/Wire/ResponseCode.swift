/// The response codes this responder sends (RFC 1035 §4.1.1, RFC 6891 §9 for BADVERS,
/// whose upper eight bits travel in the OPT record).
enum ResponseCode: UInt16 {
    case noError = 0
    case formatError = 1
    case nameError = 3
    case notImplemented = 4
    case refused = 5
    case badVersion = 16
}

/// The record types and classes the responder knows by number.
enum RecordType {
    static let a: UInt16 = 1
    static let soa: UInt16 = 6
    static let aaaa: UInt16 = 28
    static let opt: UInt16 = 41
    static let any: UInt16 = 255
}

enum RecordClass {
    static let internet: UInt16 = 1
}
