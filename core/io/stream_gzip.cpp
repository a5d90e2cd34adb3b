// gzip (RFC 1952, zlib) compression and decompression as byte sinks and sources.
#include <zlib.h>

#include <string>

#include "core/io/stream.hpp"

namespace dihya {
namespace {

constexpr int k_gzip_window = 15 + 16;  // deflate window bits, +16: a gzip header and trailer
constexpr std::size_t k_chunk = 256 * 1024;

Error zlib_error(int code, const z_stream& z) {
  return make_error(code == Z_DATA_ERROR ? ExitCode::data_error : ExitCode::failure,
                    "core.gzip.failed", {{"reason", z.msg ? z.msg : std::to_string(code)}});
}

class GzipSink : public ByteSink {
 public:
  GzipSink(std::unique_ptr<ByteSink> next, int level) : m_next(std::move(next)), m_out(k_chunk, '\0') {
    m_status = deflateInit2(&m_z, level, Z_DEFLATED, k_gzip_window, 8, Z_DEFAULT_STRATEGY);
  }
  ~GzipSink() override { deflateEnd(&m_z); }

  Status write(std::string_view data) override { return drive(data, Z_NO_FLUSH); }
  Status finish() override {
    if (Status ended = drive({}, Z_FINISH); !ended) return ended;
    return m_next->finish();
  }

 private:
  Status drive(std::string_view data, int flush) {
    if (m_status != Z_OK) return zlib_error(m_status, m_z);
    m_z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    m_z.avail_in = static_cast<uInt>(data.size());
    for (;;) {
      m_z.next_out = reinterpret_cast<Bytef*>(m_out.data());
      m_z.avail_out = static_cast<uInt>(m_out.size());
      int rc = deflate(&m_z, flush);
      if (rc == Z_STREAM_ERROR) return zlib_error(rc, m_z);
      std::size_t produced = m_out.size() - m_z.avail_out;
      if (produced)
        if (Status written = m_next->write({m_out.data(), produced}); !written) return written;
      if (flush == Z_FINISH ? rc == Z_STREAM_END : m_z.avail_in == 0 && m_z.avail_out != 0)
        return {};
    }
  }

  std::unique_ptr<ByteSink> m_next;
  z_stream m_z{};
  int m_status = Z_OK;
  std::string m_out;
};

class GzipSource : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<ByteSource> source)
      : m_source(std::move(source)), m_in(k_chunk, '\0') {
    m_status = inflateInit2(&m_z, k_gzip_window);
  }
  ~GzipSource() override { inflateEnd(&m_z); }

  Result<std::size_t> read(char* buffer, std::size_t size) override {
    if (m_status != Z_OK) return zlib_error(m_status, m_z);
    m_z.next_out = reinterpret_cast<Bytef*>(buffer);
    m_z.avail_out = static_cast<uInt>(size);
    while (m_z.avail_out == size) {
      if (m_z.avail_in == 0) {
        auto got = m_source->read(m_in.data(), m_in.size());
        if (!got) return got.error();
        if (*got == 0) {
          if (m_ended) return std::size_t{0};
          return make_error(ExitCode::data_error, "core.gzip.failed", {{"reason", "truncated"}});
        }
        m_z.next_in = reinterpret_cast<Bytef*>(m_in.data());
        m_z.avail_in = static_cast<uInt>(*got);
      }
      if (m_ended) {  // a concatenated member follows
        if (int rc = inflateReset(&m_z); rc != Z_OK) return zlib_error(rc, m_z);
        m_ended = false;
      }
      int rc = inflate(&m_z, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        m_ended = true;
        if (m_z.avail_out != size) break;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return zlib_error(rc == Z_NEED_DICT ? Z_DATA_ERROR : rc, m_z);
      }
    }
    return size - m_z.avail_out;
  }

 private:
  std::unique_ptr<ByteSource> m_source;
  z_stream m_z{};
  int m_status = Z_OK;
  bool m_ended = false;
  std::string m_in;
};

}  // namespace

std::unique_ptr<ByteSink> gzip_sink(std::unique_ptr<ByteSink> next, int level) {
  return std::make_unique<GzipSink>(std::move(next), level);
}

std::unique_ptr<ByteSource> gzip_source(std::unique_ptr<ByteSource> source) {
  return std::make_unique<GzipSource>(std::move(source));
}

}  // namespace dihya
