import NIOCore
import NIOSSL
import NIOTLS

/// Sits behind the TLS handler of a TCP listener that terminates TLS: once the handshake is
/// done it asks `admit` whether the caller (its client certificate) may use the connector. Until
/// then, and while the upstream is being dialled, it holds what the caller sent (bounded); a
/// caller refused, or one that sends too much before the upstream answers, is closed, and none
/// of its bytes ever reach the upstream.
final class TCPCallerGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    enum Decision {
        case admit(principal: String?)
        case refuse(reason: String)
    }

    /// Bytes held before the upstream is connected (a gRPC client sends its preface and first
    /// request right after the handshake).
    static let maxHeldBytes = 1 << 20
    /// A caller that has not finished its TLS handshake by then is closed (the listener's idle
    /// timeout, at least 90 s for Temporal's long polls, is too long a wait for a handshake).
    static let handshakeTimeout = TimeAmount.seconds(10)

    private let admit: (CallerCertificate?) -> Decision
    /// Why the caller was refused, and whether its TLS handshake failed (rather than its principal).
    private let onRefused: (String, _ handshake: Bool) -> Void
    /// Called once an admitted caller's handshake is done (with its principal): dial the
    /// upstream, then `release`.
    var onAdmitted: (String?) -> Void = { _ in }
    private var held: [ByteBuffer] = []
    private var heldBytes = 0
    private var admitted = false
    private var context: ChannelHandlerContext?
    private var handshakeDeadline: Scheduled<Void>?

    init(admit: @escaping (CallerCertificate?) -> Decision, onRefused: @escaping (String, _ handshake: Bool) -> Void) {
        self.admit = admit
        self.onRefused = onRefused
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        handshakeDeadline = context.eventLoop.scheduleTask(in: Self.handshakeTimeout) {
            let (gate, context) = loopBound.value
            guard !gate.admitted, gate.context != nil else { return }
            gate.onRefused("the TLS handshake did not finish within \(Self.handshakeTimeout.nanoseconds / 1_000_000_000) s", true)
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        handshakeDeadline?.cancel()
        handshakeDeadline = nil
        self.context = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A failed handshake (no client certificate, one of an unknown CA, no common protocol).
        if !admitted { onRefused("the TLS handshake failed: \(error)", true) }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .handshakeCompleted = event as? TLSUserEvent else { return context.fireUserInboundEventTriggered(event) }
        handshakeDeadline?.cancel()
        handshakeDeadline = nil
        switch admit(CallerCertificate.of(context.channel)) {
        case let .admit(principal):
            admitted = true
            onAdmitted(principal)
        case let .refuse(reason):
            onRefused(reason, false)
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard admitted else { return }  // not before the caller is admitted (cannot happen after a handshake)
        heldBytes += buffer.readableBytes
        if heldBytes > Self.maxHeldBytes {
            onRefused("the caller sent more than \(Self.maxHeldBytes) bytes before the upstream connection was up", false)
            context.close(promise: nil)
            return
        }
        held.append(buffer)
    }

    /// The upstream is joined after this handler: what was held goes on, then this handler leaves.
    func release() {
        guard let context else { return }
        for buffer in held { context.fireChannelRead(wrapInboundOut(buffer)) }
        if !held.isEmpty { context.fireChannelReadComplete() }
        held = []
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
