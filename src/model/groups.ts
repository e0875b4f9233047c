// Tags, zones and resource pools: wire shapes, defaults and name rules
// (spec/maas-resources.md §2.8–§2.10). No I/O.
import { API_PREFIX } from './wire.ts';

/** The zone every node starts in; migration 0002 gives it id 1 (spec §2.6.5). Renaming it is allowed. */
export const DEFAULT_ZONE_ID = 1;
/** The pool named `default`, id 0, description `Default pool` (spec §2.10). */
export const DEFAULT_POOL_ID = 0;

/** spec §2.8 */
export interface TagJson {
  name: string;
  definition: string;
  comment: string;
  kernel_opts: string;
  resource_uri: string;
}

/** spec §2.9 */
export interface ZoneJson {
  id: number;
  name: string;
  description: string;
  resource_uri: string;
}

/** spec §2.10 */
export interface ResourcePoolJson {
  id: number;
  name: string;
  description: string;
  resource_uri: string;
}

export function tagUri(name: string): string {
  return `${API_PREFIX}tags/${encodeURIComponent(name)}/`;
}

// Django's default validator messages, which MAAS's model forms return (spec §2.8–§2.10).
export const REQUIRED = 'This field is required.';
export const INVALID_VALUE = 'Enter a valid value.';
export const maxLength = (max: number, actual: number) => `Ensure this value has at most ${max} characters (it has ${actual}).`;

/** Tag names: `^[a-zA-Z0-9_-]+$`, at most 256 characters (spec §2.8). */
export function tagNameErrors(name: string | undefined): string[] {
  if (name === undefined || name === '') return [REQUIRED];
  if (name.length > 256) return [maxLength(256, name.length)];
  return /^[a-zA-Z0-9_-]+$/.test(name) ? [] : [INVALID_VALUE];
}

/** Zone names: `^\w[ \w-]*$`, at most 256 characters (spec §2.9). */
export function zoneNameErrors(name: string | undefined): string[] {
  if (name === undefined || name === '') return [REQUIRED];
  if (name.length > 256) return [maxLength(256, name.length)];
  return /^[\p{L}\p{N}_][ \p{L}\p{N}_-]*$/u.test(name) ? [] : [INVALID_VALUE];
}

/** Pool names: required, at most 256 characters (spec §2.10 gives no pattern). */
export function poolNameErrors(name: string | undefined): string[] {
  if (name === undefined || name.trim() === '') return [REQUIRED];
  return name.length > 256 ? [maxLength(256, name.length)] : [];
}

/**
 * A light syntax check of a tag's XPath definition (spec §2.8): balanced brackets and
 * parentheses, closed quotes, no empty predicate. maaskit never evaluates definitions (they
 * would match lshw data, which simulated machines do not have), so this only catches typos.
 */
export function xpathError(definition: string): string | undefined {
  const stack: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < definition.length; i++) {
    const c = definition[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') stack.push(c === '[' ? ']' : ')');
    else if (c === ']' || c === ')') {
      if (stack.pop() !== c) return 'Invalid expression';
      if (c === ']' && definition[i - 1] === '[') return 'Invalid expression';
    }
  }
  if (quote || stack.length > 0) return 'Invalid expression';
  if (/^\s*[/|]?\s*$/.test(definition) && definition.trim() !== '') return 'Invalid expression';
  return undefined;
}
