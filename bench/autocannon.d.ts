/** The part of autocannon's programmatic API the suite uses (the package ships no types). */
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeout?: number;
    verifyBody?: (body: string) => boolean;
  }
  interface Result {
    duration: number;
    requests: { total: number; average: number };
    latency: Record<string, number>;
    '2xx': number;
    non2xx: number;
    errors: number;
    timeouts: number;
    mismatches?: number;
  }
  interface Instance extends PromiseLike<Result> {
    on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this;
  }
  function autocannon(options: Options): Instance;
  export default autocannon;
}
