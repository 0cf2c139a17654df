/// What scanning a head in a connection's bytes found (`RequestHeadScanner`,
/// `ResponseHeadScanner`).
enum HeadScan<Head: Equatable>: Equatable {
    case head(Head)
    /// The bytes end inside the head: read more, then scan again from the first byte.
    case needMoreBytes
    /// Not a head this gateway forwards; the reason is for the error it answers.
    case refused(String)
}
