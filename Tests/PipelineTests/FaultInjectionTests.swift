import AccordionTestSupport
import Foundation
import ResultBundles
import Statistics
import Testing
@testable import Pipeline

#if canImport(Glibc)
import Glibc
#endif

/// Kills and starves runs at awkward moments and checks what the store and the bundles promise:
/// nothing half-written is ever used, an unfinished bundle never verifies, and the next run
/// completes from what was kept.
@Suite("Fault injection", .serialized)
struct FaultInjectionTests {
    static let spec = "name: faults\ndata: {train_size: 3000, test_size: 300}\nmodel: {depth: 3, width: 64}\ntrain: {epochs: 2}\nprobe: {epochs: [0, 1, 2], size: 150}\nestimators: {pr: {}, twonn: {resamples: 0}}\n"

    static func start(_ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = TestSupport.accordionExecutable
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    @Test("SIGKILL at seeded random moments, the bundle phase included: the store stays sound and the next run completes")
    func killAtRandom() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["ACCORDION_FAULT_SEED"] ?? "") ?? 20261202
        var rng = SplitMix64(seed: seed)
        let results = TestSupport.temporaryDirectory("faults")
        let spec = try TestSupport.writeSpec(Self.spec)
        // The first run, uninterrupted, tells how long a whole run takes here.
        let started = Date()
        #expect(try TestSupport.runAccordion(["run", spec.path, "--results", results.path, "--jobs", "1"]).status == 0)
        let whole = Date().timeIntervalSince(started)
        try FileManager.default.removeItem(at: results)
        for round in 0..<5 {
            // Spread kills over the whole run; the last rounds aim at its end, where the bundle is written.
            let fraction = round < 3 ? Double(rng.next() % 1000) / 1000 : 0.85 + Double(rng.next() % 150) / 1000
            let p = try Self.start(["run", spec.path, "--results", results.path, "--jobs", "1"])
            Thread.sleep(forTimeInterval: fraction * whole)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let store = try TestSupport.runAccordion(["store", "verify", "--results", results.path])
            #expect(store.status == 0, "seed \(seed) round \(round) at \(fraction): \(store.output)")
            for bundle in BundleReader.bundles(under: results) {
                let reader = try BundleReader(bundle)
                if reader.manifest.status != .complete {
                    #expect(!BundleVerifier.integrity(reader).isEmpty, "seed \(seed): an unfinished bundle must not verify")
                }
            }
        }
        let last = try TestSupport.runAccordion(["run", spec.path, "--results", results.path, "--jobs", "1"])
        #expect(last.status == 0, "seed \(seed): \(last.output)")
        let newest = try #require(BundleReader.bundles(under: results).first)
        let verify = try TestSupport.runAccordion(["verify", newest.path])
        #expect(verify.status == 0, "seed \(seed): \(verify.output)")
    }

    @Test("a full disk fails the run (exit 1) with the file and the reason in words, and leaves the store sound",
          .enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func diskFull() throws {
        let mountPoint = TestSupport.temporaryDirectory("tmpfs")
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.path]
        try mount.run()
        mount.waitUntilExit()
        try #require(mount.terminationStatus == 0, "mount -t tmpfs failed")
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [mountPoint.path]
            try? umount.run()
            umount.waitUntilExit()
        }
        let spec = try TestSupport.writeSpec(Self.spec)
        let full = try TestSupport.runAccordion(["run", spec.path, "--results", mountPoint.path, "--jobs", "1"])
        #expect(full.status == 1, "\(full.output)")
        #expect(full.output.contains("No space left on device") || full.output.contains("space"), "\(full.output)")
        #expect(!full.output.contains("Fatal error") && !full.output.contains("NSCocoaErrorDomain"), "\(full.output)")
        let store = try TestSupport.runAccordion(["store", "verify", "--results", mountPoint.path])
        #expect(store.status == 0, "\(store.output)")
    }
}
