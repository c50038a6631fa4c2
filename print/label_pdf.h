#pragma once

// Hazardous waste labels (危险废物标签, HJ 1276-2022) as a printable PDF:
// the label's required content, its digital identification code and a QR
// code carrying that code, at the standard's sizes (docs/CONTAINERS.md,
// "Labels").

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

#include "cradle/v1/container.pb.h"

namespace cradle::print {

// The label sizes HJ 1276-2022 sets by the container's volume: a square of
// 100 mm up to 50 L, 150 mm up to 450 L, 200 mm above.
enum class LabelSize { k100mm = 100, k150mm = 150, k200mm = 200 };

// "100", "150" or "200" (a trailing "mm" allowed); names the flag `field`
// in the error.
absl::Status ParseLabelSize(absl::string_view field, absl::string_view text,
                            LabelSize* size);

// What one label shows: the container as registered and its generator's
// registered name (产生单位).
struct LabelContent {
  v1::Container container;
  std::string generator_name;
};

// Writes `labels` to a PDF at `path`, on A4 pages at true size (four
// 100 mm labels to a page, one of the larger), each with a cut line.
// Text is set in Noto Sans CJK SC (fonts-noto-cjk); fails naming the file
// when it cannot be written, and when there is nothing to print.
absl::Status WriteLabelsPdf(const std::vector<LabelContent>& labels,
                            LabelSize size, const std::string& path);

// The text of the QR code on a label: the container's identification code,
// the key every scanner and page looks it up by.
std::string LabelQrPayload(const v1::Container& container);

}  // namespace cradle::print
