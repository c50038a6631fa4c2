// Answering a revision (docs/LIFECYCLE.md, "Revisions") from an inbox row:
// a note, approve and refuse. The clerk answers as its enterprise, the
// regulator as "regulator:<jurisdiction>"; a refusal needs the note, and
// the server says so, naming it.

import { el, guarded, newKey, post, showDone } from './cradle.js';

// The controls for inbox `item` (TASK_ANSWER_REVISION), answering as `by`;
// `after` runs once an answer is recorded.
export function revisionAnswer(item, by, after) {
  const note = el('input', { 'aria-label': `意见 Note on ${item.revision}`, maxlength: 500, class: 'note' });
  const answer = (verdict, label) => el('button', {
    type: 'button',
    class: verdict === 'REVISION_VERDICT_REFUSE' ? 'secondary' : undefined,
    onclick: (ev) => guarded(ev.target, async () => {
      await post(`/v1/revisions/${item.revision}:answer`, {
        meta: { idempotencyKey: newKey('page-answer') }, by, verdict, note: note.value.trim(),
      });
      showDone(`${label}: ${item.revision}`);
      await after();
    }),
  }, label);
  return [note, answer('REVISION_VERDICT_APPROVE', '批准 Approve'), answer('REVISION_VERDICT_REFUSE', '拒绝 Refuse')];
}
