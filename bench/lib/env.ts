// The benchmarks' environment knobs, read the same way by each of them.
import { randomBytes } from 'node:crypto';

/** A non-negative number from the environment, or `fallback` when unset or empty. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
}

/**
 * BENCH_NONCES: `random` (the default) makes 32 hex characters per request, as gomaasapi and
 * python-libmaas send; `sequential` a counter, which databases index more cheaply than real
 * clients' nonces. Either way unique across the whole process.
 */
export function nonceSource(): { kind: 'random' | 'sequential'; next: () => string } {
  const kind = process.env['BENCH_NONCES'] || 'random';
  if (kind === 'random') return { kind, next: () => randomBytes(16).toString('hex') };
  if (kind !== 'sequential') throw new Error(`BENCH_NONCES must be random or sequential, got ${kind}`);
  const prefix = randomBytes(6).toString('hex');
  let counter = 0;
  return { kind, next: () => `${prefix}${(counter++).toString(36)}` };
}
