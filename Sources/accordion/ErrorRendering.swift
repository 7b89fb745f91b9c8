import ArgumentParser
import Foundation

/// Turns any error that reaches the top of a command into words and an exit status, so no
/// user ever sees a Foundation dump (`Error Domain=NSCocoaErrorDomain …`) or a bare
/// `DecodingError`: file errors name the file and say what is wrong.
///
/// Exit statuses: 0 success, 1 a run failed, 2 the user's input is wrong — including usage
/// errors, which swift-argument-parser would otherwise end with 64 (`EX_USAGE`).
enum ErrorRendering {
    /// Where a message goes and which status ends the process.
    struct Outcome: Equatable {
        var message: String
        var status: Int32
        var toStandardError: Bool
    }

    /// The outcome of `error`, thrown while parsing (`parsing`) or running a command.
    static func outcome(for error: Error, parsing: Bool) -> Outcome {
        if let exit = error as? ExitCode {
            // Commands print their own diagnostics before throwing an exit code.
            return Outcome(message: "", status: exit.rawValue, toStandardError: true)
        }
        // `--help` parses to the library's own help command, whose run() throws its internal
        // CommandError: any error of the library's types is rendered by the library.
        let fromArgumentParser = String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
        if parsing || fromArgumentParser || error is CleanExit || error is ValidationError {
            let status = Accordion.exitCode(for: error).rawValue
            let message = Accordion.fullMessage(for: error)
            if status == 0 { return Outcome(message: message, status: 0, toStandardError: false) }
            return Outcome(message: message, status: status == 64 ? ExitCodes.badInput : status, toStandardError: true)
        }
        if let words = describe(error) {
            return Outcome(message: "error: \(words)", status: ExitCodes.badInput, toStandardError: true)
        }
        return Outcome(message: "error: \(error)", status: ExitCodes.runFailed, toStandardError: true)
    }

    /// Foundation's file and decoding errors in words, or nil for errors that describe themselves.
    static func describe(_ error: Error) -> String? {
        if let decoding = error as? DecodingError { return describe(decoding) }
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return nil }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String)
            ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
        let reason: String
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileReadNoSuchFile, .fileNoSuchFile: reason = "no such file"
        case .fileReadNoPermission, .fileWriteNoPermission: reason = "permission denied"
        case .fileReadCorruptFile: reason = "the file is corrupt or not in the expected format"
        case .fileWriteOutOfSpace: reason = "no space left on the device"
        case .fileWriteFileExists: reason = "a file of that name already exists"
        case .fileReadInapplicableStringEncoding: reason = "the file is not valid text (UTF-8)"
        default:
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                reason = "it is a directory, not a file"
            } else {
                reason = ns.localizedFailureReason ?? "the file cannot be read or written (code \(ns.code))"
            }
        }
        return "\(path): \(reason)"
    }

    /// A `DecodingError` as the key path and what was wrong there.
    static func describe(_ error: DecodingError) -> String {
        func at(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "" : " at '\(path)'"
        }
        switch error {
        case let .dataCorrupted(c): return "a JSON file is not valid\(at(c)): \(c.debugDescription)"
        case let .keyNotFound(key, c): return "a JSON file lacks the key '\(key.stringValue)'\(at(c))"
        case let .typeMismatch(_, c), let .valueNotFound(_, c): return "a JSON file holds the wrong kind of value\(at(c)): \(c.debugDescription)"
        @unknown default: return "a JSON file cannot be decoded"
        }
    }

    /// Parses the command line, runs the command, and ends the process with the rendered outcome.
    static func runMain() -> Never {
        var command: ParsableCommand
        do {
            command = try Accordion.parseAsRoot(nil)
        } catch {
            finish(outcome(for: error, parsing: true))
        }
        do {
            try command.run()
        } catch {
            finish(outcome(for: error, parsing: false))
        }
        exit(0)
    }

    private static func finish(_ o: Outcome) -> Never {
        if !o.message.isEmpty {
            if o.toStandardError { printError(o.message) } else { print(o.message) }
        }
        exit(o.status)
    }
}
