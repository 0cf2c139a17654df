/// Carries `OpenBaoRequest`s to OpenBao. `OpenBaoHTTPTransport` is the real one (AsyncHTTPClient);
/// tests put a scripted one in its place.
package protocol OpenBaoTransport: Sendable {
    /// Sends `request` with `headers`. Throws `OpenBaoError` (unreachable, TLS, timeout) when no
    /// answer arrived; any HTTP status is an answer.
    func send(_ request: OpenBaoRequest, headers: [(name: String, value: String)]) async throws(OpenBaoError) -> OpenBaoResponse
}
