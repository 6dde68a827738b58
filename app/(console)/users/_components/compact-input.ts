/**
 * The input without its empty optional fields. A step-up is bound to the
 * canonical JSON of the exact input (RFC 8785), which has no `undefined`; an
 * optional field left blank is therefore left out instead of sent as undefined.
 */
export function compactInput<T extends Record<string, unknown>>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== '')) as T;
}
