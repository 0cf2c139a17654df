import Logging

/// One access/audit line: who called which connector, what happened, how long it took. Query
/// values that look like keys are redacted (`LoggedTarget`).
struct AccessRecord {
    var requestID: String
    var principal: String
    /// How the principal authenticated: `token`, `certificate`, `token+certificate`.
    var auth: AuthMethod?
    var connector: String
    var method: String
    var uri: String
    var status: Int
    var bytesIn = 0
    var bytesOut = 0
    var upstreamSeconds: Double?
    var totalSeconds: Double = 0
    var peer: String
    var error: String?
    var runtimeAsset: RuntimeAsset?
    /// The log message: `access` for a request, `tunnel closed` for a WebSocket tunnel's end.
    var event = "access"
    /// Who ended a tunnel: `caller`, `upstream`, `idle`, `drain`, `reload`, `error`.
    var closedBy: String?
    /// The request's server span, when it was traced.
    var trace: TraceIDs?

    func log(to logger: Logger) {
        var metadata: Logger.Metadata = [
            "gateway.request_id": "\(requestID)",
            "gateway.principal": "\(principal)",
            "gateway.connector": "\(connector)",
            "http.method": "\(method)",
            "http.target": "\(LoggedTarget.redact(uri))",
            "http.status": "\(status)",
            "gateway.bytes_in": "\(bytesIn)",
            "gateway.bytes_out": "\(bytesOut)",
            "gateway.duration_ms": "\(Int(totalSeconds * 1000))",
            "gateway.peer": "\(peer)",
        ]
        if let auth { metadata["gateway.auth"] = "\(auth.rawValue)" }
        if let upstreamSeconds { metadata["gateway.upstream_ms"] = "\(Int(upstreamSeconds * 1000))" }
        if let error { metadata["gateway.error"] = "\(error)" }
        if let closedBy { metadata["gateway.tunnel.closed_by"] = "\(closedBy)" }
        if let trace {
            metadata["trace_id"] = "\(trace.traceID)"
            metadata["span_id"] = "\(trace.spanID)"
        }
        if let runtimeAsset {
            metadata["gateway.runtime_asset.id"] = "\(runtimeAsset.id)"
            if let role = runtimeAsset.role { metadata["gateway.runtime_asset.role"] = "\(role)" }
        }
        logger.info("\(event)", metadata: metadata)
    }
}
