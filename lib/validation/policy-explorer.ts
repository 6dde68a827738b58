import { z } from 'zod';
import { MATRIX_PRINCIPALS } from '@/policies/matrix';

/** The explorer's views: the whole matrix, one role's operations, one cell explained. */
export const EXPLORER_VIEWS = ['matrix', 'role', 'explain'] as const;
export type ExplorerView = (typeof EXPLORER_VIEWS)[number];

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .catch(undefined)
    .transform((v) => (v ? v : undefined));

/**
 * The policy explorer's URL (house style 14): anything unexpected falls back to
 * a default. `op` and `scope` name one cell for the Explain view; they are only
 * ever looked up in the catalog, never rendered as anything but text.
 */
export const PolicyExplorerQuerySchema = z.object({
  view: z.enum(EXPLORER_VIEWS).catch('matrix').default('matrix'),
  principal: z
    .enum([...MATRIX_PRINCIPALS, 'all'])
    .catch('all')
    .default('all'),
  q: optionalText(100),
  decision: z.enum(['allow', 'step-up', 'approval', 'deny']).optional().catch(undefined),
  risk: z.enum(['low', 'high', 'critical']).optional().catch(undefined),
  op: z
    .string()
    .max(100)
    .regex(/^[a-z0-9_.]+$/)
    .optional()
    .catch(undefined),
  scope: optionalText(200),
  page: z.coerce.number().int().min(1).max(1000).catch(1).default(1),
});
export type PolicyExplorerQuery = z.output<typeof PolicyExplorerQuerySchema>;
