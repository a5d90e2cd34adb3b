#include "core/io/envelope.hpp"

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/base/fs.hpp"
#include "core/io/stream.hpp"

namespace dihya {
namespace {

constexpr std::string_view k_magic = "DIHYAENV";
constexpr std::size_t k_chunk_size = 1 << 16;
constexpr std::uint32_t k_max_header = 1 << 20;

Error malformed(const std::string& what) {
  return make_error(ExitCode::data_error, "core.envelope.malformed", {{"what", what}});
}

std::string u32_le(std::uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// Read exactly N bytes; fewer at the end of the file is reported through AT_END.
Result<std::string> read_exact(ByteSource& in, std::size_t n, bool& at_end) {
  std::string out(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    auto r = in.read(out.data() + got, n - got);
    if (!r) return r.error();
    if (*r == 0) break;
    got += *r;
  }
  at_end = got < n;
  out.resize(got);
  return out;
}

Result<std::uint32_t> read_u32(ByteSource& fd, bool& at_end) {
  auto bytes = read_exact(fd, 4, at_end);
  if (!bytes) return bytes.error();
  if (at_end) return 0u;
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>((*bytes)[static_cast<std::size_t>(i)]);
  return v;
}

// Read a length-prefixed JSON section of at most k_max_header bytes.
Result<std::pair<std::string, Json>> read_section(ByteSource& fd, const std::string& name) {
  bool at_end = false;
  auto length = read_u32(fd, at_end);
  if (!length) return length.error();
  if (at_end || *length == 0 || *length > k_max_header) return malformed(name);
  auto bytes = read_exact(fd, *length, at_end);
  if (!bytes) return bytes.error();
  if (at_end) return malformed(name);
  Json parsed = Json::parse(*bytes, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return malformed(name);
  return std::pair<std::string, Json>{std::move(*bytes), std::move(parsed)};
}

// The magic, the fixed header and the key slots, each as read (bytes) and parsed.
struct EnvelopeHead {
  std::pair<std::string, Json> fixed, slots;
};

Result<EnvelopeHead> read_head(ByteSource& fd) {
  bool at_end = false;
  auto magic = read_exact(fd, k_magic.size(), at_end);
  if (!magic) return magic.error();
  if (*magic != k_magic) return malformed("magic");
  auto fixed = read_section(fd, "header");
  if (!fixed) return fixed.error();
  auto slots = read_section(fd, "key slots");
  if (!slots) return slots.error();
  return EnvelopeHead{std::move(*fixed), std::move(*slots)};
}

std::string associated_data(const std::string& fixed) {
  return blake2b_256_hex(std::string(k_magic) + fixed);
}

// The key slots' MAC, keyed by the data key: only a holder of the data key (the writer, or
// whoever re-wraps it for a new recipient) can change the slots.
std::string slots_mac(const unsigned char* data_key, const std::string& fixed,
                      const std::string& slots) {
  unsigned char mac_key[32], mac[32];
  crypto_generichash(mac_key, sizeof mac_key,
                     reinterpret_cast<const unsigned char*>("dihya-envelope-slots-v1"), 23,
                     data_key, 32);
  std::string message = std::string(k_magic) + fixed + slots;
  crypto_generichash(mac, sizeof mac, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), mac_key, sizeof mac_key);
  sodium_memzero(mac_key, sizeof mac_key);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

Json passphrase_slot(const std::string& passphrase, const unsigned char* data_key) {
  unsigned char salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES], kek[32];
  randombytes_buf(salt, sizeof salt);
  randombytes_buf(nonce, sizeof nonce);
  const unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE;
  const std::size_t mem = crypto_pwhash_MEMLIMIT_MODERATE;
  if (crypto_pwhash(kek, sizeof kek, passphrase.data(), passphrase.size(), salt, ops, mem,
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory deriving a key from the passphrase");
  unsigned char boxed[32 + crypto_secretbox_MACBYTES];
  crypto_secretbox_easy(boxed, data_key, 32, nonce, kek);
  sodium_memzero(kek, sizeof kek);
  auto b64 = [](const unsigned char* p, std::size_t n) {
    return base64_encode(std::string_view(reinterpret_cast<const char*>(p), n));
  };
  return {{"kdf", "argon2id13"},
          {"salt", b64(salt, sizeof salt)},
          {"opslimit", ops},
          {"memlimit", mem},
          {"nonce", b64(nonce, sizeof nonce)},
          {"box", b64(boxed, sizeof boxed)}};
}

bool open_passphrase_slot(const Json& slot, const std::string& passphrase,
                          unsigned char* data_key) {
  auto salt = base64_decode(slot.value("salt", ""));
  auto nonce = base64_decode(slot.value("nonce", ""));
  auto boxed = base64_decode(slot.value("box", ""));
  auto ops = slot.value("opslimit", 0ULL);
  auto mem = slot.value("memlimit", std::size_t{0});
  if (!salt || !nonce || !boxed || salt->size() != crypto_pwhash_SALTBYTES ||
      nonce->size() != crypto_secretbox_NONCEBYTES ||
      boxed->size() != 32 + crypto_secretbox_MACBYTES || ops < crypto_pwhash_OPSLIMIT_MIN ||
      ops > crypto_pwhash_OPSLIMIT_SENSITIVE || mem < crypto_pwhash_MEMLIMIT_MIN ||
      mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
    return false;
  unsigned char kek[32];
  if (crypto_pwhash(kek, sizeof kek, passphrase.data(), passphrase.size(),
                    reinterpret_cast<const unsigned char*>(salt->data()), ops, mem,
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return false;
  bool ok = crypto_secretbox_open_easy(
                data_key, reinterpret_cast<const unsigned char*>(boxed->data()), boxed->size(),
                reinterpret_cast<const unsigned char*>(nonce->data()), kek) == 0;
  sodium_memzero(kek, sizeof kek);
  return ok;
}

bool open_recipient_slots(const Json& slots, const EnvelopeOpeners& openers,
                          unsigned char* data_key) {
  for (const IdentityKey* identity : openers.identities) {
    std::string id = recipient_id(identity->public_key);
    for (const auto& slot : slots.value("recipients", Json::array())) {
      if (!slot.is_object() || slot.value("key_id", "") != id) continue;
      auto sealed = base64_decode(slot.value("sealed", ""));
      if (!sealed || sealed->size() != 32 + crypto_box_SEALBYTES) continue;
      if (crypto_box_seal_open(data_key, reinterpret_cast<const unsigned char*>(sealed->data()),
                               sealed->size(), identity->public_key.data(),
                               identity->secret.data()) == 0)
        return true;
    }
  }
  return false;
}

// The refusal when no opener fits, naming what the slots are for: the recipients' key ids
// and "passphrase" (a key id that is not one, from a crafted file, is shown as "?").
Error no_key_error(const Json& slots) {
  std::string keys;
  auto add = [&keys](const std::string& name) { keys += (keys.empty() ? "" : ", ") + name; };
  for (const auto& slot : slots.value("recipients", Json::array())) {
    if (!slot.is_object()) continue;
    const Json* id = slot.contains("key_id") ? &slot["key_id"] : nullptr;
    bool hex = id && id->is_string() && !id->get<std::string>().empty() &&
               id->get<std::string>().size() <= 64 &&
               id->get<std::string>().find_first_not_of("0123456789abcdef") == std::string::npos;
    add(hex ? id->get<std::string>() : "?");
  }
  if (slots.contains("passphrase") && slots["passphrase"].is_object()) add("passphrase");
  return make_error(ExitCode::no_permission, "core.envelope.no_key",
                    {{"keys", keys.empty() ? "-" : keys}});
}

bool sodium_memcmp_equal(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Result<EnvelopeWriter> EnvelopeWriter::begin(int fd, const EnvelopeKeys& keys,
                                             const Json& metadata) {
  std::unique_ptr<ByteSink> owned = fd_sink(fd);
  auto writer = begin(*owned, keys, metadata);
  if (writer) writer->m_owned = std::move(owned);
  return writer;
}

Result<EnvelopeWriter> EnvelopeWriter::begin(ByteSink& sink, const EnvelopeKeys& keys,
                                             const Json& metadata) {
  crypto_init();
  if (keys.recipients.empty() && !keys.passphrase)
    return make_error(ExitCode::usage, "core.envelope.no_recipient");
  EnvelopeWriter writer;
  writer.m_sink = &sink;
  writer.m_state.resize(crypto_secretstream_xchacha20poly1305_statebytes());
  auto* state =
      reinterpret_cast<crypto_secretstream_xchacha20poly1305_state*>(writer.m_state.data());
  unsigned char data_key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  unsigned char stream_header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  crypto_secretstream_xchacha20poly1305_keygen(data_key);
  crypto_secretstream_xchacha20poly1305_init_push(state, stream_header, data_key);
  Json fixed = {
      {"format", "dihya-envelope"},
      {"version", 1},
      {"chunk_size", k_chunk_size},
      {"stream_header", base64_encode(std::string_view(reinterpret_cast<const char*>(stream_header),
                                                       sizeof stream_header))},
      {"metadata", metadata}};
  Json slots = {{"recipients", Json::array()}, {"passphrase", nullptr}};
  for (const auto& recipient : keys.recipients) {
    unsigned char sealed[32 + crypto_box_SEALBYTES];
    crypto_box_seal(sealed, data_key, sizeof data_key, recipient.data());
    slots["recipients"].push_back(
        {{"key_id", recipient_id(recipient)},
         {"sealed",
          base64_encode(std::string_view(reinterpret_cast<const char*>(sealed), sizeof sealed))}});
  }
  if (keys.passphrase) slots["passphrase"] = passphrase_slot(*keys.passphrase, data_key);
  std::string fixed_text = fixed.dump(), slots_text = slots.dump();
  std::string mac = slots_mac(data_key, fixed_text, slots_text);
  sodium_memzero(data_key, sizeof data_key);
  writer.m_ad = associated_data(fixed_text);
  std::string head = std::string(k_magic) + u32_le(static_cast<std::uint32_t>(fixed_text.size())) +
                     fixed_text + u32_le(static_cast<std::uint32_t>(slots_text.size())) +
                     slots_text + mac;
  if (Status written = sink.write(head); !written) return written.error();
  writer.m_buffer.reserve(k_chunk_size);
  return writer;
}

EnvelopeWriter::EnvelopeWriter(EnvelopeWriter&& other) noexcept
    : m_owned(std::move(other.m_owned)),
      m_sink(other.m_sink),
      m_ad(std::move(other.m_ad)),
      m_buffer(std::move(other.m_buffer)),
      m_state(std::move(other.m_state)),
      m_finished(other.m_finished) {
  other.m_finished = true;
}

EnvelopeWriter::~EnvelopeWriter() {
  if (!m_state.empty()) sodium_memzero(m_state.data(), m_state.size());
}

Status EnvelopeWriter::write(std::string_view data) {
  while (!data.empty()) {
    std::size_t take = std::min(data.size(), k_chunk_size - m_buffer.size());
    m_buffer.append(data.substr(0, take));
    data.remove_prefix(take);
    if (m_buffer.size() == k_chunk_size)
      if (Status pushed = push(false); !pushed) return pushed;
  }
  return {};
}

Status EnvelopeWriter::finish() {
  if (m_finished) return {};
  m_finished = true;
  return push(true);
}

Status EnvelopeWriter::push(bool final_chunk) {
  auto* state = reinterpret_cast<crypto_secretstream_xchacha20poly1305_state*>(m_state.data());
  m_cipher.resize(4 + m_buffer.size() + crypto_secretstream_xchacha20poly1305_ABYTES);
  unsigned long long length = 0;
  crypto_secretstream_xchacha20poly1305_push(
      state, reinterpret_cast<unsigned char*>(m_cipher.data() + 4), &length,
      reinterpret_cast<const unsigned char*>(m_buffer.data()), m_buffer.size(),
      reinterpret_cast<const unsigned char*>(m_ad.data()), m_ad.size(),
      final_chunk ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
  m_buffer.clear();
  std::string prefix = u32_le(static_cast<std::uint32_t>(length));
  std::copy(prefix.begin(), prefix.end(), m_cipher.begin());
  return m_sink->write(std::string_view(m_cipher.data(), 4 + length));
}

Result<EnvelopeReader> EnvelopeReader::open(int fd, const EnvelopeOpeners& openers) {
  std::unique_ptr<ByteSource> owned = fd_source(fd);
  auto reader = open(*owned, openers);
  if (reader) reader->m_owned = std::move(owned);
  return reader;
}

Result<EnvelopeReader> EnvelopeReader::open(ByteSource& fd, const EnvelopeOpeners& openers) {
  crypto_init();
  auto head = read_head(fd);
  if (!head) return head.error();
  const auto* fixed = &head->fixed;
  const auto* slots = &head->slots;
  bool at_end = false;
  const Json& header = fixed->second;
  if (header.value("format", "") != "dihya-envelope" || header.value("version", 0) != 1)
    return make_error(ExitCode::data_error, "core.envelope.unsupported_version");
  auto stream_header = base64_decode(header.value("stream_header", ""));
  std::size_t chunk_size = header.value("chunk_size", std::size_t{0});
  if (!stream_header ||
      stream_header->size() != crypto_secretstream_xchacha20poly1305_HEADERBYTES ||
      chunk_size == 0 || chunk_size > (1u << 24))
    return malformed("header");
  unsigned char data_key[32];
  bool opened = open_recipient_slots(slots->second, openers, data_key) ||
                (openers.passphrase && slots->second.contains("passphrase") &&
                 slots->second["passphrase"].is_object() &&
                 open_passphrase_slot(slots->second["passphrase"], *openers.passphrase, data_key));
  if (!opened) return no_key_error(slots->second);
  auto mac = read_exact(fd, 32, at_end);
  if (!mac || at_end ||
      !sodium_memcmp_equal(*mac, slots_mac(data_key, fixed->first, slots->first))) {
    sodium_memzero(data_key, sizeof data_key);
    if (!mac) return mac.error();
    return make_error(ExitCode::data_error, "core.envelope.tampered");
  }
  EnvelopeReader reader;
  reader.m_source = &fd;
  reader.m_metadata = header.value("metadata", Json::object());
  reader.m_ad = associated_data(fixed->first);
  reader.m_chunk_size = chunk_size;
  reader.m_state.resize(crypto_secretstream_xchacha20poly1305_statebytes());
  auto* state =
      reinterpret_cast<crypto_secretstream_xchacha20poly1305_state*>(reader.m_state.data());
  int ok = crypto_secretstream_xchacha20poly1305_init_pull(
      state, reinterpret_cast<const unsigned char*>(stream_header->data()), data_key);
  sodium_memzero(data_key, sizeof data_key);
  if (ok != 0) return malformed("stream header");
  // Authenticate the first chunk now: it covers the fixed header, so the metadata a caller
  // reads next is known to be intact.
  auto first = reader.pull();
  if (!first) return first.error();
  reader.m_first = std::move(*first);
  return reader;
}

EnvelopeReader::EnvelopeReader(EnvelopeReader&& other) noexcept
    : m_owned(std::move(other.m_owned)),
      m_source(other.m_source),
      m_metadata(std::move(other.m_metadata)),
      m_ad(std::move(other.m_ad)),
      m_chunk_size(other.m_chunk_size),
      m_state(std::move(other.m_state)),
      m_first(std::move(other.m_first)),
      m_done(other.m_done) {}

EnvelopeReader::~EnvelopeReader() {
  if (!m_state.empty()) sodium_memzero(m_state.data(), m_state.size());
}

Result<std::optional<std::string>> EnvelopeReader::next() {
  if (m_first) {
    std::optional<std::string> first = std::move(m_first);
    m_first.reset();
    return first;
  }
  return pull();
}

Result<std::optional<std::string>> EnvelopeReader::pull() {
  bool at_end = false;
  if (m_done) {
    // Nothing may follow the final chunk.
    auto extra = read_exact(*m_source, 1, at_end);
    if (!extra) return extra.error();
    if (!at_end) return make_error(ExitCode::data_error, "core.envelope.trailing_data");
    return std::optional<std::string>{};
  }
  auto length = read_u32(*m_source, at_end);
  if (!length) return length.error();
  if (at_end) return make_error(ExitCode::data_error, "core.envelope.truncated");
  if (*length < crypto_secretstream_xchacha20poly1305_ABYTES ||
      *length > m_chunk_size + crypto_secretstream_xchacha20poly1305_ABYTES)
    return make_error(ExitCode::data_error, "core.envelope.tampered");
  auto cipher = read_exact(*m_source, *length, at_end);
  if (!cipher) return cipher.error();
  if (at_end) return make_error(ExitCode::data_error, "core.envelope.truncated");
  std::string plain(*length - crypto_secretstream_xchacha20poly1305_ABYTES, '\0');
  unsigned long long plain_length = 0;
  unsigned char tag = 0;
  auto* state = reinterpret_cast<crypto_secretstream_xchacha20poly1305_state*>(m_state.data());
  if (crypto_secretstream_xchacha20poly1305_pull(
          state, reinterpret_cast<unsigned char*>(plain.data()), &plain_length, &tag,
          reinterpret_cast<const unsigned char*>(cipher->data()), cipher->size(),
          reinterpret_cast<const unsigned char*>(m_ad.data()), m_ad.size()) != 0)
    return make_error(ExitCode::data_error, "core.envelope.tampered");
  plain.resize(plain_length);
  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) m_done = true;
  return std::optional<std::string>{std::move(plain)};
}

Result<std::vector<std::string>> envelope_recipient_ids(int fd) {
  auto source = fd_source(fd);
  auto head = read_head(*source);
  if (!head) return head.error();
  const auto* slots = &head->slots;
  std::vector<std::string> ids;
  for (const auto& slot : slots->second.value("recipients", Json::array()))
    if (slot.is_object()) ids.push_back(slot.value("key_id", ""));
  return ids;
}

Status envelope_rewrap(int in_fd, int out_fd, const EnvelopeOpeners& openers,
                       const SlotChange& change) {
  crypto_init();
  auto in = fd_source(in_fd);
  auto head = read_head(*in);
  if (!head) return head.error();
  unsigned char data_key[32];
  const Json& old_slots = head->slots.second;
  bool opened = open_recipient_slots(old_slots, openers, data_key) ||
                (openers.passphrase && old_slots.contains("passphrase") &&
                 old_slots["passphrase"].is_object() &&
                 open_passphrase_slot(old_slots["passphrase"], *openers.passphrase, data_key));
  if (!opened) return no_key_error(old_slots);
  bool at_end = false;
  auto mac = read_exact(*in, 32, at_end);
  if (!mac || at_end ||
      !sodium_memcmp_equal(*mac, slots_mac(data_key, head->fixed.first, head->slots.first))) {
    sodium_memzero(data_key, sizeof data_key);
    if (!mac) return mac.error();
    return make_error(ExitCode::data_error, "core.envelope.tampered");
  }
  Json slots = {{"recipients", Json::array()},
                {"passphrase", old_slots.value("passphrase", Json(nullptr))}};
  auto removed = [&](const std::string& id) {
    return std::find(change.remove_ids.begin(), change.remove_ids.end(), id) !=
           change.remove_ids.end();
  };
  for (const auto& slot : old_slots.value("recipients", Json::array()))
    if (slot.is_object() && !removed(slot.value("key_id", ""))) slots["recipients"].push_back(slot);
  for (const auto& recipient : change.add) {
    std::string id = recipient_id(recipient);
    if (removed(id)) continue;
    bool present = false;
    for (const auto& slot : slots["recipients"]) present |= slot.value("key_id", "") == id;
    if (present) continue;
    unsigned char sealed[32 + crypto_box_SEALBYTES];
    crypto_box_seal(sealed, data_key, sizeof data_key, recipient.data());
    slots["recipients"].push_back(
        {{"key_id", id},
         {"sealed",
          base64_encode(std::string_view(reinterpret_cast<const char*>(sealed), sizeof sealed))}});
  }
  if (slots["recipients"].empty() && slots["passphrase"].is_null()) {
    sodium_memzero(data_key, sizeof data_key);
    return make_error(ExitCode::usage, "core.envelope.no_recipient");
  }
  std::string slots_text = slots.dump();
  std::string new_mac = slots_mac(data_key, head->fixed.first, slots_text);
  sodium_memzero(data_key, sizeof data_key);
  std::string out = std::string(k_magic) +
                    u32_le(static_cast<std::uint32_t>(head->fixed.first.size())) +
                    head->fixed.first + u32_le(static_cast<std::uint32_t>(slots_text.size())) +
                    slots_text + new_mac;
  if (Status written = write_all(out_fd, out, "envelope"); !written) return written;
  std::vector<char> buffer(1 << 20);
  for (;;) {
    ssize_t n = ::read(in_fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return make_error(ExitCode::io_error, "core.fs.io_error",
                        {{"path", "envelope"}, {"reason", std::strerror(errno)}});
    if (n == 0) return {};
    if (Status written = write_all(
            out_fd, std::string_view(buffer.data(), static_cast<std::size_t>(n)), "envelope");
        !written)
      return written;
  }
}

}  // namespace dihya
