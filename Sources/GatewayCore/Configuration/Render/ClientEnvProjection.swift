/// The env a machine (a worker, a provisioner) uses to reach the connectors *through* the
/// gateway: each connector its principal may use gets the gateway's route as its executor URL
/// (the SCIM route as the SCIM base, the connector's listener on the gateway's host as a TCP
/// address), and the principal's token travels as a reference. No Host header, TLS setting or
/// credential: those stay in the gateway. A worker reading the gateway's own generated env would
/// go around it; this one cannot.
package enum ClientEnvProjection {
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    package static let gatewayURLVariable = "FRACTALOPS_GATEWAY_URL"
    package static let tokenVariable = "FRACTALOPS_GATEWAY_TOKEN"

    package static func project(
        _ configuration: GatewayConfiguration, gatewayURL: EndpointURL, principal name: String
    ) throws(Failure) -> [EnvProjection.Entry] {
        guard let principal = configuration.gateway.principal(named: name) else {
            let known = configuration.gateway.principals.map(\.name)
            throw Failure(
                description:
                    "There is no principal named '\(name)'.\(Suggestion.didYouMean(name, in: known)) Principals: \(known.isEmpty ? "none (gateway.principals is empty)" : known.joined(separator: ", "))."
            )
        }
        guard let source = principal.token else {
            throw Failure(
                description:
                    "Principal '\(name)' has no token (it is known by its client certificate, \(principal.location)); a client env carries a token reference. Render the env for a principal with a token."
            )
        }
        guard let token = source.value.reference else {
            throw Failure(
                description:
                    "Principal '\(name)' has a literal token (\(principal.location)); a client env carries references only. Give the principal a token reference (openbao://, env:// or file://) and render again."
            )
        }
        var base = gatewayURL
        while base.path.hasSuffix("/") { base.path.removeLast() }
        var entries = [
            EnvProjection.Entry(key: gatewayURLVariable, value: base.description),
            EnvProjection.Entry(key: tokenVariable, value: token.description),
        ]
        for connector in configuration.connectors where connector.isEnabled && principal.mayUse(connector: connector.name) {
            entries.append(contentsOf: project(connector, base: base))
        }
        return entries
    }

    static func project(_ connector: ConnectorConfig, base: EndpointURL) -> [EnvProjection.Entry] {
        var entries: [EnvProjection.Entry] = []
        func put(_ key: String, _ value: String) {
            guard let name = connector.kind.settingSpecs.first(where: { $0.key == key })?.variable(prefix: connector.envPrefix)
            else { return }
            entries.append(EnvProjection.Entry(key: name, value: value))
        }
        if let id = connector.runtimeAssetID { put("runtime_asset.id", id) }
        if let role = connector.runtimeAssetRole { put("runtime_asset.role", role) }
        switch connector.machineRoute {
        case .http:
            let families = Set(connector.kind.routes(for: connector).map(\.family))
            let scim = "\(base)/scim/\(connector.name)"
            // connector_mode: scim makes the SCIM base the executor URL (the seed's rule).
            let scimIsExecutor = connector.connectorMode == .scim && families.contains(.scim)
            if families.contains(.executor) || scimIsExecutor {
                put("executor_url", scimIsExecutor ? scim : "\(base)/executor/\(connector.name)")
            }
            if families.contains(.scim) { put("scim_base_url", scim) }
        case .tcp:
            if case let .tcp(addressKey, listenKey) = connector.kind.traffic,
                let listen = connector.settings[listenKey]?.value.addressValue
            {
                put(addressKey, HostPort(host: base.host, port: listen.port).description)
            }
        case .none:
            break  // no machine route: nothing to reach
        }
        return entries
    }
}
