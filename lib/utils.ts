import { type ClassValue, clsx } from "clsx";
import { twMerge } from "tailwind-merge";

export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}

/**
 * React keys for items that carry no id of their own: `keyOf(item)`, with "#2", "#3"… on repeats. A key
 * follows its item's content, not its position, and stays unique even when two items look the same.
 */
export function withKeys<T>(items: readonly T[], keyOf: (item: T) => string): { key: string; item: T }[] {
  const used = new Set<string>();
  return items.map((item) => {
    const base = keyOf(item);
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}#${n}`;
    used.add(key);
    return { key, item };
  });
}
