import HyperionWire
import NIOCore

// MARK: Frames from the peer

extension YamuxSession {
    /// Processes one inbound frame (its payload, if any, is the caller's to route).
    /// Throws a `.protocolError` when the session must end with go away(1).
    mutating func receive(_ header: YamuxHeader, now: NIODeadline) throws -> YamuxInboundAction {
        guard !self.isClosed else { return .none }
        switch header.type {
        case .ping:
            return self.receivePing(header, now: now)
        case .goAway:
            guard self.receivedGoAway == nil else { return .none }
            self.receivedGoAway = header.length
            return .goAwayReceived(code: header.length, refusedStreams: self.removePendingOpens())
        case .data, .windowUpdate:
            return try self.receiveStreamFrame(header, now: now)
        }
    }

    private mutating func receivePing(_ header: YamuxHeader, now: NIODeadline) -> YamuxInboundAction {
        // The spec says pings use stream id 0; a peer that gets it wrong is still answered.
        if header.flags.contains(.syn) {
            return .pingReceived(
                opaque: header.length, reply: YamuxHeader(type: .ping, flags: .ack, streamID: header.streamID, length: header.length)
            )
        }
        if header.flags.contains(.ack), let rtt = self.pings.complete(opaque: header.length, now: now) {
            return .pingAnswered(opaque: header.length, roundTripTime: rtt)
        }
        return .none
    }

    private mutating func receiveStreamFrame(_ header: YamuxHeader, now: NIODeadline) throws -> YamuxInboundAction {
        let id = header.streamID
        guard id != 0 else {
            throw YamuxError(.protocolError, "the peer sent a \(header.type) frame on stream id 0, which is reserved for the session")
        }
        var action = YamuxStreamAction(streamID: id)

        if header.flags.contains(.syn) {
            guard self.isPeerStreamID(id) else {
                throw YamuxError(.protocolError, "the peer opened stream \(id), an id of the wrong parity for its role")
            }
            // Ids need not increase: hashicorp/yamux sends each SYN from the goroutine that
            // opened the stream, so concurrent opens arrive in any order. Only an id still
            // in our table is a duplicate (an entry lives until its channel closes).
            guard self.streams[id] == nil else {
                throw YamuxError(.protocolError, "the peer opened stream \(id) while a stream with that id is still in use")
            }
            if let refusal = self.refusal() {
                action.reply = YamuxHeader(type: .windowUpdate, flags: .rst, streamID: id, length: 0)
                action.refusal = refusal
                return .stream(action)
            }
            var stream = self.newStream(now: now)
            stream.state.receiveSyn()
            stream.state.sendAck()
            stream.awaitingAccept = true
            self.pendingAccepts += 1
            self.streams[id] = stream
            action.openedByPeer = true
            action.reply = YamuxHeader(type: .windowUpdate, flags: .ack, streamID: id, length: self.extraStartCredit(id))
        }

        // Frames for streams we never knew, or that are gone, are dropped: after we reset a
        // stream the peer may still have frames for it in flight.
        guard var stream = self.streams[id], stream.state.isOpenOnWire, stream.state.phase != .reset else {
            return .none
        }
        defer { self.streams[id] = stream }

        if header.flags.contains(.ack), stream.state.receiveAck() {
            self.unacknowledgedOutbound -= 1
            action.acknowledged = true
        }
        if header.flags.contains(.rst) {
            // An RST instead of the ACK is the spec's way to refuse a stream.
            action.closedWithError = stream.state.awaitingAcknowledgement
                ? YamuxError(.streamRefused, "the peer refused stream \(id)")
                : YamuxError(.streamReset, "the peer reset stream \(id)")
            self.reset(&stream)
            return .stream(action)
        }
        switch header.type {
        case .windowUpdate where header.length > 0:
            stream.sendWindow.grow(by: header.length)
            action.sendWindowOpened = true
        case .data where header.length > 0:
            if !stream.state.canReceive {
                // Data after the peer's FIN breaks the stream, not the session.
                self.reset(&stream)
                action.reply = YamuxHeader(type: .windowUpdate, flags: .rst, streamID: id, length: 0)
                action.closedWithError = YamuxError(.protocolError, "the peer sent data on stream \(id) after its FIN; the stream was reset")
                return .stream(action)
            }
            guard stream.receiveWindow.receive(header.length) else {
                self.reset(&stream)
                action.reply = YamuxHeader(type: .windowUpdate, flags: .rst, streamID: id, length: 0)
                action.closedWithError = YamuxError(
                    .windowExceeded,
                    "the peer sent \(header.length) bytes on stream \(id) with a window of \(stream.receiveWindow.peerCredit); the stream was reset"
                )
                return .stream(action)
            }
            action.deliverPayload = true
        default:
            break
        }
        if header.flags.contains(.fin), stream.state.receiveFin() {
            action.remoteFinished = true
        }
        return .stream(action)
    }

    /// Resets a stream, giving back its place among the unacknowledged ones.
    private mutating func reset(_ stream: inout Stream) {
        if stream.state.awaitingAcknowledgement { self.unacknowledgedOutbound -= 1 }
        stream.state.reset()
    }

    /// Why a new inbound stream must be refused (reset), if it must.
    private func refusal() -> YamuxRefusal? {
        if !self.acceptsInboundStreams { return .notAccepting }
        if self.isGoingAway { return .goingAway }
        if self.streams.count >= self.configuration.maximumStreams { return .streamLimit(self.configuration.maximumStreams) }
        if self.pendingAccepts >= self.configuration.acceptBacklog { return .acceptBacklog(self.configuration.acceptBacklog) }
        return nil
    }
}
