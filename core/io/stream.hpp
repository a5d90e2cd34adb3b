#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/base/crypto.hpp"
#include "core/base/fs.hpp"
#include "core/io/envelope.hpp"

namespace dihya {

// Where bytes go: a file, an encrypted envelope, a compressor in front of either.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status write(std::string_view data) = 0;
  // Flush and end the stream (the sink it feeds is finished too).
  virtual Status finish() = 0;
  // A point where a reader may start: a zstd sink ends its frame here (what follows is a new,
  // independent frame); other sinks have nothing to do.
  virtual Status end_frame() { return {}; }
};

// Where bytes come from; read returns 0 at the end.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Result<std::size_t> read(char* buffer, std::size_t size) = 0;
};

// Bytes to and from an open file descriptor (not owned). With WRITE_BEHIND, the kernel is
// asked to start writing every 8 MiB out as soon as it is written (sync_file_range), so a
// final fsync finds little left to flush: writing to disk overlaps with producing the data.
std::unique_ptr<ByteSink> fd_sink(int fd, bool write_behind = false);
std::unique_ptr<ByteSource> fd_source(int fd);

// Bytes sealed into, or opened from, an envelope (docs/envelope-format.md).
std::unique_ptr<ByteSink> envelope_sink(EnvelopeWriter writer);
std::unique_ptr<ByteSource> envelope_source(EnvelopeReader reader);

// Where a zstd frame starts: its offset in the compressed stream and in the plain one.
struct FrameStart {
  std::int64_t compressed = 0, plain = 0;
};

// zstd compression in front of NEXT, and decompression of what SOURCE yields; corrupt
// compressed data is 65. The sink is one context with THREADS workers (when > 1); or, with
// FRAME_BYTES, independent frames of at most that many bytes (end_frame ends one early),
// THREADS of them compressed at once, so that nothing waits at a frame's end. With FRAMES,
// the source records where each frame starts (the first at 0, 0), as far as it has read.
std::unique_ptr<ByteSink> zstd_sink(std::unique_ptr<ByteSink> next, int level, int threads,
                                    std::size_t frame_bytes = 0);
std::unique_ptr<ByteSource> zstd_source(std::unique_ptr<ByteSource> source,
                                        std::vector<FrameStart>* frames = nullptr);

// gzip (RFC 1952, zlib) compression at LEVEL (1-9) in front of NEXT, and decompression of what
// SOURCE yields (concatenated members too); corrupt or truncated data is 65.
std::unique_ptr<ByteSink> gzip_sink(std::unique_ptr<ByteSink> next, int level);
std::unique_ptr<ByteSource> gzip_source(std::unique_ptr<ByteSource> source);

// A sink that hands what it is given to NEXT on a thread of its own (at most MAX_PENDING
// blocks wait in between), so that encrypting, hashing and writing the output overlap with
// producing it. An error of NEXT is returned by a later write or by finish. Writes that
// arrive while the last block still waits join it, up to COALESCE bytes.
std::unique_ptr<ByteSink> async_sink(std::unique_ptr<ByteSink> next, std::size_t max_pending = 8,
                                     std::size_t coalesce = 0);

// A source that reads SOURCE ahead on a thread of its own, in blocks of BLOCK bytes (at most
// MAX_PENDING waiting), so that reading, decrypting and hashing the input overlap with
// using it. An error of SOURCE is returned once the blocks before it are consumed.
std::unique_ptr<ByteSource> async_source(std::unique_ptr<ByteSource> source,
                                         std::size_t block = std::size_t{1} << 20,
                                         std::size_t max_pending = 4);

// A sink or source that only passes through to one the caller owns and keeps alive (to put
// it under a compressor that takes ownership of what it writes to).
std::unique_ptr<ByteSink> borrowed_sink(ByteSink& sink);
std::unique_ptr<ByteSource> borrowed_source(ByteSource& source);

// The bytes that went through a digest sink or source: how many, and their SHA-256.
struct StreamDigest {
  Sha256 sha;
  std::int64_t bytes = 0;
};
std::unique_ptr<ByteSink> digest_sink(std::unique_ptr<ByteSink> next, StreamDigest& digest);
std::unique_ptr<ByteSource> digest_source(std::unique_ptr<ByteSource> source, StreamDigest& digest);

// The output of a backup or a package: FD, under a digest of what is written to it (DIGEST),
// under the envelope for ENCRYPTION when there is one (METADATA in its header), under zstd at
// LEVEL on THREADS workers (in frames of FRAME_BYTES, as for zstd_sink). Encrypting, hashing and
// writing run on a thread of their own, beside zstd's workers and whoever writes to compressed.
// Finishing compressed finishes all.
struct SealedOutput {
  std::unique_ptr<ByteSink> file, sealed, compressed;
};
Result<SealedOutput> sealed_output(int fd, StreamDigest& digest,
                                   const std::optional<EnvelopeKeys>& encryption,
                                   const Json& metadata, int level, int threads,
                                   std::size_t frame_bytes = 0);

// The size and SHA-256 of the whole file at PATH (66 when missing).
struct FileDigest {
  std::int64_t bytes = 0;
  std::string sha256;
};
Result<FileDigest> digest_file(const fs::path& path);

}  // namespace dihya
