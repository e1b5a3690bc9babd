// Rules for a URL that may be shortened, in the order their error messages take precedence.
export const MAX_URL_LENGTH = 2048;

export type TargetUrlCheck = { ok: true; url: string } | { ok: false; error: string };

export function checkTargetUrl(value: unknown): TargetUrlCheck {
  if (value === undefined || value === null || value === '') return { ok: false, error: 'url is required' };
  if (typeof value !== 'string') return { ok: false, error: 'url must be a string' };
  const text = value.trim();
  if (text === '') return { ok: false, error: 'url is required' };
  if (text.length > MAX_URL_LENGTH) return { ok: false, error: `url must be at most ${MAX_URL_LENGTH} characters` };
  // Control characters and spaces inside a URL are rejected rather than silently re-encoded.
  if (/[\u0000-\u0020\u007f]/.test(text)) return { ok: false, error: 'Invalid URL format' };
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return { ok: false, error: 'Invalid URL format' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, error: 'Only http and https URLs are allowed' };
  }
  if (!/^https?:\/\//i.test(text) || parsed.hostname === '') return { ok: false, error: 'Invalid URL format' };
  if (parsed.username || parsed.password) return { ok: false, error: 'URLs with credentials are not allowed' };
  return { ok: true, url: text };
}
