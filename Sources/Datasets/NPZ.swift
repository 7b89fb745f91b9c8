import CZlib
import Foundation
import Tensors

/// NumPy `.npz` archives: a zip file whose members are `.npy` files (`np.savez` stores them,
/// `np.savez_compressed` deflates them). A member is named without its `.npy` suffix, as
/// `np.load(path)["x_train"]` names it.
///
/// Only what NumPy writes is read: stored or deflated members, no encryption, no multi-disk
/// archives; ZIP64 sizes and offsets in the central directory are understood. Every size read
/// from the archive is checked against the file before it is used, so a damaged or hostile
/// archive gives an error naming the file, never a crash or an allocation it cannot back.
public enum NPZ {
    /// One member as the central directory describes it.
    public struct Member: Sendable, Equatable {
        /// The name without `.npy`.
        public var name: String
        /// 0 stored, 8 deflated.
        var method: Int
        var crc32: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    /// The largest ratio of inflated to deflated bytes deflate can reach (about 1032:1), with slack.
    static let maximumRatio = 1100

    /// The members of the archive `data` read from `name`, in the order of its central directory.
    public static func members(of data: Data, name: String) throws -> [Member] {
        let bytes = Reader(data: data, name: name)
        // End of central directory: 22 bytes plus a comment of at most 65,535 bytes, at the end.
        guard data.count >= 22 else { throw bytes.corrupt("too short for a zip archive (\(data.count) bytes)") }
        var eocd = -1
        var i = data.count - 22
        let lowest = max(0, data.count - 22 - 65535)
        while i >= lowest {
            if try bytes.u32(i) == 0x0605_4B50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw DatasetError.corrupt(name, "not a zip (.npz) archive: no end-of-central-directory record") }
        let entries = try Int(bytes.u16(eocd + 10))
        let directorySize = try Int(bytes.u32(eocd + 12))
        let directoryOffset = try Int(bytes.u32(eocd + 16))
        if directoryOffset == 0xFFFF_FFFF || entries == 0xFFFF {
            throw bytes.corrupt("a ZIP64 archive of more than 65,535 members or 4 GiB of directory offset; save fewer or smaller arrays per .npz")
        }
        guard directoryOffset <= eocd, directorySize <= eocd - directoryOffset else {
            throw bytes.corrupt("the central directory (\(directorySize) bytes at \(directoryOffset)) lies outside the file")
        }
        var members: [Member] = []
        var p = directoryOffset
        for _ in 0..<entries {
            guard try bytes.u32(p) == 0x0201_4B50 else { throw bytes.corrupt("central directory entry \(members.count + 1) is damaged") }
            let flags = try bytes.u16(p + 8)
            let method = try Int(bytes.u16(p + 10))
            let crc = try bytes.u32(p + 16)
            var compressed = try Int(bytes.u32(p + 20))
            var uncompressed = try Int(bytes.u32(p + 24))
            let nameLength = try Int(bytes.u16(p + 28))
            let extraLength = try Int(bytes.u16(p + 30))
            let commentLength = try Int(bytes.u16(p + 32))
            var offset = try Int(bytes.u32(p + 42))
            let fileName = String(decoding: try bytes.slice(p + 46, nameLength), as: UTF8.self)
            // ZIP64: a field of all ones is in the extra block 0x0001, in this order.
            var q = p + 46 + nameLength
            let extraEnd = q + extraLength
            while q + 4 <= extraEnd {
                let id = try bytes.u16(q), size = try Int(bytes.u16(q + 2))
                if id == 0x0001 {
                    var r = q + 4
                    if uncompressed == 0xFFFF_FFFF { uncompressed = try bytes.size64(r); r += 8 }
                    if compressed == 0xFFFF_FFFF { compressed = try bytes.size64(r); r += 8 }
                    if offset == 0xFFFF_FFFF { offset = try bytes.size64(r) }
                }
                q += 4 + size
            }
            if flags & 1 != 0 { throw bytes.corrupt("member '\(fileName)' is encrypted") }
            guard method == 0 || method == 8 else {
                throw bytes.corrupt("member '\(fileName)' uses compression method \(method); only stored (0) and deflate (8) are read")
            }
            let memberName = fileName.hasSuffix(".npy") ? String(fileName.dropLast(4)) : fileName
            members.append(Member(name: memberName, method: method, crc32: crc, compressedSize: compressed,
                                  uncompressedSize: uncompressed, localHeaderOffset: offset))
            p = extraEnd + commentLength
        }
        return members
    }

    /// The `.npy` bytes of member `member` (named without `.npy`).
    ///
    /// - Throws: `DatasetError` naming the archive: no such member (listing those it has), sizes
    ///   that do not fit the file, a damaged deflate stream or a CRC mismatch.
    public static func member(_ member: String, of data: Data, name: String) throws -> Data {
        let all = try members(of: data, name: name)
        guard let m = all.first(where: { $0.name == member }) else {
            throw DatasetError.invalid("\(name) has no member '\(member)'; it holds " +
                                       (all.isEmpty ? "no arrays" : all.map { "'\($0.name)'" }.joined(separator: ", ")))
        }
        return try extract(m, from: data, name: name)
    }

    /// The first `count` bytes of member `member`, inflating no more than it takes, and the
    /// member's full size: enough to read an `.npy` header without inflating the data.
    public static func prefix(_ count: Int, ofMember member: String, of data: Data, name: String) throws -> (bytes: Data, size: Int) {
        let all = try members(of: data, name: name)
        guard let m = all.first(where: { $0.name == member }) else {
            throw DatasetError.invalid("\(name) has no member '\(member)'; it holds " +
                                       (all.isEmpty ? "no arrays" : all.map { "'\($0.name)'" }.joined(separator: ", ")))
        }
        return (try extract(m, from: data, name: name, limit: count), m.uncompressedSize)
    }

    /// The bytes of one member, inflated if need be and checked against its CRC-32; with `limit`,
    /// only its first `limit` bytes (unchecked: the CRC covers the whole member).
    static func extract(_ m: Member, from data: Data, name: String, limit: Int? = nil) throws -> Data {
        let bytes = Reader(data: data, name: name)
        let label = "\(name)[\(m.name)]"
        guard try bytes.u32(m.localHeaderOffset) == 0x0403_4B50 else {
            throw DatasetError.corrupt(label, "the local header at offset \(m.localHeaderOffset) is damaged")
        }
        let start = m.localHeaderOffset + 30 + Int(try bytes.u16(m.localHeaderOffset + 26)) + Int(try bytes.u16(m.localHeaderOffset + 28))
        guard start <= data.count, m.compressedSize <= data.count - start else {
            throw DatasetError.corrupt(label, "the member's \(m.compressedSize) bytes run past the end of the file (truncated?)")
        }
        let stored = data[(data.startIndex + start)..<(data.startIndex + start + m.compressedSize)]
        let out: Data
        if m.method == 0 {
            guard m.uncompressedSize == m.compressedSize else {
                throw DatasetError.corrupt(label, "a stored member of \(m.compressedSize) bytes claims \(m.uncompressedSize)")
            }
            if let limit { return Data(stored.prefix(limit)) }
            out = Data(stored)
        } else {
            let (bound, overflow) = m.compressedSize.multipliedReportingOverflow(by: maximumRatio)
            guard !overflow, m.uncompressedSize <= bound + 1024 else {
                throw DatasetError.corrupt(label, "\(m.compressedSize) deflated bytes cannot inflate to the \(m.uncompressedSize) claimed")
            }
            out = try inflate(stored, expected: m.uncompressedSize, label: label, limit: limit)
            if limit != nil { return out }
        }
        let crc = out.withUnsafeBytes { raw in
            UInt32(crc32_z(0, raw.bindMemory(to: Bytef.self).baseAddress, z_size_t(raw.count)))
        }
        guard crc == m.crc32 else {
            throw DatasetError.corrupt(label, String(format: "CRC-32 mismatch (0x%08x stored, 0x%08x computed)", m.crc32, crc))
        }
        return out
    }

    /// Inflates a raw deflate stream that should hold exactly `expected` bytes; more or fewer is an
    /// error. With `limit`, stops once the first `limit` bytes are out and returns them.
    ///
    /// Output grows as it is produced, so memory follows what the stream really holds, never
    /// the size the archive claims.
    static func inflate(_ input: Data, expected: Int, label: String, limit: Int? = nil) throws -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DatasetError.corrupt(label, "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        let target = min(expected, limit ?? expected)
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: max(1, min(expected + 1, 1 << 20)))
        var status: Int32 = Z_OK
        try input.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: Bytef.self).baseAddress)
            var remainingIn = raw.count
            repeat {
                // zlib counts in 32-bit units: feed at most 1 GiB at a time.
                let inChunk = min(remainingIn, 1 << 30)
                stream.avail_in = uInt(inChunk)
                let made: Int = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                let consumed = inChunk - Int(stream.avail_in)
                remainingIn -= consumed
                output.append(contentsOf: buffer[0..<made])
                if output.count > expected {
                    throw DatasetError.corrupt(label, "the member inflates to more than the \(expected) bytes it claims")
                }
                if limit != nil && output.count >= target { return }
                if consumed == 0 && made == 0 { break }
            } while status == Z_OK
        }
        if limit != nil && output.count >= target { return output.prefix(target) }
        guard status == Z_STREAM_END || status == Z_OK || status == Z_BUF_ERROR else {
            throw DatasetError.corrupt(label, "the deflate stream is damaged (zlib status \(status))")
        }
        guard status == Z_STREAM_END, output.count == expected else {
            throw DatasetError.corrupt(label, "the deflate stream is truncated: \(output.count) of \(expected) bytes")
        }
        return output
    }

    /// Bounds-checked little-endian reads from an archive.
    struct Reader {
        let data: Data
        let name: String

        func corrupt(_ why: String) -> DatasetError { .corrupt(name, why) }

        func slice(_ offset: Int, _ count: Int) throws -> Data {
            guard offset >= 0, count >= 0, offset <= data.count, count <= data.count - offset else {
                throw corrupt("a zip record at offset \(offset) runs past the end of the file (truncated?)")
            }
            return data[(data.startIndex + offset)..<(data.startIndex + offset + count)]
        }

        func u16(_ offset: Int) throws -> UInt16 {
            let b = [UInt8](try slice(offset, 2))
            return UInt16(b[0]) | UInt16(b[1]) << 8
        }

        func u32(_ offset: Int) throws -> UInt32 {
            let b = [UInt8](try slice(offset, 4))
            return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
        }

        /// A ZIP64 size or offset, which must fit the file.
        func size64(_ offset: Int) throws -> Int {
            let b = [UInt8](try slice(offset, 8))
            let v = b.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            guard v <= UInt64(data.count) * UInt64(maximumRatio) else { throw corrupt("a ZIP64 size of \(v) bytes cannot be right for a \(data.count)-byte file") }
            return Int(v)
        }
    }
}
