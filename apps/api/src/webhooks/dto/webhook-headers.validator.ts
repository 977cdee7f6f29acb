import { registerDecorator, type ValidationOptions } from 'class-validator';

const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);
const RESERVED = new Set(['host', 'user-agent', 'expect', 'cookie']);
export const MAX_CUSTOM_HEADERS = 32;

/** Why a custom header would be refused, or undefined. Signalgate owns framing, content and signature headers. */
export function headerProblem(name: string, value: unknown): string | undefined {
  const lower = name.toLowerCase();
  if (!TOKEN_RE.test(name)) return `"${name}" is not a valid header name`;
  if (HOP_BY_HOP.has(lower)) return `"${name}" is a hop-by-hop header`;
  if (lower.startsWith('content-')) return `"${name}": content-* headers are set by Signalgate`;
  if (lower.startsWith('webhook-')) return `"${name}": webhook-* headers carry the signature`;
  if (RESERVED.has(lower)) return `"${name}" cannot be overridden`;
  if (typeof value !== 'string') return `"${name}" must have a string value`;
  if (value.length > 4096) return `"${name}" value is longer than 4096 characters`;
  const bad = UNSENDABLE_RE.exec(value);
  if (bad) return `"${name}" value ${unsendableReason(value.codePointAt(bad.index) ?? 0, bad.index)}`;
  return undefined;
}

/**
 * Node's HTTP client sends a header value as latin1 and throws on anything outside /^[\t\x20-\x7e\x80-\xff]*$/
 * (every delivery would then fail at once). Refused here too: DEL and the C1 controls U+0080-U+009F, which it lets
 * through but no receiver expects. Zero-width, bidi marks, U+FEFF and noncharacters are all above U+00FF.
 */
const UNSENDABLE_RE = /[^\t\x20-\x7e\xa0-\xff]/u;

function unsendableReason(codePoint: number, index: number): string {
  const at = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')} at position ${index}`;
  if (codePoint > 0xff) return `contains a character an HTTP header cannot carry (${at}); allowed: tab, printable ASCII and U+00A0-U+00FF`;
  return `contains a control character (${at})`;
}

export function IsWebhookHeaders(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) => {
    registerDecorator({
      name: 'isWebhookHeaders',
      target: object.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return entries.length <= MAX_CUSTOM_HEADERS && entries.every(([k, v]) => headerProblem(k, v) === undefined);
        },
        defaultMessage(args) {
          const value = args?.value as unknown;
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of header names to string values';
          const entries = Object.entries(value);
          if (entries.length > MAX_CUSTOM_HEADERS) return `at most ${MAX_CUSTOM_HEADERS} headers`;
          return entries.map(([k, v]) => headerProblem(k, v)).find(Boolean) ?? 'invalid headers';
        },
      },
    });
  };
}
