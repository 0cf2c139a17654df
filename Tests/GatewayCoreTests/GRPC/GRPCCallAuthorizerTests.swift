import Testing

@testable import GatewayCore

/// The decision on a call's head and then its namespace, as a value: who calls, may it use the
/// connector and the method, and may it act in the namespace the message names.
@Suite("gRPC call authorizer")
struct GRPCCallAuthorizerTests {
    static let start = "/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution"
    static let heartbeat = "/temporal.api.workflowservice.v1.WorkflowService/RecordActivityTaskHeartbeat"
    static let systemInfo = "/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo"
    static let listNamespaces = "/temporal.api.workflowservice.v1.WorkflowService/ListNamespaces"
    static let searchAttributes = "/temporal.api.operatorservice.v1.OperatorService/ListSearchAttributes"

    static let policy = GRPCCallPolicy(
        methods: [
            start: GRPCMethodRule(namespace: .field(1)),
            heartbeat: GRPCMethodRule(namespace: .field(4)),
            systemInfo: GRPCMethodRule(namespace: .none(allowed: true)),
            listNamespaces: GRPCMethodRule(namespace: .none(allowed: false)),
            searchAttributes: GRPCMethodRule(namespace: .field(1), permission: "manage"),
        ],
        services: ["temporal.server.api.adminservice.v1.AdminService": GRPCMethodRule(namespace: .none(allowed: true), permission: "manage")],
        namespaceHeader: "temporal-namespace", namespaceListKey: "temporal_namespaces", maxMessageBytes: 1 << 20)

    static let authorizer: GRPCCallAuthorizer = {
        var store = SecretStore()
        for name in ["worker", "limited", "operator", "elsewhere"] { store.setForTesting("principal/\(name)", SecretValue("\(name)-token")) }
        let token = Sourced(SecretSource.reference(.environment(name: "T")), from: .defaultValue(nil))
        return GRPCCallAuthorizer(
            connector: "temporal", policy: policy,
            principals: PrincipalDirectory(
                principals: [
                    Principal(name: "worker", location: "x:1", token: token, connectors: ["temporal"], permissions: []),
                    Principal(
                        name: "limited", location: "x:2", token: token, connectors: ["temporal"], permissions: [],
                        namespaces: ["default", "team-*"]),
                    Principal(name: "operator", location: "x:3", token: token, connectors: ["*"], permissions: ["manage"]),
                    Principal(name: "elsewhere", location: "x:4", token: token, connectors: ["lb"], permissions: []),
                ], secrets: store))
    }()

    static func decide(_ path: String, token: String?, header: String? = nil) -> GRPCCallAuthorizer.HeadDecision {
        authorizer.decide(path: path, authorization: token.map { "Bearer \($0)" }, namespaceHeader: header, certificate: nil)
    }

    static func refusal(_ decision: GRPCCallAuthorizer.HeadDecision) -> GRPCAnswer? {
        if case let .refuse(answer, _) = decision { return answer }
        return nil
    }

    @Test func noTokenOrAnUnknownOneIsUnauthenticated() {
        #expect(Self.refusal(Self.decide(Self.start, token: nil))?.status == .unauthenticated)
        let unknown = Self.refusal(Self.decide(Self.start, token: "guess"))
        #expect(unknown?.status == .unauthenticated && unknown?.message.contains("not the token of a configured principal") == true)
        let notBearer = Self.authorizer.decide(path: Self.start, authorization: "Basic dXNlcg==", namespaceHeader: nil, certificate: nil)
        #expect(Self.refusal(notBearer)?.message.contains("not 'Bearer <token>'") == true)
    }

    @Test func aPrincipalOfAnotherConnectorIsDenied() {
        let answer = Self.refusal(Self.decide(Self.start, token: "elsewhere-token"))
        #expect(answer == GRPCAnswer(.permissionDenied, "Principal 'elsewhere' may not use connector 'temporal'."))
    }

    @Test func aNamespacedMethodAsksForItsOwnField() {
        guard case let .readNamespace(field, caller) = Self.decide(Self.heartbeat, token: "worker-token") else {
            Issue.record("expected the namespace to be read")
            return
        }
        #expect(field == 4 && caller.principalName == "worker" && caller.auth == .token)
    }

    @Test func callsWithoutANamespaceAreLetThroughOnlyWhenListed() {
        guard case .forward = Self.decide(Self.systemInfo, token: "limited-token") else {
            Issue.record("GetSystemInfo is listed")
            return
        }
        let answer = Self.refusal(Self.decide(Self.listNamespaces, token: "worker-token"))
        #expect(answer?.status == .permissionDenied && answer?.message.contains("calls_without_namespace") == true)
    }

    @Test func operatorCallsNeedTheManagePermission() {
        let answer = Self.refusal(Self.decide(Self.searchAttributes, token: "worker-token"))
        #expect(answer?.status == .permissionDenied && answer?.message.contains("'manage' permission") == true)
        guard case .readNamespace = Self.decide(Self.searchAttributes, token: "operator-token") else {
            Issue.record("the operator may")
            return
        }
        let admin = "/temporal.server.api.adminservice.v1.AdminService/DescribeCluster"
        #expect(Self.refusal(Self.decide(admin, token: "worker-token"))?.status == .permissionDenied)
        guard case .forward = Self.decide(admin, token: "operator-token") else {
            Issue.record("the admin service is the operator's")
            return
        }
    }

    @Test func anUnknownMethodOrAPathThatIsNoMethodIsRefused() {
        let unknown = Self.refusal(Self.decide("/temporal.api.workflowservice.v1.WorkflowService/Invented", token: "worker-token"))
        #expect(unknown?.status == .permissionDenied && unknown?.message.contains("does not know the method") == true)
        #expect(Self.refusal(Self.decide("/no-method", token: "worker-token"))?.status == .unimplemented)
    }

    @Test func theNamespaceMustBeTheHeadersAndOneOfThePrincipals() {
        guard case let .readNamespace(_, limited) = Self.decide(Self.start, token: "limited-token") else {
            Issue.record("expected the namespace to be read")
            return
        }
        #expect(Self.authorizer.authorize(namespace: "default", caller: limited) == nil)
        #expect(Self.authorizer.authorize(namespace: "team-blue", caller: limited) == nil)
        #expect(Self.authorizer.authorize(namespace: "other", caller: limited)?.status == .permissionDenied)
        #expect(Self.authorizer.authorize(namespace: "", caller: limited)?.message.contains("names no namespace") == true)
        guard case let .readNamespace(_, withHeader) = Self.decide(Self.start, token: "worker-token", header: "other") else {
            Issue.record("expected the namespace to be read")
            return
        }
        let mismatch = Self.authorizer.authorize(namespace: "default", caller: withHeader)
        #expect(mismatch?.status == .invalidArgument && mismatch?.message.contains("must agree") == true)
        #expect(Self.authorizer.authorize(namespace: "other", caller: withHeader) == nil)  // no namespace list: every one
    }

    @Test func grpcMessagesArePercentEncoded() {
        #expect(GRPCAnswer.percentEncoded("100% sûr\n") == "100%25 s%C3%BBr%0A")
    }
}
