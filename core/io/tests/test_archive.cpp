#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "core/io/archive.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

struct TarEntry {
  std::string name;
  unsigned type;  // AE_IFREG, AE_IFLNK…
  std::string data_or_target;
};

// A tar file written with libarchive directly, so that it can hold what our writer refuses.
void craft_tar(const fs::path& path, const std::vector<TarEntry>& entries) {
  ::archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_filetype(entry, e.type);
    archive_entry_set_perm(entry, 0644);
    if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.data_or_target.c_str());
    if (e.type == AE_IFREG)
      archive_entry_set_size(entry, static_cast<la_int64_t>(e.data_or_target.size()));
    archive_write_header(a, entry);
    if (e.type == AE_IFREG) archive_write_data(a, e.data_or_target.data(), e.data_or_target.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

// Read the tar at PATH and extract it under ROOT; the first error, if any.
Status extract_all(const fs::path& path, const fs::path& root) {
  Fd fd(::open(path.c_str(), O_RDONLY));
  auto source = fd_source(fd.get());
  ArchiveReader reader(*source);
  for (;;) {
    auto entry = reader.next();
    if (!entry) return entry.error();
    if (!*entry) return {};
    if (Status done = extract_entry(reader, **entry, root); !done) return done;
  }
}

}  // namespace

TEST_CASE("entry names and link targets are judged before extraction", "[archive]") {
  CHECK(safe_entry_name("db/app.sqlite"));
  CHECK(safe_entry_name("files/a..b"));
  CHECK_FALSE(safe_entry_name("../x"));
  CHECK_FALSE(safe_entry_name("a/../../x"));
  CHECK_FALSE(safe_entry_name("/etc/passwd"));
  CHECK_FALSE(safe_entry_name(""));
  CHECK(link_stays_inside("files/a/link", "../b/c"));
  CHECK(link_stays_inside("files/link", "../x"));
  CHECK_FALSE(link_stays_inside("files/link", "../../x"));
  CHECK_FALSE(link_stays_inside("link", "/etc/passwd"));
  CHECK_FALSE(link_stays_inside("a/link", "b/../../.."));
}

TEST_CASE("a tree round-trips through tar, zstd and the envelope", "[archive]") {
  TempDir dir;
  fs::path src = dir.path() / "src", out = dir.path() / "out";
  write_text(src / "a.txt", std::string(200000, 'a'), 0640);
  write_text(src / "sub" / "b.bin", std::string("\0\1\2\3", 4), 0600);
  fs::create_symlink("../a.txt", src / "sub" / "link");
  struct timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
  ::utimensat(AT_FDCWD, (src / "a.txt").c_str(), times, 0);
  IdentityKey key = generate_identity();
  fs::path packed = dir.path() / "packed";
  {
    Fd fd(::open(packed.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    auto envelope = EnvelopeWriter::begin(fd.get(), {{key.public_key}, std::nullopt}, {});
    REQUIRE(envelope.ok());
    auto sink = zstd_sink(envelope_sink(std::move(*envelope)), 3, 2);
    ArchiveWriter writer(*sink);
    REQUIRE(writer.add_directory("sub", 0750, 1700000000).ok());
    REQUIRE(writer.add_file(src / "a.txt", "a.txt").ok());
    REQUIRE(writer.add_file(src / "sub" / "b.bin", "sub/b.bin").ok());
    REQUIRE(writer.add_symlink("sub/link", "../a.txt", 1700000000).ok());
    REQUIRE(writer.add_bytes("manifest.json", "{}").ok());
    REQUIRE(writer.close().ok());
    REQUIRE(sink->finish().ok());
  }
  Fd fd(::open(packed.c_str(), O_RDONLY));
  auto reader = EnvelopeReader::open(fd.get(), {{&key}, std::nullopt});
  REQUIRE(reader.ok());
  auto source = zstd_source(envelope_source(std::move(*reader)));
  ArchiveReader archive(*source);
  fs::create_directories(out);
  int entries = 0;
  for (;;) {
    auto entry = archive.next();
    REQUIRE(entry.ok());
    if (!*entry) break;
    ++entries;
    REQUIRE(extract_entry(archive, **entry, out).ok());
  }
  CHECK(entries == 5);
  CHECK(read_text(out / "a.txt") == read_text(src / "a.txt"));
  CHECK(read_text(out / "sub" / "b.bin") == std::string("\0\1\2\3", 4));
  CHECK(fs::read_symlink(out / "sub" / "link") == "../a.txt");
  struct stat st {};
  REQUIRE(::stat((out / "a.txt").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  CHECK(st.st_mtime == 1700000000);
}

TEST_CASE("crafted archives that would escape are refused", "[archive]") {
  TempDir dir;
  fs::path out = dir.path() / "out";
  fs::create_directories(out);
  struct Case {
    const char* what;
    std::vector<TarEntry> entries;
  };
  const std::vector<Case> cases = {
      {"dot-dot", {{"../evil", AE_IFREG, "x"}}},
      {"absolute", {{"/tmp/dihya-evil", AE_IFREG, "x"}}},
      {"escaping symlink", {{"link", AE_IFLNK, "../../etc"}}},
      {"absolute symlink", {{"link", AE_IFLNK, "/etc"}}},
      {"write through an inside link",
       {{"dir", AE_IFDIR, ""}, {"in", AE_IFLNK, "dir"}, {"in/x", AE_IFREG, "x"}}},
      {"device", {{"dev", AE_IFCHR, ""}}},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.what) {
      fs::path tar = dir.path() / (std::string(c.what) + ".tar");
      craft_tar(tar, c.entries);
      Status status = extract_all(tar, out);
      REQUIRE_FALSE(status.ok());
      CHECK(status.error().code == ExitCode::data_error);
      CHECK_FALSE(fs::exists(dir.path() / "evil"));
      CHECK_FALSE(fs::exists("/tmp/dihya-evil"));
      CHECK_FALSE(fs::exists(out / "dir" / "x"));
    }
  }
}

TEST_CASE("extraction never overwrites an existing file", "[archive]") {
  TempDir dir;
  fs::path out = dir.path() / "out";
  write_text(out / "keep.txt", "original");
  craft_tar(dir.path() / "t.tar", {{"keep.txt", AE_IFREG, "replaced"}});
  Status status = extract_all(dir.path() / "t.tar", out);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ExitCode::cant_create);
  CHECK(read_text(out / "keep.txt") == "original");
}

TEST_CASE("corrupt compressed data is 65", "[archive]") {
  TempDir dir;
  fs::path packed = dir.path() / "z";
  {
    Fd fd(::open(packed.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    auto sink = zstd_sink(fd_sink(fd.get()), 3, 1);
    ArchiveWriter writer(*sink);
    REQUIRE(writer.add_bytes("a", std::string(100000, 'x')).ok());
    REQUIRE(writer.close().ok());
    REQUIRE(sink->finish().ok());
  }
  std::string bytes = read_text(packed);
  bytes[bytes.size() / 2] ^= 0x55;
  write_text(packed, bytes);
  Fd fd(::open(packed.c_str(), O_RDONLY));
  auto source = zstd_source(fd_source(fd.get()));
  ArchiveReader reader(*source);
  bool failed = false;
  for (int i = 0; i < 10 && !failed; ++i) {
    auto entry = reader.next();
    if (!entry) {
      failed = true;
      CHECK(entry.error().code == ExitCode::data_error);
      break;
    }
    if (!*entry) break;
    for (;;) {
      auto block = reader.read();
      if (!block) {
        failed = true;
        CHECK(block.error().code == ExitCode::data_error);
        break;
      }
      if (block->empty()) break;
    }
  }
  CHECK(failed);
}

TEST_CASE("independent frames: any size, cut where asked and at the frame size, in order",
          "[archive]") {
  TempDir dir;
  fs::path packed = dir.path() / "frames.zst";
  auto pack = [&](const std::vector<std::string>& pieces, bool end_after_each) {
    Fd fd(::open(packed.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    auto sink = zstd_sink(fd_sink(fd.get()), 3, 2, 1000);
    for (const auto& piece : pieces) {
      REQUIRE(sink->write(piece).ok());
      if (end_after_each) REQUIRE(sink->end_frame().ok());
    }
    REQUIRE(sink->finish().ok());
  };
  auto unpack = [&](std::vector<FrameStart>& frames) {
    Fd fd(::open(packed.c_str(), O_RDONLY));
    auto source = zstd_source(fd_source(fd.get()), &frames);
    std::string plain;
    char block[333];
    for (;;) {
      auto got = source->read(block, sizeof block);
      REQUIRE(got.ok());
      if (*got == 0) return plain;
      plain.append(block, *got);
    }
  };
  std::vector<FrameStart> frames;
  pack({}, false);
  CHECK(unpack(frames).empty());  // an empty stream is still a zstd stream

  // Pieces of many sizes, each ending a frame: a frame starts at each piece and every 1000
  // bytes within one (the reader notes the end of the last as well), and the bytes come back
  // in order.
  std::vector<std::string> pieces;
  std::string whole;
  std::vector<std::int64_t> expected{0};
  for (int i = 0; i < 40; ++i) {
    std::string piece;
    for (int j = 0; j < i * 97 % 2600; ++j) piece += static_cast<char>('a' + (i * j) % 26);
    if (piece.empty()) continue;
    for (std::size_t at = 1000; at < piece.size(); at += 1000)
      expected.push_back(static_cast<std::int64_t>(whole.size() + at));
    whole += piece;
    expected.push_back(static_cast<std::int64_t>(whole.size()));
    pieces.push_back(piece);
  }
  pack(pieces, true);
  frames.clear();
  CHECK(unpack(frames) == whole);
  std::vector<std::int64_t> starts;
  for (const auto& f : frames) starts.push_back(f.plain);
  CHECK(starts == expected);
}

TEST_CASE("an async sink joins small writes but keeps every byte in order, and its errors",
          "[archive][stream]") {
  // The next sink is slow at first, so writes pile up and join the last waiting block.
  struct Slow : ByteSink {
    std::string got;
    std::vector<std::size_t> blocks;
    std::size_t fail_after = SIZE_MAX;
    Status write(std::string_view data) override {
      if (blocks.size() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (blocks.size() >= fail_after)
        return make_error(ExitCode::io_error, "core.fs.cant_write", {{"path", "x"}});
      got += data;
      blocks.push_back(data.size());
      return {};
    }
    Status finish() override { return {}; }
  };
  auto owned = std::make_unique<Slow>();
  Slow& slow = *owned;
  auto sink = async_sink(std::move(owned), 4, 1000);
  std::string sent;
  for (int i = 0; i < 500; ++i) {
    std::string piece(static_cast<std::size_t>(i % 37 + 1), static_cast<char>('a' + i % 26));
    REQUIRE(sink->write(piece).ok());
    sent += piece;
  }
  REQUIRE(sink->finish().ok());
  CHECK(slow.got == sent);
  CHECK(slow.blocks.size() < 500);  // joined
  for (std::size_t size : slow.blocks) CHECK(size <= 1000);

  auto failing = std::make_unique<Slow>();
  failing->fail_after = 2;
  auto broken = async_sink(std::move(failing), 4, 1000);
  Status status;
  for (int i = 0; i < 2000 && status.ok(); ++i) status = broken->write(std::string(50, 'x'));
  if (status.ok()) status = broken->finish();
  CHECK(status.error().code == ExitCode::io_error);
}
