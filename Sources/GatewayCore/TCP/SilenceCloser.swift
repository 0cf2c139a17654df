import NIOCore

/// Closes a connection silent both ways for `timeout`: any byte read or written counts as
/// activity. One timer, moved only when it fires (then it compares the loop's clock with the
/// last activity and waits again if that moved), so relayed traffic costs no timer work.
final class SilenceCloser: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    private let timeout: TimeAmount
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var context: ChannelHandlerContext?
    private lazy var timer = DeadlineTimer { [unowned(unsafe) self] in self.fired() }

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        lastActivity = context.eventLoop.now
        timer.fire(noLaterThan: lastActivity + timeout, on: context.eventLoop)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer.cancel()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = context.eventLoop.now
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivity = context.eventLoop.now
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer.cancel()
        context.fireChannelInactive()
    }

    private func fired() {
        guard let context else { return }
        let deadline = lastActivity + timeout
        if context.eventLoop.now >= deadline {
            context.close(promise: nil)
        } else {
            timer.fire(noLaterThan: deadline, on: context.eventLoop)
        }
    }
}
