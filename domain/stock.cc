#include "domain/stock.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "base/time.h"
#include "domain/decision_checks.h"
#include "domain/flag_history.h"
#include "domain/flags/engine.h"
#include "domain/legal_form.h"
#include "domain/names.h"
#include "domain/quantity.h"
#include "domain/record.h"
#include "domain/treatment_method.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

std::string MoveName(v1::StockMove move) { return ShortName(move); }

// The record numbered `number` (2, 3, ...) of `c`, or nullptr.
const v1::StockRecord* RecordNumbered(const v1::Container& c, int number) {
  for (const v1::StockRecord& r : c.records()) {
    if (r.number() == number) return &r;
  }
  return nullptr;
}

// Refuses the fields `move` does not take.
absl::Status OnlyFieldsOf(const v1::StockEntry& r) {
  const v1::StockMove m = r.move();
  const auto refuse = [&](absl::string_view field, v1::StockMove owner) {
    return absl::InvalidArgumentError(
        absl::StrCat("record.", field, " is for ", MoveName(owner),
                     " records, not ", MoveName(m)));
  };
  if (!r.facility().empty() && m != v1::STOCK_MOVE_STORED) {
    return refuse("facility", v1::STOCK_MOVE_STORED);
  }
  if (!r.method().empty() && m != v1::STOCK_MOVE_OWN_USE) {
    return refuse("method", v1::STOCK_MOVE_OWN_USE);
  }
  if (r.weight_g() != 0 && m != v1::STOCK_MOVE_ADJUSTED) {
    return refuse("weight_g", v1::STOCK_MOVE_ADJUSTED);
  }
  if (r.revokes() != 0 && m != v1::STOCK_MOVE_REVOKED) {
    return refuse("revokes", v1::STOCK_MOVE_REVOKED);
  }
  if (!r.reason().empty() && m != v1::STOCK_MOVE_ADJUSTED &&
      m != v1::STOCK_MOVE_REVOKED) {
    return absl::InvalidArgumentError(
        absl::StrCat("record.reason is for ADJUSTED and REVOKED records, not ",
                     MoveName(m)));
  }
  return absl::OkStatus();
}

// The record being struck by a REVOKED `r` on `c`, and what striking it
// needs; nullptr for the registration (record 1).
absl::StatusOr<const v1::StockRecord*> Struck(const v1::StockEntry& r,
                                              const v1::Container& c,
                                              v1::ManifestStatus listed_on) {
  if (r.revokes() < 1 || r.revokes() > ContainerVersion(c)) {
    return absl::InvalidArgumentError(
        absl::StrCat("record.revokes ", r.revokes(), " names no record of ",
                     c.code(), ": it has records 1..", ContainerVersion(c),
                     " (1 is its registration)"));
  }
  const bool listed = listed_on != v1::MANIFEST_STATUS_UNSPECIFIED;
  if (r.revokes() == 1) {
    if (listed) {
      return absl::FailedPreconditionError(absl::StrCat(
          "record.revokes 1: ", c.code(), " is on manifest ", c.manifest(),
          "; its registration is struck once no manifest "
          "lists it"));
    }
    return nullptr;
  }
  const v1::StockRecord* target = RecordNumbered(c, r.revokes());
  if (target == nullptr) {
    // The versions between records are flag entries and the end of storage.
    return absl::InvalidArgumentError(absl::StrCat(
        "record.revokes ", r.revokes(), " is not a stock record of ", c.code(),
        ": the server wrote it, and it is not struck"));
  }
  if (target->move() == v1::STOCK_MOVE_REVOKED) {
    return absl::InvalidArgumentError(
        absl::StrCat("record.revokes ", r.revokes(),
                     " is itself a revocation: record the struck move again "
                     "instead"));
  }
  if (target->revoked()) {
    return absl::FailedPreconditionError(
        absl::StrCat("record.revokes ", r.revokes(), " is already struck"));
  }
  if (target->move() == v1::STOCK_MOVE_ADJUSTED && listed) {
    return absl::FailedPreconditionError(absl::StrCat(
        "record.revokes ", r.revokes(), ": ", c.code(), " is on manifest ",
        c.manifest(), ", whose line counts its weight"));
  }
  return target;
}

// The checks of one move on `c`, after the record's own fields.
absl::Status CheckMove(const v1::StockEntry& r, const v1::Container& c,
                       v1::ManifestStatus listed_on) {
  const bool listed = listed_on != v1::MANIFEST_STATUS_UNSPECIFIED;
  switch (r.move()) {
    case v1::STOCK_MOVE_STORED:
      CRADLE_RETURN_IF_ERROR(
          CheckText("record.facility", r.facility(), kMaxShortTextBytes, true));
      if (c.stock() == v1::STOCK_STATE_OWN_USE) {
        return absl::FailedPreconditionError(absl::StrCat(
            c.code(), " was used by its generator: strike that record first"));
      }
      if (c.stock() == v1::STOCK_STATE_STORED && c.facility() == r.facility()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "record.facility: ", c.code(), " is already in ", r.facility()));
      }
      return absl::OkStatus();
    case v1::STOCK_MOVE_OWN_USE:
      if (r.method().empty()) {
        return absl::InvalidArgumentError(
            "record.method is required: the treatment method (D10, R4, ...) "
            "the generator used");
      }
      CRADLE_RETURN_IF_ERROR(
          LookupMethod("record.method", r.method()).status());
      if (listed) {
        return absl::FailedPreconditionError(
            absl::StrCat(c.code(), " is on manifest ", c.manifest(),
                         ": take it off or cancel the manifest first"));
      }
      if (c.stock() == v1::STOCK_STATE_OWN_USE) {
        return absl::FailedPreconditionError(
            absl::StrCat(c.code(), " was already used by its generator"));
      }
      return absl::OkStatus();
    case v1::STOCK_MOVE_ADJUSTED:
      if (r.weight_g() <= 0 || r.weight_g() > kMaxContainerGrams) {
        return absl::InvalidArgumentError(
            absl::StrCat("record.weight_g ", r.weight_g(), " must be 1..",
                         kMaxContainerGrams, " grams"));
      }
      CRADLE_RETURN_IF_ERROR(
          CheckText("record.reason", r.reason(), kMaxTextBytes, true));
      if (r.weight_g() == c.weight_g()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "record.weight_g ", r.weight_g(), " is already its weight"));
      }
      if (listed) {
        return absl::FailedPreconditionError(
            absl::StrCat(c.code(), " is on manifest ", c.manifest(),
                         ", whose line counts its weight"));
      }
      if (c.stock() == v1::STOCK_STATE_OWN_USE) {
        return absl::FailedPreconditionError(
            absl::StrCat(c.code(), " was used by its generator"));
      }
      return absl::OkStatus();
    case v1::STOCK_MOVE_REVOKED:
      CRADLE_RETURN_IF_ERROR(
          CheckText("record.reason", r.reason(), kMaxTextBytes, true));
      return Struck(r, c, listed_on).status();
    default:
      return absl::InvalidArgumentError(
          "record.move is required: STORED, OWN_USE, ADJUSTED or REVOKED");
  }
}

// `c`'s stock state, facility, storage time and weight from its records.
void Recompute(v1::Container* c) {
  c->set_stock(v1::STOCK_STATE_UNSTORED);
  c->clear_facility();
  c->clear_stored_at();
  c->clear_storage_limit_days();
  c->set_weight_g(c->label_weight_g());
  for (const v1::StockRecord& r : c->records()) {
    if (r.revoked()) continue;
    switch (r.move()) {
      case v1::STOCK_MOVE_STORED:
        if (c->stock() == v1::STOCK_STATE_STORED) break;  // moved: since
        c->set_stock(v1::STOCK_STATE_STORED);
        *c->mutable_stored_at() = r.at();
        break;
      case v1::STOCK_MOVE_OWN_USE:
        c->set_stock(v1::STOCK_STATE_OWN_USE);  // facility: where from
        c->clear_stored_at();
        break;
      case v1::STOCK_MOVE_ADJUSTED:
        c->set_weight_g(r.weight_g());
        break;
      default:
        break;
    }
    if (r.move() == v1::STOCK_MOVE_STORED) {
      c->set_facility(r.facility());
      c->set_storage_limit_days(r.storage_limit_days());
    }
  }
  for (const v1::StockRecord& r : c->records()) {
    if (r.move() == v1::STOCK_MOVE_REVOKED && r.revokes() == 1) {
      c->set_stock(v1::STOCK_STATE_VOID);
      c->clear_facility();
      c->clear_stored_at();
      c->clear_storage_limit_days();
    }
  }
}

std::string Day(const google::protobuf::Timestamp& t) {
  return absl::FormatCivilTime(absl::ToCivilDay(FromTimestamp(t), ChinaTime()));
}

}  // namespace

int StorageLimitDays(const v1::Enterprise& generator, absl::CivilDay booked) {
  int days = kStorageLimitDays;
  for (const v1::StorageExtension& x : generator.storage_extensions()) {
    absl::CivilDay from, until;
    if (absl::ParseCivilTime(x.valid_from(), &from) &&
        absl::ParseCivilTime(x.valid_until(), &until) && from <= booked &&
        booked <= until) {
      days = std::max(days, x.days());
    }
  }
  return days;
}

absl::StatusOr<ContainerDecision> DecideRecordStock(
    const v1::RecordStockRequest& request, const v1::Container& c,
    v1::ManifestStatus listed_on, const v1::Enterprise& generator,
    absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  const v1::StockEntry& r = request.record();
  if (r.code() != c.code()) {
    return absl::InvalidArgumentError(
        absl::StrCat("record.code ", r.code(), " is not container ", c.code()));
  }
  CRADLE_RETURN_IF_ERROR(OnlyFieldsOf(r));
  const absl::Time at = r.has_at() ? FromTimestamp(r.at()) : now;
  if (at > now + kDeviceClockSkew) {
    return absl::InvalidArgumentError(
        absl::StrCat("record.at ", absl::FormatTime(at), " is ahead of now, ",
                     absl::FormatTime(now)));
  }
  absl::CivilDay filled;
  if (absl::ParseCivilTime(c.generation_date(), &filled) &&
      absl::ToCivilDay(at, ChinaTime()) < filled) {
    return absl::InvalidArgumentError(
        absl::StrCat("record.at ", absl::FormatTime(at), " is before ",
                     c.code(), " was filled, on ", c.generation_date()));
  }
  if (c.stock() == v1::STOCK_STATE_VOID) {
    return absl::FailedPreconditionError(
        absl::StrCat(c.code(), " is void: its registration was struck"));
  }
  if (TakenOutOfStock(listed_on)) {
    return absl::FailedPreconditionError(absl::StrCat(
        c.code(), " left on manifest ", c.manifest(), ", which is ",
        ShortName(listed_on), ": its stock records are closed"));
  }
  CRADLE_RETURN_IF_ERROR(CheckMove(r, c, listed_on));

  ContainerDecision d;
  ledger::v1::StockRecorded* s = d.event.mutable_stock();
  *s->mutable_meta() = Transcribe<ledger::v1::WriteMeta>(request.meta());
  *s->mutable_record() = Transcribe<ledger::v1::StockRecord>(r);
  *s->mutable_record()->mutable_at() = ToTimestamp(at);
  if (r.move() == v1::STOCK_MOVE_STORED) {
    s->set_storage_limit_days(
        StorageLimitDays(generator, absl::ToCivilDay(at, ChinaTime())));
  }
  if (r.move() == v1::STOCK_MOVE_REVOKED && r.revokes() == 1 &&
      !c.sources().empty()) {
    s->set_frees_sources(true);
  }
  *d.event.mutable_decided_at() = ToTimestamp(now);
  d.next = c;
  ApplyStockEvent(d.event, now, &d.next);
  return d;
}

bool HoldsSources(const v1::Container& c) {
  if (c.sources().empty()) return false;
  for (const v1::StockRecord& r : c.records()) {
    if (r.move() == v1::STOCK_MOVE_REVOKED && r.revokes() == 1 &&
        r.frees_sources()) {
      return false;
    }
  }
  return true;
}

int64_t ContainerVersion(const v1::Container& c) {
  return 1 + c.records_size() + FlagEntries(c.flags()) +
         (c.storage_ended_on().empty() ? 0 : 1);
}

void ApplyStockEvent(const ledger::v1::ContainerEvent& event,
                     absl::Time recorded, v1::Container* c) {
  const absl::Time at =
      event.has_decided_at() ? FromTimestamp(event.decided_at()) : recorded;
  switch (event.kind_case()) {
    case ledger::v1::ContainerEvent::kFlagRaised:
      ApplyFlagRaised(event.flag_raised(), at, c->mutable_flags());
      return;
    case ledger::v1::ContainerEvent::kFlagAcked:
    case ledger::v1::ContainerEvent::kFlagResolved: {
      const bool acked = event.has_flag_acked();
      const ledger::v1::FlagNoted& n =
          acked ? event.flag_acked() : event.flag_resolved();
      ApplyFlagNote(n.id(),
                    acked ? v1::FLAG_STATE_ACKED : v1::FLAG_STATE_RESOLVED,
                    n.by(), n.note(), at, c->mutable_flags());
      return;
    }
    case ledger::v1::ContainerEvent::kStorageEnded:
      c->set_storage_ended_on(event.storage_ended().manifest());
      return;
    case ledger::v1::ContainerEvent::kStock:
      break;
    default:
      return;
  }
  // The registration's state is kept as it replays; the first record adds
  // what the ledger needs from it.
  if (c->records().empty()) c->set_label_weight_g(c->weight_g());
  v1::StockRecord* r = c->add_records();
  *r = Transcribe<v1::StockRecord>(event.stock().record());
  r->set_storage_limit_days(event.stock().storage_limit_days());
  r->set_frees_sources(event.stock().frees_sources());
  r->set_number(static_cast<int32_t>(ContainerVersion(*c)));
  *r->mutable_recorded_at() = ToTimestamp(
      event.has_decided_at() ? FromTimestamp(event.decided_at()) : recorded);
  if (r->move() == v1::STOCK_MOVE_REVOKED && r->revokes() > 1) {
    for (v1::StockRecord& other : *c->mutable_records()) {
      if (other.number() == r->revokes()) other.set_revoked(true);
    }
  }
  Recompute(c);
}

bool TakenOutOfStock(v1::ManifestStatus status) {
  switch (status) {
    case v1::MANIFEST_STATUS_UNSPECIFIED:
    case v1::MANIFEST_STATUS_DRAFT:
    case v1::MANIFEST_STATUS_ISSUED:
    case v1::MANIFEST_STATUS_CANCELLED:
    case v1::MANIFEST_STATUS_VOIDED:
      return false;
    default:
      return true;
  }
}

v1::GetStockResponse StockOf(
    const std::vector<v1::Container>& containers,
    const std::map<std::string, v1::Manifest>& manifests, absl::Time now) {
  v1::GetStockResponse out;
  const absl::CivilDay today = absl::ToCivilDay(now, ChinaTime());
  out.set_as_of(absl::FormatCivilTime(today));
  std::map<std::pair<std::string, std::string>, v1::StockBalance> balances;
  // What left stock on each manifest line, by manifest and line.
  std::map<std::pair<std::string, int>, int64_t> left;
  for (const v1::Container& c : containers) {
    if (c.stock() == v1::STOCK_STATE_VOID) continue;
    v1::StockBalance& b = balances[{c.waste_code(), c.facility()}];
    b.set_waste_code(c.waste_code());
    b.set_facility(c.facility());
    b.set_containers(b.containers() + 1);
    b.set_generated_g(b.generated_g() + c.weight_g());
    const v1::Manifest* m = nullptr;
    if (auto it = manifests.find(c.manifest()); it != manifests.end()) {
      m = &it->second;
    }
    if (c.stock() == v1::STOCK_STATE_OWN_USE) {
      b.set_own_use_g(b.own_use_g() + c.weight_g());
      continue;
    }
    if (m != nullptr && TakenOutOfStock(m->status())) {
      b.set_shipped_g(b.shipped_g() + c.weight_g());
      for (int i = 0; i < m->lines_size(); ++i) {
        const auto& listed = m->lines(i).containers();
        if (std::find(listed.begin(), listed.end(), c.code()) != listed.end()) {
          left[{m->number(), i}] += c.weight_g();
        }
      }
      if (c.stock() != v1::STOCK_STATE_STORED) {
        v1::StockDifference* d = out.add_differences();
        d->set_manifest(m->number());
        d->set_container(c.code());
        d->set_detail(absl::StrCat(c.code(), " left on manifest ", m->number(),
                                   " without being booked into storage"));
      }
      continue;
    }
    b.set_stock_g(b.stock_g() + c.weight_g());
    b.set_in_stock(b.in_stock() + 1);
    if (c.stock() != v1::STOCK_STATE_STORED) continue;
    const std::string since = Day(c.stored_at());
    if (b.oldest().empty() || since < b.oldest()) b.set_oldest(since);
    if (HeldPastStorageLimit(FromTimestamp(c.stored_at()), now)) {
      v1::OverdueStock* o = out.add_overdue();
      o->set_code(c.code());
      o->set_facility(c.facility());
      o->set_stored_on(since);
      o->set_days(static_cast<int32_t>(
          today - absl::ToCivilDay(FromTimestamp(c.stored_at()), ChinaTime())));
    }
  }
  // A line weighed in bulk states what the weighbridge found; the rest sum
  // their containers when opened. Either way, what left stock is compared.
  for (const auto& [key, grams] : left) {
    const v1::Manifest& m = manifests.at(key.first);
    const v1::WasteLine& line = m.lines(key.second);
    if (line.quantity_g() == grams) continue;
    v1::StockDifference* d = out.add_differences();
    d->set_manifest(m.number());
    d->set_detail(absl::StrCat("manifest ", m.number(), " lines[", key.second,
                               "] states ", FormatGrams(line.quantity_g()),
                               "; its containers left stock with ",
                               FormatGrams(grams)));
  }
  for (auto& [key, b] : balances) *out.add_balances() = std::move(b);
  return out;
}

bool HeldPastStorageLimit(absl::Time since, absl::Time now, int limit_days) {
  return absl::ToCivilDay(now, ChinaTime()) -
             absl::ToCivilDay(since, ChinaTime()) >
         limit_days;
}

absl::Time StorageDue(absl::Time since, int limit_days) {
  return absl::FromCivil(absl::ToCivilDay(since, ChinaTime()) + limit_days + 1,
                         ChinaTime());
}

absl::optional<absl::Time> StorageDeadline(const v1::Container& c) {
  if (c.stock() != v1::STOCK_STATE_STORED || c.storage_limit_days() <= 0 ||
      !c.storage_ended_on().empty()) {
    return absl::nullopt;
  }
  for (const v1::Flag& f : c.flags()) {
    if (f.kind() == v1::FLAG_KIND_STOCK_OVERDUE) return absl::nullopt;
  }
  return StorageDue(FromTimestamp(c.stored_at()), c.storage_limit_days());
}

absl::optional<ledger::v1::ContainerEvent> SweepStorage(
    const v1::Container& c, v1::ManifestStatus listed_on,
    const v1::Enterprise& generator, absl::Time now) {
  const absl::optional<absl::Time> due = StorageDeadline(c);
  if (!due.has_value() || *due > now) return absl::nullopt;
  ledger::v1::ContainerEvent e;
  *e.mutable_decided_at() = ToTimestamp(now);
  if (TakenOutOfStock(listed_on)) {
    e.mutable_storage_ended()->set_manifest(c.manifest());
    return e;
  }
  ledger::v1::Flag* f = e.mutable_flag_raised();
  f->set_id(FlagId(c.code(), c.flags_size() + 1));
  f->set_kind(ledger::v1::FLAG_KIND_STOCK_OVERDUE);
  f->set_severity(ledger::v1::SEVERITY_HIGH);
  f->set_state(ledger::v1::FLAG_STATE_OPEN);
  f->set_container(c.code());
  f->add_enterprises(c.generator());
  f->set_origin_county(generator.division());
  f->set_origin_city(generator.division().substr(0, 4));
  const absl::Time since = FromTimestamp(c.stored_at());
  f->set_detail(absl::StrCat(
      c.code(), " (", c.waste_code(), ", ", FormatGrams(c.weight_g()),
      ") held in ", c.facility(), " since ",
      absl::FormatCivilTime(absl::ToCivilDay(since, ChinaTime())),
      ": past its storage limit of ", c.storage_limit_days(), " days"));
  for (const v1::StockRecord& r : c.records()) {
    if (r.move() == v1::STOCK_MOVE_STORED && !r.revoked()) {
      f->add_evidence(static_cast<uint64_t>(r.number()));
    }
  }
  *f->mutable_raised_at() = ToTimestamp(now);
  *f->mutable_due_at() = ToTimestamp(*due);
  return e;
}

absl::StatusOr<ContainerDecision> DecideContainerFlagNote(
    const v1::Container& c, ledger::v1::FlagNoted note, v1::FlagState to,
    absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckFlagNote(c.flags(), note, to));
  ContainerDecision d;
  if (to == v1::FLAG_STATE_ACKED) {
    *d.event.mutable_flag_acked() = std::move(note);
  } else {
    *d.event.mutable_flag_resolved() = std::move(note);
  }
  *d.event.mutable_decided_at() = ToTimestamp(now);
  d.next = c;
  ApplyStockEvent(d.event, now, &d.next);
  return d;
}

}  // namespace cradle::domain
