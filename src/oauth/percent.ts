// RFC 5849 §3.6 percent-encoding and a lenient decoder.

const ALL_UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
/** What encodeURIComponent leaves alone but RFC 3986 does not count as unreserved. */
const SUB_DELIMS_KEPT = /[!'()*]/g;

/** RFC 5849 §3.6: encode every octet of the UTF-8 form except the RFC 3986 unreserved set. */
export function percentEncode(value: string): string {
  // Every key part, nonce, timestamp and signature method is unreserved already.
  if (ALL_UNRESERVED.test(value)) return value;
  let encoded: string;
  try {
    // UTF-8 with upper-case hex, as §3.6 asks; only !'()* are left to do.
    encoded = encodeURIComponent(value);
  } catch {
    // A lone surrogate: encode what Buffer makes of it (U+FFFD), as a signer would send it.
    encoded = encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8'));
  }
  return encoded.replace(SUB_DELIMS_KEPT, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

// ignoreBOM: a decoded U+FEFF at the start is part of the value, as for decodeURIComponent.
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const ASCII_ONLY = /^[\x00-\x7f]*$/;

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Decodes %XX sequences. Unlike form decoding, '+' stays a '+' (RFC 5849 §3.5.1 header values
 * are plain percent-encoded), a stray '%' is kept literally (as Python's unquote does, which
 * MAAS uses) and invalid UTF-8 becomes U+FFFD, so no input makes it throw.
 */
export function percentDecode(value: string, plusIsSpace = false): string {
  if (!value.includes('%') && !(plusIsSpace && value.includes('+'))) return value;
  // Every PLAINTEXT signature holds a %26. For ASCII text whose escapes are well-formed UTF-8,
  // decodeURIComponent gives what the loop below does at a fraction of the cost; on anything
  // else it throws, and the loop's lenient rules decide.
  if (ASCII_ONLY.test(value)) {
    try {
      return decodeURIComponent(plusIsSpace ? value.replaceAll('+', ' ') : value);
    } catch {
      // A stray '%' or invalid UTF-8: decoded leniently below.
    }
  }
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x25 && i + 2 < value.length) {
      const hi = hexValue(value.charCodeAt(i + 1));
      const lo = hexValue(value.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes.push(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    if (code === 0x2b && plusIsSpace) {
      bytes.push(0x20);
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      // Re-encode non-ASCII characters (or surrogate pairs) as UTF-8 bytes.
      const cp = value.codePointAt(i) ?? code;
      if (cp > 0xffff) i++;
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
    }
  }
  return utf8.decode(Uint8Array.from(bytes));
}
