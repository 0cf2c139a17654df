extension ConfigIssue {
    /// A stable, machine-readable identifier for a kind of configuration problem.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        // Files and syntax
        public static let fileUnreadable = Code("file.unreadable")
        public static let yamlSyntax = Code("yaml.syntax")
        public static let yamlDuplicateKey = Code("yaml.duplicate_key")
        public static let wrongType = Code("value.wrong_type")
        public static let dotenvSyntax = Code("dotenv.syntax")
        public static let missingSection = Code("inventory.missing_section")

        // Keys and names (rule 8)
        public static let unknownKey = Code("key.unknown")
        public static let requiredKey = Code("key.required")
        public static let invalidName = Code("name.invalid")
        public static let duplicateName = Code("name.duplicate")
        public static let unknownKind = Code("kind.unknown")
        public static let invalidURL = Code("url.invalid")
        public static let invalidAddress = Code("address.invalid")
        public static let invalidBool = Code("bool.invalid")
        public static let invalidNumber = Code("number.invalid")
        public static let invalidDuration = Code("duration.invalid")
        public static let invalidValue = Code("value.invalid")
        public static let unknownEnvKey = Code("env.unknown_key")

        // Connector modes (rules 1-3)
        public static let unknownMode = Code("mode.unknown")
        public static let conflictingMode = Code("mode.conflict")
        public static let modeWithoutEffect = Code("mode.no_effect")
        public static let scimWithoutBase = Code("mode.scim_without_base")
        public static let runtimeGatewayKind = Code("mode.runtime_gateway_kind")

        // Routing (rule 4)
        public static let noFallback = Code("route.no_fallback")
        public static let executorIgnored = Code("route.executor_ignored")
        public static let uiOnlyExecutor = Code("route.ui_only_executor")

        // Vocabulary (rule 5), secrets (rule 6), hosts (rule 7); kinds' own codes live with them
        public static let rawInfraSelector = Code("selector.raw_infra")
        public static let literalSecretRefused = Code("secret.literal_refused")
        public static let literalSecret = Code("secret.literal")
        public static let invalidReference = Code("secret.invalid_reference")
        public static let unresolvedReference = Code("secret.unresolved")
        public static let clusterInternalHost = Code("host.cluster_internal")

        // Gateway section
        public static let unknownPrincipalConnector = Code("principal.unknown_connector")
        public static let insecureTLS = Code("tls.verify_disabled")
        public static let caFileUnreadable = Code("tls.ca_file_unreadable")
        /// A client certificate or key (upstream mTLS) that cannot be read or does not parse.
        public static let clientCertificateUnusable = Code("tls.client_certificate_unusable")
        /// The HTTPS listener's certificate or key cannot be used.
        public static let serverCertificateUnusable = Code("tls.server_certificate_unusable")
        /// gateway.listen_tls without gateway.tls (or the reverse, or half a pair).
        public static let serverCertificateIncomplete = Code("tls.server_certificate_incomplete")
        /// One of client_cert_file / client_key_file without the other.
        public static let clientCertificateIncomplete = Code("tls.client_certificate_incomplete")
        /// Client certificates are asked for or matched without gateway.tls.client_ca_file.
        public static let clientCAMissing = Code("tls.client_ca_missing")
        /// Principals are configured but a TCP listener cannot check them (no TLS termination).
        public static let tcpListenerUnchecked = Code("tcp.no_principal_check")
        /// A principal with neither a token nor a certificate (nor another way to authenticate).
        public static let principalWithoutCredential = Code("principal.no_credential")
        /// A credential or Host header value the gateway would send holds CR, LF or NUL.
        public static let invalidHeaderValue = Code("header.invalid_value")
    }
}
