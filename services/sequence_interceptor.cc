#include "services/sequence_interceptor.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace cradle::services {
namespace {

class SequenceInterceptor final : public grpc::experimental::Interceptor {
 public:
  SequenceInterceptor(const storage::Ledger& ledger, ClusterNode& node,
                      absl::Duration max_wait)
      : ledger_(ledger), node_(node), max_wait_(max_wait) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    using Hook = grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_INITIAL_METADATA)) {
      const uint64_t wanted =
          SequenceIn(*methods->GetRecvInitialMetadata(), kMinSequenceHeader);
      if (wanted > ledger_.GetHead().sequence) {
        // Held until the ledger has it; the call then runs on the node's
        // thread.
        node_.WhenApplied(wanted, max_wait_, [this, methods, wanted](bool ok) {
          if (!ok) {
            late_ = absl::StrCat(
                "this node holds entries up to ", ledger_.GetHead().sequence,
                ", not yet ", wanted, " (", kMinSequenceHeader,
                "), after waiting ", absl::FormatDuration(max_wait_),
                ": retry, or ask another node");
          }
          methods->Proceed();
        });
        return;
      }
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS)) {
      if (!late_.empty()) {
        methods->ModifySendStatus(
            grpc::Status(grpc::StatusCode::UNAVAILABLE, late_));
      }
      methods->GetSendTrailingMetadata()->emplace(
          kSequenceTrailer, absl::StrCat(ledger_.GetHead().sequence));
    }
    methods->Proceed();
  }

 private:
  const storage::Ledger& ledger_;
  ClusterNode& node_;
  const absl::Duration max_wait_;
  std::string late_;  // set when the wait ran out
};

class Factory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  Factory(const storage::Ledger& ledger, ClusterNode& node,
          absl::Duration max_wait)
      : ledger_(ledger), node_(node), max_wait_(max_wait) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo*) override {
    return new SequenceInterceptor(ledger_, node_, max_wait_);
  }

 private:
  const storage::Ledger& ledger_;
  ClusterNode& node_;
  const absl::Duration max_wait_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewSequenceInterceptorFactory(const storage::Ledger& ledger, ClusterNode& node,
                              absl::Duration max_wait) {
  return std::make_unique<Factory>(ledger, node, max_wait);
}

}  // namespace cradle::services
