/// What a query's OPT pseudo-record (RFC 6891 §6.1) asked for. The responder supports
/// EDNS version 0 and no options: it answers an OPT with an OPT, ignores the options (a
/// cookie or padding it does not implement), and never sets DO since it signs nothing.
struct EDNSRequest: Equatable {
    /// The largest UDP payload this responder advertises. Its answers are far smaller
    /// (a name of at most 255 bytes and two addresses), so 512 bytes always suffice.
    static let advertisedPayloadSize: UInt16 = 512
    /// The OPT record this responder writes: root owner, type, class (payload size),
    /// TTL (extended code, version, flags), empty RDATA.
    static let responseLength = 11

    var version: UInt8

    /// Reads the rest of an OPT record whose owner (root) and type are read already.
    static func read(_ reader: inout WireReader) throws(MessageProblem) -> EDNSRequest {
        _ = try reader.u16()  // the requester's payload size: answers stay under 512 anyway
        let ttl = try reader.u32()
        let dataLength = Int(try reader.u16())
        guard dataLength <= reader.remaining else { throw .truncated }
        // Options are code, length, data; they must fill the RDATA exactly (RFC 6891 §6.1.2).
        var options = reader
        let end = reader.offset + dataLength
        while options.offset < end {
            _ = try options.u16()
            let length = Int(try options.u16())
            guard options.offset + length <= end else { throw .optRecord }
            try options.skip(length)
        }
        guard options.offset == end else { throw .optRecord }
        try reader.skip(dataLength)
        return EDNSRequest(version: UInt8(ttl >> 16 & 0xFF))
    }

    /// The OPT record of an answer, with the upper bits of an extended response code.
    static func writeResponse(code: ResponseCode, into bytes: inout [UInt8]) {
        let extendedCode = UInt8(code.rawValue >> 4)
        bytes += [0, UInt8(RecordType.opt >> 8), UInt8(RecordType.opt & 0xFF),
                  UInt8(advertisedPayloadSize >> 8), UInt8(advertisedPayloadSize & 0xFF),
                  extendedCode, 0, 0, 0, 0, 0]
    }
}
