import NIOCore

/// Whether a stream channel is writable: only when its own unsent bytes are within its
/// watermarks *and* the connection is writable (as `StreamChannelFlowController` in
/// swift-nio-http2). Bytes waiting for send window count as unsent, so a peer that stops
/// granting credit makes the stream unwritable once the watermark is reached, and an
/// application that honours writability never buffers more than that.
struct YamuxStreamWritability: Hashable, Sendable {
    private(set) var low: Int
    private(set) var high: Int
    private(set) var pendingBytes = 0
    private var belowWaterMark = true
    private var parentIsWritable: Bool

    init(waterMark: ChannelOptions.Types.WriteBufferWaterMark, parentIsWritable: Bool) {
        self.low = waterMark.low
        self.high = waterMark.high
        self.parentIsWritable = parentIsWritable
    }

    var isWritable: Bool { self.belowWaterMark && self.parentIsWritable }

    /// Each returns the new writability if it changed.
    mutating func buffered(_ bytes: Int) -> Bool? {
        self.change { $0.pendingBytes += bytes }
    }

    mutating func wrote(_ bytes: Int) -> Bool? {
        self.change { $0.pendingBytes -= bytes }
    }

    mutating func parentWritabilityChanged(_ isWritable: Bool) -> Bool? {
        self.change { $0.parentIsWritable = isWritable }
    }

    mutating func setWaterMark(_ waterMark: ChannelOptions.Types.WriteBufferWaterMark) -> Bool? {
        self.change {
            $0.low = waterMark.low
            $0.high = waterMark.high
        }
    }

    private mutating func change(_ body: (inout Self) -> Void) -> Bool? {
        let wasWritable = self.isWritable
        body(&self)
        precondition(self.pendingBytes >= 0, "wrote more bytes than were buffered")
        if self.pendingBytes > self.high {
            self.belowWaterMark = false
        } else if self.pendingBytes < self.low || self.pendingBytes == 0 {
            self.belowWaterMark = true
        }
        return wasWritable == self.isWritable ? nil : self.isWritable
    }
}
