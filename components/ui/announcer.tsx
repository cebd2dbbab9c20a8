"use client";
import { createContext, type ReactNode, useCallback, useContext, useRef, useState } from "react";

type Announce = (message: string, politeness?: "polite" | "assertive") => void;
const AnnouncerContext = createContext<Announce>(() => {});

/**
 * One pair of live regions for the whole portal: outcomes of actions ("Assigned to you", "Submitted for
 * approval", "Replay failed: …") are read out by screen readers wherever focus is. The same message twice
 * in a row is still announced (the text is cleared first).
 */
export function AnnouncerProvider({ children }: { children: ReactNode }) {
  const [polite, setPolite] = useState("");
  const [assertive, setAssertive] = useState("");
  const seq = useRef(0);
  const announce = useCallback<Announce>((message, politeness = "polite") => {
    const set = politeness === "assertive" ? setAssertive : setPolite;
    const n = ++seq.current;
    set("");
    queueMicrotask(() => {
      if (seq.current === n) set(message);
    });
  }, []);
  return (
    <AnnouncerContext.Provider value={announce}>
      {children}
      <div className="sr-only" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {polite}
      </div>
      <div className="sr-only" aria-live="assertive" aria-atomic="true" data-testid="announcer-assertive">
        {assertive}
      </div>
    </AnnouncerContext.Provider>
  );
}

/** `announce("Submitted for approval")`: read out by screen readers (visible feedback is the caller's job). */
export function useAnnounce(): Announce {
  return useContext(AnnouncerContext);
}

/** Moves focus to an element after an action (a result heading, the next control); makes it focusable if it is not. */
export function focusElement(el: HTMLElement | null | undefined): void {
  if (!el) return;
  if (!el.matches("a, button, input, select, textarea, [tabindex]")) el.setAttribute("tabindex", "-1");
  el.focus({ preventScroll: false });
}
