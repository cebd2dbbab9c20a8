"use client";
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";
import { focusElement } from "./ui/announcer";

/**
 * After a client-side move to another page (a queue row to its exception, a link in a table), the control
 * that was used is gone and focus falls to <body>: Next does not move it. Move it to the new page's heading
 * (else its main region), as a fresh page load would start there. A page that placed focus itself keeps it.
 */
export function RouteFocus() {
  const pathname = usePathname();
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    previous.current = pathname;
    if (document.activeElement && document.activeElement !== document.body) return;
    const main = document.getElementById("main");
    focusElement(main?.querySelector<HTMLElement>("h1") ?? main);
  }, [pathname]);
  return null;
}
