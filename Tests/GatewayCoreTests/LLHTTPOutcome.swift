/// What one side of a scanner test (the scanner, or NIO's decoder, that is llhttp) made of some
/// bytes: a message read, in the test's own terms, a refusal, or bytes that end too early.
enum LLHTTPOutcome<Reading: Equatable>: Equatable {
    case read(Reading)
    case refused
    case unfinished
}
