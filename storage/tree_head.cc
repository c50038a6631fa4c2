#include "storage/tree_head.h"

#include "absl/strings/str_cat.h"

#include "storage/entry_codec.h"

namespace cradle::storage {

std::string TreeHeadMessage(uint64_t tree_size, absl::Time timestamp,
                            absl::string_view root) {
  return absl::StrCat(
      "CRADLE-STH-V1", EncodeSequenceKey(tree_size),
      EncodeSequenceKey(static_cast<uint64_t>(absl::ToUnixMicros(timestamp))),
      root);
}

}  // namespace cradle::storage
