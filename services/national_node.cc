#include "services/national_node.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "base/quote.h"
#include "base/time.h"
#include "domain/division.h"
#include "security/ed25519.h"
#include "storage/entry_codec.h"
#include "storage/pg_batch_log.h"
#include "storage/tree_head.h"

namespace cradle::services {
namespace {

absl::Status LineError(int line, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("provinces line ", line, ": ", what));
}

absl::StatusOr<std::unique_ptr<storage::BatchLog>> OpenPgLog(
    const ProvinceSource& source) {
  storage::PgLogOptions options;
  options.conninfo = source.conninfo;
  options.table = source.table;
  absl::StatusOr<std::unique_ptr<storage::PgBatchLog>> log =
      storage::PgBatchLog::Open(options);
  if (!log.ok()) return log.status();
  return std::unique_ptr<storage::BatchLog>(*std::move(log));
}

}  // namespace

absl::StatusOr<std::vector<ProvinceSource>> ParseProvinces(
    absl::string_view text) {
  std::vector<ProvinceSource> out;
  std::set<std::string> codes;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields = absl::StrSplit(
        line, absl::MaxSplits(absl::ByAnyChar(" \t"), 3), absl::SkipEmpty());
    if (fields.size() < 4) {
      return LineError(number,
                       "want CODE TABLE PUBLIC_KEY CONNINFO; the conninfo "
                       "is missing");
    }
    ProvinceSource p;
    p.code = std::string(fields[0]);
    p.table = std::string(fields[1]);
    p.conninfo = std::string(absl::StripAsciiWhitespace(fields[3]));
    if (!domain::IsProvinceCode(p.code)) {
      return LineError(number, absl::StrCat("code ", Quote(p.code),
                                            " is not a province (2 digits)"));
    }
    if (!codes.insert(p.code).second) {
      return LineError(number,
                       absl::StrCat("code ", p.code, " is listed twice"));
    }
    if (!storage::PgBatchLog::ValidTable(p.table)) {
      return LineError(number, absl::StrCat("table ", Quote(p.table),
                                            " is not a log table name"));
    }
    if (!storage::ParseHex(fields[2], 32, &p.public_key)) {
      return LineError(number, absl::StrCat("public key ", Quote(fields[2]),
                                            " is not 64 hex digits (Ed25519)"));
    }
    if (!security::IsEd25519PublicKey(p.public_key)) {
      return LineError(number,
                       absl::StrCat("public key ", fields[2],
                                    " is not an Ed25519 public key (a point "
                                    "of the curve's prime-order group)"));
    }
    out.push_back(std::move(p));
  }
  return out;
}

struct NationalNode::Province {
  explicit Province(ProvinceSource s) : source(std::move(s)) {
    status.set_code(source.code);  // no other thread sees it yet
  }
  const ProvinceSource source;
  // Set once, by the node's thread; then read by queries under mu_.
  std::unique_ptr<storage::BatchLog> log;
  std::unique_ptr<storage::RocksDbLedger> ledger;
  std::unique_ptr<ManifestStore> store;
  bool halted = false;  // the node's thread only
  mutable absl::Mutex mu;
  v1::ProvinceStatus status ABSL_GUARDED_BY(mu);

  // Records `problem` (empty: none), saying it once when it changes.
  void SetProblem(const std::string& problem) {
    absl::MutexLock lock(&mu);
    if (problem == status.problem()) return;
    status.set_problem(problem);
    if (!problem.empty()) {
      std::fprintf(stderr, "cradled: national: province %s: %s\n",
                   source.code.c_str(), problem.c_str());
    }
  }
};

NationalNode::NationalNode(NationalOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : SystemClock::Get()) {
}

absl::StatusOr<std::unique_ptr<NationalNode>> NationalNode::Start(
    NationalOptions options) {
  if (!options.open_log) options.open_log = OpenPgLog;
  std::unique_ptr<NationalNode> node(new NationalNode(std::move(options)));
  if (absl::Status s = node->ReadFile(); !s.ok()) return s;
  node->thread_ = std::thread([n = node.get()] {
    for (;;) {
      n->Step();
      absl::MutexLock lock(&n->mu_);
      n->mu_.AwaitWithTimeout(absl::Condition(&n->stop_), n->options_.poll);
      if (n->stop_) return;
    }
  });
  return node;
}

NationalNode::~NationalNode() { Stop(); }

void NationalNode::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::Status NationalNode::ReadFile() {
  next_read_ = clock_.Now() + options_.reread;
  std::ifstream in(options_.provinces_file);
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<ProvinceSource>> sources =
      in ? ParseProvinces(text.str())
         : absl::NotFoundError(absl::StrCat(
               "provinces file ", options_.provinces_file, " cannot be read"));
  absl::MutexLock lock(&mu_);
  if (!sources.ok()) {
    if (file_error_ != sources.status().message()) {
      file_error_ = std::string(sources.status().message());
      std::fprintf(stderr,
                   "cradled: national: %s (the provinces followed "
                   "go on)\n",
                   file_error_.c_str());
    }
    return sources.status();
  }
  file_error_.clear();
  for (ProvinceSource& s : *sources) {
    if (provinces_.count(s.code) != 0) continue;  // a change needs a restart
    std::fprintf(stderr, "cradled: national: following province %s\n",
                 s.code.c_str());
    auto p = std::make_unique<Province>(std::move(s));
    provinces_[p->source.code] = std::move(p);
  }
  return absl::OkStatus();
}

void NationalNode::Step() {
  if (clock_.Now() >= next_read_) ReadFile().IgnoreError();  // said once
  std::vector<Province*> provinces;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [code, p] : provinces_) provinces.push_back(p.get());
  }
  for (Province* p : provinces) Follow(*p);
}

void NationalNode::Follow(Province& p) {
  if (p.halted) return;
  if (p.ledger == nullptr) {
    absl::StatusOr<std::unique_ptr<storage::BatchLog>> log =
        options_.open_log(p.source);
    if (!log.ok()) {
      p.SetProblem(absl::StrCat("its log: ", log.status().message()));
      return;
    }
    const std::string dir =
        absl::StrCat(options_.data_dir, "/provinces/", p.source.code);
    std::error_code ec;
    std::filesystem::create_directories(options_.data_dir + "/provinces", ec);
    storage::RocksDbLedger::Options ledger_options;
    ledger_options.clock = &clock_;
    ledger_options.log = log->get();
    absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> ledger =
        storage::RocksDbLedger::Open(dir, ledger_options);
    if (!ledger.ok()) {
      p.SetProblem(
          absl::StrCat("its copy in ", dir, ": ", ledger.status().message()));
      p.halted = absl::IsDataLoss(ledger.status());
      return;
    }
    absl::MutexLock lock(&mu_);
    p.log = *std::move(log);
    p.ledger = *std::move(ledger);
    p.store =
        std::make_unique<ManifestStore>(*p.ledger, clock_, options_.flags);
  }
  absl::StatusOr<uint64_t> caught_up = p.ledger->CatchUp();
  if (!caught_up.ok()) {
    p.SetProblem(std::string(caught_up.status().message()));
    // A record that does not chain, or records pruned past the copy: the
    // operator's to look at; the copy stays as it is.
    p.halted = absl::IsDataLoss(caught_up.status()) ||
               absl::IsFailedPrecondition(caught_up.status());
    return;
  }
  const storage::Head head = p.ledger->GetHead();
  {
    absl::MutexLock lock(&p.mu);
    p.status.set_head_sequence(head.sequence);
    p.status.set_head_hash(storage::HexHash(head.hash));
  }
  CheckHead(p);
}

void NationalNode::CheckHead(Province& p) {
  absl::StatusOr<storage::PublishedHead> published = p.log->LatestHead();
  if (!published.ok()) {
    p.SetProblem(
        absl::StrCat("its published heads: ", published.status().message()));
    return;
  }
  uint64_t verified = 0;
  {
    absl::MutexLock lock(&p.mu);
    p.status.set_published_size(published->tree_size);
    verified = p.status.verified_head().tree_size();
  }
  const uint64_t size = published->tree_size;
  if (size == 0 || size <= verified || size > p.ledger->GetHead().sequence) {
    p.SetProblem("");
    return;  // nothing new, or the copy has not reached it yet
  }
  if (!security::VerifyEd25519(
          p.source.public_key,
          storage::TreeHeadMessage(size, published->timestamp, published->root),
          published->signature)) {
    p.SetProblem(absl::StrCat(
        "the head it published at size ", size,
        " is not signed by its pinned key: not applied past entry ",
        p.ledger->GetHead().sequence));
    p.halted = true;
    return;
  }
  absl::StatusOr<std::string> root = p.ledger->TreeRoot(size);
  if (!root.ok()) {
    p.SetProblem(std::string(root.status().message()));
    return;
  }
  if (*root != published->root) {
    p.SetProblem(absl::StrCat(
        "the root it signed at size ", size, " is ",
        storage::HexHash(published->root), " but its log gives ",
        storage::HexHash(*root),
        ": the province's ledger and its log disagree; not applied past "
        "entry ",
        p.ledger->GetHead().sequence));
    p.halted = true;
    return;
  }
  v1::SignedTreeHead sth;
  sth.set_tree_size(size);
  sth.set_root_hash(storage::HexHash(published->root));
  *sth.mutable_timestamp() = ToTimestamp(published->timestamp);
  sth.set_signature(storage::HexHash(published->signature));
  sth.set_public_key(storage::HexHash(p.source.public_key));
  {
    absl::MutexLock lock(&p.mu);
    *p.status.mutable_verified_head() = std::move(sth);
  }
  p.SetProblem("");
}

std::vector<v1::ProvinceStatus> NationalNode::Statuses() const {
  std::vector<v1::ProvinceStatus> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [code, p] : provinces_) {
    absl::MutexLock province_lock(&p->mu);
    out.push_back(p->status);
  }
  return out;
}

absl::Status NationalNode::ForEach(
    absl::string_view first,
    const std::function<absl::Status(const std::string&, const storage::Ledger&,
                                     const ManifestStore&)>& f) const {
  absl::MutexLock lock(&mu_);
  for (auto it = provinces_.lower_bound(std::string(first));
       it != provinces_.end(); ++it) {
    if (it->second->ledger == nullptr) continue;
    if (absl::Status s = f(it->first, *it->second->ledger, *it->second->store);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace cradle::services
