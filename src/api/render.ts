// Response builders with MAAS's content types (spec/maas-resources.md §2.0 and §5).
import type { ActionResult } from './registry.ts';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

export function json(value: unknown, status = 200): ActionResult {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(value) };
}

/**
 * Python's json.dumps layout (", " and ": " separators, or an indent), for the responses whose
 * exact text spec/maas-auth.md §4.4 records. Non-ASCII is escaped as Python's ensure_ascii does.
 */
export function pythonJson(value: unknown, indent?: number): string {
  const text = indent === undefined ? JSON.stringify(value, null, 1) : JSON.stringify(value, null, indent);
  const flat =
    indent === undefined
      ? text
          .replace(/\n\s*/g, (m, offset: number) => {
            const before = text[offset - 1];
            const after = text[offset + m.length];
            if (before === '[' || before === '{' || after === ']' || after === '}') return '';
            return ' ';
          })
      : text;
  return flat.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** piston's rc.DELETED: 204, empty body, text/plain. */
export function deleted(): ActionResult {
  return { status: 204, contentType: 'text/plain', body: '' };
}

/** piston's rc.ACCEPTED. */
export function accepted(): ActionResult {
  return { status: 202, contentType: 'text/plain', body: 'Accepted' };
}

export function text(body: string, status = 200, contentType = TEXT_TYPE): ActionResult {
  return { status, contentType, body };
}
