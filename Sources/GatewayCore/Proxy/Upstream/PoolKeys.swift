import Synchronization

/// Each distinct pool key (`UpstreamTarget.poolKey`) numbered once for the life of the
/// process, so a pool finds a target's connections by array index rather than by hashing a
/// key of a hundred bytes on every request. Equal keys get the same number whatever the
/// reload that built their target, so connections keep being shared exactly as the keys say;
/// the numbers only grow (one per distinct key ever configured).
enum PoolKeys {
    private static let numbers = Mutex<[String: Int]>([:])

    /// The number of `key`, given when a target is built (never on the request path).
    static func number(of key: String) -> Int {
        numbers.withLock { numbers in
            if let number = numbers[key] { return number }
            let number = numbers.count
            numbers[key] = number
            return number
        }
    }
}
