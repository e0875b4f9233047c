// Output of the client commands: the raw body for scripts (the default, as the maas CLI), a
// table for people (--output table), and --debug's view of each exchange with credentials
// redacted (STYLE 12: secrets never printed).
import type { Exchange } from '../client/index.ts';

/** Columns people look for first, in this order, when a list holds them. */
const PREFERRED = [
  'system_id',
  'hostname',
  'fqdn',
  'status_name',
  'owner',
  'power_state',
  'architecture',
  'cpu_count',
  'memory',
  'id',
  'name',
  'username',
  'email',
  'is_superuser',
  'type',
  'description',
  'comment',
  'definition',
  'token',
];

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const named = (value as { name?: unknown }).name;
    if (typeof named === 'string') return named;
    return JSON.stringify(value);
  }
  return String(value);
}

function grid(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

/** A JSON value as a table: lists of objects by column, an object as key/value lines. */
export function renderTable(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '(none)';
    if (value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
      const keys = new Set(value.flatMap((v) => Object.keys(v as object)));
      let columns = PREFERRED.filter((k) => keys.has(k));
      if (columns.length === 0) columns = [...keys].slice(0, 8);
      const rows = [columns.map((c) => c.toUpperCase()), ...value.map((v) => columns.map((c) => cell((v as Record<string, unknown>)[c])))];
      return grid(rows);
    }
    return value.map(cell).join('\n');
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '(empty)';
    return grid(entries.map(([k, v]) => [k, cell(v)]));
  }
  return cell(value);
}

const REDACTED_REQUEST = new Set(['authorization', 'cookie', 'x-csrftoken']);

/** --debug: the request line and headers, then the status and response headers; credentials redacted. */
export function formatExchange(exchange: Exchange): string {
  const lines = [`> ${exchange.method} ${exchange.url}${exchange.attempt > 1 ? ` (attempt ${exchange.attempt})` : ''}`];
  for (const [name, value] of Object.entries(exchange.requestHeaders)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') {
      // Say how it was signed, without any value: the scheme and the signature method only.
      const method = /oauth_signature_method="([A-Z0-9-]+)"/.exec(value)?.[1];
      lines.push(`> ${name}: ${value.split(' ', 1)[0]} [redacted${method ? `; ${method}` : ''}]`);
    } else if (REDACTED_REQUEST.has(lower)) {
      lines.push(`> ${name}: [redacted]`);
    } else {
      lines.push(`> ${name}: ${value}`);
    }
  }
  lines.push(`< ${exchange.status}`);
  exchange.responseHeaders.forEach((value, name) => {
    lines.push(`< ${name}: ${name.toLowerCase() === 'set-cookie' ? '[redacted]' : value}`);
  });
  return `${lines.join('\n')}\n`;
}
