#include "domain/flag_history.h"

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "base/time.h"
#include "domain/legal_form.h"
#include "domain/names.h"
#include "domain/record.h"

namespace cradle::domain {

void ApplyFlagRaised(const ledger::v1::Flag& raised, absl::Time recorded,
                     Flags* flags) {
  v1::Flag* f = flags->Add();
  *f = Transcribe<v1::Flag>(raised);
  v1::FlagNote* note = f->add_history();
  note->set_state(f->state());
  note->set_by("cradle");
  note->set_note(f->detail());
  *note->mutable_at() = ToTimestamp(recorded);
}

void ApplyFlagNote(absl::string_view id, v1::FlagState state,
                   absl::string_view by, absl::string_view note,
                   absl::Time recorded, Flags* flags) {
  for (v1::Flag& f : *flags) {
    if (f.id() != id) continue;
    f.set_state(state);
    v1::FlagNote* h = f.add_history();
    h->set_state(state);
    h->set_by(std::string(by));
    h->set_note(std::string(note));
    *h->mutable_at() = ToTimestamp(recorded);
  }
}

absl::Status CheckFlagNote(const Flags& flags,
                           const ledger::v1::FlagNoted& note,
                           v1::FlagState to) {
  const v1::Flag* flag = nullptr;
  for (const v1::Flag& f : flags) {
    if (f.id() == note.id()) flag = &f;
  }
  if (flag == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("flag ", note.id(), " does not exist"));
  }
  CRADLE_RETURN_IF_ERROR(CheckText("note", note.note(), kMaxTextBytes, true));
  CRADLE_RETURN_IF_ERROR(CheckText("by", note.by(), kMaxShortTextBytes, true));
  const bool allowed = to == v1::FLAG_STATE_ACKED
                           ? flag->state() == v1::FLAG_STATE_OPEN
                           : to == v1::FLAG_STATE_RESOLVED &&
                                 (flag->state() == v1::FLAG_STATE_OPEN ||
                                  flag->state() == v1::FLAG_STATE_ACKED);
  if (!allowed) {
    return absl::FailedPreconditionError(
        absl::StrCat("flag ", note.id(), " is ", ShortName(flag->state()),
                     "; it cannot become ", ShortName(to)));
  }
  return absl::OkStatus();
}

int FlagEntries(const Flags& flags) {
  int n = 0;
  for (const v1::Flag& f : flags) n += f.history_size();
  return n;
}

}  // namespace cradle::domain
