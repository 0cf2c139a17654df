extension ClientLimits {
    /// The `gateway.limits.*` settings; their defaults are this type's.
    static let settingSpecs: [SettingSpec] = [
        SettingSpec(
            "limits.max_client_connections", .integer(1...1_000_000),
            default: .integer(defaults.maxClientConnections),
            summary: "caller connections open at once; one more gets 503 and is closed"),
        SettingSpec(
            "limits.header_read_timeout", .duration(minimum: 0.01),
            default: .duration(seconds: defaults.headerReadTimeout),
            summary: "a request head must be complete this long after its first byte (else 408)"),
        SettingSpec(
            "limits.client_idle_timeout", .duration(minimum: 0.01),
            default: .duration(seconds: defaults.clientIdleTimeout),
            summary: "a keep-alive connection waiting this long for its next request is closed"),
        SettingSpec(
            "limits.request_body_timeout", .duration(minimum: 0.01),
            default: .duration(seconds: defaults.requestBodyTimeout),
            summary: "a request body must arrive within this plus 1 s per request_body_min_rate bytes (else 408)"),
        SettingSpec(
            "limits.request_body_min_rate", .integer(0...Int(Int32.max)),
            default: .integer(defaults.requestBodyMinRate),
            summary: "bytes per second that extend the body deadline by 1 s; 0 turns it off"),
        SettingSpec(
            "limits.max_buffered_body_bytes", .integer(1024...Int(Int32.max)),
            default: .integer(defaults.maxBufferedBodyBytes),
            summary: "largest JSON body buffered to rewrite URLs (SCIM); larger requests get 413"),
    ]

    /// The limits of a `gateway:` section; unset keys keep their defaults.
    init(settings: ResolvedSettings) {
        self.init()
        if let value = settings["limits.max_client_connections"]?.value.integerValue { maxClientConnections = value }
        if let value = settings["limits.header_read_timeout"]?.value.durationValue { headerReadTimeout = value }
        if let value = settings["limits.client_idle_timeout"]?.value.durationValue { clientIdleTimeout = value }
        if let value = settings["limits.request_body_timeout"]?.value.durationValue { requestBodyTimeout = value }
        if let value = settings["limits.request_body_min_rate"]?.value.integerValue { requestBodyMinRate = value }
        if let value = settings["limits.max_buffered_body_bytes"]?.value.integerValue { maxBufferedBodyBytes = value }
    }
}
