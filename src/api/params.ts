// Request parameter decoding as MAAS sees it (spec/maas-resources.md §6): query strings and
// form bodies (application/x-www-form-urlencoded), multipart/form-data bodies including the
// base64-encoded parts the maas CLI and python-libmaas send, repeated keys, and MAAS booleans.
//
// Everything works on Buffers with Buffer.indexOf scans: linear time, no regex over a body,
// binary file parts byte-exact. Any malformed input ends in a BodyError (an ApiError with
// status 400), never in another kind of exception.
import { TextDecoder } from 'node:util';
import { ApiError } from './errors.ts';

export type ParamList = Array<[name: string, value: string]>;

export interface UploadedFile {
  /** The form field name. */
  name: string;
  /** As sent by the client, not sanitised (it may hold a path). */
  filename: string;
  /** The part's media type, lower-cased and without parameters; `text/plain` when absent (RFC 7578 §4.4). */
  contentType: string;
  /** The part's content after transfer decoding. */
  data: Buffer;
}

export interface DecodedBody {
  kind: 'none' | 'urlencoded' | 'multipart' | 'other';
  params: Params;
  files: UploadedFile[];
}

/** At most this many pairs in one query string or urlencoded body, and parts in one multipart body. */
export const MAX_PARAMS = 1000;

/** A request body (or query string) that cannot be decoded; the server answers 400. */
export class BodyError extends ApiError {
  override readonly code = 'ERR_API_BODY_MALFORMED' as const;

  constructor(message: string) {
    super(400, 'ERR_API_BODY_MALFORMED', message);
    this.name = 'BodyError';
  }
}

function tooManyParameters(): BodyError {
  return new BodyError(`Too many parameters: at most ${MAX_PARAMS} are accepted.`);
}

function malformedMultipart(why: string): BodyError {
  return new BodyError(`Malformed multipart body: ${why}.`);
}

/**
 * Ordered multi-valued parameters. get() returns the LAST value (Django QueryDict.get
 * semantics); getAll() all values in order.
 */
export class Params {
  readonly #pairs: ParamList;
  readonly #byName = new Map<string, string[]>();

  constructor(pairs: ParamList = []) {
    this.#pairs = pairs.map(([name, value]): [string, string] => [name, value]);
    for (const [name, value] of this.#pairs) {
      const values = this.#byName.get(name);
      if (values === undefined) this.#byName.set(name, [value]);
      else values.push(value);
    }
  }

  get(name: string): string | undefined {
    return this.#byName.get(name)?.at(-1);
  }

  getAll(name: string): string[] {
    return [...(this.#byName.get(name) ?? [])];
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** A copy of all pairs in arrival order. */
  entries(): ParamList {
    return this.#pairs.map(([name, value]): [string, string] => [name, value]);
  }

  /** Distinct names in order of first appearance. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** Concatenates in argument order, so get() prefers values from later lists. */
  static merge(...lists: Params[]): Params {
    return new Params(lists.flatMap((list) => list.#pairs));
  }
}

// formencode StringBool, which MAAS uses for most op flags (spec/maas-resources.md §6).
// formencode strips and lower-cases before comparing.
const TRUE_WORDS = new Set(['true', 't', '1', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['false', 'f', '0', 'no', 'n', 'off']);

/** MAAS boolean parsing (formencode StringBool), case-insensitive; anything else → undefined. */
export function parseStringBool(value: string): boolean | undefined {
  const word = value.trim();
  if (word.length > 5) return undefined;
  const lower = word.toLowerCase();
  if (TRUE_WORDS.has(lower)) return true;
  if (FALSE_WORDS.has(lower)) return false;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Text decoding

type TextDecode = (bytes: Uint8Array) => string;

// Buffer's UTF-8 decoder replaces invalid sequences with U+FFFD and, unlike TextDecoder's
// default, keeps a leading BOM as data.
const decodeUtf8: TextDecode = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/** A decoder for a declared charset; unknown or absent charsets fall back to UTF-8 (as Django does). */
function textDecoderFor(charset: string | undefined): TextDecode {
  if (charset === undefined) return decodeUtf8;
  const label = charset.trim().toLowerCase();
  if (label === 'utf-8' || label === 'utf8' || label === '') return decodeUtf8;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: false, ignoreBOM: true });
  } catch {
    return decodeUtf8;
  }
  return (bytes) => decoder.decode(bytes);
}

// ---------------------------------------------------------------------------------------------
// application/x-www-form-urlencoded

const AMP = 0x26;
const EQ = 0x3d;
const PLUS = 0x2b;
const PERCENT = 0x25;
const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * `%XX` → byte, and '+' → space when `plusIsSpace`; an invalid %-sequence stays literal
 * (WHATWG URL "percent-decode").
 */
function percentDecodeBytes(segment: Buffer, plusIsSpace: boolean): Buffer {
  if (segment.indexOf(PERCENT) === -1 && (!plusIsSpace || segment.indexOf(PLUS) === -1)) return segment;
  const out = Buffer.allocUnsafe(segment.length);
  let n = 0;
  for (let i = 0; i < segment.length; i++) {
    const byte = segment[i]!;
    if (byte === PLUS && plusIsSpace) {
      out[n++] = SPACE;
      continue;
    }
    if (byte === PERCENT) {
      const high = hexValue(segment[i + 1]);
      const low = hexValue(segment[i + 2]);
      if (high >= 0 && low >= 0) {
        out[n++] = high * 16 + low;
        i += 2;
        continue;
      }
    }
    out[n++] = byte;
  }
  return out.subarray(0, n);
}

// WHATWG URL §5.1 (application/x-www-form-urlencoded parsing), which Python's parse_qsl
// (Django's QueryDict) matches for the cases clients produce: split on '&' only, skip empty
// pieces, split each piece at its first '='; a piece without '=' has the value ''. A piece like
// '=x' is kept as the name '' — no handler reads that name, and dropping it would hide input.
function parseUrlEncodedBytes(bytes: Buffer, decode: TextDecode): ParamList {
  const pairs: ParamList = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(AMP, start);
    if (end === -1) end = bytes.length;
    if (end > start) {
      if (pairs.length === MAX_PARAMS) throw tooManyParameters();
      // Search only inside the piece: a body with no '=' must not make this quadratic.
      const piece = bytes.subarray(start, end);
      const eq = piece.indexOf(EQ);
      const name = eq === -1 ? piece : piece.subarray(0, eq);
      const value = eq === -1 ? piece.subarray(piece.length) : piece.subarray(eq + 1);
      pairs.push([decode(percentDecodeBytes(name, true)), decode(percentDecodeBytes(value, true))]);
    }
    start = end + 1;
  }
  return pairs;
}

/**
 * application/x-www-form-urlencoded decoding ('+' is a space; invalid %-sequences kept
 * literally; invalid UTF-8 becomes U+FFFD; empty pieces such as in '&&' are skipped, '=x'
 * gives the name ''). Used for query strings (pass the text after '?') and form bodies.
 * @throws BodyError when there are more than MAX_PARAMS pairs.
 */
export function parseUrlEncoded(text: string): ParamList {
  return parseUrlEncodedBytes(Buffer.from(text, 'utf8'), decodeUtf8);
}

// ---------------------------------------------------------------------------------------------
// Header values with parameters (Content-Type, Content-Disposition)

interface HeaderValue {
  /** The part before the first ';', trimmed and lower-cased. */
  value: string;
  /** Parameter names lower-cased; the first occurrence wins; `x*` ext-values replace `x`. */
  params: Map<string, string>;
}

function isWhitespace(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

/** Reads a quoted-string starting after its opening quote; returns the text and the index after it. */
function readQuoted(text: string, from: number): [string, number] {
  let out = '';
  let i = from;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '"') return [out, i + 1];
    // RFC 7230 §3.2.6 quoted-pair — but browsers send Windows paths with bare backslashes in
    // filename="C:\dir\f", so, like Python's cgi.parse_header, only \" and \\ are escapes.
    const next = text[i + 1];
    if (char === '\\' && (next === '"' || next === '\\')) {
      out += next;
      i += 2;
      continue;
    }
    out += char;
    i++;
  }
  // Unterminated: take the rest rather than fail; the caller validates what it needs.
  return [out, i];
}

/** RFC 5987 §3.2 ext-value: charset'language'pct-encoded. Undefined when it is not one. */
function decodeExtValue(raw: string): string | undefined {
  const first = raw.indexOf("'");
  const second = first === -1 ? -1 : raw.indexOf("'", first + 1);
  if (second === -1) return undefined;
  const charset = raw.slice(0, first);
  // '+' is literal in ext-values; only %XX is an escape.
  const bytes = percentDecodeBytes(Buffer.from(raw.slice(second + 1), 'utf8'), false);
  return textDecoderFor(charset === '' ? undefined : charset)(bytes);
}

/** Parses `value; name=token; name="quoted"` (RFC 7231 §3.1.1.1, RFC 6266 §4.1) leniently. */
function parseHeaderValue(text: string): HeaderValue {
  const semicolon = text.indexOf(';');
  const value = (semicolon === -1 ? text : text.slice(0, semicolon)).trim().toLowerCase();
  const raw = new Map<string, string>();
  let i = semicolon === -1 ? text.length : semicolon + 1;
  while (i < text.length) {
    while (isWhitespace(text[i]) || text[i] === ';') i++;
    let nameEnd = i;
    while (nameEnd < text.length && text[nameEnd] !== '=' && text[nameEnd] !== ';') nameEnd++;
    const name = text.slice(i, nameEnd).trim().toLowerCase();
    if (text[nameEnd] !== '=') {
      i = nameEnd; // a bare word without '=': ignore it
      continue;
    }
    i = nameEnd + 1;
    while (isWhitespace(text[i])) i++;
    let paramValue: string;
    if (text[i] === '"') {
      [paramValue, i] = readQuoted(text, i + 1);
    } else {
      let end = text.indexOf(';', i);
      if (end === -1) end = text.length;
      paramValue = text.slice(i, end).trim();
      i = end;
    }
    if (name !== '' && !raw.has(name)) raw.set(name, paramValue);
  }
  return { value, params: applyExtValues(raw) };
}

// RFC 6266 §4.3: when both `filename` and `filename*` are present, `filename*` wins. Clients
// that put non-ASCII names through Python's email package produce the `*` form (RFC 2231).
// RFC 2231 continuations (`name*0*=`) are not supported and stay as unrelated parameters.
function applyExtValues(raw: Map<string, string>): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of raw) if (!name.endsWith('*')) params.set(name, value);
  for (const [name, value] of raw) {
    if (!name.endsWith('*') || name.length === 1) continue;
    const decoded = decodeExtValue(value);
    if (decoded !== undefined) params.set(name.slice(0, -1), decoded);
  }
  return params;
}

// ---------------------------------------------------------------------------------------------
// multipart/form-data (RFC 7578, framing per RFC 2046 §5.1.1)

// RFC 7230 §3.2.6 token characters, for header field names.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// RFC 2046 §5.1.1 allows 1–70 bchars; accept up to 200 printable ASCII characters not ending in a
// space, as Python's cgi.valid_boundary (which Django follows) does.
const BOUNDARY = /^[ -~]{0,199}[!-~]$/;

interface Delimiter {
  /** Where the preceding part's data ends (the line break before `--boundary` belongs to the delimiter). */
  dataEnd: number;
  /** The index just after the delimiter line. */
  next: number;
  /** True for the close-delimiter `--boundary--`. */
  close: boolean;
}

/**
 * Checks what follows `--boundary` at index `at`: `--` (close-delimiter; the epilogue after it
 * is ignored) or transport padding (spaces/tabs, RFC 2046 §5.1.1) then CRLF, or a bare LF for
 * leniency. Anything else means this is not a delimiter line.
 */
function delimiterLineEnd(body: Buffer, at: number): Omit<Delimiter, 'dataEnd'> | undefined {
  if (body[at] === DASH && body[at + 1] === DASH) return { next: at + 2, close: true };
  let i = at;
  while (body[i] === SPACE || body[i] === TAB) i++;
  if (body[i] === CR && body[i + 1] === LF) return { next: i + 2, close: false };
  if (body[i] === LF) return { next: i + 1, close: false };
  return undefined;
}

/**
 * Finds the next delimiter at or after `partStart`. RFC 2046 §5.1.1: a delimiter is
 * `CRLF--boundary` — it must start a line, and the CRLF before it belongs to it, not to the
 * data. We search for `LF--boundary` and drop a CR before the LF, which also accepts bare-LF
 * bodies. The search starts at the LF ending the previous delimiter line, so a part with no
 * bytes at all is found too.
 */
function findDelimiter(body: Buffer, needle: Buffer, partStart: number): Delimiter | undefined {
  let from = partStart - 1;
  for (;;) {
    const hit = body.indexOf(needle, from);
    if (hit === -1) return undefined;
    const line = delimiterLineEnd(body, hit + needle.length);
    if (line !== undefined) {
      let dataEnd = hit > partStart && body[hit - 1] === CR ? hit - 1 : hit;
      if (dataEnd < partStart) dataEnd = partStart;
      return { dataEnd, ...line };
    }
    from = hit + 1;
  }
}

/** RFC 2046 §5.1.1: the first delimiter may open the body or follow a preamble, which is ignored. */
function findFirstDelimiter(body: Buffer, needle: Buffer): Delimiter | undefined {
  // needle is LF + "--boundary"; at the very start of the body the LF is absent.
  if (body.subarray(0, needle.length - 1).equals(needle.subarray(1))) {
    const line = delimiterLineEnd(body, needle.length - 1);
    if (line !== undefined) return { dataEnd: 0, ...line };
  }
  return findDelimiter(body, needle, 1);
}

interface PartHeaders {
  disposition: HeaderValue | undefined;
  contentType: HeaderValue | undefined;
  transferEncoding: string | undefined;
}

/** Splits a part into its header block and content, or returns undefined for a zero-byte part. */
function splitPart(part: Buffer, index: number): [headers: Buffer, content: Buffer] | undefined {
  // Python's email package writes a multipart with no parts as `--b CRLF CRLF --b--`: one empty
  // part. python-libmaas sends exactly that for ops without parameters, so it is not an error.
  if (part.length === 0) return undefined;
  // A part may have no header fields at all (RFC 2046 §5.1.1): it then starts with the blank line.
  if (part[0] === CR && part[1] === LF) return [part.subarray(0, 0), part.subarray(2)];
  if (part[0] === LF) return [part.subarray(0, 0), part.subarray(1)];
  // RFC 5322 §2.1: the header section ends at the first empty line; bare LF LF is accepted too.
  // The LF LF search is bounded by the CRLF CRLF hit so that it never scans file content.
  const crlf = part.indexOf('\r\n\r\n');
  const lf = part.subarray(0, crlf === -1 ? part.length : crlf).indexOf('\n\n');
  if (lf !== -1) return [part.subarray(0, lf), part.subarray(lf + 2)];
  if (crlf !== -1) return [part.subarray(0, crlf), part.subarray(crlf + 4)];
  throw malformedMultipart(`part ${index} has no blank line after its headers`);
}

/** RFC 5322 §2.2: `Name: value` lines, with folded continuation lines (§2.2.3) unfolded. */
function parseHeaderLines(block: Buffer, index: number): Map<string, string> {
  const headers = new Map<string, string>();
  if (block.length === 0) return headers;
  const lines: string[] = [];
  for (const line of decodeUtf8(block).split(/\r?\n/)) {
    if (isWhitespace(line[0]) && lines.length > 0) lines[lines.length - 1] += ` ${line.trim()}`;
    else lines.push(line);
  }
  for (const line of lines) {
    const colon = line.indexOf(':');
    // RFC 5322 obsolete syntax allows whitespace before the colon; nothing else may be there.
    const name = colon === -1 ? '' : line.slice(0, colon).trimEnd();
    if (!TOKEN.test(name)) throw malformedMultipart(`part ${index} has a malformed header line`);
    const key = name.toLowerCase();
    if (!headers.has(key)) headers.set(key, line.slice(colon + 1).trim());
  }
  return headers;
}

function readPartHeaders(block: Buffer, index: number): PartHeaders {
  const headers = parseHeaderLines(block, index);
  const disposition = headers.get('content-disposition');
  const contentType = headers.get('content-type');
  return {
    disposition: disposition === undefined ? undefined : parseHeaderValue(disposition),
    contentType: contentType === undefined ? undefined : parseHeaderValue(contentType),
    transferEncoding: headers.get('content-transfer-encoding')?.toLowerCase(),
  };
}

// RFC 2045 §6.8 alphabet; 1 = data character, 2 = ignorable line-break/space.
const BASE64_CLASS = (() => {
  const table = new Uint8Array(256);
  for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') {
    table[char.charCodeAt(0)] = 1;
  }
  for (const byte of [SPACE, TAB, CR, LF]) table[byte] = 2;
  return table;
})();

/**
 * RFC 2045 §6.8 base64, wrapped over lines as the maas CLI sends it. Line breaks and spaces are
 * skipped; unlike §6.8's "ignore other characters", anything else is an error (as Django's
 * parser, which fails on undecodable base64): silently dropping bytes would change the value.
 * Padding may be omitted.
 */
function decodeBase64(content: Buffer): Buffer | undefined {
  let count = 0;
  let padding = 0;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i]!;
    const kind = BASE64_CLASS[byte];
    if (kind === 2) continue;
    if (byte === EQ) padding++;
    else if (kind !== 1 || padding > 0) return undefined;
    count++;
  }
  if (padding > 2) return undefined;
  if (padding > 0 ? count % 4 !== 0 : count % 4 === 1) return undefined;
  // Node's decoder skips the whitespace we allowed.
  return Buffer.from(content.toString('latin1'), 'base64');
}

/**
 * RFC 2045 §6.7: `=XX` is a byte, `=` at a line end (after optional transport padding) is a soft
 * line break; an `=` that is neither stays literal (the robustness rule of §6.7 note 1).
 */
function decodeQuotedPrintable(content: Buffer): Buffer {
  const out = Buffer.allocUnsafe(content.length);
  let n = 0;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i]!;
    if (byte !== EQ) {
      out[n++] = byte;
      continue;
    }
    const high = hexValue(content[i + 1]);
    const low = hexValue(content[i + 2]);
    if (high >= 0 && low >= 0) {
      out[n++] = high * 16 + low;
      i += 2;
      continue;
    }
    let j = i + 1;
    while (content[j] === SPACE || content[j] === TAB) j++;
    if (content[j] === CR && content[j + 1] === LF) i = j + 1;
    else if (content[j] === LF) i = j;
    else out[n++] = byte;
  }
  return out.subarray(0, n);
}

function decodeTransfer(content: Buffer, encoding: string | undefined, index: number): Buffer {
  switch (encoding) {
    case undefined:
    case '7bit':
    case '8bit':
    case 'binary':
      return content;
    case 'base64': {
      const decoded = decodeBase64(content);
      if (decoded === undefined) throw malformedMultipart(`part ${index} is not valid base64`);
      return decoded;
    }
    case 'quoted-printable':
      return decodeQuotedPrintable(content);
    default:
      // RFC 2045 §6.4 would treat the part as opaque octets; for form fields that would hand
      // handlers still-encoded values, so refuse instead.
      throw malformedMultipart(`part ${index} has an unsupported Content-Transfer-Encoding`);
  }
}

interface MultipartResult {
  pairs: ParamList;
  files: UploadedFile[];
}

function addPart(part: Buffer, index: number, defaultCharset: string | undefined, out: MultipartResult): void {
  const split = splitPart(part, index);
  if (split === undefined) return;
  const [block, content] = split;
  const headers = readPartHeaders(block, index);
  // RFC 7578 §4.2: every part has `Content-Disposition: form-data` with a `name` parameter.
  if (headers.disposition?.value !== 'form-data') {
    throw malformedMultipart(`part ${index} has no Content-Disposition: form-data header`);
  }
  const name = headers.disposition.params.get('name');
  if (name === undefined || name === '') throw malformedMultipart(`part ${index} has no name`);
  const data = decodeTransfer(content, headers.transferEncoding, index);
  const filename = headers.disposition.params.get('filename');
  if (filename !== undefined) {
    const contentType = headers.contentType?.value || 'text/plain';
    out.files.push({ name, filename, contentType, data });
    return;
  }
  // RFC 7578 §4.4/§5.1: a field's charset is its part's, else the body's (Django: request.encoding).
  const charset = headers.contentType?.params.get('charset') ?? defaultCharset;
  out.pairs.push([name, textDecoderFor(charset)(data)]);
}

function parseMultipart(body: Buffer, boundary: string | undefined, charset: string | undefined): MultipartResult {
  if (boundary === undefined || boundary === '') throw malformedMultipart('the Content-Type has no boundary');
  if (!BOUNDARY.test(boundary)) throw malformedMultipart('the boundary is not valid');
  const needle = Buffer.from(`\n--${boundary}`, 'latin1');
  let delimiter = findFirstDelimiter(body, needle);
  if (delimiter === undefined) throw malformedMultipart('no opening boundary');
  const out: MultipartResult = { pairs: [], files: [] };
  let index = 0;
  while (!delimiter.close) {
    const partStart: number = delimiter.next;
    const following = findDelimiter(body, needle, partStart);
    if (following === undefined) throw malformedMultipart('no closing boundary');
    index++;
    if (index > MAX_PARAMS) throw tooManyParameters();
    addPart(body.subarray(partStart, following.dataEnd), index, charset, out);
    delimiter = following;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bodies by content type

/**
 * Decodes a request body by content type (matched case-insensitively; only the boundary and
 * charset parameters matter):
 * - empty body → `none`, whatever the type (python-libmaas sends an empty multipart body);
 * - application/x-www-form-urlencoded → `urlencoded` via the same rules as parseUrlEncoded;
 * - multipart/form-data → `multipart`: fields become params, parts with a filename become files;
 *   base64 and quoted-printable parts are decoded, 7bit/8bit/binary kept as they are;
 * - anything else → `other` with no params (MAAS ignores such bodies); a JSON body is ignored
 *   too, but one that does not parse is refused, so a client's mistake is not silent.
 * @throws BodyError for a malformed multipart or JSON body, or more than MAX_PARAMS parameters.
 */
export function decodeBody(contentType: string | undefined, body: Buffer): DecodedBody {
  if (body.length === 0) return { kind: 'none', params: new Params(), files: [] };
  const type = parseHeaderValue(contentType ?? '');
  const charset = type.params.get('charset');
  if (type.value === 'application/x-www-form-urlencoded') {
    const pairs = parseUrlEncodedBytes(body, textDecoderFor(charset));
    return { kind: 'urlencoded', params: new Params(pairs), files: [] };
  }
  if (type.value === 'multipart/form-data') {
    const { pairs, files } = parseMultipart(body, type.params.get('boundary'), charset);
    return { kind: 'multipart', params: new Params(pairs), files };
  }
  if (type.value === 'application/json' || type.value.endsWith('+json')) {
    try {
      JSON.parse(body.toString('utf8'));
    } catch {
      throw new BodyError('Malformed JSON body. MAAS reads parameters from form or multipart bodies, not JSON.');
    }
  }
  return { kind: 'other', params: new Params(), files: [] };
}
