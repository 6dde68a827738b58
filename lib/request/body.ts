/**
 * A request body as UTF-8 text, or null once it exceeds `max` bytes, whatever
 * Content-Length said (a chunked body has none): reading stops and the stream is
 * cancelled there, so an oversized body is never held in memory. Used by the
 * public endpoints that take no session (CSP reports, witness cosignatures).
 */
export async function readBodyAtMost(request: Request, max: number): Promise<string | null> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(all);
}
