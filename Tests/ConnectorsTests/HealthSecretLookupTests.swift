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
            // A backend that answers only after 30 s and does not react to cancellation.
            await withCheckedContinuation { continuation in
                DispatchQueue.global().asyncAfter(deadline: .now() + 30) { continuation.resume() }
            }
            throw CancellationError()
        }
        let elapsed = ContinuousClock.now - started
        // Far below the backend's 30 s (with room for a test run that keeps every thread busy).
        #expect(elapsed < .seconds(10), "took \(elapsed)")
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
