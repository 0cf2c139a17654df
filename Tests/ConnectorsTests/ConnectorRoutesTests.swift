import NIOCore
import Testing

@testable import Connectors
@testable import GatewayCore

/// How each connector kind routes its machine traffic: prefixes, credentials, permissions,
/// stripped key carriers and rewritten URLs, from a loaded inventory.
@Suite("connector routes")
struct ConnectorRoutesTests {
    static let yaml = """
        connector_inventory:
          - name: langboard
            kind: langboard
            connector_mode: scim_projected
            executor_url: http://127.0.0.1:1002/lb
            host_header: langboard.internal
            auth: {api_key: env://LB_KEY, scim_token: env://LB_SCIM}
          - name: nexus
            kind: nexus
            scim_base_url: http://127.0.0.1:9443/scim/v2
            auth: {token: env://NEXUS_TOKEN}
          - name: nexus-fwd
            kind: nexus
            scim_base_url: http://127.0.0.1:9444/scim/v2
            url_rewrite: forwarded_headers
            auth: {token: env://NEXUS_TOKEN}
          - name: daytona
            kind: daytona
            executor_url: http://127.0.0.1:3986
            host_header: daytona.internal
            toolbox_proxy_url: http://127.0.0.1:3987/toolbox
            auth: {api_key: env://DAYTONA_KEY}
          - name: cliproxy
            kind: cliproxy
            executor_url: http://127.0.0.1:8317
            auth: {api_key: env://CLI_KEY, management_key: env://CLI_MGMT}
        """

    static func routes() throws -> RouteTable {
        let configuration = try TestInventory.load(yaml)
        var secrets = SecretStore()
        for (id, value) in [
            ("langboard/auth.api_key", "lb-key"), ("langboard/auth.scim_token", "lb-scim"),
            ("nexus/auth.token", "nx"), ("nexus-fwd/auth.token", "nx"), ("daytona/auth.api_key", "dt"),
            ("cliproxy/auth.api_key", "cli"), ("cliproxy/auth.management_key", "mgmt"),
        ] {
            secrets.setForTesting(id, SecretValue(value))
        }
        return try RouteTable(configuration: configuration, secrets: secrets, eventLoopCount: 1)
    }

    static func connectorRoutes(_ table: RouteTable, _ name: String) -> RouteTable.ConnectorRoutes? {
        if case let .upstream(routes)? = table.routes[name] { return routes }
        return nil
    }

    @Test func langboardInjectsItsKeyAndServesItsOwnSCIMUnderScimProjected() throws {
        let routes = try #require(Self.connectorRoutes(try Self.routes(), "langboard"))
        let api = try #require(routes.executor.first)
        #expect(api.target.credential?.name == "X-Api-Key")
        #expect(api.target.hostHeader == "langboard.internal")
        let scim = try #require(routes.scim.first)
        #expect(scim.target.basePath == "/lb/scim/v2")
        #expect(scim.target.credential?.name == "Authorization")
        #expect(scim.target.credential?.value.withUnredactedValue { $0 } == "Bearer lb-scim")
        #expect(scim.target.rewrites.first?.gatewayPath == "/scim/langboard")
        #expect(scim.target.rewrites.first?.upstreamPrefixes.contains("http://langboard.internal/lb/scim/v2") == true)
    }

    @Test func nexusRewritesOrForwardsButNeverBoth() throws {
        let table = try Self.routes()
        let rewrite = try #require(Self.connectorRoutes(table, "nexus")?.scim.first)
        #expect(rewrite.target.rewrites.first?.upstreamPrefixes == ["http://127.0.0.1:9443/scim/v2"])
        #expect(rewrite.target.rewrites.first?.inRequests == true)
        #expect(rewrite.target.forwardedPrefix == nil)
        #expect(rewrite.target.credential?.value.withUnredactedValue { $0 } == "Bearer nx")
        let forwarded = try #require(Self.connectorRoutes(table, "nexus-fwd")?.scim.first)
        #expect(forwarded.target.rewrites.isEmpty)
        #expect(forwarded.target.forwardedPrefix == "/scim/nexus-fwd")
    }

    @Test func daytonaToolboxRouteUsesTheToolboxHostNeverTheOverride() throws {
        let routes = try #require(Self.connectorRoutes(try Self.routes(), "daytona"))
        let toolbox = try #require(routes.executor.first { $0.pathPrefix == "/toolbox" })
        #expect(toolbox.stripPrefix)
        #expect(toolbox.target.port == 3987)
        #expect(toolbox.target.basePath == "/toolbox")
        #expect(toolbox.target.hostHeader == "127.0.0.1:3987")
        let api = try #require(routes.executor.first { $0.pathPrefix.isEmpty })
        #expect(toolbox.target.poolKey != api.target.poolKey, "the toolbox has its own connection pool")
        #expect(api.target.hostHeader == "daytona.internal")
        #expect(api.target.rewrites.first?.gatewayPath == "/executor/daytona/toolbox")
        #expect(api.target.rewrites.first?.upstreamPrefixes == ["http://127.0.0.1:3987/toolbox"])
    }

    @Test func cliproxyManagementNeedsThePermissionAndItsOwnKey() throws {
        let routes = try #require(Self.connectorRoutes(try Self.routes(), "cliproxy"))
        #expect(routes.executor.first?.pathPrefix == "/v0/management", "the most specific prefix is matched first")
        let management = try #require(routes.executor.first)
        #expect(management.requiredPermission == "manage")
        #expect(management.target.credential?.value.withUnredactedValue { $0 } == "Bearer mgmt")
        let api = try #require(routes.executor.last)
        #expect(
            api.target.poolKey != management.target.poolKey,
            "a connection that carried the management key never carries an API request, and the reverse")
        #expect(!api.target.poolKey.contains("cli") || !api.target.poolKey.contains("Bearer"), "pool keys hold no credential value")
        #expect(api.requiredPermission == nil)
        #expect(api.target.credential?.value.withUnredactedValue { $0 } == "Bearer cli")
        #expect(api.target.removedRequestHeaders.isSuperset(of: ["x-api-key", "x-goog-api-key", "authorization"]))
        #expect(api.target.strippedQueryParameters == ["key", "auth_token"])
    }
}
