#include "core/stream.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "core/fs.hpp"

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

struct CctxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DctxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

class ZstdSink : public ByteSink {
 public:
  ZstdSink(std::unique_ptr<ByteSink> next, int level, int threads)
      : m_next(std::move(next)), m_ctx(ZSTD_createCCtx()), m_out(ZSTD_CStreamOutSize()) {
    ZSTD_CCtx_setParameter(m_ctx.get(), ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(m_ctx.get(), ZSTD_c_checksumFlag, 1);
    if (threads > 1) {
      ZSTD_CCtx_setParameter(m_ctx.get(), ZSTD_c_nbWorkers, threads);
      // 2 MiB jobs: as fast as the default (4 windows) on a few cores, at half the memory.
      ZSTD_CCtx_setParameter(m_ctx.get(), ZSTD_c_jobSize, 2 << 20);
    }
  }

  Status write(std::string_view data) override {
    m_in_frame = m_in_frame || !data.empty();
    return drive(data, ZSTD_e_continue);
  }
  Status finish() override {
    if (Status ended = drive({}, ZSTD_e_end); !ended) return ended;
    return m_next->finish();
  }
  // The next write starts a new frame, with the same parameters (no empty frame is made).
  Status end_frame() override {
    if (!m_in_frame) return {};
    m_in_frame = false;
    return drive({}, ZSTD_e_end);
  }

 private:
  Status drive(std::string_view data, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    for (;;) {
      ZSTD_outBuffer out{m_out.data(), m_out.size(), 0};
      std::size_t left = ZSTD_compressStream2(m_ctx.get(), &out, &in, mode);
      if (ZSTD_isError(left))
        return make_error(ExitCode::failure, "core.zstd.failed",
                          {{"reason", ZSTD_getErrorName(left)}});
      if (out.pos)
        if (Status written = m_next->write({m_out.data(), out.pos}); !written) return written;
      bool done = mode == ZSTD_e_end ? left == 0 : in.pos == in.size;
      if (done) return {};
    }
  }

  std::unique_ptr<ByteSink> m_next;
  std::unique_ptr<ZSTD_CCtx, CctxDeleter> m_ctx;
  std::vector<char> m_out;
  bool m_in_frame = false;
};

// A stream cut into independent zstd frames of at most FRAME_BYTES, up to THREADS of them
// compressed at once on threads of their own while the caller goes on writing, and handed
// to NEXT in order. Unlike one context with workers, nothing waits at a frame's end: the
// frames share no history.
class ZstdFramesSink : public ByteSink {
 public:
  ZstdFramesSink(std::unique_ptr<ByteSink> next, int level, int threads, std::size_t frame_bytes)
      : m_next(std::move(next)),
        m_level(level),
        m_threads(static_cast<std::size_t>(std::max(threads, 1))),
        m_frame_bytes(frame_bytes) {}
  ~ZstdFramesSink() override {
    for (auto& job : m_running) job->done.wait();
  }

  Status write(std::string_view data) override {
    while (!data.empty()) {
      std::size_t take = std::min(data.size(), m_frame_bytes - m_buffer.size());
      m_buffer.append(data.data(), take);
      data.remove_prefix(take);
      if (m_buffer.size() == m_frame_bytes)
        if (Status sent = submit(); !sent) return sent;
    }
    return {};
  }
  Status end_frame() override { return m_buffer.empty() ? Status{} : submit(); }
  Status finish() override {
    // An empty stream is still one (empty) frame.
    if (!m_buffer.empty() || !m_started)
      if (Status sent = submit(); !sent) return sent;
    while (!m_running.empty())
      if (Status written = write_oldest(); !written) return written;
    return m_next->finish();
  }

 private:
  struct Job {
    std::unique_ptr<ZSTD_CCtx, CctxDeleter> ctx;
    std::string input;
    // Not zeroed: only the pages zstd writes are touched.
    std::unique_ptr<char[]> output;
    std::size_t output_capacity = 0, output_size = 0;
    std::future<Status> done;
  };

  Status submit() {
    m_started = true;
    std::unique_ptr<Job> job;
    if (m_idle.empty()) {
      job = std::make_unique<Job>();
      job->ctx.reset(ZSTD_createCCtx());
      ZSTD_CCtx_setParameter(job->ctx.get(), ZSTD_c_compressionLevel, m_level);
      ZSTD_CCtx_setParameter(job->ctx.get(), ZSTD_c_checksumFlag, 1);
    } else {
      job = std::move(m_idle.back());
      m_idle.pop_back();
    }
    job->input.swap(m_buffer);  // the buffer takes the job's old one, and its capacity
    m_buffer.clear();
    m_buffer.reserve(m_frame_bytes);
    Job* j = job.get();
    j->done = std::async(std::launch::async, [j]() -> Status {
      std::size_t bound = ZSTD_compressBound(j->input.size());
      if (j->output_capacity < bound) {
        j->output.reset(new char[bound]);
        j->output_capacity = bound;
      }
      std::size_t size = ZSTD_compress2(j->ctx.get(), j->output.get(), j->output_capacity,
                                        j->input.data(), j->input.size());
      if (ZSTD_isError(size))
        return make_error(ExitCode::failure, "core.zstd.failed",
                          {{"reason", ZSTD_getErrorName(size)}});
      j->output_size = size;
      return {};
    });
    m_running.push_back(std::move(job));
    while (m_running.size() > m_threads)
      if (Status written = write_oldest(); !written) return written;
    return {};
  }
  Status write_oldest() {
    std::unique_ptr<Job> job = std::move(m_running.front());
    m_running.pop_front();
    Status done = job->done.get();
    if (done) done = m_next->write({job->output.get(), job->output_size});
    m_idle.push_back(std::move(job));
    return done;
  }

  std::unique_ptr<ByteSink> m_next;
  int m_level;
  std::size_t m_threads, m_frame_bytes;
  std::string m_buffer;
  std::deque<std::unique_ptr<Job>> m_running;  // oldest first
  std::vector<std::unique_ptr<Job>> m_idle;
  bool m_started = false;
};

class ZstdSource : public ByteSource {
 public:
  ZstdSource(std::unique_ptr<ByteSource> source, std::vector<FrameStart>* frames)
      : m_source(std::move(source)),
        m_ctx(ZSTD_createDCtx()),
        m_in(ZSTD_DStreamInSize()),
        m_frames(frames) {
    if (m_frames) m_frames->push_back({0, 0});
  }

  Result<std::size_t> read(char* buffer, std::size_t size) override {
    ZSTD_outBuffer out{buffer, size, 0};
    while (out.pos == 0) {
      if (m_in_pos == m_in_size) {
        auto got = m_source->read(m_in.data(), m_in.size());
        if (!got) return got.error();
        if (*got == 0) {
          if (m_frame_open) return make_error(ExitCode::data_error, "core.zstd.truncated");
          return std::size_t{0};
        }
        m_in_base += static_cast<std::int64_t>(m_in_size);
        m_in_size = *got;
        m_in_pos = 0;
      }
      ZSTD_inBuffer in{m_in.data(), m_in_size, m_in_pos};
      std::size_t before = out.pos;
      std::size_t hint = ZSTD_decompressStream(m_ctx.get(), &out, &in);
      if (ZSTD_isError(hint))
        return make_error(ExitCode::data_error, "core.zstd.corrupt",
                          {{"reason", ZSTD_getErrorName(hint)}});
      m_in_pos = in.pos;
      m_plain += static_cast<std::int64_t>(out.pos - before);
      m_frame_open = hint != 0;
      // 0: a frame is decoded and flushed, and the input stops at its end.
      if (hint == 0 && m_frames)
        m_frames->push_back({m_in_base + static_cast<std::int64_t>(m_in_pos), m_plain});
    }
    return out.pos;
  }

 private:
  std::unique_ptr<ByteSource> m_source;
  std::unique_ptr<ZSTD_DCtx, DctxDeleter> m_ctx;
  std::vector<char> m_in;
  std::size_t m_in_size = 0, m_in_pos = 0;
  std::int64_t m_in_base = 0, m_plain = 0;  // bytes read before m_in; bytes produced
  std::vector<FrameStart>* m_frames;
  bool m_frame_open = false;
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
  AsyncSink(std::unique_ptr<ByteSink> next, std::size_t max_pending)
      : m_next(std::move(next)), m_max(max_pending), m_thread([this] { work(); }) {}
  ~AsyncSink() override {
    stop();
    m_thread.join();
  }

  Status write(std::string_view data) override {
    if (data.empty()) return {};
    std::unique_lock lock(m_mutex);
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
  std::size_t m_max;
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

std::unique_ptr<ByteSink> async_sink(std::unique_ptr<ByteSink> next, std::size_t max_pending) {
  return std::make_unique<AsyncSink>(std::move(next), max_pending);
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
std::unique_ptr<ByteSink> zstd_sink(std::unique_ptr<ByteSink> next, int level, int threads,
                                    std::size_t frame_bytes) {
  if (frame_bytes)
    return std::make_unique<ZstdFramesSink>(std::move(next), level, threads, frame_bytes);
  return std::make_unique<ZstdSink>(std::move(next), level, threads);
}
std::unique_ptr<ByteSource> zstd_source(std::unique_ptr<ByteSource> source,
                                        std::vector<FrameStart>* frames) {
  return std::make_unique<ZstdSource>(std::move(source), frames);
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
