import NIOSSL

/// Builds each connector's `HealthPlan` from the same route (`UpstreamTarget`) its traffic uses.
package enum HealthPlanner {
    /// For the server: targets from the running route table; secrets were resolved at start.
    package static func plans(
        configuration: GatewayConfiguration, routes: RouteTable, secrets: SecretStore = SecretStore(),
        only names: [String]? = nil
    ) -> [HealthPlan] {
        let scrubber = SecretScrubber(secrets)
        return selected(configuration, names).map { connector in
            let secret =
                connector.credentials.isEmpty
                ? HealthStepResult(.secret, .skipped, detail: "no credential is configured")
                : HealthStepResult(.secret, .ok, seconds: 0, detail: "\(credentialList(connector)) resolved by the server")
            var plan = plan(
                connector, configuration: configuration, route: routes.routes[connector.name], secret: secret,
                secrets: secrets, thresholds: HealthThresholds(gateway: configuration.gateway, connector: connector))
            plan.scrubber = scrubber
            return plan
        }
    }

    /// For `gateway health`: resolves each connector's secrets on its own, so an unresolvable
    /// reference fails that connector's check at step `secret` and nothing else.
    package static func plans(
        configuration: GatewayConfiguration, only names: [String]? = nil, timeout: Double? = nil,
        resolve: @escaping @Sendable (SecretReference) async throws -> SecretValue
    ) async -> [HealthPlan] {
        let connectors = selected(configuration, names)
        var plans = [HealthPlan?](repeating: nil, count: connectors.count)
        await withTaskGroup(of: (Int, HealthPlan).self) { group in
            for (index, connector) in connectors.enumerated() {
                group.addTask {
                    (index, await plan(connector, configuration: configuration, timeout: timeout, resolve: resolve))
                }
            }
            for await (index, plan) in group { plans[index] = plan }
        }
        // Each check scrubs every connector's secrets: an upstream may echo any of them.
        let scrubber = SecretScrubber(merging: plans.compactMap { $0?.scrubber })
        return plans.compactMap { plan in
            guard var plan else { return nil }
            plan.scrubber = scrubber
            return plan
        }
    }

    /// One connector's plan for `gateway health`, its secrets resolved on their own.
    static func plan(
        _ connector: ConnectorConfig, configuration: GatewayConfiguration, timeout: Double?,
        resolve: @escaping @Sendable (SecretReference) async throws -> SecretValue
    ) async -> HealthPlan {
        let thresholds = HealthThresholds(gateway: configuration.gateway, connector: connector, timeout: timeout)
        guard connector.isEnabled, !isNone(connector.machineRoute) else {
            return plan(
                connector, configuration: configuration, route: nil,
                secret: HealthStepResult(.secret, .skipped, detail: "not needed"), thresholds: thresholds)
        }
        let single = configuration.restricted(to: connector)
        let started = ContinuousClock.now
        // Bounded by the check's timeout: an OpenBao that does not answer fails this step in time.
        let resolved = await withTimeLimit(seconds: thresholds.timeout) { () async -> Result<SecretStore, ConfigError> in
            do throws(ConfigError) {
                return .success(try await SecretStore.resolve(single, using: resolve))
            } catch {
                return .failure(error)
            }
        }
        let store: SecretStore
        switch resolved {
        case let .success(resolved):
            store = resolved
        case .failure, nil:
            var reason = "the secret lookup took longer than \(HealthFormat.milliseconds(thresholds.timeout)) (health.timeout, or --timeout)."
            if case let .failure(error) = resolved {
                reason = error.errors.map { "\($0.key ?? "secret"): \($0.problem) \($0.fix)" }.joined(separator: " ")
            }
            return HealthPlan(
                name: connector.name, kind: connector.kind.name, target: targetText(connector), thresholds: thresholds,
                configDetail: routeText(connector),
                secret: HealthStepResult(.secret, .fail, seconds: started.secondsSince, detail: reason),
                credential: injectedKey(connector), action: .fail(.secret, reason))
        }
        let secret =
            connector.credentials.isEmpty
            ? HealthStepResult(.secret, .skipped, detail: "no credential is configured")
            : HealthStepResult(.secret, .ok, seconds: started.secondsSince, detail: "\(credentialList(connector)) resolved")
        var route: RouteTable.Route?
        if case .http = connector.machineRoute {
            do {
                route = try RouteTable(configuration: single, secrets: store, eventLoopCount: 1).routes[connector.name]
            } catch {
                let reason = error.errors.map { "\($0.key ?? "setting"): \($0.problem) \($0.fix)" }.joined(separator: " ")
                return HealthPlan(
                    name: connector.name, kind: connector.kind.name, target: targetText(connector),
                    thresholds: thresholds, configDetail: reason, secret: secret, credential: injectedKey(connector),
                    action: .fail(.config, reason))
            }
        }
        var plan = plan(connector, configuration: configuration, route: route, secret: secret, secrets: store, thresholds: thresholds)
        plan.scrubber = SecretScrubber(store)
        return plan
    }

    static func plan(
        _ connector: ConnectorConfig, configuration: GatewayConfiguration, route: RouteTable.Route?,
        secret: HealthStepResult, secrets: SecretStore = SecretStore(), thresholds: HealthThresholds
    ) -> HealthPlan {
        func make(_ action: HealthPlan.Action, detail: String? = nil) -> HealthPlan {
            var plan = HealthPlan(
                name: connector.name, kind: connector.kind.name, target: targetText(connector), thresholds: thresholds,
                configDetail: detail ?? routeText(connector), secret: secret, credential: injectedKey(connector),
                verifyTLS: connector.verifyTLS, action: action)
            plan.runtimeAsset = connector.runtimeAsset
            return plan
        }
        guard connector.isEnabled else {
            return make(.unconfigured("\(connector.disabledReason), so it carries no traffic"))
        }
        switch connector.machineRoute {
        case let .none(reason):
            return make(.unconfigured("no executor for machine traffic: \(reason)"))
        case let .tcp(address):
            guard case let .grpcHealth(service) = connector.probe else {
                return make(.unconfigured("the kind '\(connector.kind.name)' declares no probe for its TCP executor"))
            }
            do {
                return make(
                    .grpc(
                        try grpcTarget(
                            connector, address: address.value, service: service, configuration: configuration, secrets: secrets)))
            } catch let error as TLSMaterialError {
                return make(.fail(.config, error.description), detail: error.description)
            } catch {
                let reason =
                    "ca_file: the TLS settings cannot be loaded (\(error)). Point ca_file at the PEM of the CA that issued the frontend's certificate."
                return make(.fail(.config, reason), detail: reason)
            }
        case .http:
            // RouteTable now holds a connector's routes; probes go through its main one.
            // The probe goes through the route family the kind names (Nexus: its SCIM base).
            guard case let .upstream(routes)? = route,
                let target = routes.entries(connector.kind.probeFamily(for: connector)).first(where: { $0.pathPrefix.isEmpty })?.target
                    ?? routes.primary
            else {
                if case let .none(reason)? = route { return make(.unconfigured(reason)) }
                let reason = "no route was built for the executor: the configuration did not load for this connector"
                return make(.fail(.config, reason), detail: reason)
            }
            guard case let .http(path, healthy) = connector.probe else {
                return make(.fail(.config, "the kind '\(connector.kind.name)' declares a gRPC probe for an HTTP executor"))
            }
            return make(.http(target, path: path, healthy: healthy))
        }
    }

    static func grpcTarget(
        _ connector: ConnectorConfig, address: HostPort, service: String, configuration: GatewayConfiguration,
        secrets: SecretStore = SecretStore()
    ) throws -> GRPCProbeTarget {
        // The probe dials as the connector's traffic does: same CA, TLS name and client certificate.
        let tls = try TCPTermination.upstreamTLS(connector: connector, configuration: configuration, secrets: secrets)
        let context = try tls.map { try NIOSSLContext(configuration: $0.configuration) }
        let serverHostname = tls?.serverName
        return GRPCProbeTarget(
            host: address.host, port: address.port, tlsContext: context,
            serverHostname: serverHostname, service: service,
            connectTimeout: connector.kind.tcpRoute(for: connector)?.connectTimeout ?? ConnectorKey.connectTimeout.defaultValue)
    }

    static func selected(_ configuration: GatewayConfiguration, _ names: [String]?) -> [ConnectorConfig] {
        guard let names else { return configuration.connectors }
        return configuration.connectors.filter { names.contains($0.name) }
    }

    static func isNone(_ route: ConnectorConfig.MachineRoute) -> Bool {
        if case .none = route { return true }
        return false
    }

    /// The key of the credential the route injects (`auth.api_key`).
    static func injectedKey(_ connector: ConnectorConfig) -> String? {
        guard let first = connector.kind.credentials.first,
            connector.credentials.contains(where: { $0.spec.key == first.key })
        else { return nil }
        return "auth.\(first.key)"
    }

    static func credentialList(_ connector: ConnectorConfig) -> String {
        connector.credentials.map { "auth.\($0.spec.key) (\($0.source.value))" }.joined(separator: ", ")
    }

    static func targetText(_ connector: ConnectorConfig) -> String? {
        switch connector.machineRoute {
        case let .http(url): return url.value.description
        case let .tcp(address): return address.value.description
        case .none: return nil
        }
    }

    static func routeText(_ connector: ConnectorConfig) -> String {
        switch connector.machineRoute {
        case let .http(url):
            var parts = ["executor \(url.value) (\(url.source))"]
            if let host = connector.hostHeader { parts.append("Host \(host)") }
            if url.value.scheme == .https {
                var tls = connector.verifyTLS ? "TLS verified" : "TLS not verified (verify_tls: false)"
                if let ca = connector.caFile { tls += ", CA \(ca)" }
                if let name = connector.executorTLSServerName?.name { tls += ", name \(name)" }
                parts.append(tls)
            }
            return parts.joined(separator: "; ")
        case let .tcp(address):
            let tls =
                connector.kind.tcpRoute(for: connector)?.upstreamTLS == true
                ? (connector.verifyTLS ? "gRPC over TLS, verified" : "gRPC over TLS, not verified (verify_tls: false)")
                : "gRPC over plaintext HTTP/2"
            return "executor_address \(address.value) (\(address.source)); \(tls)"
        case let .none(reason):
            return "no machine route: \(reason)"
        }
    }
}
