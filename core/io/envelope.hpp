#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/crypto.hpp"
#include "core/base/json.hpp"

// The encrypted envelope shared by backups and export packages (docs/envelope-format.md):
//
//   "DIHYAENV" | u32 n | fixed header (n bytes of JSON) | u32 m | key slots (m bytes of JSON)
//   | slots MAC (32 bytes) | chunks: u32 length | XChaCha20-Poly1305 secretstream ciphertext
//
// A random data key per envelope is wrapped in the key slots for each recipient (X25519 sealed
// box) and/or a passphrase (Argon2id + secretbox). Every chunk carries the BLAKE2b hash of the
// magic and the fixed header as additional data, and the last one is tagged final, so any
// edit, truncation or trailing byte is detected. The key slots are outside that hash so that
// keys can be re-wrapped without re-encrypting the data; a BLAKE2b MAC keyed by the data key
// protects them instead.
namespace dihya {

class ByteSink;
class ByteSource;

struct EnvelopeKeys {
  std::vector<RecipientKey> recipients;
  std::optional<std::string> passphrase;
};

class EnvelopeWriter {
 public:
  // Start an envelope on FD (written from its current position) with METADATA in the fixed
  // header. Needs only public keys (or a passphrase): a backup host never holds what decrypts.
  static Result<EnvelopeWriter> begin(int fd, const EnvelopeKeys& keys, const Json& metadata);
  // The same into SINK, which the caller keeps alive and finishes after the writer.
  static Result<EnvelopeWriter> begin(ByteSink& sink, const EnvelopeKeys& keys,
                                      const Json& metadata);
  EnvelopeWriter(EnvelopeWriter&&) noexcept;
  ~EnvelopeWriter();

  Status write(std::string_view data);
  // Encrypt what is buffered as the final chunk.
  Status finish();

 private:
  EnvelopeWriter() = default;
  Status push(bool final_chunk);

  std::unique_ptr<ByteSink> m_owned;  // the fd sink of begin(int fd, …)
  ByteSink* m_sink = nullptr;
  std::string m_ad;
  std::string m_buffer;
  std::string m_cipher;
  std::vector<unsigned char> m_state;  // crypto_secretstream state
  bool m_finished = false;
};

// What opens an envelope: identities (secret keys) and/or a passphrase.
struct EnvelopeOpeners {
  std::vector<const IdentityKey*> identities;
  std::optional<std::string> passphrase;
};

class EnvelopeReader {
 public:
  // Read the header from FD, unwrap the data key and authenticate the first chunk (which
  // covers the header): 65 for a malformed or tampered file, 77 when no opener fits.
  static Result<EnvelopeReader> open(int fd, const EnvelopeOpeners& openers);
  // The same from SOURCE, which the caller keeps alive while the reader is used.
  static Result<EnvelopeReader> open(ByteSource& source, const EnvelopeOpeners& openers);
  EnvelopeReader(EnvelopeReader&&) noexcept;
  ~EnvelopeReader();

  const Json& metadata() const { return m_metadata; }
  // The next plaintext chunk; nothing once the final chunk was read and the stream ended
  // there. 65 for a chunk that fails authentication, a missing end or trailing bytes.
  Result<std::optional<std::string>> next();

 private:
  EnvelopeReader() = default;
  Result<std::optional<std::string>> pull();

  std::unique_ptr<ByteSource> m_owned;  // the fd source of open(int fd, …)
  ByteSource* m_source = nullptr;
  Json m_metadata;
  std::string m_ad;
  std::size_t m_chunk_size = 0;
  std::vector<unsigned char> m_state;
  std::optional<std::string> m_first;  // authenticated while opening, handed out first
  bool m_done = false;
};

// The recipient ids an envelope is wrapped for, read from its key slots without any key.
Result<std::vector<std::string>> envelope_recipient_ids(int fd);

// A change of an envelope's key slots: recipients added, recipient slots removed by id.
struct SlotChange {
  std::vector<RecipientKey> add;
  std::vector<std::string> remove_ids;
};

// Copy the envelope read from IN_FD to OUT_FD with its key slots changed, the data key
// unwrapped with OPENERS and wrapped again; the encrypted data is copied as it is. 77 when no
// opener fits, 65 for a malformed or tampered head, 64 when no slot would be left.
Status envelope_rewrap(int in_fd, int out_fd, const EnvelopeOpeners& openers,
                       const SlotChange& change);

}  // namespace dihya
