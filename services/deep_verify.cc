#include "services/deep_verify.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/field_comparator.h"
#include "google/protobuf/util/message_differencer.h"

#include "base/set_digest.h"
#include "base/status_macros.h"
#include "services/keys.h"
#include "services/projection.h"

namespace cradle::services {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::util::FieldComparator;
using google::protobuf::util::MessageDifferencer;

// Streams and keys read at a time.
constexpr size_t kPage = 1000;
// Entries written before events carried their decision time hold state
// times taken up to the append's wait in the queue earlier than the
// entry's recorded time.
constexpr int64_t kLegacyTimeToleranceSeconds = 60;

// Compares google.protobuf.Timestamp fields within the legacy tolerance;
// everything else exactly.
class LegacyTimeComparator final
    : public google::protobuf::util::SimpleFieldComparator {
 public:
  ComparisonResult Compare(
      const Message& a, const Message& b, const FieldDescriptor* field,
      int index_a, int index_b,
      const google::protobuf::util::FieldContext*) override {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        field->message_type()->full_name() == "google.protobuf.Timestamp") {
      const Message& ta =
          field->is_repeated()
              ? a.GetReflection()->GetRepeatedMessage(a, field, index_a)
              : a.GetReflection()->GetMessage(a, field);
      const Message& tb =
          field->is_repeated()
              ? b.GetReflection()->GetRepeatedMessage(b, field, index_b)
              : b.GetReflection()->GetMessage(b, field);
      google::protobuf::Timestamp x, y;
      x.CopyFrom(ta);
      y.CopyFrom(tb);
      return std::llabs(x.seconds() - y.seconds()) <=
                     kLegacyTimeToleranceSeconds
                 ? SAME
                 : DIFFERENT;
    }
    return SimpleCompare(a, b, field, index_a, index_b, nullptr);
  }
};

// Keeps the first difference the differencer reports, as a field path with
// both values.
class FirstDifference final : public MessageDifferencer::Reporter {
 public:
  void ReportAdded(
      const Message&, const Message& replayed,
      const std::vector<MessageDifferencer::SpecificField>& path) override {
    Keep(path, "unset", Value(replayed, path));
  }
  void ReportDeleted(
      const Message& stored, const Message&,
      const std::vector<MessageDifferencer::SpecificField>& path) override {
    Keep(path, Value(stored, path), "unset");
  }
  void ReportModified(
      const Message& stored, const Message& replayed,
      const std::vector<MessageDifferencer::SpecificField>& path) override {
    Keep(path, Value(stored, path), Value(replayed, path));
  }
  const std::string& text() const { return text_; }

 private:
  // The value the path ends at; the differencer reports the message that
  // holds the field, not the root.
  static std::string Value(
      const Message& holder,
      const std::vector<MessageDifferencer::SpecificField>& path) {
    const MessageDifferencer::SpecificField& last = path.back();
    if (last.field == nullptr) return "(unknown field)";
    std::string out;
    google::protobuf::TextFormat::PrintFieldValueToString(
        holder, last.field, last.field->is_repeated() ? last.index : -1, &out);
    if (out.size() > 80) out = absl::StrCat(out.substr(0, 77), "...");
    return out;
  }

  void Keep(const std::vector<MessageDifferencer::SpecificField>& path,
            const std::string& stored, const std::string& replayed) {
    if (!text_.empty()) return;
    std::string where;
    for (const MessageDifferencer::SpecificField& f : path) {
      if (!where.empty()) where += ".";
      where += f.field != nullptr ? f.field->name()
                                  : absl::StrCat(f.unknown_field_number);
      if (f.index >= 0) absl::StrAppend(&where, "[", f.index, "]");
    }
    text_ =
        absl::StrCat(where, " is ", stored, ", the entries make it ", replayed);
  }

  std::string text_;
};

// How `stored` differs from `replayed`, or "" when it does not.
std::string Difference(const Message& stored, const Message& replayed,
                       bool legacy_times) {
  MessageDifferencer differencer;
  FirstDifference first;
  differencer.ReportDifferencesTo(&first);
  LegacyTimeComparator times;
  if (legacy_times) differencer.set_field_comparator(&times);
  if (differencer.Compare(stored, replayed)) return "";
  return first.text().empty() ? std::string("they differ") : first.text();
}

// One stream, replayed (and compared); the work both checks share.
struct StreamResult {
  std::string problem;  // empty: it matches
  Projection projection;
  std::string state;  // the state's bytes: the stored ones once compared
};

// Reads the stream's entries through its index and replays them.
absl::StatusOr<StreamResult> Replay(const storage::LedgerReader& reader,
                                    const domain::FlagConfig& config,
                                    absl::string_view stream,
                                    DeepReport* report) {
  StreamResult out;
  CRADLE_ASSIGN_OR_RETURN(std::vector<storage::Entry> entries,
                          reader.ReadStream(stream));
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].stream != stream || entries[i].stream_version != i + 1) {
      out.problem =
          absl::StrCat("its index lists entry ", entries[i].sequence, " (",
                       entries[i].stream, " v", entries[i].stream_version,
                       ") as version ", i + 1);
      return out;
    }
  }
  report->entries += entries.size();
  ++report->streams;
  absl::StatusOr<Projection> projection = ReplayStream(stream, entries, config);
  if (!projection.ok()) {
    out.problem = std::string(projection.status().message());
    return out;
  }
  out.projection = *std::move(projection);
  out.state = out.projection.state->SerializeAsString();
  return out;
}

// Reads the replayed stream's state and index keys one by one and compares
// each with what its entries make; sets r->problem at the first difference.
absl::Status CompareStored(const storage::LedgerReader& reader,
                           const domain::FlagConfig& config, StreamResult* r,
                           DeepReport* report) {
  Projection& p = r->projection;
  ++report->keys;
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> stored,
                          reader.GetState(p.state_key));
  if (!stored.has_value()) {
    r->problem = absl::StrCat("state ", p.state_key, " is missing");
    return absl::OkStatus();
  }
  if (*stored != r->state) {
    std::unique_ptr<Message> parsed(p.state->New());
    if (!parsed->ParseFromString(*stored)) {
      r->problem = absl::StrCat("state ", p.state_key, " does not parse");
      return absl::OkStatus();
    }
    const std::string diff = Difference(*parsed, *p.state, p.legacy_times);
    if (!diff.empty()) {
      r->problem = absl::StrCat("state ", p.state_key, ": ", diff);
      return absl::OkStatus();
    }
    r->state = *std::move(stored);
    // A manifest's index follows its timestamps (the day it was opened),
    // which entries written before decided_at cannot give exactly: the
    // stored state, within the tolerance above, gives them.
    if (p.legacy_times &&
        parsed->GetDescriptor() == v1::Manifest::descriptor()) {
      p.index =
          ManifestIndex(static_cast<const v1::Manifest&>(*parsed), config);
    }
  }
  for (const auto& [key, value] : p.index) {
    if (absl::StartsWith(key, keys::DuePrefix())) continue;
    ++report->keys;
    CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> found,
                            reader.GetIndex(key));
    if (!found.has_value()) {
      r->problem = absl::StrCat("index key ", key, " is missing");
      return absl::OkStatus();
    }
    if (*found != value) {
      r->problem = absl::StrCat(
          "index key ", key, " holds \"", absl::CHexEscape(*found),
          "\", the entries make \"", absl::CHexEscape(value), "\"");
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

// Replays the stream and compares what is stored of it.
absl::StatusOr<StreamResult> CheckOne(const storage::LedgerReader& reader,
                                      const domain::FlagConfig& config,
                                      absl::string_view stream,
                                      DeepReport* report) {
  CRADLE_ASSIGN_OR_RETURN(StreamResult r,
                          Replay(reader, config, stream, report));
  if (r.problem.empty()) {
    CRADLE_RETURN_IF_ERROR(CompareStored(reader, config, &r, report));
  }
  return r;
}

// How many of a projection's index keys are deadlines (checked by the
// whole pass, not per stream).
size_t DueKeys(const std::map<std::string, std::string>& index) {
  size_t n = 0;
  for (const auto& [key, value] : index) {
    n += absl::StartsWith(key, keys::DuePrefix()) ? 1 : 0;
  }
  return n;
}

DeepReport Fail(DeepReport report, std::string stream, std::string problem) {
  report.ok = false;
  report.stream = std::move(stream);
  report.problem = std::move(problem);
  return report;
}

}  // namespace

absl::StatusOr<DeepReport> DeepVerifier::CheckStream(
    absl::string_view stream) const {
  DeepReport report;
  CRADLE_ASSIGN_OR_RETURN(StreamResult r,
                          CheckOne(reader_, config_, stream, &report));
  if (!r.problem.empty()) {
    return Fail(std::move(report), std::string(stream), std::move(r.problem));
  }
  return report;
}

namespace {

using Digests = std::map<std::string, PairSetDigest, std::less<>>;

// The value at `key`, added (default) when there is none; looked up without
// making a string of the key.
template <typename Map>
typename Map::mapped_type& Slot(Map& map, absl::string_view key) {
  auto it = map.find(key);
  if (it == map.end()) {
    it = map.emplace(std::string(key), typename Map::mapped_type()).first;
  }
  return it->second;
}

// A stream as the stream index lists it, during a pass in sequence order.
struct Listed {
  uint64_t version = 0;   // its entries, as the index lists them
  bool deferred = false;  // replayed by itself after the pass
  bool done = false;      // its last entry was met
};

// A stream whose first entries the pass has met and whose last it has not.
struct Open {
  uint64_t hash = 0;  // its key among the Listed
  uint64_t next = 1;  // the version its next entry must have
  std::unique_ptr<StreamReplay> replay;
};

uint64_t StreamHash(absl::string_view stream) {
  return absl::Hash<absl::string_view>{}(stream);
}

// A whole pass. The entries are read once, in sequence order, as the chain
// check reads them, and each stream's replay is held from its first entry
// to its last; a stream met while `max_open` are held is replayed by
// itself after the pass, through its index, so that memory stays bounded
// however the streams interleave.
//
// With `by_reads`, each stream's state and index keys are read and compared
// one by one, and the first difference named. Without, what the streams
// make is summed into a digest per key family and compared with a digest
// of the tables' scans (base/set_digest.h): no point read but for
// streams of legacy times, whose stored state may differ from its replay
// within a tolerance. Then a difference in the state or the index is found
// but not named: the pass returns nullopt.
absl::StatusOr<absl::optional<DeepReport>> Pass(
    const storage::LedgerReader& reader, const domain::FlagConfig& config,
    bool by_reads, size_t max_open,
    const std::function<bool(const DeepReport&)>& progress,
    uint64_t progress_every) {
  DeepReport report;
  // What the streams make, summed over all of them.
  std::map<std::pair<storage::Table, std::string>, int64_t> counters;
  // Counters (timeless keys) that streams with legacy times added to.
  std::set<std::string> legacy_counters;
  std::map<std::string, uint64_t> index_families, state_families;
  const PairHasher hash;
  Digests expected_index, expected_state, found_index_digests,
      found_state_digests;
  // Running deadlines: "<number>/<kind>/<subject>" -> the key under the
  // current limits.
  absl::flat_hash_map<std::string, std::string> deadlines;
  uint64_t next_progress = progress_every;
  auto on_progress = [&]() -> absl::Status {
    if (progress == nullptr || report.entries < next_progress) {
      return absl::OkStatus();
    }
    if (!progress(report)) {
      return absl::CancelledError("deep verification stopped");
    }
    next_progress = report.entries + progress_every;
    return absl::OkStatus();
  };

  // Folds a replayed stream into the sums: its problem, or "" when none.
  auto fold = [&](StreamResult r) -> absl::StatusOr<std::string> {
    if (r.problem.empty() && (by_reads || r.projection.legacy_times)) {
      CRADLE_RETURN_IF_ERROR(CompareStored(reader, config, &r, &report));
    } else if (r.problem.empty()) {
      report.keys +=
          1 + r.projection.index.size() - DueKeys(r.projection.index);
    }
    if (!r.problem.empty()) return std::move(r.problem);
    const Projection& p = r.projection;
    const std::string state_family(keys::KeyFamily(p.state_key));
    ++state_families[state_family];
    expected_state[state_family].Add(hash, p.state_key, r.state);
    for (const auto& [key, value] : p.index) {
      if (absl::StartsWith(key, keys::DuePrefix())) {
        CRADLE_ASSIGN_OR_RETURN(keys::DueKeyParts due, keys::ParseDueKey(key));
        deadlines[due.deadline] = key;
      } else {
        const std::string family(keys::KeyFamily(key));
        ++index_families[family];
        expected_index[family].Add(hash, key, value);
      }
    }
    for (const auto& [key, add] : p.counters) {
      counters[key] += add;
      if (p.legacy_times)
        legacy_counters.insert(keys::TimelessCounterKey(key.second));
    }
    return std::string();
  };

  // The streams the index lists, by a hash of their names: two names of
  // one hash are both replayed by themselves.
  absl::flat_hash_map<uint64_t, Listed> listed;
  absl::flat_hash_set<uint64_t> shared;
  std::string after;
  for (;;) {
    CRADLE_ASSIGN_OR_RETURN(std::vector<storage::StreamInfo> page,
                            reader.ListStreams(after, kPage));
    for (const storage::StreamInfo& s : page) {
      const uint64_t h = StreamHash(s.stream);
      auto [it, added] = listed.try_emplace(h);
      it->second.version = s.version;
      if (!added) shared.insert(h);
    }
    if (page.size() < kPage) break;
    after = page.back().stream;
  }
  std::vector<std::string> deferred;
  if (!shared.empty()) {
    after.clear();
    for (;;) {
      CRADLE_ASSIGN_OR_RETURN(std::vector<storage::StreamInfo> page,
                              reader.ListStreams(after, kPage));
      for (const storage::StreamInfo& s : page) {
        const uint64_t h = StreamHash(s.stream);
        if (shared.contains(h)) {
          listed[h].deferred = true;
          deferred.push_back(s.stream);
        }
      }
      if (page.size() < kPage) break;
      after = page.back().stream;
    }
  }

  // The entries in sequence order.
  absl::flat_hash_map<std::string, Open> open;
  for (uint64_t from = 1;;) {
    CRADLE_ASSIGN_OR_RETURN(std::vector<storage::Entry> page,
                            reader.Scan(from, kPage));
    for (const storage::Entry& e : page) {
      const uint64_t h = StreamHash(e.stream);
      auto l = listed.find(h);
      if (l == listed.end()) {
        return Fail(std::move(report), e.stream,
                    absl::StrCat("entry ", e.sequence,
                                 " is of a stream the stream index does not "
                                 "list"));
      }
      if (l->second.deferred) continue;
      auto o = open.find(e.stream);
      const uint64_t expected = o == open.end() ? 1 : o->second.next;
      if (l->second.done) {
        return Fail(
            std::move(report), e.stream,
            absl::StrCat("entry ", e.sequence, " is version ", e.stream_version,
                         "; the stream index lists its entries to "
                         "version ",
                         l->second.version));
      }
      if (e.stream_version != expected) {
        return Fail(
            std::move(report), e.stream,
            absl::StrCat("entry ", e.sequence, " is version ", e.stream_version,
                         "; the entries before it make it version ", expected));
      }
      if (o == open.end()) {
        // A stream of one entry is done as soon as it starts.
        if (open.size() >= max_open && l->second.version > 1) {
          l->second.deferred = true;
          deferred.push_back(e.stream);
          continue;
        }
        absl::StatusOr<std::unique_ptr<StreamReplay>> replay =
            StreamReplay::Start(e.stream, config);
        if (!replay.ok()) {
          return Fail(std::move(report), e.stream,
                      std::string(replay.status().message()));
        }
        o = open.emplace(e.stream, Open{h, 1, *std::move(replay)}).first;
      }
      if (absl::Status s = o->second.replay->Apply(e); !s.ok()) {
        return Fail(std::move(report), e.stream, std::string(s.message()));
      }
      ++report.entries;
      ++o->second.next;
      if (e.stream_version == l->second.version) {
        l->second.done = true;
        StreamResult r;
        r.projection = o->second.replay->Finish();
        r.state = r.projection.state->SerializeAsString();
        open.erase(o);
        ++report.streams;
        CRADLE_ASSIGN_OR_RETURN(std::string problem, fold(std::move(r)));
        if (!problem.empty()) {
          return Fail(std::move(report), e.stream, std::move(problem));
        }
      }
      CRADLE_RETURN_IF_ERROR(on_progress());
    }
    if (page.size() < kPage) break;
    from = page.back().sequence + 1;
  }
  if (!open.empty()) {
    // The first in name order, so that the finding does not depend on the
    // map's order.
    auto first = std::min_element(
        open.begin(), open.end(),
        [](const auto& a, const auto& b) { return a.first < b.first; });
    return Fail(std::move(report), first->first,
                absl::StrCat("the stream index lists its entries to version ",
                             listed[first->second.hash].version,
                             "; the ledger holds ", first->second.next - 1));
  }
  // A stream listed and never met.
  if (std::any_of(listed.begin(), listed.end(), [](const auto& l) {
        return !l.second.done && !l.second.deferred;
      })) {
    after.clear();
    for (;;) {
      CRADLE_ASSIGN_OR_RETURN(std::vector<storage::StreamInfo> page,
                              reader.ListStreams(after, kPage));
      for (const storage::StreamInfo& s : page) {
        const Listed& l = listed[StreamHash(s.stream)];
        if (!l.done && !l.deferred) {
          return Fail(std::move(report), s.stream,
                      absl::StrCat("the stream index lists its entries to "
                                   "version ",
                                   s.version, "; the ledger holds none"));
        }
      }
      if (page.size() < kPage) break;
      after = page.back().stream;
    }
  }
  // The streams met while too many were open, or sharing a hash.
  std::sort(deferred.begin(), deferred.end());
  for (const std::string& stream : deferred) {
    CRADLE_ASSIGN_OR_RETURN(StreamResult r,
                            Replay(reader, config, stream, &report));
    CRADLE_ASSIGN_OR_RETURN(std::string problem, fold(std::move(r)));
    if (!problem.empty()) {
      return Fail(std::move(report), stream, std::move(problem));
    }
    CRADLE_RETURN_IF_ERROR(on_progress());
  }

  // The index: as many keys of each family as the streams make (each of
  // theirs was found above, so no other is there), the deadlines, the
  // counters.
  std::map<std::string, uint64_t, std::less<>> found_index;
  std::map<std::pair<storage::Table, std::string>, int64_t> found_counters;
  uint64_t deadlines_elsewhere = 0;
  std::string stray_deadline;
  CRADLE_RETURN_IF_ERROR(reader.ForEach(
      storage::Table::kIndex, "",
      [&](absl::string_view key, absl::string_view value) {
        ++report.keys;
        if (keys::IsIndexCounterKey(key)) {
          found_counters[{storage::Table::kIndex, std::string(key)}] =
              storage::DecodeCounter(std::string(value));
        } else if (absl::StartsWith(key, keys::DuePrefix())) {
          absl::StatusOr<keys::DueKeyParts> due = keys::ParseDueKey(key);
          auto it = due.ok() ? deadlines.find(due->deadline) : deadlines.end();
          if (it == deadlines.end()) {
            stray_deadline = std::string(key);
            return false;
          }
          if (it->second != key) ++deadlines_elsewhere;
          deadlines.erase(it);
        } else {
          const absl::string_view family = keys::KeyFamily(key);
          ++Slot(found_index, family);
          Slot(found_index_digests, family).Add(hash, key, value);
        }
        return true;
      }));
  if (!stray_deadline.empty()) {
    return Fail(std::move(report), "",
                absl::StrCat("index key ", stray_deadline,
                             " is a deadline no manifest is awaiting"));
  }
  if (!deadlines.empty()) {
    return Fail(std::move(report), "",
                absl::StrCat("index key ", deadlines.begin()->second,
                             " (a running deadline) is missing"));
  }
  if (!by_reads && expected_index != found_index_digests) {
    return absl::optional<DeepReport>();
  }
  for (const auto& [family, n] : found_index) {
    if (n != index_families[family]) {
      return Fail(
          std::move(report), "",
          absl::StrCat("the index holds ", n, " \"", family,
                       "/\" keys; the streams make ", index_families[family]));
    }
  }
  if (deadlines_elsewhere > 0) {
    report.notes.push_back(absl::StrCat(
        deadlines_elsewhere,
        " running deadlines are indexed at a time the current limits do not "
        "give: the limits changed since they were written"));
  }

  // The state: one value per stream, and the counters.
  std::map<std::string, uint64_t, std::less<>> found_state;
  CRADLE_RETURN_IF_ERROR(reader.ForEach(
      storage::Table::kState, "",
      [&](absl::string_view key, absl::string_view value) {
        ++report.keys;
        if (keys::IsStateCounterKey(key)) {
          found_counters[{storage::Table::kState, std::string(key)}] =
              storage::DecodeCounter(std::string(value));
        } else {
          const absl::string_view family = keys::KeyFamily(key);
          ++Slot(found_state, family);
          Slot(found_state_digests, family).Add(hash, key, value);
        }
        return true;
      }));
  if (!by_reads && expected_state != found_state_digests) {
    return absl::optional<DeepReport>();
  }
  for (const auto& [family, n] : found_state) {
    if (n != state_families[family]) {
      return Fail(std::move(report), "",
                  absl::StrCat("the state holds ", n, " \"", family,
                               "/\" values; the streams make ",
                               state_families[family]));
    }
  }
  // Counters: absent counts as 0 on either side. Where streams with legacy
  // times added, a difference that the counter's other time buckets make
  // up is a note, not damage.
  std::map<std::string, int64_t> expected_timeless, found_timeless;
  for (const auto& [key, value] : counters) {
    expected_timeless[keys::TimelessCounterKey(key.second)] += value;
  }
  for (const auto& [key, value] : found_counters) {
    found_timeless[keys::TimelessCounterKey(key.second)] += value;
  }
  std::set<std::string> regrouped;
  auto differs = [&](const std::string& key, int64_t found,
                     int64_t expected) -> absl::optional<std::string> {
    const std::string timeless = keys::TimelessCounterKey(key);
    if (legacy_counters.count(timeless) > 0 &&
        expected_timeless[timeless] == found_timeless[timeless]) {
      regrouped.insert(timeless);
      return absl::nullopt;
    }
    return found_counters.count({storage::Table::kIndex, key}) +
                       found_counters.count({storage::Table::kState, key}) ==
                   0
               ? absl::StrCat("counter ", key, " is missing; the entries make ",
                              expected)
               : absl::StrCat("counter ", key, " is ", found,
                              "; the entries make ", expected);
  };
  for (const auto& [key, value] : found_counters) {
    auto it = counters.find(key);
    const int64_t expected = it == counters.end() ? 0 : it->second;
    if (value == expected) continue;
    if (absl::optional<std::string> d = differs(key.second, value, expected)) {
      return Fail(std::move(report), "", *std::move(d));
    }
  }
  for (const auto& [key, value] : counters) {
    if (value == 0 || found_counters.count(key) > 0) continue;
    if (absl::optional<std::string> d = differs(key.second, 0, value)) {
      return Fail(std::move(report), "", *std::move(d));
    }
  }
  if (!regrouped.empty()) {
    report.notes.push_back(absl::StrCat(
        regrouped.size(),
        " counters hold adds of entries written before events carried their "
        "time in another month or year than their replay gives; their totals "
        "agree"));
  }
  return absl::optional<DeepReport>(std::move(report));
}

}  // namespace

absl::StatusOr<DeepReport> DeepVerifier::CheckAll(
    const std::function<bool(const DeepReport&)>& progress,
    uint64_t progress_every) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<DeepReport> report,
                          Pass(reader_, config_, /*by_reads=*/false,
                               max_open_streams_, progress, progress_every));
  if (report.has_value()) return *std::move(report);
  // The state or the index is not what the streams make: a second pass
  // reads each stream's keys to name the first difference.
  CRADLE_ASSIGN_OR_RETURN(
      report, Pass(reader_, config_, /*by_reads=*/true, max_open_streams_,
                   progress, progress_every));
  if (report->ok) {
    report->notes.push_back(
        "stored state differs in its bytes from what the streams make, but "
        "not in any field: a slower pass read every key to tell");
  }
  return *std::move(report);
}

}  // namespace cradle::services
