import Foundation
import Testing

@testable import Connectors
@testable import GatewayCore

/// `gateway health --timeout` bounds the secret lookup too: a secret backend that does not answer
/// fails the connector's `secret` step in time instead of holding the whole run.
@Suite("health: secret lookups are bounded by the check's timeout")
struct HealthSecretLookupTests {
    @Test func aLookupThatNeverAnswersFailsTheSecretStepWithinTheTimeout() async throws {
        let configuration = try TestInventory.loader(files: [TestInventory.demoEnv()])
            .load(
                text: TestInventory.packageFile("connectors.yaml"), path: "connectors.yaml",
                baseDirectory: TestInventory.packageRoot.path)
        let started = ContinuousClock.now
        let plans = await HealthPlanner.plans(configuration: configuration, only: ["langboard"], timeout: 0.3) { _ in
            // A backend that answers only after 60 s and does not react to cancellation.
            await withCheckedContinuation { continuation in
                DispatchQueue.global().asyncAfter(deadline: .now() + 60) { continuation.resume() }
            }
            throw CancellationError()
        }
        let elapsed = ContinuousClock.now - started
        // Far below the backend's 60 s. The margin is for the test run, not the gateway: the suites run
        // in parallel on a pool as wide as the machine's cores, and a CPU-bound test elsewhere can hold
        // every thread for seconds before this one's timer gets to run (a CI run on 2 cores saw 12 s).
        #expect(elapsed < .seconds(25), "took \(elapsed)")
        let plan = try #require(plans.first)
        #expect(plan.secret.status == .fail)
        #expect(plan.secret.detail.contains("the secret lookup took longer than 300 ms"), "\(plan.secret.detail)")
    }

    @Test func aLookupThatAnswersInTimeIsUsed() async throws {
        let configuration = try TestInventory.loader(files: [TestInventory.demoEnv()])
            .load(
                text: TestInventory.packageFile("connectors.yaml"), path: "connectors.yaml",
                baseDirectory: TestInventory.packageRoot.path)
        let plans = await HealthPlanner.plans(configuration: configuration, only: ["langboard"], timeout: 2) { _ in
            SecretValue("a-resolved-test-value")
        }
        let plan = try #require(plans.first)
        #expect(plan.secret.status == .ok, "\(plan.secret.detail)")
    }
}
