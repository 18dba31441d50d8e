// Guards every API request and socket handshake passes before its session is looked at (issue 13, low):
// cross-site requests refused by Origin, form-submittable bodies refused on state-changing routes (CSRF does
// not rest on SameSite alone), and the response headers that forbid framing and leaking the URL.
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Content-Security-Policy as a header (a meta tag cannot forbid framing): nothing loads from anywhere but the
 * gateway, no page may frame the console.
 */
export const contentSecurityPolicy =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

export const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': contentSecurityPolicy,
  // For browsers that predate frame-ancestors.
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Types an HTML form (or a "simple" cross-site fetch) can send without a CORS preflight (Fetch standard,
 * CORS-safelisted request-header `Content-Type`). A state-changing route refuses them: the console sends
 * JSON, attachments go as their own type (image/png …), both of which a foreign page cannot send silently.
 */
const formTypes = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** Why this request is refused for its content type, or null. */
export function refusedContentType(method: string, contentType: string | undefined): string | null {
  if (!stateChanging.has(method.toUpperCase()) || contentType === undefined) return null;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return formTypes.includes(type) ? `content type ${type} is not accepted here; send application/json` : null;
}

/**
 * Why this request is refused for its origin, or null. Browsers send `Origin` on every cross-origin request
 * and on same-origin ones that change state; it must name the host the request was sent to. Requests without
 * it (curl, the tests' clients, old browsers' same-origin GETs) pass on to the session check.
 */
export function checkOrigin(headers: IncomingHttpHeaders): string | null {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site') return 'cross-site request refused';
  const origin = headers.origin;
  if (origin === undefined) return null;
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return `origin ${origin.slice(0, 100)} refused`;
  }
  return host === (headers.host ?? '').toLowerCase() ? null : `origin ${origin.slice(0, 100)} refused: not this gateway`;
}
