import { describe, expect, it } from 'vitest';
import { TicketListQuerySchema } from '@/lib/validation/tickets';
import { ageTone, applyListDefaults, displayLines, formatAge, ticketListParams } from './ticket-format';

const parse = (raw: Record<string, string>, isAgent: boolean) => applyListDefaults(raw, TicketListQuerySchema.parse(raw), isAgent);

describe('formatAge', () => {
  it('shows hours under two days and whole days after', () => {
    expect(formatAge(0)).toBe('<1 h');
    expect(formatAge(3)).toBe('3 h');
    expect(formatAge(47)).toBe('47 h');
    expect(formatAge(48)).toBe('2 d');
    expect(formatAge(100)).toBe('4 d');
  });
});

describe('ageTone', () => {
  it('is amber over 24 h and red over 72 h while the requester waits', () => {
    expect(ageTone(24, 'open')).toBe('slate');
    expect(ageTone(25, 'open')).toBe('amber');
    expect(ageTone(72, 'pending')).toBe('amber');
    expect(ageTone(73, 'pending')).toBe('red');
  });
  it('never warns about resolved or closed tickets', () => {
    expect(ageTone(500, 'resolved')).toBe('slate');
    expect(ageTone(500, 'closed')).toBe('slate');
  });
});

describe('displayLines', () => {
  it('keeps line breaks as lines and makes bidi and control characters visible', () => {
    expect(displayLines('Hello\r\nworld')).toEqual(['Hello', 'world']);
    expect(displayLines('pay \u202Egnp.exe')).toEqual(['pay \\u{202E}gnp.exe']);
    expect(displayLines('a\rb\u200Bc')).toEqual(['a\\rb\\u{200B}c']);
  });
});

describe('applyListDefaults', () => {
  it('gives a support agent their active tickets when the URL says nothing', () => {
    expect(parse({}, true)).toMatchObject({ status: 'active', assignee: 'me' });
  });
  it('lets the URL override the defaults, with "all" meaning no filter', () => {
    expect(parse({ status: 'all', assignee: 'all' }, true)).toMatchObject({ status: undefined, assignee: undefined });
    expect(parse({ status: 'closed' }, true)).toMatchObject({ status: 'closed', assignee: 'me' });
  });
  it('gives admins no defaults and never treats "all" as an agent id', () => {
    expect(parse({}, false)).toMatchObject({ status: undefined, assignee: undefined });
    expect(parse({ assignee: 'all' }, false).assignee).toBeUndefined();
    expect(parse({ assignee: 'unassigned' }, false).assignee).toBe('unassigned');
  });
  it('round-trips through the pagination parameters without falling back to a default', () => {
    const query = parse({ status: 'all', tag: 'billing', sort: 'priority' }, true);
    const params = Object.fromEntries(Object.entries(ticketListParams(query)).filter(([, v]) => v !== undefined)) as Record<string, string>;
    expect(params).toEqual({ status: 'all', assignee: 'me', tag: 'billing', sort: 'priority' });
    expect(parse(params, true)).toMatchObject({ status: undefined, assignee: 'me', tag: 'billing', sort: 'priority' });
  });
});
