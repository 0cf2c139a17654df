import NIOCore

extension Optional where Wrapped == ByteBuffer {
    /// Adds a read's bytes to those not consumed yet: the read itself when nothing is left (no
    /// copy, the common case), else appended (a head or chunk line split across reads).
    mutating func accumulate(_ read: ByteBuffer) {
        guard var held = self, held.readableBytes > 0 else {
            self = read
            return
        }
        self = nil  // one reference left, so the append below does not copy the held bytes
        var read = read
        held.writeBuffer(&read)
        self = held
    }
}
