// zstd compression and decompression as byte sinks and sources (core/stream.hpp).
#include <zstd.h>

#include <algorithm>
#include <deque>
#include <future>
#include <string>
#include <vector>

#include "core/io/stream.hpp"

namespace dihya {
namespace {

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

}  // namespace

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

}  // namespace dihya
