import Testing

@testable import GatewayCore

@Suite("DotEnvFile")
struct DotEnvFileTests {
    static let sample = #"""
        # A generated env file.
          # an indented comment

        export A=1
        B = two words   # an inline comment
        C='single $x \n "q" # not a comment'
        D="line\nnext\ttab \"q\" \\ \$HOME # not a comment"
        E=
        F=""
        G=''
        H=url#fragment
        I=value\#t# a comment after a tab
        export	J = "spaced"   # comment after quotes
        A=later
        """# + "\n"

    @Test("comments, blank lines, export, quotes, escapes, inline comments, empty values")
    func parsesSample() throws {
        let file = try DotEnvFile(parsing: Self.sample, path: "sample.env")
        let values = file.values.mapValues(\.value)
        #expect(values["A"] == "later", "a later assignment wins")
        #expect(values["B"] == "two words")
        #expect(values["C"] == #"single $x \n "q" # not a comment"#, "single quotes are literal")
        #expect(values["D"] == "line\nnext\ttab \"q\" \\ $HOME # not a comment")
        #expect(values["E"] == "")
        #expect(values["F"] == "")
        #expect(values["G"] == "")
        #expect(values["H"] == "url#fragment", "a '#' without white space before it is part of the value")
        #expect(values["I"] == "value")
        #expect(values["J"] == "spaced")
        #expect(values.count == 10)
    }

    @Test("entries keep file order, line numbers and the export flag; lines round-trip the layout")
    func entriesAndLines() throws {
        let file = try DotEnvFile(parsing: Self.sample, path: "sample.env")
        #expect(file.path == "sample.env")
        #expect(file.entries.map(\.key) == ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "A"])
        #expect(file.entries.first?.line == 4)
        #expect(file.entries.last?.line == 14)
        #expect(file.values["A"]?.line == 14)
        #expect(file.lines.count == 14, "the trailing newline adds no line")
        #expect(file.lines[0] == .blankOrComment("# A generated env file."))
        #expect(file.lines[2] == .blankOrComment(""))
        guard case let .assignment(first, exported) = file.lines[3], case let .assignment(_, plain) = file.lines[4],
            case let .assignment(tabbed, tabExported) = file.lines[12]
        else {
            Issue.record("unexpected lines \(file.lines)")
            return
        }
        #expect(first.key == "A" && first.value == "1" && first.line == 4)
        #expect(exported)
        #expect(!plain)
        #expect(tabbed.key == "J" && tabExported, "'export' may be followed by a tab")
    }

    @Test("an empty file, a file without a trailing newline, a byte order mark, 'export' as a name")
    func edges() throws {
        #expect(try DotEnvFile(parsing: "", path: "e.env").entries.isEmpty)
        #expect(try DotEnvFile(parsing: "\n\n", path: "e.env").entries.isEmpty)
        let noNewline = try DotEnvFile(parsing: "A=1\nB=2", path: "e.env")
        #expect(noNewline.values["B"]?.value == "2")
        let bom = try DotEnvFile(parsing: "\u{FEFF}A=1\n", path: "e.env")
        #expect(bom.values["A"]?.value == "1")
        let named = try DotEnvFile(parsing: "export=1\nexported=2\n", path: "e.env")
        #expect(named.values["export"]?.value == "1")
        #expect(named.values["exported"]?.value == "2")
        let spaces = try DotEnvFile(parsing: "  A  =   padded value   \n", path: "e.env")
        #expect(spaces.values["A"]?.value == "padded value")
        let equals = try DotEnvFile(parsing: "URL=https://x.example/?a=b&c=d\n", path: "e.env")
        #expect(equals.values["URL"]?.value == "https://x.example/?a=b&c=d", "only the first '=' separates")
    }

    @Test("CRLF line endings")
    func crlf() throws {
        let text = "# comment\r\nA=1\r\nB=\"two\"\r\nexport C=3 # note\r\n"
        let file = try DotEnvFile(parsing: text, path: "crlf.env")
        #expect(file.values["A"]?.value == "1")
        #expect(file.values["B"]?.value == "two")
        #expect(file.values["C"]?.value == "3")
        #expect(file.values["C"]?.line == 4)
        // A lone CR before LF on the last line only (as some editors leave it) is handled.
        let mixed = try DotEnvFile(parsing: "A=1\nB=2\r", path: "mixed.env")
        #expect(mixed.values["B"]?.value == "2")
    }

    @Test("every malformed line is refused with path:line, all at once")
    func refusedLines() throws {
        let text = #"""
            GOOD=1
            no equals here
            1BAD=x
            C="never closed
            D='x' trailing
            E="\q"
            F=it's
            export =x
            BAD-NAME=1
            # fine
            G=ok
            """#
        let error = try #require(throws: ConfigError.self) { try DotEnvFile(parsing: text, path: "bad.env") }
        #expect(error.errors.count == 8)
        #expect(error.errors.allSatisfy { $0.code == .dotenvSyntax })
        #expect(error.errors.map(\.location) == (2...9).map { "bad.env:\($0)" })
        let problems = error.errors.map(\.problem)
        #expect(problems[0].contains("no '='") && !problems[0].contains("equals here"))
        #expect(problems[1].contains("'1BAD' is not a valid variable name"))
        #expect(problems[2].contains("never closed"))
        #expect(problems[3].contains("Text follows the closing quote"))
        #expect(!problems[3].contains("trailing"), "the line's text is not echoed (it may be a secret)")
        #expect(problems[4].contains(#"'\q'"#))
        #expect(problems[5].contains("quote"))
        #expect(problems[7].contains("'BAD-NAME'"))
        #expect(error.description.contains("bad.env:9"))
    }

    @Test("an unterminated double quote ending in a backslash is refused")
    func trailingBackslash() {
        #expect(throws: ConfigError.self) { try DotEnvFile(parsing: #"A="abc\"# + "\n", path: "x.env") }
        #expect(throws: ConfigError.self) { try DotEnvFile(parsing: #"A="abc\""# + "\n", path: "x.env") }
    }
}
