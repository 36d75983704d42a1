import NIOCore

extension Channel {
    /// Sets an option from the channel's own event loop, at once: no future per call,
    /// which on the path of every new stream adds up. Throws if the channel offers no
    /// synchronous options (every channel Hyperion makes does).
    func setOptionNow<Option: ChannelOption>(_ option: Option, value: Option.Value) throws {
        guard let options = syncOptions else { throw ChannelError.operationUnsupported }
        try options.setOption(option, value: value)
    }
}
