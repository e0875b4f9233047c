// API key parsing (spec/maas-auth.md §4.2): consumer_key:token_key:token_secret. What a person
// pastes often carries stray quotes or whitespace (spec/clients.md §3); those are trimmed and
// reported. Everything else wrong is named — number of parts, a part's length or characters —
// without ever showing a part's value.
import {
  type ApiKeyParts,
  CONSUMER_KEY_LENGTH,
  KEY_ALPHABET,
  TOKEN_KEY_LENGTH,
  TOKEN_SECRET_LENGTH,
} from '../model/index.ts';
import { KeyFormatError, type KeyProblem } from './errors.ts';

export const PART_NAMES = ['consumer key', 'token key', 'token secret'] as const;
const LENGTHS = [CONSUMER_KEY_LENGTH, TOKEN_KEY_LENGTH, TOKEN_SECRET_LENGTH] as const;
const KEY_SHAPE = 'consumer_key:token_key:token_secret';

/** Something trimmed from the key before it was split (reported, not an error). */
export type KeyCleanup = 'whitespace' | 'quotes' | 'inner-whitespace-around-colons';

export interface KeyInspection {
  /** The three parts, when the key splits into three non-empty parts of the MAAS alphabet. */
  parts: ApiKeyParts | undefined;
  /** What was trimmed. */
  cleaned: KeyCleanup[];
  /** What is wrong, in order; empty when the key has MAAS's shape. */
  problems: Array<{ problem: KeyProblem; message: string }>;
  /** The number of colon-separated parts after trimming. */
  partCount: number;
  /** The trimmed text's parts (secrets: for the caller to try, never to print). */
  rawParts: string[];
}

/** Names a character without showing the key around it. */
export function describeChar(ch: string): string {
  const names: Record<string, string> = {
    ' ': 'a space',
    '\t': 'a tab',
    '\n': 'a newline',
    '\r': 'a carriage return',
    '"': 'a double quote',
    "'": 'a single quote',
    '`': 'a backquote',
    ':': 'a colon',
    '&': 'an ampersand',
    '%': 'a percent sign',
  };
  const named = names[ch];
  if (named) return named;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f) return `a control character (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
  if (cp > 0x7e) return `a non-ASCII character (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
  return `'${ch}'`;
}

const QUOTES = ['"', "'", '`'];

/** Trims whitespace and matching (or stray) quotes around the key, as often pasted. */
function trimKey(input: string): { text: string; cleaned: KeyCleanup[] } {
  const cleaned = new Set<KeyCleanup>();
  let text = input;
  for (;;) {
    const trimmed = text.trim();
    if (trimmed !== text) cleaned.add('whitespace');
    text = trimmed;
    const first = text[0] ?? '';
    const last = text[text.length - 1] ?? '';
    if (QUOTES.includes(first) || QUOTES.includes(last)) {
      cleaned.add('quotes');
      text = text.slice(QUOTES.includes(first) ? 1 : 0, QUOTES.includes(last) && text.length > 1 ? -1 : undefined);
      continue;
    }
    break;
  }
  // "ck : tk : ts", as the key is sometimes shown to explain it.
  const spaced = text.replace(/[ \t]*:[ \t]*/g, ':');
  if (spaced !== text) cleaned.add('inner-whitespace-around-colons');
  return { text: spaced, cleaned: [...cleaned] };
}

/** Looks at a key without throwing: the doctor reports every finding, the SDK throws on the first. */
export function inspectApiKey(input: string): KeyInspection {
  const { text, cleaned } = trimKey(input);
  const problems: KeyInspection['problems'] = [];
  if (text === '') {
    problems.push({ problem: 'empty', message: `The API key is empty. A MAAS API key reads ${KEY_SHAPE}.` });
    return { parts: undefined, cleaned, problems, partCount: 0, rawParts: [] };
  }
  const rawParts = text.split(':');
  if (rawParts.length !== 3) {
    problems.push({
      problem: 'parts',
      message:
        `The API key has ${rawParts.length} colon-separated part${rawParts.length === 1 ? '' : 's'} ` +
        `(${rawParts.map((p) => p.length).join(':')} characters); a MAAS API key has 3: ${KEY_SHAPE} ` +
        `(${LENGTHS.join(':')} characters). Copy the whole key from the MAAS UI (Preferences → API keys) or \`maas apikey\`.`,
    });
    return { parts: undefined, cleaned, problems, partCount: rawParts.length, rawParts };
  }
  rawParts.forEach((part, i) => {
    const name = `part ${i + 1} (the ${PART_NAMES[i]})`;
    if (part === '') {
      problems.push({ problem: 'empty-part', message: `The API key's ${name} is empty. A MAAS API key reads ${KEY_SHAPE}.` });
      return;
    }
    const bad = [...part].findIndex((ch) => !KEY_ALPHABET.includes(ch));
    if (bad >= 0) {
      problems.push({
        problem: 'charset',
        message:
          `The API key's ${name} holds ${describeChar([...part][bad] ?? '')} at position ${bad + 1}; ` +
          'MAAS key parts hold only the letters A-Z, a-z and the digits 0-9. Copy the key again, without line breaks or punctuation.',
      });
    } else if (part.length !== LENGTHS[i]) {
      problems.push({
        problem: 'length',
        message:
          `The API key's ${name} has ${part.length} characters; MAAS makes it ${LENGTHS[i]} ` +
          `(${KEY_SHAPE} is ${LENGTHS.join(':')}). Part of the key may be missing or doubled.`,
      });
    }
  });
  const [consumerKey, tokenKey, tokenSecret] = rawParts as [string, string, string];
  return {
    parts: problems.length === 0 ? { consumerKey, tokenKey, tokenSecret } : undefined,
    cleaned,
    problems,
    partCount: 3,
    rawParts,
  };
}

/**
 * Parses an API key, trimming stray whitespace and quotes.
 * @throws KeyFormatError (ERR_CLIENT_KEY_FORMAT) naming the first problem; never the key itself.
 */
export function parseApiKey(input: string): ApiKeyParts {
  const inspection = inspectApiKey(input);
  const first = inspection.problems[0];
  if (first || !inspection.parts) throw new KeyFormatError(first?.problem ?? 'parts', first?.message ?? 'Malformed API key.');
  return inspection.parts;
}
