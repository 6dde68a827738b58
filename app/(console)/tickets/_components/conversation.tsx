import { RoleBadge } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import { showControlCharacters } from '@/lib/audit/display';
import type { TicketDetailDTO } from '@/lib/dal/tickets';
import { PlainText } from './ticket-badges';

type Comment = TicketDetailDTO['comments'][number];

function Author({ author }: { author: Comment['author'] }) {
  if (!author) return <span className="text-slate-500">Unknown author</span>;
  return (
    <span className="inline-flex items-center gap-1.5">
      <span className="font-medium text-slate-900">{showControlCharacters(author.name)}</span>
      {author.role !== 'member' ? <RoleBadge role={author.role} /> : null}
    </span>
  );
}

function Entry({ comment }: { comment: Comment }) {
  if (comment.kind === 'system') {
    return (
      <li data-testid="comment" data-kind="system" className="flex flex-wrap gap-x-2 px-1 text-xs text-slate-500">
        <span>{showControlCharacters(comment.body)}</span>
        <span aria-hidden="true">·</span>
        <span>{comment.author ? showControlCharacters(comment.author.name) : 'System'}</span>
        <span aria-hidden="true">·</span>
        <Time value={comment.createdAt} />
      </li>
    );
  }
  const internal = comment.kind === 'internal';
  return (
    <li
      data-testid="comment"
      data-kind={comment.kind}
      className={`rounded-xl p-4 shadow-sm ring-1 ${internal ? 'bg-amber-50 ring-amber-200' : 'bg-white ring-slate-200'}`}
    >
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2 text-xs text-slate-600">
        <span className="flex flex-wrap items-center gap-2">
          {internal ? <span className="rounded bg-amber-200 px-1.5 py-0.5 font-semibold text-amber-900">Internal note</span> : null}
          <Author author={comment.author} />
        </span>
        <Time value={comment.createdAt} />
      </div>
      <PlainText text={comment.body} />
    </li>
  );
}

/** The requester's original message, then replies, internal notes (amber, labelled) and system lines, oldest first. */
export function Conversation({
  ticket,
}: {
  ticket: Pick<TicketDetailDTO, 'body' | 'requesterName' | 'createdAt' | 'comments' | 'commentCount'>;
}) {
  const hidden = ticket.commentCount - ticket.comments.length;
  return (
    <section aria-label="Conversation" data-testid="conversation" className="space-y-3">
      <article data-testid="ticket-body" className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <div className="mb-2 flex flex-wrap items-center justify-between gap-2 text-xs text-slate-600">
          <span>
            <span className="font-medium text-slate-900">{showControlCharacters(ticket.requesterName)}</span> opened the ticket
          </span>
          <Time value={ticket.createdAt} />
        </div>
        <PlainText text={ticket.body} />
      </article>
      {ticket.comments.length === 0 ? (
        <p className="px-1 text-sm text-slate-500">No replies yet.</p>
      ) : (
        <ol className="space-y-3">
          {hidden > 0 ? (
            <li className="px-1 text-sm text-slate-600" data-testid="conversation-cut">
              {hidden.toLocaleString('en')} earlier {hidden === 1 ? 'entry is' : 'entries are'} not shown: this page shows the newest{' '}
              {ticket.comments.length.toLocaleString('en')} of {ticket.commentCount.toLocaleString('en')}. Every entry is in the audit trail
              (operation ticket.comment).
            </li>
          ) : null}
          {ticket.comments.map((c) => (
            <Entry key={c.id} comment={c} />
          ))}
        </ol>
      )}
    </section>
  );
}
