#include <catch2/catch.hpp>

#include "core/base/options.hpp"
#include "souverainete/validators.hpp"

using namespace dihya;
using namespace dihya::souverainete;

namespace {

Arguments parse(std::vector<std::string> argv, void (*declare)(OptionSet&), bool changes = false) {
  OptionSet options;
  declare(options);
  argv.insert(argv.begin(), "tool");
  std::vector<const char*> raw;
  for (const auto& a : argv) raw.push_back(a.c_str());
  return take(parse_arguments("tool", options, static_cast<int>(raw.size()), raw.data(), changes));
}

}  // namespace

TEST_CASE("export options", "[souverainete]") {
  auto ok = parse_export_options(
      parse({"--tables", "users,events", "--format", "jsonl", "--sign", "-o", "out.tar.zst"},
            declare_export_options));
  REQUIRE(ok);
  CHECK(ok->tables == std::vector<std::string>{"users", "events"});
  CHECK(ok->format == package::DataFormat::jsonl);
  CHECK(ok->sign);
  CHECK(ok->output == "out.tar.zst");
  CHECK_FALSE(ok->include_internal);
  CHECK(parse_export_options(parse({"--include-internal"}, declare_export_options))
            ->include_internal);

  for (std::vector<std::string> bad : {std::vector<std::string>{"--target", "files"},
                                       {"--tables", "a,,b"},
                                       {"--tables", "a,"},
                                       {"--format", "xml"},
                                       {"--recipient", "k.pub"},
                                       {"--encrypt"},
                                       {"--compression-level", "0"},
                                       {"--compression-level", "x"},
                                       {"--anonymize", "--include-internal"},
                                       {"--anonymize", "--tables", "users,dihya_erasures"}}) {
    INFO(bad.front());
    auto options = parse_export_options(parse(bad, declare_export_options));
    REQUIRE_FALSE(options);
    CHECK(options.error().code == ExitCode::usage);
  }
}

TEST_CASE("import options", "[souverainete]") {
  auto ok = parse_import_options(
      parse({"pkg.tar.zst", "--mode", "replace"}, declare_import_options, true));
  REQUIRE(ok);
  CHECK(ok->file == "pkg.tar.zst");
  CHECK(ok->mode == ImportMode::replace);
  for (std::vector<std::string> bad : {std::vector<std::string>{},
                                       {"a", "b"},
                                       {"a", "--mode", "merge"},
                                       {"a", "--target", "files"}}) {
    auto options = parse_import_options(parse(bad, declare_import_options, true));
    REQUIRE_FALSE(options);
    CHECK(options.error().code == ExitCode::usage);
  }
}
