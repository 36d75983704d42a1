import FuzzSupport
import HyperionTunnel

// The daemons' control-socket protocol (ControlMessage.swift): what a local client sends,
// in chunks of any size, into the bounded line reader, then the request decoder; and the
// reply decoders that `status` runs on what a daemon (or an impostor) answers.
//
// Input: one byte of chunk size (1-256), then the bytes. Checks: the reader never returns
// more than its limit nor a line holding a newline, and refuses everything after one; a
// request that decodes encodes back to a line that decodes to the same request; every
// refusal is a ControlProtocolError.

@main enum Main {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzReader(data, size)
    let chunk = Int(input.u8()) + 1
    let bytes = input.rest()
    let limit = ControlLimits.maximumRequestBytes
    var reader = ControlLineReader(limit: limit)
    var line: [UInt8]?
    var refused = false
    var offset = 0
    while offset < bytes.count, !refused {
        let piece = bytes[offset..<min(bytes.count, offset + chunk)]
        offset += piece.count
        do {
            if let got = try reader.feed(piece) {
                precondition(line == nil || line! == got, "the reader changed its line")
                line = got
            }
        } catch {
            precondition(error is ControlProtocolError, "the reader threw \(type(of: error))")
            refused = true
        }
    }
    guard let line else { return 0 }
    precondition(line.count <= limit, "a line of \(line.count) bytes passed a limit of \(limit)")
    precondition(!line.contains(UInt8(ascii: "\n")), "a line holds a newline")

    do {
        let request = try ControlCoding.decode(ControlRequest.self, from: line)
        let again = try ControlCoding.line(request)
        let decodedAgain = try ControlCoding.decode(ControlRequest.self, from: Array(again.dropLast()))
        precondition(decodedAgain == request, "no round trip")
    } catch {
        precondition(error is ControlProtocolError, "decoding threw \(type(of: error))")
    }
    for decode in [
        { _ = try ControlCoding.decode(ControlReply<ClientDaemonStatus>.self, from: line) },
        { _ = try ControlCoding.decode(ControlReply<NoStatus>.self, from: line) },
    ] as [() throws -> Void] {
        do { try decode() } catch {
            precondition(error is ControlProtocolError, "a reply decoder threw \(type(of: error))")
        }
    }
    return 0
}
