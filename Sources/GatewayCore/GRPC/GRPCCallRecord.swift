import Logging

/// One access line per gRPC call: who called (principal, how it authenticated), which method in
/// which namespace, the status code, the bytes of the messages each way and how long it took.
/// Never a payload, never a metadata value.
struct GRPCCallRecord {
    var connector: String
    var peer: String
    var principal = "-"
    var auth: AuthMethod?
    var path: GRPCMethodPath?
    var namespace: String?
    var status = GRPCStatus.unknown
    /// Why the gateway answered the call itself, or what went wrong on the way.
    var error: String?
    var bytesIn = 0
    var bytesOut = 0
    var seconds = 0.0

    func log(to logger: Logger) {
        var metadata: Logger.Metadata = [
            "gateway.connector": "\(connector)",
            "gateway.principal": "\(principal)",
            "rpc.system": "grpc",
            "rpc.service": "\(path?.service ?? "-")",
            "rpc.method": "\(path?.method ?? "-")",
            "rpc.grpc.status_code": "\(status.code)",
            "gateway.grpc.status": "\(status.name)",
            "gateway.bytes_in": "\(bytesIn)",
            "gateway.bytes_out": "\(bytesOut)",
            "gateway.duration_ms": "\(Int(seconds * 1000))",
            "gateway.peer": "\(peer)",
        ]
        if let auth { metadata["gateway.auth"] = "\(auth.rawValue)" }
        if let namespace { metadata["gateway.namespace"] = "\(namespace)" }
        if let error { metadata["gateway.error"] = "\(error)" }
        logger.info("grpc call", metadata: metadata)
    }
}
