"use client";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter, lintGutter } from "@codemirror/lint";
import { EditorView, basicSetup } from "codemirror";
import { useEffect, useRef } from "react";

/** CodeMirror 6 JSON editor: syntax highlighting, bracket matching, JSON syntax lint, keyboard accessible. */
export function JsonEditor({ value, onChange, label, id }: { value: string; onChange: (text: string) => void; label: string; id: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  // The editor owns its document after mount: `value` only seeds it (the latest one, should the editor be rebuilt).
  const valueRef = useRef(value);
  valueRef.current = value;

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      doc: valueRef.current,
      parent: host.current,
      extensions: [
        basicSetup,
        json(),
        linter(jsonParseLinter()),
        lintGutter(),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChangeRef.current(u.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": label, id }),
        EditorView.theme({ "&": { fontSize: "12px", maxHeight: "28rem" }, ".cm-scroller": { overflow: "auto", fontFamily: "var(--font-mono)" } }),
      ],
    });
    // Keyboard users must be able to scroll a long payload (WCAG 2.1.1): the scroller takes focus too.
    v.scrollDOM.tabIndex = 0;
    v.scrollDOM.setAttribute("aria-label", `${label} (scroll area)`);
    view.current = v;
    return () => v.destroy();
  }, [label, id]);

  return <div ref={host} className="overflow-hidden rounded-md border border-border bg-surface text-foreground" data-testid="json-editor" />;
}
