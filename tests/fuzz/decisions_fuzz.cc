// Every request validator and decision of domain/: any request, on a
// manifest in any state, is decided or refused with a short message naming
// the field, never a crash; and what a decision produces is what its events
// replay to (the promise deep verification checks the ledger against).

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"

#include "domain/flags/engine.h"
#include "domain/lifecycle.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/quiet_protobuf.h"
#include "tests/testing/parties.h"

namespace {

using namespace cradle;
using cradle::testing::kAltReceiver;
using cradle::testing::kCarrier;
using cradle::testing::kCarrierPlate;
using cradle::testing::kGenerator;
using cradle::testing::kReceiver;
using cradle::testing::kRelayCarrier;
using cradle::testing::kRelayPlate;

const char kNumber[] = "20263304000001";

class Registry final : public domain::RegistryReader {
 public:
  Registry() {
    Add(kGenerator, "330402", {v1::ROLE_GENERATOR}, {});
    Add(kCarrier, "330421", {v1::ROLE_TRANSPORTER}, {kCarrierPlate});
    Add(kRelayCarrier, "330108", {v1::ROLE_TRANSPORTER}, {kRelayPlate});
    Add(kReceiver, "330481", {v1::ROLE_RECEIVER}, {});
    Add(kAltReceiver, "330106", {v1::ROLE_RECEIVER}, {});
  }
  absl::StatusOr<v1::Enterprise> GetEnterprise(
      absl::string_view field, absl::string_view id) const override {
    auto it = enterprises_.find(std::string(id));
    if (it == enterprises_.end()) {
      return absl::NotFoundError(absl::StrCat(field, " is not registered"));
    }
    return it->second;
  }

 private:
  void Add(const std::string& id, const std::string& division,
           std::vector<v1::Role> roles, std::vector<std::string> plates) {
    v1::Enterprise& e = enterprises_[id];
    e.set_id(id);
    e.set_name("企业");
    e.set_division(division);
    for (v1::Role r : roles) e.add_roles(r);
    for (const std::string& p : plates) e.add_vehicles()->set_plate(p);
    if (roles[0] == v1::ROLE_RECEIVER) {
      v1::Licence* l = e.add_licences();
      l->set_number("L");
      l->add_codes("HW08");
      l->add_methods("D10");
      l->set_capacity_kg(1000000);
      l->set_valid_until("2099-12-31");
    }
  }
  std::map<std::string, v1::Enterprise> enterprises_;
};

const Registry& TheRegistry() {
  static const Registry* r = new Registry;
  return *r;
}

absl::Time At(int minute) {
  return absl::FromUnixSeconds(1795000000) + absl::Minutes(minute);
}

v1::WriteMeta Meta() {
  v1::WriteMeta m;
  m.set_idempotency_key("k");
  return m;
}

// A request of each kind the lifecycle decides, valid on the manifest of
// the matching state below.
struct Requests {
  v1::OpenManifestRequest open;
  v1::IssueManifestRequest issue;
  v1::CancelManifestRequest cancel;
  v1::PickupRequest pickup;
  v1::RelayRequest relay;
  v1::DeliverRequest deliver;
  v1::ReceiveRequest receive;
  v1::RerouteRequest reroute;
  v1::DisposeRequest dispose;
  v1::RecordPaymentRequest payment;
  v1::AcknowledgeFlagRequest note;
};

const Requests& ValidRequests() {
  static const Requests* r = [] {
    auto* q = new Requests;
    *q->open.mutable_meta() = Meta();
    q->open.set_generator(kGenerator);
    q->open.set_carrier(kCarrier);
    q->open.set_receiver(kReceiver);
    q->open.set_method("D10");
    v1::WasteLine* l = q->open.add_lines();
    l->set_code("900-249-08");
    l->set_quantity_g(1000000);
    l->set_packaging("drum");
    l->set_package_count(5);
    *q->issue.mutable_meta() = Meta();
    q->issue.set_number(kNumber);
    q->issue.set_generator(kGenerator);
    *q->cancel.mutable_meta() = Meta();
    q->cancel.set_number(kNumber);
    q->cancel.set_generator(kGenerator);
    q->cancel.set_reason("plan changed");
    *q->pickup.mutable_meta() = Meta();
    q->pickup.set_number(kNumber);
    q->pickup.set_carrier(kCarrier);
    q->pickup.set_vehicle(kCarrierPlate);
    *q->relay.mutable_meta() = Meta();
    q->relay.set_number(kNumber);
    q->relay.set_from_carrier(kCarrier);
    q->relay.set_to_carrier(kRelayCarrier);
    q->relay.set_vehicle(kRelayPlate);
    *q->deliver.mutable_meta() = Meta();
    q->deliver.set_number(kNumber);
    q->deliver.set_receiver(kReceiver);
    *q->receive.mutable_meta() = Meta();
    q->receive.set_number(kNumber);
    q->receive.set_receiver(kReceiver);
    v1::LineReceipt* a = q->receive.add_lines();
    a->set_line(1);
    a->set_decision(v1::LineReceipt::DECISION_ACCEPT);
    a->set_quantity_g(800000);
    v1::LineReceipt* j = q->receive.add_lines();
    j->set_line(1);
    j->set_decision(v1::LineReceipt::DECISION_REJECT);
    j->set_quantity_g(200000);
    j->set_reason("leaking");
    *q->reroute.mutable_meta() = Meta();
    q->reroute.set_number(kNumber);
    q->reroute.set_generator(kGenerator);
    q->reroute.set_to(kAltReceiver);
    q->reroute.set_carrier(kCarrier);
    q->reroute.set_vehicle(kCarrierPlate);
    *q->dispose.mutable_meta() = Meta();
    q->dispose.set_number(kNumber);
    q->dispose.set_receiver(kReceiver);
    v1::LineDisposal* d = q->dispose.add_lines();
    d->set_line(1);
    d->set_method("D10");
    d->set_quantity_g(800000);
    *q->payment.mutable_meta() = Meta();
    q->payment.set_number(kNumber);
    q->payment.set_payer(kGenerator);
    q->payment.set_payee(kReceiver);
    q->payment.set_amount_fen(380050);
    q->note.set_id(absl::StrCat(kNumber, "-F1"));
    q->note.set_note("seen");
    q->note.set_by("office");
    return q;
  }();
  return *r;
}

// Checks `d` against its replay and folds it in.
void CheckAndApply(const v1::Manifest& before,
                   absl::StatusOr<domain::Decision> d, absl::Time now,
                   v1::Manifest* out) {
  if (!d.ok()) {
    FUZZ_CHECK(d.status().message().size() < 2048,
               d.status().ToString().substr(0, 300));
    return;
  }
  FUZZ_CHECK(domain::AddEventFlags(before, TheRegistry(), domain::FlagConfig(),
                                   now, &*d)
                 .ok(),
             "the flag rules failed on a decided event");
  v1::Manifest replayed = before;
  for (const ledger::v1::ManifestEvent& e : d->events) {
    domain::Apply(e, now, &replayed);
  }
  FUZZ_CHECK(
      google::protobuf::util::MessageDifferencer::Equals(replayed, d->next),
      "a decision's events replay to another manifest");
  FUZZ_CHECK(d->next.version() == before.version() + d->events.size(),
             "the version does not count the events");
  if (out != nullptr) *out = d->next;
}

// The manifest in each state the lifecycle reaches, in order.
const std::vector<v1::Manifest>& States() {
  static const std::vector<v1::Manifest>* states = [] {
    auto* s = new std::vector<v1::Manifest>;
    const Requests& q = ValidRequests();
    const domain::RegistryReader& r = TheRegistry();
    v1::Manifest m;
    m.set_number(kNumber);
    v1::OpenManifestRequest draft = q.open;
    draft.set_draft(true);
    v1::Manifest drafted;
    CheckAndApply(m, domain::DecideOpen(draft, r, kNumber, At(0)), At(0),
                  &drafted);
    s->push_back(drafted);
    CheckAndApply(m, domain::DecideOpen(q.open, r, kNumber, At(0)), At(0), &m);
    s->push_back(m);  // ISSUED
    CheckAndApply(m, domain::DecidePickup(m, q.pickup, r, At(10)), At(10), &m);
    s->push_back(m);  // IN_TRANSIT
    CheckAndApply(m, domain::DecideRelay(m, q.relay, r, At(20)), At(20), &m);
    s->push_back(m);  // IN_TRANSIT, relayed
    v1::DeliverRequest deliver = q.deliver;
    CheckAndApply(m, domain::DecideDeliver(m, deliver, r, At(30)), At(30), &m);
    s->push_back(m);  // DELIVERED
    CheckAndApply(m, domain::DecideReceive(m, q.receive, r, At(40)), At(40),
                  &m);
    s->push_back(m);  // PARTIALLY_ACCEPTED
    CheckAndApply(m, domain::DecideDispose(m, q.dispose, At(50)), At(50), &m);
    s->push_back(m);  // rejected part still awaiting a reroute
    CheckAndApply(m, domain::DecideReroute(m, q.reroute, r, At(60)), At(60),
                  &m);
    s->push_back(m);  // IN_TRANSIT to the alternate receiver
    return s;
  }();
  return *states;
}

}  // namespace

namespace cradle::fuzz {

std::vector<std::string> Seeds() {
  const Requests& q = ValidRequests();
  const std::vector<const google::protobuf::Message*> requests = {
      &q.open,    &q.issue,   &q.cancel,  &q.pickup,  &q.relay, &q.deliver,
      &q.receive, &q.reroute, &q.dispose, &q.payment, &q.note};
  std::vector<std::string> seeds;
  for (size_t kind = 0; kind < requests.size(); ++kind) {
    for (size_t state = 0; state < 8; ++state) {
      seeds.push_back(absl::StrCat(std::string(1, static_cast<char>(kind)),
                                   std::string(1, static_cast<char>(state)),
                                   requests[kind]->SerializeAsString()));
    }
  }
  return seeds;
}

}  // namespace cradle::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cradle::fuzz::QuietProtobufLogs();
  if (size < 2) return 0;
  const std::vector<v1::Manifest>& states = States();
  const v1::Manifest& m = states[data[1] % states.size()];
  const std::string bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
  const domain::RegistryReader& r = TheRegistry();
  const absl::Time now = At(120);
  auto parse = [&](google::protobuf::Message* request) {
    return request->ParseFromString(bytes);
  };
  switch (data[0] % 11) {
    case 0: {
      v1::OpenManifestRequest q;
      if (parse(&q)) {
        v1::Manifest empty;
        empty.set_number(kNumber);
        CheckAndApply(empty, domain::DecideOpen(q, r, kNumber, now), now,
                      nullptr);
      }
      break;
    }
    case 1: {
      v1::IssueManifestRequest q;
      if (parse(&q))
        CheckAndApply(m, domain::DecideIssue(m, q, now), now, nullptr);
      break;
    }
    case 2: {
      v1::CancelManifestRequest q;
      if (parse(&q))
        CheckAndApply(m, domain::DecideCancel(m, q, now), now, nullptr);
      break;
    }
    case 3: {
      v1::PickupRequest q;
      if (parse(&q)) {
        CheckAndApply(m, domain::DecidePickup(m, q, r, now), now, nullptr);
      }
      break;
    }
    case 4: {
      v1::RelayRequest q;
      if (parse(&q))
        CheckAndApply(m, domain::DecideRelay(m, q, r, now), now, nullptr);
      break;
    }
    case 5: {
      v1::DeliverRequest q;
      if (parse(&q)) {
        CheckAndApply(m, domain::DecideDeliver(m, q, r, now), now, nullptr);
      }
      break;
    }
    case 6: {
      v1::ReceiveRequest q;
      if (parse(&q))
        CheckAndApply(m, domain::DecideReceive(m, q, r, now), now, nullptr);
      break;
    }
    case 7: {
      v1::RerouteRequest q;
      if (parse(&q)) {
        CheckAndApply(m, domain::DecideReroute(m, q, r, now), now, nullptr);
      }
      break;
    }
    case 8: {
      v1::DisposeRequest q;
      if (parse(&q))
        CheckAndApply(m, domain::DecideDispose(m, q, now), now, nullptr);
      break;
    }
    case 9: {
      v1::RecordPaymentRequest q;
      if (parse(&q))
        CheckAndApply(m, domain::DecidePayment(m, q, now), now, nullptr);
      break;
    }
    case 10: {
      v1::AcknowledgeFlagRequest q;
      if (parse(&q)) {
        CheckAndApply(m, domain::DecideAcknowledge(m, q, now), now, nullptr);
      }
      break;
    }
  }
  return 0;
}
