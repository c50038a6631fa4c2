#include "services/ledger_guard.h"

#include <unistd.h>

#include <cstdio>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "base/files.h"
#include "base/time.h"
#include "security/ed25519.h"
#include "services/deep_verify.h"
#include "services/manifest_seal.h"
#include "storage/entry_codec.h"
#include "storage/tree_head.h"

namespace cradle::services {
namespace {

// Problems named in one refusal before the rest are only counted.
constexpr size_t kMaxProblems = 16;

std::string Join(const std::vector<std::string>& problems) {
  std::string out;
  for (size_t i = 0; i < problems.size() && i < kMaxProblems; ++i) {
    absl::StrAppend(&out, i == 0 ? "" : "; ", problems[i]);
  }
  if (problems.size() > kMaxProblems) {
    absl::StrAppend(&out, "; and ", problems.size() - kMaxProblems, " more");
  }
  return out;
}

// What is wrong between the ledger and a tree head the server signed, or "".
std::string CheckSignedHead(const storage::Ledger& ledger,
                            const security::Ed25519Key& key,
                            const v1::SignedTreeHead& sth) {
  std::string root, signature;
  if (!storage::ParseHex(sth.root_hash(), storage::kHashBytes, &root) ||
      !storage::ParseHex(sth.signature(), 64, &signature) ||
      !security::VerifyEd25519(
          key.public_key(),
          storage::TreeHeadMessage(sth.tree_size(),
                                   FromTimestamp(sth.timestamp()), root),
          signature)) {
    return absl::StrCat(LedgerGuard::kSignedHeadFile,
                        " is not a tree head signed by this server's key");
  }
  const std::string when = absl::FormatTime(
      absl::RFC3339_sec, FromTimestamp(sth.timestamp()), absl::UTCTimeZone());
  const uint64_t head = ledger.GetHead().sequence;
  if (sth.tree_size() > head) {
    return absl::StrCat("the server signed a tree of ", sth.tree_size(),
                        " entries at ", when, " but the ledger holds ", head,
                        ": entries were removed");
  }
  absl::StatusOr<std::string> now = ledger.TreeRoot(sth.tree_size());
  if (!now.ok()) {
    return absl::StrCat("the tree of ", sth.tree_size(), " entries signed at ",
                        when, " cannot be rebuilt: ", now.status().message());
  }
  if (*now != root) {
    return absl::StrCat("the tree of ", sth.tree_size(), " entries has root ",
                        storage::HexHash(*now), ", the server signed ",
                        sth.root_hash(), " at ", when,
                        ": entries or Merkle nodes were changed");
  }
  return "";
}

}  // namespace

LedgerGuard::LedgerGuard(storage::Ledger& ledger,
                         const security::Ed25519Key& key, const Clock& clock,
                         const domain::FlagConfig& config, Options options)
    : ledger_(ledger),
      key_(key),
      clock_(clock),
      config_(config),
      options_(std::move(options)) {}

LedgerGuard::~LedgerGuard() { Stop(); }

absl::Status LedgerGuard::CheckOnStart() {
  std::vector<std::string> problems = ledger_.OpenProblems();
  const std::string alarm_path =
      absl::StrCat(options_.data_dir, "/", kAlarmFile);
  absl::optional<std::string> alarm;
  if (absl::StatusOr<std::string> text = ReadFile(alarm_path); text.ok()) {
    alarm = *std::move(text);
  }
  if (!alarm.has_value() && ::access(alarm_path.c_str(), F_OK) == 0) {
    alarm = absl::StrCat(
        "unknown ",
        absl::FormatTime(absl::RFC3339_full, clock_.Now(), absl::UTCTimeZone()),
        "\n", alarm_path, " exists but cannot be read");
  }
  if (alarm.has_value()) {
    // "<found by> <RFC 3339 time>\n<problem>"
    std::vector<std::string> lines =
        absl::StrSplit(*alarm, absl::MaxSplits('\n', 1));
    std::vector<std::string> head = absl::StrSplit(lines[0], ' ');
    absl::MutexLock lock(&mu_);
    damaged_ = true;
    found_by_ = head[0];
    found_at_ = absl::InfinitePast();
    if (head.size() > 1) {
      std::string err;
      absl::ParseTime(absl::RFC3339_full, head[1], &found_at_, &err);
    }
    problem_ = lines.size() > 1 ? lines[1] : "";
    problems.push_back(absl::StrCat("the ", found_by_,
                                    " found the ledger damaged (", alarm_path,
                                    "): ", problem_));
  }
  const std::string head_path =
      absl::StrCat(options_.data_dir, "/", kSignedHeadFile);
  if (absl::StatusOr<std::string> kept = ReadFile(head_path); kept.ok()) {
    v1::SignedTreeHead sth;
    const std::string wrong = sth.ParseFromString(*kept)
                                  ? CheckSignedHead(ledger_, key_, sth)
                                  : absl::StrCat(head_path, " is unreadable");
    if (wrong.empty()) {
      absl::MutexLock lock(&mu_);
      kept_ = newest_ = sth;
    } else {
      problems.push_back(wrong);
    }
  }
  // The streams of the newest entries, replayed.
  const uint64_t head = ledger_.GetHead().sequence;
  const uint64_t from = head > options_.deep_tail_on_open
                            ? head - options_.deep_tail_on_open + 1
                            : 1;
  absl::StatusOr<std::vector<storage::Entry>> tail =
      ledger_.Scan(from, options_.deep_tail_on_open);
  if (tail.ok()) {
    std::set<std::string> streams;
    for (const storage::Entry& e : *tail) streams.insert(e.stream);
    const DeepVerifier verifier(ledger_, config_);
    for (const std::string& s : streams) {
      absl::StatusOr<DeepReport> r = verifier.CheckStream(s);
      if (!r.ok()) {
        problems.push_back(absl::StrCat(
            "stream ", s, " cannot be replayed: ", r.status().message()));
      } else if (!r->ok) {
        problems.push_back(absl::StrCat("stream ", s, ": ", r->problem));
      }
      if (problems.size() > kMaxProblems) break;
    }
  } else {
    problems.push_back(absl::StrCat("the newest entries cannot be read: ",
                                    tail.status().message()));
  }

  if (!options_.forensic) {
    if (problems.empty()) return absl::OkStatus();
    return absl::DataLossError(absl::StrCat(
        "the ledger is damaged: ", Join(problems),
        ". Refusing to start rather than extend it; inspect it with "
        "`cradlectl audit verify --data ",
        options_.data_dir,
        " --deep`, or start with --forensic to serve it "
        "for inspection, every write refused"));
  }
  {
    absl::MutexLock lock(&mu_);
    forensic_ = true;
    open_problems_ = problems;
  }
  ledger_.Halt(absl::FailedPreconditionError(
      problems.empty()
          ? "the server was started with --forensic: every write is refused"
          : absl::StrCat("the ledger is damaged and served for inspection "
                         "only (--forensic): ",
                         Join(problems))));
  return absl::OkStatus();
}

void LedgerGuard::OnAlarm(
    std::function<void(const std::string& problem)> callback) {
  std::string problem;
  {
    absl::MutexLock lock(&mu_);
    on_alarm_ = callback;
    if (!damaged_) return;
    problem = problem_;
  }
  callback(problem);  // raised before anyone listened
}

void LedgerGuard::OnKept(
    std::function<void(const v1::SignedTreeHead&)> callback) {
  absl::MutexLock lock(&mu_);
  on_kept_ = std::move(callback);
}

void LedgerGuard::Alarm(const std::string& found_by,
                        const std::string& problem) {
  std::function<void(const std::string&)> callback;
  absl::Time at;
  {
    absl::MutexLock lock(&mu_);
    if (damaged_) return;
    damaged_ = true;
    found_by_ = found_by;
    problem_ = problem;
    found_at_ = at = clock_.Now();
    callback = on_alarm_;
  }
  ledger_.Halt(absl::DataLossError(absl::StrCat(
      "the ", found_by, " found the ledger damaged: ", problem,
      ". Every write is refused until an operator has inspected it "
      "(cradlectl audit verify --data DIR --deep)")));
  const std::string path = absl::StrCat(options_.data_dir, "/", kAlarmFile);
  absl::Status kept = ReplaceFile(
      path,
      absl::StrCat(
          found_by, " ",
          absl::FormatTime(absl::RFC3339_full, at, absl::UTCTimeZone()), "\n",
          problem, "\n"),
      0644);
  std::fprintf(stderr,
               "cradled: LEDGER DAMAGED, found by the %s: %s\n"
               "cradled: every write is refused from now on%s\n",
               found_by.c_str(), problem.c_str(),
               kept.ok() ? absl::StrCat("; alarm kept in ", path).c_str()
                         : absl::StrCat("; the alarm could not be kept: ",
                                        kept.message())
                               .c_str());
  if (callback != nullptr) callback(problem);
}

bool LedgerGuard::halted() const {
  absl::MutexLock lock(&mu_);
  return damaged_ || forensic_;
}

absl::StatusOr<v1::SignedTreeHead> LedgerGuard::SignHead() {
  // Under the lock, so that no head is signed once an alarm is raised.
  absl::MutexLock lock(&mu_);
  if (damaged_ || forensic_) {
    return absl::FailedPreconditionError(
        damaged_ ? "the ledger was found damaged: the server signs no tree "
                   "head of it"
                 : "the server was started with --forensic: it signs no "
                   "tree head");
  }
  const storage::TreeHead head = ledger_.GetTreeHead();
  const absl::Time now = absl::FromUnixMicros(absl::ToUnixMicros(clock_.Now()));
  v1::SignedTreeHead sth;
  sth.set_tree_size(head.size);
  sth.set_root_hash(storage::HexHash(head.root));
  *sth.mutable_timestamp() = ToTimestamp(now);
  sth.set_signature(storage::HexHash(
      key_.Sign(storage::TreeHeadMessage(head.size, now, head.root))));
  sth.set_public_key(storage::HexHash(key_.public_key()));
  if (sth.tree_size() >= newest_.tree_size()) newest_ = sth;
  return sth;
}

absl::Status LedgerGuard::SealManifest(v1::ManifestSeal* seal) {
  absl::MutexLock lock(&mu_);
  if (damaged_ || forensic_) {
    return absl::FailedPreconditionError(
        damaged_ ? "the ledger was found damaged: the server seals no "
                   "manifest of it"
                 : "the server was started with --forensic: it seals no "
                   "manifest");
  }
  const absl::Time now = absl::FromUnixMicros(absl::ToUnixMicros(clock_.Now()));
  *seal->mutable_timestamp() = ToTimestamp(now);
  seal->set_signature(storage::HexHash(key_.Sign(ManifestSealMessage(*seal))));
  seal->set_public_key(storage::HexHash(key_.public_key()));
  return absl::OkStatus();
}

void LedgerGuard::Start() {
  thread_ = std::thread([this] { Run(); });
}

void LedgerGuard::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  Persist();  // what was signed last
}

void LedgerGuard::Run() {
  absl::Time next_checkpoint =
      options_.checkpoint_interval > absl::ZeroDuration()
          ? clock_.Now()
          : absl::InfiniteFuture();
  bool failed = false;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || newest_.tree_size() > kept_.tree_size();
      };
      // Real time: the checkpoint is for the operator's disk, not for
      // what a fake clock says. After a failed write, wait before trying
      // again rather than spin on it.
      if (failed) {
        mu_.AwaitWithTimeout(absl::Condition(&stop_), absl::Seconds(10));
      } else {
        mu_.AwaitWithTimeout(absl::Condition(&wake), absl::Seconds(1));
      }
      if (stop_) return;
    }
    if (clock_.Now() >= next_checkpoint) {
      SignHead().IgnoreError();  // refused once halted: nothing to vouch for
      next_checkpoint = clock_.Now() + options_.checkpoint_interval;
    }
    failed = !Persist();
  }
}

bool LedgerGuard::Persist() {
  v1::SignedTreeHead newest;
  {
    absl::MutexLock lock(&mu_);
    // A head of the same size says nothing new about the ledger.
    if (newest_.tree_size() <= kept_.tree_size()) return true;
    newest = newest_;
  }
  absl::Status s =
      ReplaceFile(absl::StrCat(options_.data_dir, "/", kSignedHeadFile),
                  newest.SerializeAsString(), 0644);
  if (!s.ok()) {
    std::fprintf(stderr, "cradled: keeping the signed tree head: %s\n",
                 std::string(s.message()).c_str());
    return false;
  }
  std::function<void(const v1::SignedTreeHead&)> kept;
  {
    absl::MutexLock lock(&mu_);
    if (newest.tree_size() >= kept_.tree_size()) kept_ = newest;
    kept = on_kept_;
  }
  if (kept) kept(newest);
  return true;
}

v1::IntegrityStatus LedgerGuard::Status() const {
  v1::IntegrityStatus out;
  absl::MutexLock lock(&mu_);
  out.set_damaged(damaged_);
  if (damaged_) {
    out.set_problem(problem_);
    out.set_found_by(found_by_);
    if (found_at_ != absl::InfinitePast()) {
      *out.mutable_found_at() = ToTimestamp(found_at_);
    }
  }
  out.set_forensic(forensic_);
  for (const std::string& p : open_problems_) out.add_open_problems(p);
  out.set_kept_tree_size(kept_.tree_size());
  if (kept_.has_timestamp()) *out.mutable_kept_at() = kept_.timestamp();
  return out;
}

absl::optional<v1::Flag> LedgerGuard::AlarmFlag() const {
  absl::MutexLock lock(&mu_);
  if (!damaged_) return absl::nullopt;
  v1::Flag f;
  f.set_id("LEDGER");
  f.set_kind(v1::FLAG_KIND_LEDGER_DAMAGED);
  f.set_severity(v1::SEVERITY_HIGH);
  f.set_state(v1::FLAG_STATE_OPEN);
  f.set_detail(absl::StrCat("found by the ", found_by_, ": ", problem_,
                            "; every write is refused"));
  if (found_at_ != absl::InfinitePast()) {
    *f.mutable_raised_at() = ToTimestamp(found_at_);
  }
  return f;
}

}  // namespace cradle::services
