// Reading an export package: pass one checks everything before a database is touched, pass
// two hands the rows over in foreign-key order (docs/export-format.md §6).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "core/base/signals.hpp"
#include "core/io/archive.hpp"
#include "core/io/stream.hpp"
#include "core/package/datapackage.hpp"

namespace dihya::package {

namespace {

constexpr std::size_t k_max_manifest = std::size_t{64} << 20;
constexpr std::size_t k_max_signature = std::size_t{64} << 10;

Error tampered(const std::string& what) {
  return make_error(ExitCode::data_error, "core.package.tampered", {{"what", what}});
}

// Pass two read other bytes than pass one checked.
Error changed_since_checked() {
  return tampered("the package changed after it was checked");
}

// The chain that turns the package file into its tar stream.
struct OpenPackage {
  Fd fd;
  StreamDigest digest;
  std::unique_ptr<ByteSource> raw, opened, plain;
  bool encrypted = false;
  std::vector<FrameStart> frames;  // of a plain package, when asked for

  // Read to the very end: the envelope's final chunk, the zstd frame's end, nothing after.
  Status drain() {
    std::vector<char> rest(1 << 16);
    for (ByteSource* source : {plain.get(), raw.get()})
      for (;;) {
        auto got = source->read(rest.data(), rest.size());
        if (!got) return got.error();
        if (*got == 0) break;
      }
    return {};
  }
};

// Open PATH and tell an encrypted package from a plain one by its first bytes.
Result<Fd> open_file(const fs::path& path, bool& encrypted) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT)
      return make_error(ExitCode::no_input, "core.package.missing", {{"path", path.string()}});
    return io_error(path, errno);
  }
  char magic[8] = {};
  ssize_t got = ::pread(fd.get(), magic, sizeof magic, 0);
  if (got < 0) return io_error(path, errno);
  static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
  encrypted = got == 8 && std::memcmp(magic, "DIHYAENV", 8) == 0;
  if (!encrypted && (got < 4 || std::memcmp(magic, zstd_magic, 4) != 0))
    return make_error(ExitCode::data_error, "core.package.not_a_package",
                      {{"path", path.string()}});
  return fd;
}

Result<std::unique_ptr<OpenPackage>> open_package(const fs::path& path,
                                                  const EnvelopeOpeners& openers,
                                                  bool frames = false) {
  auto open = std::make_unique<OpenPackage>();
  auto fd = open_file(path, open->encrypted);
  if (!fd) return fd.error();
  open->fd = std::move(*fd);
  open->raw = digest_source(fd_source(open->fd.get()), open->digest);
  if (open->encrypted) {
    auto reader = EnvelopeReader::open(*open->raw, openers);
    if (!reader) return reader.error();
    const Json& metadata = reader->metadata();
    if (!metadata.is_object() || !metadata.contains("kind") || metadata["kind"] != "dihya-export")
      return tampered("envelope metadata: not an export package");
    open->opened = envelope_source(std::move(*reader));
  }
  // The compressed offsets of a plain package are those of the file.
  open->plain =
      zstd_source(async_source(borrowed_source(open->opened ? *open->opened : *open->raw)),
                  frames && !open->encrypted ? &open->frames : nullptr);
  return open;
}

Result<std::string> read_small(ArchiveReader& archive, std::size_t limit, const std::string& name) {
  std::string text;
  for (;;) {
    auto block = archive.read();
    if (!block) return block.error();
    if (block->empty()) return text;
    text.append(*block);
    if (text.size() > limit) return tampered(name + " is too large");
  }
}

// What pass one saw of one data file.
struct Seen {
  std::int64_t bytes = 0;
  std::string sha256;
  // Rows are counted as the name's extension says (both ways for another extension).
  bool csv_counted = true, jsonl_counted = true;
  RowCounter csv{DataFormat::csv}, jsonl{DataFormat::jsonl};
  std::size_t position = 0;
  std::optional<std::int64_t> frame;  // the compressed offset of a frame that starts here
};

// Hashes and counts the bytes of one data file (on a thread of its own, under async_sink).
class SeenSink : public ByteSink {
 public:
  explicit SeenSink(Seen& seen) : m_seen(seen) {}
  Status write(std::string_view block) override {
    m_hash.update(block);
    m_seen.bytes += static_cast<std::int64_t>(block.size());
    if (m_seen.csv_counted) m_seen.csv.feed(block);
    if (m_seen.jsonl_counted) m_seen.jsonl.feed(block);
    return {};
  }
  Status finish() override {
    m_seen.sha256 = m_hash.hex();
    return {};
  }

 private:
  Seen& m_seen;
  Sha256 m_hash;
};

bool ends_with(const std::string& name, std::string_view suffix) {
  return name.size() >= suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Result<ArchiveEntry> next_data_entry(ArchiveReader& archive, bool& end) {
  for (;;) {
    check_interrupted();
    auto next = archive.next();
    if (!next) return next.error();
    if (!*next) {
      end = true;
      return ArchiveEntry{};
    }
    if ((*next)->type == EntryType::symlink)
      return make_error(ExitCode::data_error, "core.package.link_refused",
                        {{"entry", (*next)->name}});
    if ((*next)->type == EntryType::directory) continue;
    return **next;
  }
}

}  // namespace

Result<bool> package_encrypted(const fs::path& path) {
  bool encrypted = false;
  auto fd = open_file(path, encrypted);
  if (!fd) return fd.error();
  return encrypted;
}

Result<VerifiedPackage> verify_package(const fs::path& path, const VerifyRequest& request) {
  auto open = open_package(path, request.openers, true);
  if (!open) return open.error();
  ArchiveReader archive(*(*open)->plain);
  std::map<std::string, Seen> seen;
  std::optional<std::string> manifest_text, signature_text;
  std::int64_t total = 0;
  for (;;) {
    bool end = false;
    auto entry = next_data_entry(archive, end);
    if (!entry) return entry.error();
    if (end) break;
    const std::string& name = entry->name;
    if (seen.count(name) || (name == k_manifest_name && manifest_text) ||
        (name == k_signature_name && signature_text))
      return tampered("entry stored twice: " + name);
    if (name == k_manifest_name || name == k_signature_name) {
      auto text =
          read_small(archive, name == k_manifest_name ? k_max_manifest : k_max_signature, name);
      if (!text) return text.error();
      (name == k_manifest_name ? manifest_text : signature_text) = std::move(*text);
      continue;
    }
    Seen& s = seen[name];
    s.position = seen.size();
    // The decompressor has read past this header, so a frame that starts there is known.
    const auto& frames = (*open)->frames;
    std::int64_t at = archive.header_position();
    auto frame = std::lower_bound(frames.begin(), frames.end(), at,
                                  [](const FrameStart& f, std::int64_t v) { return f.plain < v; });
    if (frame != frames.end() && frame->plain == at) s.frame = frame->compressed;
    s.csv_counted = !ends_with(name, ".jsonl");
    s.jsonl_counted = !ends_with(name, ".csv");
    // Hashing and counting overlap with decompressing and reading the archive, in blocks of
    // up to 1 MiB: the archive's 64 KiB ones would each wake the other thread.
    auto checker = async_sink(std::make_unique<SeenSink>(s), 16, std::size_t{1} << 20);
    for (;;) {
      auto block = archive.read();
      if (!block) return block.error();
      if (block->empty()) break;
      if (Status fed = checker->write(*block); !fed) return fed.error();
      total += static_cast<std::int64_t>(block->size());
      if (request.progress) request.progress(total);
    }
    if (Status checked = checker->finish(); !checked) return checked.error();
  }
  if (Status drained = (*open)->drain(); !drained) return drained.error();
  if (!manifest_text)
    return make_error(ExitCode::data_error, "core.package.no_manifest", {{"path", path.string()}});

  VerifiedPackage out;
  out.encrypted = (*open)->encrypted;
  out.file_bytes = (*open)->digest.bytes;
  out.file_sha256 = (*open)->digest.sha.hex();
  out.manifest_sha256 = sha256_hex(*manifest_text);
  if (signature_text) {
    Json signature = Json::parse(*signature_text, nullptr, false);
    auto signer = check_signature(signature, *manifest_text, request.trusted);
    if (!signer) return signer.error();
    out.signer = *signer;
  } else if (request.require_signed) {
    return make_error(ExitCode::no_permission, "core.package.unsigned_refused");
  }
  Json document = Json::parse(*manifest_text, nullptr, false);
  if (document.is_discarded())
    return make_error(ExitCode::data_error, "core.package.bad_manifest",
                      {{"path", "$"}, {"reason", "not JSON"}});
  auto manifest = parse_manifest(document);
  if (!manifest) return manifest.error();
  out.manifest = std::move(*manifest);

  std::size_t listed = 0;
  for (const auto& r : out.manifest.resources) {
    std::int64_t bytes = 0, rows = 0;
    std::size_t previous = 0;
    for (std::size_t i = 0; i < r.parts.size(); ++i) {
      const Part& part = r.parts[i];
      auto it = seen.find(part.path);
      if (it == seen.end())
        return make_error(ExitCode::data_error, "core.package.missing_file",
                          {{"resource", r.name}, {"entry", part.path}});
      const Seen& s = it->second;
      if (s.position < previous) return tampered("parts out of order: " + part.path);
      previous = s.position;
      ++listed;
      if (!(r.format == DataFormat::csv ? s.csv_counted : s.jsonl_counted))
        return tampered("the name of " + part.path + " does not fit its format " +
                        format_name(r.format));
      std::int64_t part_rows = (r.format == DataFormat::csv ? s.csv : s.jsonl).rows(i == 0);
      bool known = !part.sha256.empty();
      if (known && (s.sha256 != part.sha256 || (part.bytes >= 0 && s.bytes != part.bytes)))
        return tampered("SHA-256 or size of " + part.path);
      if (known && r.parts.size() > 1 && part.rows >= 0 && part_rows != part.rows)
        return make_error(ExitCode::data_error, "core.package.row_count",
                          {{"resource", r.name},
                           {"listed", std::to_string(part.rows)},
                           {"found", std::to_string(part_rows)}});
      bytes += s.bytes;
      rows += part_rows;
    }
    if (r.bytes >= 0 && bytes != r.bytes) return tampered("size of resource " + r.name);
    if (r.rows && *r.rows != rows)
      return make_error(ExitCode::data_error, "core.package.row_count",
                        {{"resource", r.name},
                         {"listed", std::to_string(*r.rows)},
                         {"found", std::to_string(rows)}});
    out.rows += rows;
  }
  for (const auto& [name, s] : seen)
    if (s.frame) out.frames[name] = *s.frame;
  if (listed != seen.size())
    for (const auto& [name, s] : seen) {
      bool found = false;
      for (const auto& r : out.manifest.resources)
        for (const auto& part : r.parts) found = found || part.path == name;
      if (!found)
        return make_error(ExitCode::data_error, "core.package.unlisted_file", {{"entry", name}});
    }
  return out;
}

namespace {

// True when each part of the resources in ORDER can be read on its own: a plain package
// whose data files each start a zstd frame, every part with its size and SHA-256.
bool parts_seekable(const VerifiedPackage& package, const std::vector<std::size_t>& order) {
  if (package.encrypted) return false;
  for (std::size_t i : order)
    for (const Part& part : package.manifest.resources[i].parts)
      if (part.sha256.empty() || part.bytes < 0 || !package.frames.count(part.path)) return false;
  return true;
}

// One data file of a plain package, read from the frame that starts at its header (OFFSET in
// FD), into CONSUMER. Its name, size and SHA-256 must be those pass one checked.
Status read_part_at(int fd, const fs::path& path, std::int64_t offset, const Part& part,
                    PartConsumer& consumer) {
  if (::lseek(fd, offset, SEEK_SET) < 0) return io_error(path, errno);
  auto plain = zstd_source(fd_source(fd));
  ArchiveReader archive(*plain);
  bool end = false;
  auto entry = next_data_entry(archive, end);
  if (!entry) return entry.error();
  if (end || entry->name != part.path || entry->size != part.bytes) return changed_since_checked();
  Sha256 hash;
  std::int64_t bytes = 0;
  for (;;) {
    auto block = archive.read();
    if (!block) return block.error();
    if (block->empty()) break;
    hash.update(*block);
    bytes += static_cast<std::int64_t>(block->size());
    if (Status fed = consumer.data(*block); !fed) return fed;
  }
  if (bytes != part.bytes || hash.hex() != part.sha256) return changed_since_checked();
  return {};
}

// Pass two when every part can be read on its own: a part nobody takes is not read at all.
Status read_parts_seeking(const fs::path& path, const VerifiedPackage& package,
                          const std::vector<std::size_t>& order, PartConsumer& consumer) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return io_error(path, errno);
  for (std::size_t i : order) {
    const Resource& r = package.manifest.resources[i];
    for (std::size_t p = 0; p < r.parts.size(); ++p) {
      check_interrupted();
      if (!consumer.take_part(r, p)) continue;
      if (Status begun = consumer.begin_part(r, p); !begun) return begun;
      const Part& part = r.parts[p];
      if (Status read = read_part_at(fd.get(), path, package.frames.at(part.path), part, consumer);
          !read)
        return read;
      if (Status ended = consumer.end_part(r, p); !ended) return ended;
    }
    if (Status ended = consumer.end_resource(r); !ended) return ended;
  }
  return {};
}

}  // namespace

Status read_package_parts(const fs::path& path, const VerifiedPackage& package,
                          const EnvelopeOpeners& openers, PartConsumer& consumer,
                          const std::vector<std::string>* only) {
  const auto& resources = package.manifest.resources;
  std::vector<std::size_t> order;
  for (std::size_t i : foreign_key_order(resources))
    if (!only || std::find(only->begin(), only->end(), resources[i].name) != only->end())
      order.push_back(i);
  if (parts_seekable(package, order)) return read_parts_seeking(path, package, order, consumer);
  std::size_t next = 0;  // position in ORDER of the resource being read
  // Read the file again from the start while resources remain that were stored earlier than
  // the one before them in foreign-key order.
  while (next < order.size()) {
    std::size_t start = next;
    auto open = open_package(path, openers);
    if (!open) return open.error();
    ArchiveReader archive(*(*open)->plain);
    std::size_t part = 0;
    Sha256 whole;
    for (;;) {
      bool end = false;
      auto entry = next_data_entry(archive, end);
      if (!entry) return entry.error();
      if (end) break;
      if (next >= order.size()) continue;
      const Resource& r = resources[order[next]];
      if (entry->name != r.parts[part].path) continue;  // another resource's, or later
      bool taken = consumer.take_part(r, part);
      if (taken)
        if (Status begun = consumer.begin_part(r, part); !begun) return begun;
      for (;;) {
        auto block = archive.read();
        if (!block) return block.error();
        if (block->empty()) break;
        whole.update(*block);
        if (taken)
          if (Status fed = consumer.data(*block); !fed) return fed;
      }
      if (taken)
        if (Status ended = consumer.end_part(r, part); !ended) return ended;
      if (++part < r.parts.size()) continue;
      // Each part was checked by pass one; the whole resource's hash is checked here too
      // (before the load commits), which is all a package without part hashes has.
      if (std::string hash = whole.hex(); !r.sha256.empty() && hash != r.sha256)
        return tampered("SHA-256 of resource " + r.name);
      if (Status ended = consumer.end_resource(r); !ended) return ended;
      part = 0;
      ++next;
    }
    if (Status drained = (*open)->drain(); !drained) return drained;
    if ((*open)->digest.sha.hex() != package.file_sha256) return changed_since_checked();
    if (next == start) return tampered("a resource's parts are missing");
  }
  return {};
}

namespace {

// The parts of each resource, decoded into rows (or handed over as text) for a RowConsumer.
class RowsOfParts : public PartConsumer {
 public:
  explicit RowsOfParts(RowConsumer& consumer)
      : m_consumer(consumer), m_visit([this](const Field* fields, std::size_t count) {
          return m_consumer.row(fields, count);
        }) {}
  Status begin_part(const Resource& r, std::size_t part) override {
    if (part > 0) return {};
    m_decoder.emplace(r);
    if (Status begun = m_consumer.begin(r); !begun) return begun;
    m_as_text = m_consumer.takes_text(r);
    return {};
  }
  Status data(std::string_view block) override {
    Status fed = m_as_text ? m_consumer.text(block) : m_decoder->feed(block, m_visit);
    if (!fed) return fed;
    return m_consumer.flush();
  }
  Status end_part(const Resource& r, std::size_t part) override {
    if (part + 1 < r.parts.size()) return {};
    if (!m_as_text)
      if (Status done = m_decoder->finish(m_visit); !done) return done;
    return m_consumer.flush();
  }
  Status end_resource(const Resource& r) override {
    Status ended = m_consumer.end(r, m_as_text ? -1 : m_decoder->rows());
    m_decoder.reset();
    return ended;
  }

 private:
  RowConsumer& m_consumer;
  RowDecoder::Visit m_visit;
  std::optional<RowDecoder> m_decoder;
  bool m_as_text = false;
};

}  // namespace

Status read_package(const fs::path& path, const VerifiedPackage& package,
                    const EnvelopeOpeners& openers, RowConsumer& consumer,
                    const std::vector<std::string>* only) {
  RowsOfParts parts(consumer);
  return read_package_parts(path, package, openers, parts, only);
}

}  // namespace dihya::package
