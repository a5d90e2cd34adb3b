#include "core/io/stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "core/base/fs.hpp"

namespace dihya {
namespace {

class FdSink : public ByteSink {
 public:
  FdSink(int fd, bool write_behind) : m_fd(fd), m_write_behind(write_behind) {}
  Status write(std::string_view data) override {
    if (Status written = write_all(m_fd, data, "output"); !written) return written;
    if (m_write_behind) m_behind.wrote(m_fd, data.size());
    return {};
  }
  Status finish() override { return {}; }

 private:
  int m_fd;
  bool m_write_behind;
  WriteBehind m_behind;
};

class FdSource : public ByteSource {
 public:
  explicit FdSource(int fd) : m_fd(fd) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override {
    for (;;) {
      ssize_t n = ::read(m_fd, buffer, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR)
        return make_error(ExitCode::io_error, "core.fs.io_error",
                          {{"path", "input"}, {"reason", std::strerror(errno)}});
    }
  }

 private:
  int m_fd;
};

class EnvelopeSink : public ByteSink {
 public:
  explicit EnvelopeSink(EnvelopeWriter writer) : m_writer(std::move(writer)) {}
  Status write(std::string_view data) override { return m_writer.write(data); }
  Status finish() override { return m_writer.finish(); }

 private:
  EnvelopeWriter m_writer;
};

class EnvelopeSource : public ByteSource {
 public:
  explicit EnvelopeSource(EnvelopeReader reader) : m_reader(std::move(reader)) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override {
    while (m_offset == m_chunk.size() && !m_ended) {
      auto chunk = m_reader.next();
      if (!chunk) return chunk.error();
      if (!*chunk) {
        m_ended = true;
        break;
      }
      m_chunk = std::move(**chunk);
      m_offset = 0;
    }
    std::size_t n = std::min(size, m_chunk.size() - m_offset);
    std::memcpy(buffer, m_chunk.data() + m_offset, n);
    m_offset += n;
    return n;
  }

 private:
  EnvelopeReader m_reader;
  std::string m_chunk;
  std::size_t m_offset = 0;
  bool m_ended = false;
};

class DigestSink : public ByteSink {
 public:
  DigestSink(std::unique_ptr<ByteSink> next, StreamDigest& digest)
      : m_next(std::move(next)), m_digest(digest) {}
  Status write(std::string_view data) override {
    m_digest.sha.update(data);
    m_digest.bytes += static_cast<std::int64_t>(data.size());
    return m_next->write(data);
  }
  Status finish() override { return m_next->finish(); }

 private:
  std::unique_ptr<ByteSink> m_next;
  StreamDigest& m_digest;
};

class DigestSource : public ByteSource {
 public:
  DigestSource(std::unique_ptr<ByteSource> source, StreamDigest& digest)
      : m_source(std::move(source)), m_digest(digest) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override {
    auto got = m_source->read(buffer, size);
    if (got && *got) {
      m_digest.sha.update({buffer, *got});
      m_digest.bytes += static_cast<std::int64_t>(*got);
    }
    return got;
  }

 private:
  std::unique_ptr<ByteSource> m_source;
  StreamDigest& m_digest;
};

class AsyncSink : public ByteSink {
 public:
  AsyncSink(std::unique_ptr<ByteSink> next, std::size_t max_pending, std::size_t coalesce)
      : m_next(std::move(next)),
        m_max(max_pending),
        m_coalesce(coalesce),
        m_thread([this] { work(); }) {}
  ~AsyncSink() override {
    stop();
    m_thread.join();
  }

  Status write(std::string_view data) override {
    if (data.empty()) return {};
    std::unique_lock lock(m_mutex);
    // Small writes join the last block still waiting: fewer hand-overs, no extra copy.
    if (!m_queue.empty() && m_queue.back().size() + data.size() <= m_coalesce && !m_failed) {
      m_queue.back().append(data);
      return {};
    }
    m_space.wait(lock, [&] { return m_queue.size() < m_max || m_failed; });
    if (m_failed) return m_error;
    // A block the worker is done with is filled again: no allocation per block.
    std::string block;
    if (!m_free.empty()) {
      block = std::move(m_free.back());
      m_free.pop_back();
    }
    block.assign(data);
    m_queue.push_back(std::move(block));
    m_ready.notify_one();
    return {};
  }

  Status finish() override {
    {
      std::unique_lock lock(m_mutex);
      m_space.wait(lock, [&] { return (m_queue.empty() && !m_busy) || m_failed; });
      if (m_failed) return m_error;
    }
    return m_next->finish();
  }

 private:
  void stop() {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_ready.notify_one();
  }

  void work() {
    for (;;) {
      std::string block;
      {
        std::unique_lock lock(m_mutex);
        m_ready.wait(lock, [&] { return !m_queue.empty() || m_stopping; });
        if (m_queue.empty()) return;
        block = std::move(m_queue.front());
        m_queue.pop_front();
        m_busy = true;
      }
      Status written = m_failed ? Status{} : m_next->write(block);
      std::lock_guard lock(m_mutex);
      m_busy = false;
      if (m_free.size() <= m_max) m_free.push_back(std::move(block));
      if (!written && !m_failed) {
        m_failed = true;
        m_error = written.error();
      }
      m_space.notify_all();
    }
  }

  std::unique_ptr<ByteSink> m_next;
  std::size_t m_max, m_coalesce;
  std::mutex m_mutex;
  std::condition_variable m_ready, m_space;
  std::deque<std::string> m_queue;
  std::vector<std::string> m_free;
  bool m_busy = false, m_stopping = false, m_failed = false;
  Error m_error;
  std::thread m_thread;
};

class AsyncSource : public ByteSource {
 public:
  AsyncSource(std::unique_ptr<ByteSource> source, std::size_t block, std::size_t max_pending)
      : m_source(std::move(source)),
        m_block(block),
        m_max(max_pending),
        m_thread([this] { work(); }) {}
  ~AsyncSource() override {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
      m_space.notify_all();
    }
    m_thread.join();
  }

  Result<std::size_t> read(char* buffer, std::size_t size) override {
    while (m_offset == m_current.size()) {
      std::unique_lock lock(m_mutex);
      m_ready.wait(lock, [&] { return !m_queue.empty() || m_ended; });
      if (m_queue.empty()) {
        if (m_failed) return m_error;
        return std::size_t{0};
      }
      // The block read out goes back to the reader thread to be filled again.
      if (m_free.size() <= m_max) m_free.push_back(std::move(m_current));
      m_current = std::move(m_queue.front());
      m_queue.pop_front();
      m_offset = 0;
      m_space.notify_one();
    }
    std::size_t n = std::min(size, m_current.size() - m_offset);
    std::memcpy(buffer, m_current.data() + m_offset, n);
    m_offset += n;
    return n;
  }

 private:
  void work() {
    for (;;) {
      std::string block;
      {
        std::lock_guard lock(m_mutex);
        if (!m_free.empty()) {
          block = std::move(m_free.back());
          m_free.pop_back();
        }
      }
      block.resize(m_block);
      std::size_t filled = 0;
      Status status;
      bool end = false;
      while (filled < block.size()) {
        auto got = m_source->read(block.data() + filled, block.size() - filled);
        if (!got) {
          status = got.error();
          break;
        }
        if (*got == 0) {
          end = true;
          break;
        }
        filled += *got;
      }
      block.resize(filled);
      std::unique_lock lock(m_mutex);
      m_space.wait(lock, [&] { return m_queue.size() < m_max || m_stopping; });
      if (m_stopping) return;
      if (!block.empty()) m_queue.push_back(std::move(block));
      if (!status || end) {
        m_failed = !status;
        if (m_failed) m_error = status.error();
        m_ended = true;
      }
      m_ready.notify_one();
      if (m_ended) return;
    }
  }

  std::unique_ptr<ByteSource> m_source;
  std::size_t m_block, m_max;
  std::string m_current;
  std::size_t m_offset = 0;
  std::mutex m_mutex;
  std::condition_variable m_ready, m_space;
  std::deque<std::string> m_queue;
  std::vector<std::string> m_free;
  bool m_ended = false, m_failed = false, m_stopping = false;
  Error m_error;
  std::thread m_thread;
};

class BorrowedSink : public ByteSink {
 public:
  explicit BorrowedSink(ByteSink& sink) : m_sink(sink) {}
  Status write(std::string_view data) override { return m_sink.write(data); }
  Status finish() override { return m_sink.finish(); }

 private:
  ByteSink& m_sink;
};

class BorrowedSource : public ByteSource {
 public:
  explicit BorrowedSource(ByteSource& source) : m_source(source) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override {
    return m_source.read(buffer, size);
  }

 private:
  ByteSource& m_source;
};

}  // namespace

std::unique_ptr<ByteSink> borrowed_sink(ByteSink& sink) {
  return std::make_unique<BorrowedSink>(sink);
}
std::unique_ptr<ByteSource> borrowed_source(ByteSource& source) {
  return std::make_unique<BorrowedSource>(source);
}

Result<FileDigest> digest_file(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT)
      return make_error(ExitCode::no_input, "core.fs.missing", {{"path", path.string()}});
    return io_error(path, errno);
  }
  StreamDigest digest;
  auto source = digest_source(fd_source(fd.get()), digest);
  std::vector<char> buffer(1 << 20);
  for (;;) {
    auto got = source->read(buffer.data(), buffer.size());
    if (!got) return got.error();
    if (*got == 0) break;
  }
  return FileDigest{digest.bytes, digest.sha.hex()};
}

std::unique_ptr<ByteSource> async_source(std::unique_ptr<ByteSource> source, std::size_t block,
                                         std::size_t max_pending) {
  return std::make_unique<AsyncSource>(std::move(source), block, max_pending);
}

std::unique_ptr<ByteSink> async_sink(std::unique_ptr<ByteSink> next, std::size_t max_pending,
                                     std::size_t coalesce) {
  return std::make_unique<AsyncSink>(std::move(next), max_pending, coalesce);
}

std::unique_ptr<ByteSink> digest_sink(std::unique_ptr<ByteSink> next, StreamDigest& digest) {
  return std::make_unique<DigestSink>(std::move(next), digest);
}
std::unique_ptr<ByteSource> digest_source(std::unique_ptr<ByteSource> source,
                                          StreamDigest& digest) {
  return std::make_unique<DigestSource>(std::move(source), digest);
}

std::unique_ptr<ByteSink> fd_sink(int fd, bool write_behind) {
  return std::make_unique<FdSink>(fd, write_behind);
}
std::unique_ptr<ByteSource> fd_source(int fd) {
  return std::make_unique<FdSource>(fd);
}
std::unique_ptr<ByteSink> envelope_sink(EnvelopeWriter writer) {
  return std::make_unique<EnvelopeSink>(std::move(writer));
}
std::unique_ptr<ByteSource> envelope_source(EnvelopeReader reader) {
  return std::make_unique<EnvelopeSource>(std::move(reader));
}
Result<SealedOutput> sealed_output(int fd, StreamDigest& digest,
                                   const std::optional<EnvelopeKeys>& encryption,
                                   const Json& metadata, int level, int threads,
                                   std::size_t frame_bytes) {
  SealedOutput out;
  out.file = digest_sink(fd_sink(fd, true), digest);
  ByteSink* under_zstd = out.file.get();
  if (encryption) {
    auto writer = EnvelopeWriter::begin(*out.file, *encryption, metadata);
    if (!writer) return writer.error();
    out.sealed = envelope_sink(std::move(*writer));
    under_zstd = out.sealed.get();
  }
  out.compressed = zstd_sink(async_sink(borrowed_sink(*under_zstd)), level, threads, frame_bytes);
  return out;
}

}  // namespace dihya
