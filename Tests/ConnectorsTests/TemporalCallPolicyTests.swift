import Testing

@testable import Connectors
@testable import GatewayCore

/// The Temporal call policy built from the generated table, and what validate says about its
/// settings and the principals' `temporal_namespaces`.
@Suite("Temporal call policy")
struct TemporalCallPolicyTests {
    static let workflow = "/temporal.api.workflowservice.v1.WorkflowService/"
    static let policy = TemporalCallPolicy.make(
        callsWithoutNamespace: TemporalCallPolicy.calls(TemporalCallPolicy.defaultCallsWithoutNamespace), maxMessageBytes: 128 << 20)

    @Test(arguments: [
        ("StartWorkflowExecution", 1), ("PollWorkflowTaskQueue", 1), ("PollActivityTaskQueue", 1),
        ("RespondWorkflowTaskCompleted", 9), ("RespondWorkflowTaskFailed", 6), ("RespondQueryTaskCompleted", 6),
        ("RespondActivityTaskCompleted", 4), ("RespondActivityTaskFailed", 4), ("RespondActivityTaskCanceled", 4),
        ("RecordActivityTaskHeartbeat", 4), ("DescribeNamespace", 1), ("GetWorkflowExecutionHistory", 1),
        ("SignalWorkflowExecution", 1), ("QueryWorkflow", 1), ("ListWorkflowExecutions", 1), ("ShutdownWorker", 1),
    ])
    func everyMethodAWorkerAndAClientUseHasItsNamespaceField(method: String, field: Int) {
        #expect(Self.policy.rule(path: Self.workflow + method)?.namespace == .field(field))
    }

    @Test func callsWithoutANamespaceAreAllowedOnlyWhenListed() {
        #expect(Self.policy.rule(path: Self.workflow + "GetSystemInfo")?.namespace == .none(allowed: true))
        #expect(Self.policy.rule(path: Self.workflow + "GetClusterInfo")?.namespace == .none(allowed: true))
        #expect(Self.policy.rule(path: "/grpc.health.v1.Health/Check")?.namespace == .none(allowed: true))
        #expect(Self.policy.rule(path: Self.workflow + "ListNamespaces")?.namespace == .none(allowed: false))
        let listed = TemporalCallPolicy.make(callsWithoutNamespace: ["WorkflowService/ListNamespaces"], maxMessageBytes: 1)
        #expect(listed.rule(path: Self.workflow + "ListNamespaces")?.namespace == .none(allowed: true))
        #expect(listed.rule(path: Self.workflow + "GetSystemInfo")?.namespace == .none(allowed: false))
    }

    @Test func operatorAndAdminCallsAndNamespaceAdministrationNeedManage() {
        #expect(Self.policy.rule(path: "/temporal.api.operatorservice.v1.OperatorService/AddSearchAttributes")?.permission == "manage")
        #expect(Self.policy.rule(path: Self.workflow + "RegisterNamespace")?.permission == "manage")
        #expect(Self.policy.rule(path: "/temporal.server.api.adminservice.v1.AdminService/DescribeCluster")?.permission == "manage")
        #expect(Self.policy.rule(path: Self.workflow + "StartWorkflowExecution")?.permission == nil)
        #expect(Self.policy.rule(path: Self.workflow + "NotAMethod") == nil)
    }

    @Test func taskQueuePollsAndHistoryWaitsAreLongPolls() {
        #expect(Self.policy.rule(path: Self.workflow + "PollWorkflowTaskQueue")?.longPoll == true)
        #expect(Self.policy.rule(path: Self.workflow + "GetWorkflowExecutionHistory")?.longPoll == true)
        #expect(Self.policy.rule(path: Self.workflow + "StartWorkflowExecution")?.longPoll == false)
    }

    @Test func theTransportChoosesTheProxyOrTheByteStream() throws {
        func connector(_ transport: String) throws -> ConnectorConfig {
            try TestInventory.load(
                """
                connector_inventory:
                  - {name: temporal, kind: temporal, executor_address: 127.0.0.1:7233, listen: 127.0.0.1:7234, transport: \(transport)}
                """
            ).connectors[0]
        }
        let grpc = try connector("grpc")
        #expect(grpc.kind.tcpRoute(for: grpc)?.grpc?.namespaceHeader == "temporal-namespace")
        let tcp = try connector("tcp")
        #expect(tcp.kind.tcpRoute(for: tcp)?.grpc == nil)
        #expect(tcp.kind.tcpRoute(for: tcp)?.maxConnections == 1024 && tcp.kind.tcpRoute(for: tcp)?.idleTimeout == 300)
    }

    @Test func anUnknownCallWithoutNamespaceIsAnErrorWithASuggestion() {
        let error = TestInventory.refusal(
            """
            connector_inventory:
              - name: temporal
                kind: temporal
                executor_address: 127.0.0.1:7233
                listen: 127.0.0.1:7234
                calls_without_namespace: WorkflowService/GetSystemInfo WorkflowService/ListNamespace
            """)
        let issue = error?.errors.first { $0.key == "calls_without_namespace" }
        #expect(issue?.problem.contains("'WorkflowService/ListNamespace' is not a Temporal call") == true)
        #expect(issue?.problem.contains("WorkflowService/ListNamespaces") == true)
    }

    @Test func temporalNamespacesArePatternsAndANamespaceKeySaysWhereTheyGo() {
        let bad = TestInventory.refusal(
            """
            gateway:
              principals:
                - {name: w, token: env://T, connectors: [temporal], temporal_namespaces: ["a*b"]}
            connector_inventory:
              - {name: temporal, kind: temporal, executor_address: 127.0.0.1:7233, listen: 127.0.0.1:7234}
            """)
        #expect(bad?.errors.first { $0.key == "temporal_namespaces" }?.problem.contains("'a*b' is not a namespace pattern") == true)
        let raw = TestInventory.refusal(
            """
            gateway:
              principals:
                - {name: w, token: env://T, connectors: [temporal], namespace: default}
            connector_inventory:
              - {name: temporal, kind: temporal, executor_address: 127.0.0.1:7233, listen: 127.0.0.1:7234}
            """)
        let issue = raw?.errors.first { $0.code == .rawInfraSelector }
        #expect(issue?.problem.contains("a Temporal namespace is not one") == true)
        #expect(issue?.fix.contains("temporal_namespaces") == true)
    }
}
