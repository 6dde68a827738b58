import type { PolicyExplorerQuery } from '@/lib/validation/policy-explorer';

export type ExplorerParams = Partial<Omit<PolicyExplorerQuery, 'page'>> & { page?: number };

/** The explorer's URL for a set of parameters (defaults left out, so links stay short and shareable). */
export function explorerHref(params: ExplorerParams, hash?: string): string {
  const q = new URLSearchParams();
  if (params.view && params.view !== 'matrix') q.set('view', params.view);
  if (params.principal && params.principal !== 'all') q.set('principal', params.principal);
  if (params.q) q.set('q', params.q);
  if (params.decision) q.set('decision', params.decision);
  if (params.risk) q.set('risk', params.risk);
  if (params.op) q.set('op', params.op);
  if (params.scope) q.set('scope', params.scope);
  if (params.page && params.page > 1) q.set('page', String(params.page));
  const query = q.toString();
  return `/roles/matrix${query ? `?${query}` : ''}${hash ? `#${hash}` : ''}`;
}

/** The Explain view of one cell. */
export function explainHref(op: string, scope: string, principal: string): string {
  return explorerHref({ view: 'explain', op, scope, principal: principal as ExplorerParams['principal'] });
}
