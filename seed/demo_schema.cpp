// The built-in demo schema of the Dihya platform, in the --schema format (seed/README.md).
// Changing a generator changes the data every seed produces: keep it stable.
#include <nlohmann/json.hpp>

#include "seed/validators.hpp"

namespace dihya::seed {
namespace {

constexpr const char* k_demo_schema = R"json({
  "tables": [
    {"name": "users", "rows": {"scale": 1},
     "columns": [
       {"name": "id", "type": "integer", "primary_key": true, "generator": "sequence"},
       {"name": "email", "type": "text", "unique": true, "generator": "email"},
       {"name": "username", "type": "text", "unique": true, "generator": "username"},
       {"name": "first_name", "type": "text", "generator": "first_name"},
       {"name": "last_name", "type": "text", "generator": "last_name"},
       {"name": "full_name", "type": "text", "generator": "full_name"},
       {"name": "phone", "type": "text", "nullable": true, "null_rate": 0.1, "generator": "phone"},
       {"name": "birth_date", "type": "date", "nullable": true, "null_rate": 0.05,
        "generator": "date:1945-01-01:2008-12-31"},
       {"name": "address", "type": "text", "nullable": true, "null_rate": 0.2, "generator": "address"},
       {"name": "city", "type": "text", "generator": "city"},
       {"name": "country", "type": "text", "generator": "country"},
       {"name": "ip", "type": "text", "generator": "ip"},
       {"name": "role", "type": "text", "generator": "choice:member=90|editor=8|admin=2"},
       {"name": "is_active", "type": "boolean", "generator": "bool:0.93"},
       {"name": "created_at", "type": "timestamp", "generator": "timestamp:2018-01-01:2023-12-31"},
       {"name": "last_login_at", "type": "timestamp", "nullable": true, "null_rate": 0.07,
        "generator": "timestamp:2024-01-01:2026-10-31"}
     ]},
    {"name": "templates", "rows": {"scale": 0.001, "min": 12},
     "columns": [
       {"name": "id", "type": "integer", "primary_key": true, "generator": "sequence"},
       {"name": "name", "type": "text", "generator": "words:2:3"},
       {"name": "category", "type": "text",
        "generator": "choice:blog=5|shop=4|portfolio=3|landing=3|dashboard=2|api=2"},
       {"name": "description", "type": "text", "nullable": true, "null_rate": 0.1,
        "generator": "words:8:24"},
       {"name": "created_at", "type": "timestamp", "generator": "timestamp:2017-01-01:2023-06-30"}
     ]},
    {"name": "projects", "rows": {"scale": 1},
     "columns": [
       {"name": "id", "type": "integer", "primary_key": true, "generator": "sequence"},
       {"name": "owner_id", "type": "integer", "generator": "ref:users:skew"},
       {"name": "template_id", "type": "integer", "nullable": true, "null_rate": 0.3,
        "generator": "ref:templates"},
       {"name": "name", "type": "text", "generator": "words:1:3"},
       {"name": "visibility", "type": "text", "generator": "choice:private=6|team=3|public=1"},
       {"name": "created_at", "type": "timestamp", "generator": "timestamp:2018-01-01:2026-10-31"}
     ]},
    {"name": "files", "rows": {"scale": 1},
     "columns": [
       {"name": "id", "type": "integer", "primary_key": true, "generator": "sequence"},
       {"name": "owner_id", "type": "integer", "generator": "ref:users:skew"},
       {"name": "path", "type": "text", "generator": "file_path"},
       {"name": "size", "type": "integer", "generator": "size:120:50000000"},
       {"name": "sha256", "type": "text", "generator": "hex:64"},
       {"name": "created_at", "type": "timestamp", "generator": "timestamp:2018-01-01:2026-10-31"}
     ]},
    {"name": "events", "rows": {"scale": 4},
     "columns": [
       {"name": "id", "type": "integer", "primary_key": true, "generator": "sequence"},
       {"name": "user_id", "type": "integer", "generator": "ref:users:skew"},
       {"name": "kind", "type": "text",
        "generator": "choice:page_view=60|login=12|project_open=10|file_upload=6|project_create=4|logout=6|password_change=1|export=1"},
       {"name": "ip", "type": "text", "generator": "ip"},
       {"name": "user_agent", "type": "text", "generator": "user_agent"},
       {"name": "payload", "type": "json", "generator": "event_payload"},
       {"name": "created_at", "type": "timestamp", "generator": "timestamp:2024-01-01:2026-10-31"}
     ]}
  ]
})json";

}  // namespace

const SeedSchema& demo_schema() {
  static const SeedSchema schema = [] {
    auto parsed = parse_seed_schema(nlohmann::json::parse(k_demo_schema), "(demo schema)");
    if (!parsed) throw std::logic_error("the built-in demo schema is invalid");
    return *parsed;
  }();
  return schema;
}

}  // namespace dihya::seed
