/// Where a caller's connection keeps its exchange in progress. The machine is a value; it is
/// held by reference because every question asked of it through an optional of its 650-odd
/// bytes (is it finished, when is its deadline, may the caller's bytes be read) copied all of
/// it, about twenty-five times per proxied request. Through the box, events and questions reach
/// the machine where it lies: `current.machine.responseBodyReceived(...)`.
/// Properties `@exclusivity(unchecked)`: loop-confined data-path state (see `ProxyHandler`).
final class CurrentExchange {
    @exclusivity(unchecked) var machine: ExchangeStateMachine

    init(_ machine: consuming ExchangeStateMachine) {
        self.machine = machine
    }
}
