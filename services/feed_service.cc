// Feed.Subscribe: the ledger's entries after a position, as they are
// written. A subscription reads the ledger in pages from the position it
// has reached; at the head it looks again every FeedOptions::poll. Each
// message says how far the subscription has read (`position`), so a client
// that reconnects with it misses nothing and receives nothing twice.

#include <memory>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "grpcpp/alarm.h"

#include "services/feed_filter.h"
#include "services/grpc_status.h"
#include "services/services.h"

namespace cradle::services {
namespace {

// What one message holds at most, and how many entries one reads past
// without selecting any before it tells its client where it is.
constexpr int kMaxEntriesPerMessage = 256;
constexpr size_t kMaxBytesPerMessage = 1 << 20;
constexpr uint64_t kMaxScannedPerMessage = 4096;
constexpr size_t kScanPage = 256;

class SubscribeReactor final
    : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
 public:
  SubscribeReactor(const storage::Ledger& ledger, FeedFilter filter,
                   uint64_t after, bool stop_at_head, FeedOptions options)
      : ledger_(ledger),
        filter_(std::move(filter)),
        stop_at_head_(stop_at_head),
        options_(options),
        position_(after),
        sent_position_(after) {
    Pump();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    {
      absl::MutexLock l(&mu_);
      if (finishing_) {
        FinishLocked(grpc::Status::OK);
        return;
      }
    }
    Pump();
  }

  void OnCancel() override {
    grpc::Alarm* alarm = nullptr;
    {
      absl::MutexLock l(&mu_);
      cancelled_ = true;
      if (alarm_pending_) alarm = alarm_.get();
    }
    // Its callback, told it was cancelled, finishes the call.
    if (alarm != nullptr) alarm->Cancel();
  }

  void OnDone() override { delete this; }

 private:
  // Reads on from position_ and sends what it found, or finishes, or waits.
  void Pump() {
    const absl::Status read = Fill();
    absl::MutexLock l(&mu_);
    if (cancelled_) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
      return;
    }
    if (!read.ok()) {
      FinishLocked(ToGrpcStatus(read));
      return;
    }
    const bool at_head = ledger_.GetHead().sequence <= position_;
    const bool moved = position_ > sent_position_;
    const bool heartbeat =
        moved && absl::Now() - last_sent_ >= options_.heartbeat;
    if (reply_.entries_size() > 0 || (moved && !at_head) || heartbeat ||
        (moved && at_head && stop_at_head_)) {
      finishing_ = at_head && stop_at_head_;
      Send();
      return;
    }
    if (at_head && stop_at_head_) {
      FinishLocked(grpc::Status::OK);
      return;
    }
    alarm_pending_ = true;
    alarm_ = std::make_unique<grpc::Alarm>();
    alarm_->Set(absl::ToChronoTime(absl::Now() + options_.poll),
                [this](bool fired) { Woken(fired); });
  }

  void Woken(bool fired) {
    {
      absl::MutexLock l(&mu_);
      alarm_pending_ = false;
      if (!fired || cancelled_) {
        FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
        return;
      }
    }
    Pump();
  }

  // Scans entries after position_ into reply_, until a message is full,
  // enough has been passed over, or the head.
  absl::Status Fill() {
    reply_.Clear();
    size_t bytes = 0;
    uint64_t scanned = 0;
    // At the head (every poll of an idle subscription): no scan.
    if (ledger_.GetHead().sequence <= position_) return absl::OkStatus();
    while (reply_.entries_size() < kMaxEntriesPerMessage &&
           bytes < kMaxBytesPerMessage && scanned < kMaxScannedPerMessage) {
      absl::StatusOr<std::vector<storage::Entry>> page =
          ledger_.Scan(position_ + 1, kScanPage);
      if (!page.ok()) return page.status();
      if (page->empty()) break;
      for (const storage::Entry& e : *page) {
        ++scanned;
        absl::StatusOr<bool> take = Selects(e);
        if (!take.ok()) return take.status();
        position_ = e.sequence;
        if (*take) {
          *reply_.add_entries() = LedgerEntryProto(e);
          bytes += e.payload.size() * 2 + 256;
          if (reply_.entries_size() >= kMaxEntriesPerMessage ||
              bytes >= kMaxBytesPerMessage) {
            break;
          }
        }
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<bool> Selects(const storage::Entry& e) {
    if (!SelectsType(filter_, e.type)) return false;
    if (filter_.Everyone()) return true;
    absl::StatusOr<EntryAudience> audience = audiences_.Next(ledger_, e);
    if (!audience.ok()) return audience.status();
    return SelectsAudience(filter_, *audience);
  }

  void Send() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    reply_.set_position(position_);
    reply_.set_head_sequence(ledger_.GetHead().sequence);
    sent_position_ = position_;
    last_sent_ = absl::Now();
    StartWrite(&reply_);
  }

  void FinishOnce(const grpc::Status& status) {
    absl::MutexLock l(&mu_);
    FinishLocked(status);
  }
  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  const storage::Ledger& ledger_;
  const FeedFilter filter_;
  const bool stop_at_head_;
  const FeedOptions options_;
  // Only the one thread pumping touches these.
  AudienceTracker audiences_;
  uint64_t position_;
  v1::SubscribeResponse reply_;

  absl::Mutex mu_;
  uint64_t sent_position_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sent_ ABSL_GUARDED_BY(mu_) = absl::Now();
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool alarm_pending_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<grpc::Alarm> alarm_ ABSL_GUARDED_BY(mu_);
};

// The filter a caller may have: a party's is narrowed to itself, a
// regulator's to its jurisdiction; the administrator's is as asked.
absl::StatusOr<FeedFilter> FilterFor(const domain::Principal& who,
                                     const v1::SubscribeRequest& request) {
  FeedFilter filter;
  filter.jurisdiction = request.jurisdiction();
  filter.party = request.party();
  filter.types.assign(request.types().begin(), request.types().end());
  if (absl::Status s = ValidateFeedFilter(filter); !s.ok()) return s;
  if (who.kind == v1::CREDENTIAL_KIND_REGULATOR) {
    if (filter.jurisdiction.empty()) filter.jurisdiction = who.jurisdiction;
    if (absl::Status s =
            domain::CheckJurisdiction(who, "jurisdiction", filter.jurisdiction);
        !s.ok()) {
      return s;
    }
  } else if (who.kind == v1::CREDENTIAL_KIND_PARTY) {
    if (filter.party.empty()) filter.party = who.enterprise;
    if (absl::Status s = domain::CheckActsFor(who, "party", filter.party);
        !s.ok()) {
      return s;
    }
  }
  return filter;
}

}  // namespace

grpc::ServerWriteReactor<v1::SubscribeResponse>* FeedService::Subscribe(
    grpc::CallbackServerContext* ctx, const v1::SubscribeRequest* request) {
  absl::StatusOr<FeedFilter> filter = [&]() -> absl::StatusOr<FeedFilter> {
    absl::StatusOr<domain::Principal> who =
        gate_.Admit(*ctx, domain::Operation::kSubscribe);
    if (!who.ok()) return who.status();
    return FilterFor(*who, *request);
  }();
  if (!filter.ok()) {
    return new checked_internal::Refused<v1::SubscribeResponse>(
        ToGrpcStatus(filter.status()));
  }
  return new SubscribeReactor(ledger_, *std::move(filter),
                              request->after_sequence(),
                              request->stop_at_head(), options_);
}

}  // namespace cradle::services
