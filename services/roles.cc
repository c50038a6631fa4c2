#include "services/roles.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace cradle::services {

const std::vector<ProvinceService>& ProvinceServices() {
  static const auto* const kServices = new std::vector<ProvinceService>{
      {"registry", "cradle.v1.Registry", true},
      {"credentials", "cradle.v1.Credentials", true},
      {"manifests", "cradle.v1.Manifests", true},
      {"transfers", "cradle.v1.Transfers", true},
      {"containers", "cradle.v1.Containers", true},
      {"disposals", "cradle.v1.Disposals", true},
      {"corrections", "cradle.v1.Corrections", true},
      {"flags", "cradle.v1.Flags", false},
      {"audit", "cradle.v1.Audit", false},
      {"feed", "cradle.v1.Feed", false},
  };
  return *kServices;
}

absl::StatusOr<std::vector<std::string>> OfferedServices(
    const std::vector<std::string>& serve, bool follow_only) {
  std::vector<std::string> out;
  const bool all = serve.empty() || (serve.size() == 1 && (serve[0] == "all"));
  for (const ProvinceService& s : ProvinceServices()) {
    if (all || std::find(serve.begin(), serve.end(), s.flag) != serve.end()) {
      out.push_back(s.full);
    }
  }
  if (all) return out;
  std::vector<std::string> known;
  for (const ProvinceService& s : ProvinceServices()) known.push_back(s.flag);
  for (const std::string& name : serve) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "serve: \"", name, "\" is not a service; the services are ",
          absl::StrJoin(known, ","), " (or all)"));
    }
  }
  if (!follow_only && out.size() < ProvinceServices().size()) {
    return absl::InvalidArgumentError(
        "serve: a node that may become the writer serves every service (the "
        "other nodes forward their writes to it); give --follow-only to "
        "serve a part of them");
  }
  return out;
}

}  // namespace cradle::services
