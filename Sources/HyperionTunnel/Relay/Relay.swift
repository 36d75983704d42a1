import NIOCore

/// Starts relaying between two channels: a local connection and a stream on the client, a
/// stream and the service connection on the server. The one way a relay begins.
///
/// Each channel must carry an `InputHold` and have autoRead off. For each side, in order:
/// the glue is added behind the hold, the hold leaves (handing what it kept to the glue,
/// and so to the other side), and autoRead goes on.
///
/// Bytes a side hands over must find the other side's glue in place. On one loop both
/// glues are added before either hold leaves. On two loops the second side is set up in
/// a task queued on its loop before the first side's hold leaves, and every hop of the
/// first glue to the second loop queues behind that task; the second side's hops to the
/// first loop wait for the task that runs this method to end, by which time the first
/// glue is in place.
enum Relay {
    /// Must be called on `first`'s event loop. `second` may live on another loop.
    static func start(_ first: Channel, _ second: Channel) {
        first.eventLoop.preconditionInEventLoop()
        let (firstGlue, secondGlue) = GlueHandler.matchedPair(firstLoop: first.eventLoop, secondLoop: second.eventLoop)
        if first.eventLoop === second.eventLoop {
            // The partner of a glue that was never added cannot be told; reset both.
            guard join(first, firstGlue), join(second, secondGlue) else {
                first.closeWithReset()
                second.closeWithReset()
                return
            }
            release(first)
            release(second)
        } else {
            let transfer = UncheckedTransfer(secondGlue)
            second.eventLoop.execute {
                if join(second, transfer.value) { release(second) }
            }
            if join(first, firstGlue) { release(first) }
        }
    }

    /// Adds the glue at the end of the pipeline, behind the hold. A channel that cannot
    /// take it is reset, and so is the partner once its glue is in place.
    private static func join(_ channel: Channel, _ glue: GlueHandler) -> Bool {
        do {
            try channel.pipeline.syncOperations.addHandler(glue)
            return true
        } catch {
            glue.abandon()
            channel.closeWithReset()
            return false
        }
    }

    /// The hold hands over what it kept; then the glue drives reads.
    private static func release(_ channel: Channel) {
        if let hold = try? channel.pipeline.syncOperations.handler(type: InputHold.self) {
            channel.pipeline.syncOperations.removeHandler(hold, promise: nil)
        }
        do {
            try channel.setOptionNow(.autoRead, value: true)
        } catch {
            channel.closeWithReset()
        }
    }
}
