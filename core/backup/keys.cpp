// Keys of the backup engine: public keys to encrypt, identities and passphrases to decrypt.
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include <iostream>

#include "core/backup/backup.hpp"

namespace dihya {

Result<std::string> read_secret_line(const fs::path& path) {
  if (Status safe = check_secret_file(path); !safe) return safe.error();
  auto content = read_file(path);
  if (!content) return content.error();
  std::string line = content->substr(0, content->find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty())
    return make_error(ExitCode::data_error, "core.backup.empty_passphrase",
                      {{"path", path.string()}});
  return line;
}

std::optional<std::string> prompt_secret(const std::string& prompt) {
  if (!::isatty(STDIN_FILENO)) return std::nullopt;
  // Echo is off before the prompt shows: nothing typed after it is ever displayed.
  termios old{};
  ::tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::cerr << prompt << ": " << std::flush;
  std::string line;
  std::getline(std::cin, line);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  if (line.empty()) return std::nullopt;
  return line;
}

Result<std::optional<std::string>> prompt_new_secret(const std::string& prompt,
                                                     const std::string& again) {
  auto first = prompt_secret(prompt);
  if (!first) return first;
  auto second = prompt_secret(again);
  bool same = second && *second == *first;
  if (second) sodium_memzero(second->data(), second->size());
  if (!same) {
    sodium_memzero(first->data(), first->size());
    return make_error(ExitCode::usage, "core.backup.passphrase_mismatch");
  }
  return first;
}

namespace {

// The passphrase of SOURCES.passphrase_file, else (with USE_CONFIG) of backup.passphrase_file,
// else asked for PURPOSE (none: never asked).
Result<std::optional<std::string>> passphrase_of(const TenantConfig& tenant,
                                                 const KeySources& sources, bool use_config,
                                                 const char* purpose) {
  std::optional<fs::path> file = sources.passphrase_file;
  if (!file && use_config && tenant.backup.contains("passphrase_file"))
    file = fs::path(tenant.backup["passphrase_file"].get<std::string>());
  if (file) {
    auto line = read_secret_line(*file);
    if (!line) return line.error();
    return std::optional<std::string>(std::move(*line));
  }
  if (purpose && sources.ask) return sources.ask(purpose);
  return std::optional<std::string>{};
}

}  // namespace

Result<EnvelopeKeys> backup_encryption_keys(const TenantConfig& tenant, const KeySources& sources) {
  EnvelopeKeys keys;
  for (const auto& entry : tenant.backup.value("recipients", Json::array())) {
    auto key = load_recipient(entry.get<std::string>());
    if (!key) return key.error();
    keys.recipients.push_back(*key);
  }
  // A passphrase being set is asked twice.
  auto passphrase =
      passphrase_of(tenant, sources, true, keys.recipients.empty() ? "new_passphrase" : nullptr);
  if (!passphrase) return passphrase.error();
  keys.passphrase = std::move(*passphrase);
  if (keys.recipients.empty() && !keys.passphrase)
    return make_error(ExitCode::usage, "core.backup.no_encryption_key", {{"tenant", tenant.name}});
  return keys;
}

Result<BackupKeys> backup_decryption_keys(const TenantConfig& tenant, const KeySources& sources) {
  BackupKeys keys;
  // Key material given on the command line is the only one tried: a wrong --passphrase-file
  // must not pass because the configured identity opened the backup.
  bool given = !sources.identity_files.empty() || sources.passphrase_file;
  std::vector<fs::path> files = sources.identity_files;
  if (!given && tenant.backup.contains("identity")) {
    fs::path configured = tenant.backup["identity"].get<std::string>();
    if (fs::exists(configured)) files.push_back(configured);
  }
  std::optional<std::string> key_passphrase;
  for (const auto& file : files) {
    if (identity_file_protected(file) && !key_passphrase) {
      if (sources.key_passphrase_file) {
        auto line = read_secret_line(*sources.key_passphrase_file);
        if (!line) return line.error();
        key_passphrase = *line;
      } else if (sources.ask) {
        auto asked = sources.ask("key_passphrase");
        if (!asked) return asked.error();
        key_passphrase = std::move(*asked);
      }
    }
    auto identity = load_identity(file, key_passphrase);
    if (!identity) return identity.error();
    keys.identities.push_back(std::move(*identity));
  }
  auto passphrase =
      passphrase_of(tenant, sources, !given, keys.identities.empty() ? "passphrase" : nullptr);
  if (!passphrase) return passphrase.error();
  keys.passphrase = std::move(*passphrase);
  return keys;
}

}  // namespace dihya

namespace dihya {

void declare_key_options(OptionSet& options, bool identities) {
  if (identities) {
    options.list("identity", "FILE", "backup.opt.identity");
    options.value("key-passphrase-file", "FILE", "backup.opt.key_passphrase_file");
  }
  options.value("passphrase-file", "FILE", "backup.opt.passphrase_file");
}

KeyOptions parse_key_options(const Arguments& args) {
  KeyOptions keys;
  for (const auto& file : args.values("identity")) keys.identity_files.emplace_back(file);
  if (auto file = args.value("passphrase-file")) keys.passphrase_file = *file;
  if (auto file = args.value("key-passphrase-file")) keys.key_passphrase_file = *file;
  return keys;
}

KeySources key_sources(const KeyOptions& keys, const Messages& messages) {
  KeySources sources;
  sources.identity_files = keys.identity_files;
  sources.passphrase_file = keys.passphrase_file;
  sources.key_passphrase_file = keys.key_passphrase_file;
  sources.ask = [&messages](const std::string& purpose) -> Result<std::optional<std::string>> {
    if (purpose == "new_passphrase")
      return prompt_new_secret(messages.text("backup.prompt_passphrase"),
                               messages.text("backup.prompt_passphrase_again"));
    return prompt_secret(messages.text(purpose == "passphrase" ? "backup.prompt_passphrase"
                                                               : "backup.prompt_key_passphrase"));
  };
  return sources;
}

}  // namespace dihya
