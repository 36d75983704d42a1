import HyperionWire
import NIOCore

@testable import HyperionMux

/// Frame builders for tests, named as a reader of the spec would.
extension YamuxHeader {
    static func window(_ id: UInt32, _ flags: Flags = [], delta: UInt32 = 0) -> YamuxHeader {
        YamuxHeader(type: .windowUpdate, flags: flags, streamID: id, length: delta)
    }

    static func data(_ id: UInt32, _ flags: Flags = [], length: UInt32) -> YamuxHeader {
        YamuxHeader(type: .data, flags: flags, streamID: id, length: length)
    }

    static func ping(_ flags: Flags, opaque: UInt32) -> YamuxHeader {
        YamuxHeader(type: .ping, flags: flags, streamID: 0, length: opaque)
    }

    static func goAway(_ code: GoAwayCode) -> YamuxHeader {
        YamuxHeader(type: .goAway, streamID: 0, length: code.rawValue)
    }

    /// The header's 12 bytes, followed by `payload`.
    func bytes(payload: [UInt8] = []) -> ByteBuffer {
        var buffer = ByteBuffer()
        self.write(into: &buffer)
        buffer.writeBytes(payload)
        return buffer
    }
}

extension YamuxInboundAction {
    var streamAction: YamuxStreamAction? {
        if case .stream(let action) = self { return action }
        return nil
    }
}

extension YamuxConfiguration {
    static func testing(_ role: YamuxRole, _ adjust: (inout YamuxConfiguration) -> Void = { _ in }) -> YamuxConfiguration {
        var configuration = YamuxConfiguration(role: role)
        configuration.measuresRoundTripTimeOnStart = false
        adjust(&configuration)
        return configuration
    }
}

/// Reads every frame out of `buffer` (header and payload length), for raw-peer tests.
func frames(in buffer: inout ByteBuffer) throws -> [YamuxFrame] {
    let parser = YamuxFrameParser(maximumDataLength: .max)
    var result: [YamuxFrame] = []
    while let frame = try parser.nextFrame(from: &buffer) { result.append(frame) }
    return result
}
