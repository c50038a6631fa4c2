#include "services/consultation_store.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "domain/consultation.h"
#include "domain/division.h"
#include "services/keys.h"
#include "services/page_token.h"
#include "services/projection.h"

namespace cradle::services {
namespace {

// Index keys read per step of a filtered list, and at most per page: a
// page of a filter few consultations pass may come back short, with a
// token to go on from.
constexpr size_t kListChunk = 200;
constexpr size_t kMaxScannedPerPage = 20000;

int YearOf(absl::Time now) {
  return static_cast<int>(absl::ToCivilDay(now, domain::ChinaTime()).year());
}

// Whether regulator `who` is of province `province` or over it.
bool RegulatorOf(const domain::Principal& who, absl::string_view province) {
  return who.kind == v1::CREDENTIAL_KIND_REGULATOR &&
         (absl::StartsWith(who.jurisdiction, province) ||
          absl::StartsWith(province, who.jurisdiction));
}

template <typename Reply>
void MarkReplayed(Reply* r) {
  r->mutable_receipt()->set_replayed(true);
}

}  // namespace

ConsultationStore::ConsultationStore(storage::Ledger& ledger,
                                     const Clock& clock,
                                     const domain::WorkCalendar& calendar)
    : ledger_(ledger),
      clock_(clock),
      calendar_(calendar),
      reader_(ledger),
      sequences_(ledger),
      applications_(
          ledger,
          [this](const storage::AppendResult& first)
              -> absl::StatusOr<v1::ApplyForTransferResponse> {
            v1::ApplyForTransferResponse out;
            CRADLE_ASSIGN_OR_RETURN(*out.mutable_consultation(),
                                    Replayed(first));
            *out.mutable_receipt() = ReceiptFor(first);
            MarkReplayed(&out);
            return out;
          },
          MarkReplayed<v1::ApplyForTransferResponse>),
      steps_(ledger,
             [this](const storage::AppendResult& first)
                 -> absl::StatusOr<v1::ActOnConsultationResponse> {
               v1::ActOnConsultationResponse out;
               CRADLE_ASSIGN_OR_RETURN(*out.mutable_consultation(),
                                       Replayed(first));
               *out.mutable_receipt() = ReceiptFor(first);
               MarkReplayed(&out);
               return out;
             }),
      white_lists_(ledger,
                   [this](const storage::AppendResult& first)
                       -> absl::StatusOr<v1::FileWhiteListResponse> {
                     CRADLE_ASSIGN_OR_RETURN(keys::StreamName name,
                                             keys::ParseStream(first.stream));
                     CRADLE_ASSIGN_OR_RETURN(absl::optional<v1::WhiteList> w,
                                             reader_.FindWhiteList(name.id));
                     if (!w.has_value()) {
                       return absl::NotFoundError(absl::StrCat(
                           "white list ", name.id, " is not filed"));
                     }
                     v1::FileWhiteListResponse out;
                     *out.mutable_white_list() = *std::move(w);
                     *out.mutable_receipt() = ReceiptFor(first);
                     MarkReplayed(&out);
                     return out;
                   }) {}

v1::Consultation ConsultationStore::WithDeadline(v1::Consultation c) const {
  *c.mutable_deadline() = domain::DeadlineOf(c, calendar_, clock_.Now());
  return c;
}

absl::StatusOr<v1::Consultation> ConsultationStore::Replayed(
    const storage::AppendResult& first) const {
  CRADLE_ASSIGN_OR_RETURN(keys::StreamName name,
                          keys::ParseStream(first.stream));
  CRADLE_ASSIGN_OR_RETURN(v1::Consultation c,
                          reader_.GetConsultation("number", name.id));
  return WithDeadline(std::move(c));
}

void ConsultationStore::Apply(const v1::ApplyForTransferRequest& request,
                              const domain::Principal& who,
                              Done<v1::ApplyForTransferResponse> done) {
  // Copies share the first's answer: a retry racing its original never
  // takes a second number.
  applications_.Write(
      who, "consultation.apply", request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::ApplyForTransferResponse>> {
        const v1::TransferApplication& a = request.application();
        CRADLE_RETURN_IF_ERROR(
            domain::CheckActsFor(who, "application.generator", a.generator()));
        CRADLE_ASSIGN_OR_RETURN(
            const v1::Enterprise generator,
            reader_.GetEnterprise("application.generator", a.generator()));
        CRADLE_ASSIGN_OR_RETURN(
            const v1::Enterprise receiver,
            reader_.GetEnterprise("application.receiver", a.receiver()));
        const absl::Time now = clock_.Now();
        // Checked before a number is taken, so that refusals leave no gap.
        CRADLE_RETURN_IF_ERROR(domain::DecideApplyForTransfer(
                                   request, who, generator, receiver, "", now)
                                   .status());
        const std::string origin = generator.division().substr(0, 2);
        const std::string destination = receiver.division().substr(0, 2);
        const int year = YearOf(now);
        // "cons/in/33/3332-2026-": the pair's numbers sort as they count.
        const std::string prefix =
            absl::StrCat(keys::ConsultationsInPrefix(origin), origin,
                         destination, "-", year, "-");
        CRADLE_ASSIGN_OR_RETURN(
            const int sequence,
            sequences_.Next(
                prefix, domain::kMaxConsultationSequence,
                [&](absl::string_view key) -> absl::StatusOr<int> {
                  CRADLE_ASSIGN_OR_RETURN(
                      domain::ConsultationNumber n,
                      domain::ParseConsultationNumber(
                          "number",
                          key.substr(
                              keys::ConsultationsInPrefix(origin).size())));
                  return n.sequence;
                },
                absl::StrCat("consultation numbers from province ", origin,
                             " to ", destination, " in ", year)));
        CRADLE_ASSIGN_OR_RETURN(domain::ConsultationDecision d,
                                domain::DecideApplyForTransfer(
                                    request, who, generator, receiver,
                                    domain::FormatConsultationNumber(
                                        origin, destination, year, sequence),
                                    now));
        PreparedWrite<v1::ApplyForTransferResponse> out;
        storage::AppendRequest& req = out.append;
        const std::string number = d.next.number();
        req.stream = keys::ConsultationStream(number);
        req.expected_version = 0;
        req.entries.push_back(storage::NewEntry{
            "consultation.applied", d.event.SerializeAsString(), who.Actor()});
        req.mutations.push_back(storage::Mutation::Put(
            storage::Table::kState, keys::ConsultationState(number),
            d.next.SerializeAsString()));
        IndexDiff({}, ConsultationIndex(d.next), &req.mutations);
        out.created = absl::StrCat("consultation ", number);
        out.answer = [this, c = std::move(d.next)](
                         const storage::AppendResult& r) mutable
            -> absl::StatusOr<v1::ApplyForTransferResponse> {
          v1::ApplyForTransferResponse reply;
          *reply.mutable_consultation() = WithDeadline(std::move(c));
          *reply.mutable_receipt() = ReceiptFor(r);
          return reply;
        };
        return out;
      },
      std::move(done),
      WritePipeline<v1::ApplyForTransferResponse>::Copies::kShareFirst);
}

void ConsultationStore::Act(const v1::ActOnConsultationRequest& request,
                            const domain::Principal& who,
                            Done<v1::ActOnConsultationResponse> done) {
  steps_.Write(
      who, "consultation.act", request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::ActOnConsultationResponse>> {
        CRADLE_RETURN_IF_ERROR(
            domain::ParseConsultationNumber("number", request.number())
                .status());
        CRADLE_ASSIGN_OR_RETURN(
            const v1::Consultation c,
            reader_.GetConsultation("number", request.number()));
        const absl::Time now = clock_.Now();
        domain::ConsultationFacts facts;
        v1::Enterprise receiver;
        absl::optional<v1::WhiteList> list;
        if (request.action() == v1::CONSULTATION_ACTION_APPROVE) {
          CRADLE_ASSIGN_OR_RETURN(
              receiver, reader_.GetEnterprise("application.receiver",
                                              c.application().receiver()));
          facts.receiver = &receiver;
          CRADLE_ASSIGN_OR_RETURN(
              list,
              reader_.FindWhiteList(domain::WhiteListNumber(
                  c.origin_province(), c.destination_province(), YearOf(now))));
          if (list.has_value()) facts.white_list = &*list;
        }
        CRADLE_ASSIGN_OR_RETURN(
            domain::ConsultationDecision d,
            domain::DecideActOnConsultation(request, who, c, facts, now));
        PreparedWrite<v1::ActOnConsultationResponse> out;
        storage::AppendRequest& req = out.append;
        req.stream = keys::ConsultationStream(c.number());
        req.expected_version = static_cast<uint64_t>(c.version());
        req.entries.push_back(storage::NewEntry{
            "consultation.step", d.event.SerializeAsString(), who.Actor()});
        req.mutations.push_back(storage::Mutation::Put(
            storage::Table::kState, keys::ConsultationState(c.number()),
            d.next.SerializeAsString()));
        IndexDiff(ConsultationIndex(c), ConsultationIndex(d.next),
                  &req.mutations);
        out.answer = [this, next = std::move(d.next)](
                         const storage::AppendResult& r) mutable
            -> absl::StatusOr<v1::ActOnConsultationResponse> {
          v1::ActOnConsultationResponse reply;
          *reply.mutable_consultation() = WithDeadline(std::move(next));
          *reply.mutable_receipt() = ReceiptFor(r);
          return reply;
        };
        return out;
      },
      std::move(done));
}

void ConsultationStore::FileWhiteList(const v1::FileWhiteListRequest& request,
                                      const domain::Principal& who,
                                      Done<v1::FileWhiteListResponse> done) {
  white_lists_.Write(
      who, "whitelist", request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::FileWhiteListResponse>> {
        const absl::Time now = clock_.Now();
        // Checked first: the number is made of fields it checks.
        CRADLE_ASSIGN_OR_RETURN(
            domain::WhiteListDecision first,
            domain::DecideFileWhiteList(request, who, nullptr, now));
        const std::string number = first.next.number();
        CRADLE_ASSIGN_OR_RETURN(absl::optional<v1::WhiteList> existing,
                                reader_.FindWhiteList(number));
        CRADLE_ASSIGN_OR_RETURN(
            domain::WhiteListDecision d,
            domain::DecideFileWhiteList(
                request, who, existing.has_value() ? &*existing : nullptr,
                now));
        PreparedWrite<v1::FileWhiteListResponse> out;
        storage::AppendRequest& req = out.append;
        req.stream = keys::WhiteListStream(number);
        req.expected_version = existing.has_value()
                                   ? static_cast<uint64_t>(existing->version())
                                   : 0;
        req.entries.push_back(storage::NewEntry{
            "registry.whitelist", d.event.SerializeAsString(), who.Actor()});
        req.mutations.push_back(storage::Mutation::Put(
            storage::Table::kState, keys::WhiteListState(number),
            d.next.SerializeAsString()));
        out.created = absl::StrCat("white list ", number);
        out.answer =
            [w = std::move(d.next)](const storage::AppendResult& r) mutable
            -> absl::StatusOr<v1::FileWhiteListResponse> {
          v1::FileWhiteListResponse reply;
          *reply.mutable_white_list() = std::move(w);
          *reply.mutable_receipt() = ReceiptFor(r);
          return reply;
        };
        return out;
      },
      std::move(done));
}

absl::StatusOr<v1::Consultation> ConsultationStore::Get(
    absl::string_view number, const domain::Principal& who) const {
  if (number.empty()) return absl::InvalidArgumentError("number is required");
  CRADLE_RETURN_IF_ERROR(
      domain::ParseConsultationNumber("number", number).status());
  CRADLE_ASSIGN_OR_RETURN(v1::Consultation c,
                          reader_.GetConsultation("number", number));
  CRADLE_RETURN_IF_ERROR(domain::CheckConsultationReader(who, c));
  return WithDeadline(std::move(c));
}

absl::StatusOr<v1::ListConsultationsResponse> ConsultationStore::List(
    const v1::ListConsultationsRequest& request,
    const domain::Principal& who) const {
  if (request.province().empty() == request.generator().empty()) {
    return absl::InvalidArgumentError(
        "give one of province (2 digits) and generator (a USCC)");
  }
  std::string prefix;
  if (!request.province().empty()) {
    if (!domain::IsProvinceCode(request.province())) {
      return absl::InvalidArgumentError(
          absl::StrCat("province \"", request.province(),
                       "\" is not a province code (2 digits)"));
    }
    if (!RegulatorOf(who, request.province())) {
      return absl::PermissionDeniedError(
          absl::StrCat("the consultations of province ", request.province(),
                       " are listed by its regulators; not by ", who.Scope()));
    }
    prefix = keys::ConsultationsInPrefix(request.province());
  } else {
    CRADLE_ASSIGN_OR_RETURN(
        const v1::Enterprise generator,
        reader_.GetEnterprise("generator", request.generator()));
    CRADLE_RETURN_IF_ERROR(domain::CheckEnterpriseReader(who, generator));
    prefix = keys::ConsultationsByPrefix(generator.id());
  }
  CRADLE_ASSIGN_OR_RETURN(const int page_size,
                          PageSize(request.page_size(), kRecordPages));
  CRADLE_ASSIGN_OR_RETURN(std::string cursor,
                          DecodePageToken(request.page_token(), prefix));
  const absl::Time now = clock_.Now();
  v1::ListConsultationsResponse out;
  size_t scanned = 0;
  while (true) {
    CRADLE_ASSIGN_OR_RETURN(
        const std::vector<storage::KeyValue> keys,
        ledger_.ScanIndex(prefix, cursor.empty() ? absl::string_view() : cursor,
                          kListChunk));
    for (const storage::KeyValue& kv : keys) {
      if (out.consultations_size() == page_size ||
          scanned == kMaxScannedPerPage) {
        out.set_next_page_token(EncodePageToken(cursor));
        return out;
      }
      ++scanned;
      cursor = kv.key;
      CRADLE_ASSIGN_OR_RETURN(
          v1::Consultation c,
          reader_.GetConsultation(
              "number", absl::string_view(kv.key).substr(prefix.size())));
      if (!request.holder().empty() && c.holder() != request.holder()) {
        continue;
      }
      *c.mutable_deadline() = domain::DeadlineOf(c, calendar_, now);
      if (request.overdue_only() && !c.deadline().overdue()) continue;
      *out.add_consultations() = std::move(c);
    }
    if (keys.size() < kListChunk) return out;
  }
}

absl::StatusOr<v1::WhiteList> ConsultationStore::GetWhiteList(
    absl::string_view number, const domain::Principal& who) const {
  if (number.size() != 9 || number[4] != '-') {
    return absl::InvalidArgumentError(absl::StrCat(
        "number \"", number,
        "\" is not a white list's (<origin><destination>-<year>, e.g. "
        "5150-2026)"));
  }
  if (!RegulatorOf(who, number.substr(0, 2)) &&
      !RegulatorOf(who, number.substr(2, 2))) {
    return absl::PermissionDeniedError(absl::StrCat(
        "white list ", number,
        " is read by the regulators of its provinces; not by ", who.Scope()));
  }
  CRADLE_ASSIGN_OR_RETURN(absl::optional<v1::WhiteList> w,
                          reader_.FindWhiteList(number));
  if (!w.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("number ", number, " is not a filed white list"));
  }
  return *std::move(w);
}

}  // namespace cradle::services
