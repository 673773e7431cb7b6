import Foundation
import Logging

/// One line per event on standard error; credentials never reach it (see CredentialRedactor).
enum LogSetup {
    static func logger(verbose: Bool = false) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .info
            return handler
        }
        return Logger(label: "facerestored")
    }
}
