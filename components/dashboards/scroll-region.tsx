"use client";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { cn } from "@/lib/utils";

/**
 * A table wider than its place (a tablet): scrolls sideways inside a focusable region, and says so — a
 * fade on the side that has more and a visible line "more columns →" — instead of silently hiding its
 * last columns. Measured after mounting (server and browser render the same first text).
 */
export function ScrollRegion({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  const ref = useRef<HTMLElement>(null);
  const [more, setMore] = useState({ left: false, right: false });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setMore({ left: el.scrollLeft > 1, right: el.scrollLeft + el.clientWidth < el.scrollWidth - 1 });
    update();
    el.addEventListener("scroll", update, { passive: true });
    const observer = new ResizeObserver(update);
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => {
      el.removeEventListener("scroll", update);
      observer.disconnect();
    };
  }, []);
  return (
    <div className="space-y-1">
      <div className="relative">
        <section
          ref={ref}
          aria-label={label}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
          tabIndex={0}
          // relative: absolutely positioned content (screen-reader-only text) scrolls and clips with the table instead of widening the page
          className={cn("relative overflow-x-auto focus-visible:outline-2 focus-visible:outline-ring", className)}
          data-scroll-region
        >
          {children}
        </section>
        {more.left ? <div aria-hidden className="pointer-events-none absolute inset-y-0 left-0 w-6 bg-linear-to-r from-surface to-transparent" /> : null}
        {more.right ? <div aria-hidden className="pointer-events-none absolute inset-y-0 right-0 w-8 bg-linear-to-l from-surface to-transparent" /> : null}
      </div>
      {more.left || more.right ? (
        <p className="text-right text-xs text-muted-foreground" data-testid="scroll-cue">
          {more.right ? "More columns to the right: scroll sideways, or focus the table and use the arrow keys →" : "← More columns to the left"}
        </p>
      ) : null}
    </div>
  );
}
