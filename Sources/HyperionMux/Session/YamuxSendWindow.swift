/// How many bytes the peer still lets us send on one stream.
///
/// Every stream starts with the spec's initial window; window updates add to it, and may
/// well add more than the initial window (a peer grants what it likes). The sum is clamped
/// at `UInt32.max`: a peer that grants four gigabytes of credit loses nothing by being
/// taken at its word up to what we can count.
struct YamuxSendWindow: Hashable, Sendable {
    private(set) var available: UInt32

    init(initial: UInt32) {
        self.available = initial
    }

    mutating func grow(by delta: UInt32) {
        let (sum, overflow) = self.available.addingReportingOverflow(delta)
        self.available = overflow ? .max : sum
    }

    /// The largest data frame we may send now, given our own frame length limit.
    func sendableBytes(maximumFrameLength: Int) -> Int {
        min(Int(self.available), maximumFrameLength)
    }

    mutating func consume(_ bytes: Int) {
        precondition(bytes >= 0 && bytes <= Int(self.available), "sent beyond the send window")
        self.available -= UInt32(bytes)
    }
}
