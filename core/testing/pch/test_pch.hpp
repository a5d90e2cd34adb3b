// Precompiled for every test target (meson cpp_pch): the headers that almost every test
// parses. Only system and third-party headers, so that it is rebuilt only when they change.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
