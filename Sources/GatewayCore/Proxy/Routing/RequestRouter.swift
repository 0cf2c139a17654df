import NIOCore
import NIOHTTP1

/// Decides what happens to a request head, without I/O: which control route answers it, which
/// refusal (in the route's own format), or which upstream request is sent (the canonical path
/// under the connector's base, the route's credential, the gateway's framing). Read top to
/// bottom, the checks come in the order they are made.
///
/// Immutable, and a class: a connection keeps one (made again when the configuration is
/// reloaded) and calls it per request, which costs one reference rather than a copy of every
/// table it holds.
final class RequestRouter: Sendable {
    let routes: RouteTable
    let principals: PrincipalDirectory
    let publicURL: EndpointURL?
    let limits: ClientLimits
    /// Verifies Pomerium assertions (`gateway.identity.pomerium`).
    let pomerium: PomeriumVerifier?
    /// The scheme callers used (`https` on the TLS listener): the default of `publicURL`.
    let callerScheme: String
    /// A plain listener next to the HTTPS one: only `/livez`, `/readyz` and `/metrics`.
    let probesOnly: Bool

    init(
        routes: RouteTable, principals: PrincipalDirectory, publicURL: EndpointURL?, limits: ClientLimits,
        pomerium: PomeriumVerifier? = nil, callerScheme: String = "http", probesOnly: Bool = false
    ) {
        self.routes = routes
        self.principals = principals
        self.publicURL = publicURL
        self.limits = limits
        self.pomerium = pomerium
        self.callerScheme = callerScheme
        self.probesOnly = probesOnly
    }

    convenience init(_ context: ProxyContext, callerScheme: String = "http", probesOnly: Bool = false) {
        self.init(
            routes: context.routes, principals: context.principals, publicURL: context.publicURL, limits: context.limits,
            pomerium: context.pomerium, callerScheme: callerScheme, probesOnly: probesOnly)
    }

    /// `certificate`: the client certificate of the caller's connection (the HTTPS listener).
    /// `storage`: an earlier upstream head's buffer, for this one's bytes.
    func route(
        _ head: CallerRequestHead, summary: RequestHeadSummary, requestID: String, peerAddress: String,
        certificate: CallerCertificate? = nil, reusing storage: consuming ByteBuffer? = nil
    ) -> RouteDecision {
        if probesOnly, let refusal = ProbesOnly.refusal(head.uri) { return .reject(refusal) }
        guard let (format, name, remainder) = head.withTarget(Self.machineTarget) else {
            // TRACE and CONNECT are refused everywhere: a CONNECT left unanswered would stop
            // the connection's parser.
            if head.method == .TRACE || head.method == .CONNECT, let refusal = summary.refusal(head) {
                return .reject(.init(error: refusal, format: .problem, connector: "", principal: "-", close: true))
            }
            let uri = head.uri
            return .control(path: uri[..<(uri.utf8.firstIndex(of: UInt8(ascii: "?")) ?? uri.endIndex)])
        }
        // The reader reads nothing past a request with `Connection: upgrade` and `Upgrade`: a refusal
        // of one closes the connection.
        let parserStopped = summary.wantsUpgrade && summary.connectionUpgrade
        var auth: AuthMethod?
        func reject(_ error: ProxyError, principal: String = "-", close: Bool = false) -> RouteDecision {
            .reject(
                .init(
                    error: error, format: format, connector: name, principal: principal, close: close || parserStopped,
                    auth: auth))
        }

        // The protocol first: methods, framing, Host, fragments, size.
        if let refusal = summary.refusal(head) {
            return reject(refusal, close: true)
        }
        // Who calls, and may it use this connector?
        let principal: Principal
        let assertion = pomerium.flatMap { verifier in
            let values = head.values(PomeriumSettings.header)
            return values.count > 1
                ? .refused("The request carries \(values.count) X-Pomerium-Jwt-Assertion headers; send one.")
                : values.first.map { verifier.verify($0) }
        }
        // The token is compared where it lies in the head's bytes (no string per request).
        let authentication = head.withFields { raw, _ in
            principals.authenticate(tokenBytes: summary.bearerToken.map { raw[$0] }, certificate: certificate, pomerium: assertion)
        }
        switch authentication {
        case let .authenticated(found, method): (principal, auth) = (found, method)
        case let .refused(detail):
            return reject(ProxyError(.unauthenticated, status: 401, title: "Authentication required", detail: detail))
        }
        guard let route = routes.routes[name] else {
            let known = routes.connectorNames
            return reject(
                ProxyError(
                    .unknownConnector, status: 404, title: "Unknown connector",
                    detail:
                        "No connector named '\(name)'.\(Suggestion.didYouMean(name, in: known)) Known connectors: \(known.joined(separator: ", "))."),
                principal: principal.name)
        }
        guard principal.mayUse(connector: name) else {
            return reject(
                ProxyError(
                    .forbidden, status: 403, title: "Connector not allowed",
                    detail: "Principal '\(principal.name)' may not use connector '\(name)'."), principal: principal.name)
        }
        let connectorRoutes: RouteTable.ConnectorRoutes
        switch route {
        case let .upstream(found): connectorRoutes = found
        case let .none(reason):
            return reject(
                ProxyError(
                    .noRoute, status: 404, title: "No machine route",
                    detail: "Connector '\(name)' has no machine route: \(reason)."), principal: principal.name)
        }

        // The canonical path decides the route and its permission, and is what is forwarded.
        let family: RouteSpec.Family = format == .scim ? .scim : .executor
        func refusePath(_ detail: String) -> RouteDecision {
            reject(ProxyError(.badRequest, status: 400, title: "Path refused", detail: detail), principal: principal.name)
        }
        let rawPath = remainder[..<(remainder.utf8.firstIndex(of: UInt8(ascii: "?")) ?? remainder.endIndex)]
        let query = remainder[rawPath.endIndex...]
        let alreadyCanonical = CanonicalPath.isCanonical(rawPath)
        let canonicalPath: Substring
        switch alreadyCanonical ? .success(rawPath) : CanonicalPath.canonicalize(rawPath) {
        case let .success(canonical): canonicalPath = canonical
        case let .failure(rejection):
            return refusePath(
                "The path after /\(family == .scim ? "scim" : "executor")/\(name) is refused: \(rejection.reason). The gateway forwards only canonical paths under the connector's base."
            )
        }
        let entry: RouteTable.Entry
        switch connectorRoutes.match(family, path: canonicalPath) {
        case let .entry(matched): entry = matched
        case let .caseMismatch(prefix):
            return refusePath("The path differs only in letter case from the route prefix \(prefix) of connector '\(name)'; use \(prefix) exactly.")
        case .none:
            return reject(
                ProxyError(
                    .noRoute, status: 404, title: "No machine route",
                    detail: family == .scim
                        ? "Connector '\(name)' has no SCIM route (its connector_mode is not scim or scim_projected)."
                        : "Connector '\(name)' has no executor route for this path."), principal: principal.name)
        }
        if let permission = entry.requiredPermission, !principal.permissions.contains(permission) {
            return reject(
                ProxyError(
                    .forbidden, status: 403, title: "Permission required",
                    detail: "Principal '\(principal.name)' needs the '\(permission)' permission for \(entry.pathPrefix) on connector '\(name)'."),
                principal: principal.name)
        }
        let forwardedRemainder: Substring
        if alreadyCanonical {
            // The caller's own bytes (no copy).
            forwardedRemainder = entry.stripPrefix ? remainder.dropFirst(entry.pathPrefix.count) : remainder
        } else {
            var forwardedPath = canonicalPath
            if entry.pathEscapes == .preserve {
                switch CanonicalPath.canonicalize(rawPath, escapes: .preserve) {
                case let .success(preserved): forwardedPath = preserved
                case let .failure(rejection): return refusePath("The path is refused: \(rejection.reason).")
                }
            }
            if entry.stripPrefix {
                guard forwardedPath.hasPrefix(entry.pathPrefix) else {
                    return refusePath("The path must spell the route prefix \(entry.pathPrefix) without escapes.")
                }
                forwardedPath = forwardedPath.dropFirst(entry.pathPrefix.count)
            }
            forwardedRemainder = Substring(String(forwardedPath) + query)
        }

        // What the route can carry.
        let target = entry.target
        // A WebSocket handshake (GET, no body, `Connection: upgrade`, `Upgrade: websocket`) on
        // one of the route's websocket_paths becomes a tunnel after the upstream's 101; any
        // other upgrade is refused.
        let upgrade = summary.wantsUpgrade
        if upgrade,
            !(summary.upgradeIsWebSocket && summary.connectionUpgrade && head.method == .GET && !summary.declaresBody
                && family == .executor && entry.allowsWebSocket(canonicalPath))
        {
            return reject(
                ProxyError(
                    .upgrade, status: 501, title: "Upgrade not supported",
                    detail: entry.websocketPaths.isEmpty || !summary.upgradeIsWebSocket
                        ? "Only WebSocket upgrades on a connector's websocket_paths are passed through; this route has none for this request."
                        : "A WebSocket handshake here is a GET without a body with 'Connection: upgrade' and 'Upgrade: websocket', on one of: \(entry.websocketPaths.joined(separator: ", "))."
                ),
                principal: principal.name, close: true)
        }
        if let length = summary.contentLength, length > target.maxBodyBytes {
            return reject(.bodyTooLarge(target), principal: principal.name, close: true)
        }
        var rewriter: URLRewriter?
        var bufferRequestBody = false
        if !target.rewrites.isEmpty {
            let origin =
                publicURL.map { "\($0.scheme.rawValue)://\($0.authority)" } ?? "\(callerScheme)://\(summary.host.map(head.text) ?? "localhost")"
            let made = URLRewriter(rewrites: target.rewrites, gatewayBase: origin + (publicURL?.path ?? ""), gatewayOrigin: origin)
            rewriter = made
            bufferRequestBody = made.rewritesRequests && URLRewriter.isJSON(summary.contentType.map(head.text))
            if bufferRequestBody, let length = summary.contentLength, length > limits.maxBufferedBodyBytes {
                return reject(
                    .bodyTooLargeToRewrite(target, limit: limits.maxBufferedBodyBytes), principal: principal.name,
                    close: true)
            }
        }
        var upstreamHead = RequestRewriter.upstreamHead(
            client: head, uriRemainder: forwardedRemainder, target: target, peerAddress: peerAddress,
            requestID: requestID, publicURL: publicURL, framing: summary.framing, callerScheme: callerScheme,
            reusing: storage)
        if upgrade {
            upstreamHead.add("connection", "upgrade")
            upstreamHead.add("upgrade", "websocket")
        }
        return .forward(
            .init(
                target: target, upstreamHead: upstreamHead, principal: principal.name, auth: auth, format: format,
                expectsContinue: summary.expectsContinue, rewriter: upgrade ? nil : rewriter,
                bufferRequestBody: upgrade ? false : bufferRequestBody, upgrade: upgrade))
    }

    /// A machine route's target, `/executor/<name><remainder>` or `/scim/<name><remainder>`:
    /// its error format, the connector's name and the rest (path and query), read from the
    /// target's bytes; nil for any other path (a control route's).
    private static func machineTarget(
        _ target: UnsafeRawBufferPointer
    ) -> (format: ErrorResponse.Format, name: String, remainder: Substring)? {
        let format: ErrorResponse.Format
        let nameStart: Int
        // The prefixes hold no `?`: a target starting with one is a path starting with it.
        if hasPrefix(target, "/executor/") {
            (format, nameStart) = (.problem, "/executor/".utf8.count)
        } else if hasPrefix(target, "/scim/") {
            (format, nameStart) = (.scim, "/scim/".utf8.count)
        } else {
            return nil
        }
        let nameEnd = target[nameStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? target.count
        return (
            format, String(decoding: target[nameStart..<nameEnd], as: UTF8.self),
            Substring(String(decoding: target[nameEnd...], as: UTF8.self))
        )
    }

    private static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { prefix in bytes.count >= prefix.count && bytes.prefix(prefix.count).elementsEqual(prefix) }
    }
}
