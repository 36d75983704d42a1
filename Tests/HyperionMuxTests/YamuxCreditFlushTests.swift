import HyperionMux
import HyperionWire
import NIOCore
import NIOEmbedded
import Testing

/// Regression: window credit granted outside a read cycle of the connection must be
/// flushed at once. A relay resumes reading a stream when its other end drains, which is
/// not during a connection read; an unflushed window update then stalls the peer for good
/// (seen as streams stuck at exactly 256 KiB through real processes).
@Suite struct YamuxCreditFlushTests {
    @Test func creditGrantedOutsideAReadCycleIsFlushed() throws {
        let log = StreamLog()
        let peer = try RawPeer(initializer: log.installer(autoRead: false))
        try peer.send(.window(1, .syn))
        let window = 256 * 1024
        try peer.send(.data(1, length: UInt32(window)), payload: [UInt8](repeating: 7, count: window))
        _ = try peer.writes()  // the ACK

        // The application reads later, from outside any read of the connection.
        log.channels[0].read()
        let updates = try peer.headers().filter { $0.type == .windowUpdate && $0.streamID == 1 }
        #expect(log.recorders[0].received.readableBytes == window)
        #expect(updates.reduce(0) { $0 + Int($1.length) } >= window / 2, "the credit for consumed bytes reached the wire")
    }
}
