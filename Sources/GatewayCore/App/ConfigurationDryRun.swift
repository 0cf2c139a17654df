import NIOCore

/// What `serve` builds from a configuration before it binds anything, built once more for
/// `validate`: the route table (every upstream's TLS context and client certificate, every
/// injected header), the HTTPS listener's certificate, and each TCP connector's listener TLS
/// and gRPC upstream. So a configuration `serve` would refuse at start, `validate` refuses too.
///
/// Without resolved secrets (`validate` without `--resolve-secrets`), material behind an
/// `openbao://` or `env://` reference cannot be built: those parts are skipped, and said to be
/// (everything a path or `file://` names is built all the same).
package enum ConfigurationDryRun {
    /// Throws every problem found, as `serve` would report it. `secrets`: the resolved values,
    /// or nil when they were not resolved.
    package static func check(_ configuration: GatewayConfiguration, secrets: SecretStore?) throws(ConfigError) {
        let store = secrets ?? SecretStore()
        var issues: [ConfigIssue] = []
        do {
            _ = try RouteTable(configuration: configuration, secrets: store, eventLoopCount: 1)
        } catch {
            issues += error.issues
        }
        if configuration.gateway.tlsEnabled {
            do throws(TLSMaterialError) {
                _ = try ServerCertificate().load(configuration: configuration, secrets: store)
            } catch {
                issues.append(error.issue)
            }
        }
        for connector in configuration.connectors where connector.isEnabled {
            guard let route = connector.kind.tcpRoute(for: connector) else { continue }
            let policy = route.grpc
            do throws(TLSMaterialError) {
                _ = try TCPTermination(
                    connector: connector, configuration: configuration, secrets: store,
                    callerCertificates: policy == nil ? .required : .optional)
                if let policy {
                    _ = try GRPCTransport(
                        connector: connector, policy: policy, configuration: configuration, secrets: store,
                        address: route.upstream, connectTimeout: .seconds(5))
                }
            } catch {
                issues.append(error.issue)
            }
        }
        // Unresolved references are not this check's to report (validate without
        // --resolve-secrets never resolves them; serve resolves them first, fail closed).
        if secrets == nil { issues.removeAll { $0.code == .unresolvedReference } }
        guard issues.isEmpty else { throw ConfigError(issues: issues) }
    }
}
