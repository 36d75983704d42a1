import NIOCore

/// Starts relaying between a local connection and a connected stream.
enum Relay {
    /// Must be called on `local`'s event loop. The stream may live on another loop.
    /// `local` may carry an `EarlyInputBuffer`, whose contents are relayed first.
    static func glue(local: Channel, stream opened: OpenedStream) {
        let stream = opened.channel
        let (localGlue, streamGlue) = GlueHandler.matchedPair(firstLoop: local.eventLoop, secondLoop: stream.eventLoop)
        do {
            try local.pipeline.syncOperations.addHandler(localGlue)
        } catch {
            local.close(promise: nil)
            stream.close(promise: nil)
            return
        }
        // Bytes that came with the server's answer go out before anything the glue relays.
        if let leftover = opened.leftover {
            local.writeAndFlush(leftover, promise: nil)
        }
        let transfer = UncheckedTransfer(streamGlue)
        let inputClosed = opened.inputClosed
        let addStreamSide: @Sendable () -> Void = {
            do {
                try stream.pipeline.syncOperations.addHandler(transfer.value)
                // An end of input that came with the answer reaches the glue now.
                if inputClosed { stream.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
                try stream.setOptionNow(.autoRead, value: true)
            } catch {
                stream.close(promise: nil)
            }
        }
        if stream.eventLoop.inEventLoop { addStreamSide() } else { stream.eventLoop.execute(addStreamSide) }
        // What the local side sent before the relay existed follows the stream side's
        // installation: on another loop, the glue's hop queues behind `addStreamSide`.
        if let earlyInput = try? local.pipeline.syncOperations.handler(type: EarlyInputBuffer.self) {
            local.pipeline.syncOperations.removeHandler(earlyInput, promise: nil)
        }
        do {
            try local.setOptionNow(.autoRead, value: true)
        } catch {
            local.close(promise: nil)
        }
    }
}
