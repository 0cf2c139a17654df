/// The steps of one check, in the order they run. The raw values are the JSON values.
package enum HealthStep: String, Sendable, Hashable, CaseIterable, Codable {
    /// The connector has an executor and settings that can be used (TLS context, address).
    case config
    /// The injected credential's secret reference resolves.
    case secret
    /// The executor host resolves to addresses.
    case dns
    /// A TCP connection to the executor opens.
    case connect
    /// The TLS handshake completes (certificate verified per verify_tls/ca_file/tls_server_name).
    case tls
    /// The connector's own probe answers (HTTP status or gRPC health status).
    case probe
}
