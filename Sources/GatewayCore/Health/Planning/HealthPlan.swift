/// What one connector's check will do, decided from its configuration before any network step.
package struct HealthPlan: Sendable {
    package enum Action: Sendable {
        /// No executor for machine traffic: reported `unconfigured` with the reason.
        case unconfigured(String)
        /// Decided before the network: a configuration or secret problem (`fail`).
        case fail(HealthStep, String)
        /// `GET <executor URL><path>` through the connector's route.
        case http(UpstreamTarget, path: String, healthy: Set<Int>)
        /// `grpc.health.v1.Health/Check` at the TCP executor address.
        case grpc(GRPCProbeTarget)
    }

    package var name: String
    package var kind: String
    /// The executor URL or address, for the report.
    package var target: String?
    package var thresholds: HealthThresholds
    /// The `config` step's detail: what will be dialled and how.
    package var configDetail: String
    /// The `secret` step, already decided (resolution happens before the check).
    package var secret: HealthStepResult
    /// The injected credential's key (`auth.api_key`), named in reasons.
    package var credential: String?
    /// Whether the TLS step verifies the certificate (`verify_tls`).
    package var verifyTLS: Bool
    package var action: Action
    /// Scrubs resolved secret values from what the check reports (excerpts, reasons).
    package var scrubber: SecretScrubber = .none
    /// The connector's runtime asset, carried into the report.
    package var runtimeAsset: RuntimeAsset?

    package init(
        name: String, kind: String, target: String?, thresholds: HealthThresholds, configDetail: String,
        secret: HealthStepResult, credential: String?, verifyTLS: Bool = true, action: Action
    ) {
        self.name = name
        self.kind = kind
        self.target = target
        self.thresholds = thresholds
        self.configDetail = configDetail
        self.secret = secret
        self.credential = credential
        self.verifyTLS = verifyTLS
        self.action = action
    }
}

extension HealthPlan {
    /// What the check depends on (address, Host, TLS, credential key, probe, timeout): a reload
    /// that changes it makes the scheduler check the connector again at once.
    var fingerprint: String {
        var probe = ""
        switch action {
        case let .unconfigured(reason): probe = "unconfigured \(reason)"
        case let .fail(step, reason): probe = "fail \(step) \(reason)"
        case let .http(_, path, healthy): probe = "http \(path) \(healthy.sorted())"
        case .grpc: probe = "grpc"
        }
        return [target ?? "-", configDetail, "\(verifyTLS)", credential ?? "-", probe, "\(thresholds.timeout)"]
            .joined(separator: "|")
    }
}
