#pragma once

// Reads of the index and of streams that must be whole: each pages through
// the ledger and, past its limit, answers RESOURCE_EXHAUSTED naming what
// overflowed, so that no caller ever takes a cut-short list for the whole
// one. The limits are named where they are used.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "cradle/v1/flags.pb.h"
#include "services/keys.h"
#include "storage/ledger.h"

namespace cradle::services {

// The months from..to ("YYYY-MM", the request's `from_month` and
// `to_month`) as the flow counters name them ("YYYYMM"); INVALID_ARGUMENT
// naming the field that is not a month, or a range out of order or longer
// than `max_months`.
absl::StatusOr<std::vector<std::string>> FlowMonths(absl::string_view from,
                                                    absl::string_view to,
                                                    int max_months);

// Calls `row` with each flow counter of `months` (as FlowMonths gives
// them): the month, the key's parts and the grams; stops at its first error.
absl::Status ForEachFlow(
    const storage::LedgerReader& ledger, const std::vector<std::string>& months,
    const std::function<absl::Status(const std::string& month,
                                     keys::FlowKeyParts parts, int64_t grams)>&
        row);

// Every index row under `prefix`, in key order. `what` names the rows in
// the error ("receivers in city 3304").
absl::StatusOr<std::vector<storage::KeyValue>> ScanWholeIndex(
    const storage::LedgerReader& ledger, absl::string_view prefix, size_t max,
    absl::string_view what);

// Every entry of `stream`, in order; NOT_FOUND for a stream with none.
absl::StatusOr<std::vector<storage::Entry>> ReadWholeStream(
    const storage::LedgerReader& ledger, absl::string_view stream, size_t max);

// An enterprise's open flags (the f/ent index) and the colour they give it
// (domain::RiskColour).
absl::StatusOr<v1::EnterpriseRisk> ReadEnterpriseRisk(
    const storage::LedgerReader& ledger, absl::string_view enterprise);

// The most flow counters one month may hold (origin city x destination
// city x category).
inline constexpr size_t kMaxFlowRows = 1 << 20;

// The most open flags a count across a jurisdiction reads.
inline constexpr size_t kMaxOpenFlags = 200000;

// The most open flags ReadEnterpriseRisk lists for one enterprise.
inline constexpr size_t kMaxOpenFlagsPerEnterprise = 100000;

// The most entries a stream read whole (a chain, its proofs, an export)
// may hold. A manifest's chain is tens of entries.
inline constexpr size_t kMaxStreamEntries = 100000;

// The most manifests a generator's balance or declaration reads (the party
// index of one enterprise), and the most containers: a large plant ships a
// few thousand manifests and labels some ten thousand drums a year.
inline constexpr size_t kMaxManifestsPerParty = 1 << 20;
inline constexpr size_t kMaxContainersPerGenerator = 1 << 20;

}  // namespace cradle::services
