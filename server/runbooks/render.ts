import MarkdownIt from "markdown-it";

/**
 * Runbook markdown → HTML that is safe to put into the page: raw HTML in the source is escaped
 * (`html: false`), link targets are limited to http(s), mailto and relative URLs (markdown-it's
 * validateLink already refuses javascript:, vbscript:, file: and data:), images are not rendered
 * (a runbook shows text and links, nothing that loads from elsewhere), and every link opens without
 * the opener and is marked nofollow. Pure.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
md.disable(["image"]);
const SAFE_LINK = /^(https?:\/\/|mailto:|\/(?!\/)|#)/i;
md.validateLink = (url: string) => SAFE_LINK.test(url.trim());
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  token.attrSet("rel", "noopener noreferrer nofollow");
  if (/^https?:/i.test(String(token.attrGet("href") ?? ""))) token.attrSet("target", "_blank");
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderRunbook(markdown: string): string {
  return md.render(markdown);
}
