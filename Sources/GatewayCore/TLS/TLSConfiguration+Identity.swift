import NIOSSL

extension TLSConfiguration {
    /// Presents `identity` when the server asks for a client certificate.
    mutating func present(_ identity: TLSIdentity?) {
        guard let identity else { return }
        certificateChain = identity.chain.map { .certificate($0) }
        privateKey = .privateKey(identity.key)
    }
}
