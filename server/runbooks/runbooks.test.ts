import { describe, expect, it } from "vitest";
import { keysFor, runbookKeySchema } from "./keys";
import { versionDiff } from "./load-runbooks";
import { renderRunbook } from "./render";

describe("runbook markdown", () => {
  it("renders lists, code and safe links; raw HTML and unsafe links stay text", () => {
    expect(renderRunbook("1. Check `MMBE`\n2. [Wiki](https://wiki.example.com)")).toBe(
      '<ol>\n<li>Check <code>MMBE</code></li>\n<li><a href="https://wiki.example.com" rel="noopener noreferrer nofollow" target="_blank">Wiki</a></li>\n</ol>\n',
    );
    expect(renderRunbook('<iframe src="https://x"></iframe>')).toBe("<p>&lt;iframe src=&quot;https://x&quot;&gt;&lt;/iframe&gt;</p>\n");
    expect(renderRunbook("[x](javascript:alert(1)) [y](vbscript:x) [z](//evil.example.com)")).not.toContain("<a");
    expect(renderRunbook("[back](/exceptions)")).toContain('<a href="/exceptions" rel="noopener noreferrer nofollow">back</a>');
    expect(renderRunbook("![t](https://t.example.com/p.gif)")).not.toContain("<img");
  });
});

describe("runbook keys", () => {
  it("accepts code:<ERROR_CODE> and group:<fingerprint> only; the group's key comes first", () => {
    expect(runbookKeySchema.safeParse("code:M7/021").success).toBe(true);
    expect(runbookKeySchema.safeParse("group:0123456789abcdef0123").success).toBe(true);
    expect(runbookKeySchema.safeParse("group:xyz").success).toBe(false);
    expect(runbookKeySchema.safeParse("code:").success).toBe(false);
    expect(keysFor({ fingerprint: "0123456789abcdef0123", errorCode: "M7/021" })).toEqual(["group:0123456789abcdef0123", "code:M7/021"]);
  });

  it("diffs versions by line", () => {
    expect(versionDiff("a\nb\n", "a\nc\n")).toEqual([
      { added: false, removed: false, value: "a\n" },
      { added: false, removed: true, value: "b\n" },
      { added: true, removed: false, value: "c\n" },
    ]);
  });
});
