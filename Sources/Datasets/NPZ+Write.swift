import CZlib
import Foundation

extension NPZ {
    /// A zip archive of `.npy` members as `np.savez` (stored) or `np.savez_compressed`
    /// (deflated) writes it; each name gets the `.npy` suffix.
    public static func encode(_ members: [(name: String, npy: Data)], compressed: Bool) throws -> Data {
        var archive = Data()
        var directory = Data()
        func le16(_ v: Int, into d: inout Data) { d.append(contentsOf: [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)]) }
        func le32(_ v: UInt32, into d: inout Data) { for s in stride(from: 0, to: 32, by: 8) { d.append(UInt8((v >> UInt32(s)) & 0xFF)) } }
        for (name, npy) in members {
            let fileName = Array((name + ".npy").utf8)
            let crc = npy.withUnsafeBytes { UInt32(crc32_z(0, $0.bindMemory(to: Bytef.self).baseAddress, z_size_t($0.count))) }
            let body = compressed ? try deflateRaw(npy) : npy
            let offset = archive.count
            // Local header, then the same fields again in the central directory.
            for central in [false, true] {
                var d = Data()
                le32(central ? 0x0201_4B50 : 0x0403_4B50, into: &d)
                if central { le16(20, into: &d) }
                le16(20, into: &d)                      // version needed
                le16(0, into: &d)                       // flags
                le16(compressed ? 8 : 0, into: &d)      // method
                le16(0, into: &d); le16(0x21, into: &d) // time, date (1980-01-01)
                le32(crc, into: &d)
                le32(UInt32(body.count), into: &d)
                le32(UInt32(npy.count), into: &d)
                le16(fileName.count, into: &d)
                le16(0, into: &d)                       // extra
                if central {
                    le16(0, into: &d); le16(0, into: &d); le16(0, into: &d) // comment, disk, internal attributes
                    le32(0, into: &d)                   // external attributes
                    le32(UInt32(offset), into: &d)
                }
                d.append(contentsOf: fileName)
                if central { directory.append(d) } else { archive.append(d); archive.append(body) }
            }
        }
        let directoryOffset = archive.count
        archive.append(directory)
        le32(0x0605_4B50, into: &archive)
        le16(0, into: &archive); le16(0, into: &archive)
        le16(members.count, into: &archive); le16(members.count, into: &archive)
        le32(UInt32(directory.count), into: &archive)
        le32(UInt32(directoryOffset), into: &archive)
        le16(0, into: &archive)
        return archive
    }

    /// `input` as a raw deflate stream (no zlib or gzip wrapper), as zip members hold it.
    static func deflateRaw(_ input: Data) throws -> Data {
        do {
            return try Gzip.deflate(input, windowBits: -MAX_WBITS)
        } catch let failure as Gzip.Failure {
            throw DatasetError.invalid(failure.message)
        }
    }
}
