import CZlib
import Foundation

/// Whole-file gzip decompression through the system zlib.
enum Gzip {
    struct Failure: Error { let message: String }

    /// Inflates a gzip stream; throws if the stream is truncated or corrupt.
    static func decompress(_ input: Data) throws -> Data {
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header and trailer.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(message: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var status: Int32 = Z_OK
        try input.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(raw.count)
            repeat {
                let produced: Int = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return chunk - Int(stream.avail_out)
                }
                if status != Z_OK && status != Z_STREAM_END {
                    throw Failure(message: status == Z_BUF_ERROR ? "gzip stream is truncated"
                                  : "gzip data is corrupt (zlib status \(status))")
                }
                output.append(contentsOf: buffer[0..<produced])
                if status == Z_OK && stream.avail_in == 0 && produced == 0 {
                    throw Failure(message: "gzip stream is truncated")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}

extension Gzip {
    /// Compresses `input` as a gzip stream (used to write IDX fixtures).
    static func compress(_ input: Data) throws -> Data { try deflate(input, windowBits: 16 + MAX_WBITS) }

    /// `input` through zlib's deflate: `windowBits` 16 + 15 writes a gzip stream, −15 a raw
    /// deflate stream (as zip members hold it).
    static func deflate(_ input: Data, windowBits: Int32) throws -> Data {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(message: "zlib could not start")
        }
        defer { deflateEnd(&stream) }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var source = [UInt8](input)
        var status: Int32 = Z_OK
        source.withUnsafeMutableBufferPointer { src in
            stream.next_in = src.baseAddress
            stream.avail_in = uInt(src.count)
            repeat {
                let produced: Int = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = CZlib.deflate(&stream, Z_FINISH)
                    return out.count - Int(stream.avail_out)
                }
                output.append(contentsOf: buffer[0..<produced])
            } while status == Z_OK
        }
        guard status == Z_STREAM_END else { throw Failure(message: "zlib deflate failed (\(status))") }
        return output
    }
}
