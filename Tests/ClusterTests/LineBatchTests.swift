import Foundation
import Testing
@testable import Cluster

/// The journal's and history's batching: lines wait until 64 KiB gather or half a second of the
/// run passes, and nothing is lost on the final write.
@Suite("Line batches")
struct LineBatchTests {
    private func withFile(_ body: (FileHandle, String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID())").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try #require(FileHandle(forWritingAtPath: path))
        try body(file, path)
        try file.close()
    }

    private func written(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test("lines wait for half a second of run time, then go out together with their newlines")
    func byTime() throws {
        try withFile { file, path throws in
            var batch = LineBatch()
            batch.add(Array("a".utf8), atSeconds: 0.1, to: file)
            batch.add(Array("b".utf8), atSeconds: 0.4, to: file)
            #expect(try written(path).isEmpty)
            batch.add(Array("c".utf8), atSeconds: 0.6, to: file)
            #expect(try written(path) == "a\nb\nc\n")
            batch.add(Array("d".utf8), atSeconds: 0.7, to: file)
            batch.write(to: file)
            #expect(try written(path) == "a\nb\nc\nd\n")
        }
    }

    @Test("64 KiB within an instant go out without waiting for the clock")
    func bySize() throws {
        try withFile { file, path throws in
            var batch = LineBatch()
            let line = Array(repeating: UInt8(ascii: "x"), count: 1_023)
            for _ in 0..<63 { batch.add(line, atSeconds: 0, to: file) }
            #expect(try written(path).isEmpty)
            batch.add(line, atSeconds: 0, to: file)
            #expect(try written(path).utf8.count == LineBatch.maximumBytes)
        }
    }
}
