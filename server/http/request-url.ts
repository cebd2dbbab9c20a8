/**
 * Why a request's URL cannot be served, or null when it can; checked before Next.js sees the request.
 * Next.js decodes a dynamic route segment with decodeURIComponent and answers 500 when that throws
 * (a path with "%ff" or a lone "%"), and PostgreSQL refuses text holding NUL, which any query
 * parameter or path segment may reach: both are the client's mistake, so a 400.
 */
export function invalidRequestUrl(url: string): string | null {
  if (/%00/.test(url)) return "The URL must not contain NUL characters (%00)";
  const query = url.indexOf("?");
  try {
    decodeURIComponent(query < 0 ? url : url.slice(0, query));
  } catch {
    return "The URL path is not valid percent-encoded UTF-8";
  }
  return null;
}
