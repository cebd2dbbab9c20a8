"use client";
import { DropdownMenu as M } from "radix-ui";
import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

/**
 * Not modal: a modal menu hides the rest of the page with aria-hidden while its content stays focusable
 * (axe aria-hidden-focus, serious). A menu needs neither: it closes on Escape, on a click outside and
 * when focus leaves it, and keyboard focus stays in it by roving focus.
 */
export function DropdownMenu(props: ComponentProps<typeof M.Root>) {
  return <M.Root modal={false} {...props} />;
}
export const DropdownMenuTrigger = M.Trigger;
export const DropdownMenuLabel = ({ className, ...p }: ComponentProps<typeof M.Label>) => (
  <M.Label className={cn("px-2 py-1.5 text-xs text-muted-foreground", className)} {...p} />
);
export const DropdownMenuSeparator = () => <M.Separator className="my-1 h-px bg-border" />;

export function DropdownMenuContent({ className, ...props }: ComponentProps<typeof M.Content>) {
  return (
    <M.Portal>
      <M.Content sideOffset={6} align="end" className={cn("z-50 min-w-48 rounded-md border border-border bg-surface p-1 shadow-lg", className)} {...props} />
    </M.Portal>
  );
}

export function DropdownMenuItem({ className, ...props }: ComponentProps<typeof M.Item>) {
  return (
    <M.Item
      className={cn(
        "flex cursor-default items-center gap-2 rounded px-2 py-1.5 text-sm outline-none select-none data-[highlighted]:bg-muted [&_svg]:size-4",
        className,
      )}
      {...props}
    />
  );
}

export const DropdownMenuRadioGroup = M.RadioGroup;
export function DropdownMenuRadioItem({ className, children, ...props }: ComponentProps<typeof M.RadioItem>) {
  return (
    <M.RadioItem
      className={cn(
        "flex cursor-default items-center gap-2 rounded py-1.5 pl-6 pr-2 text-sm outline-none select-none data-[highlighted]:bg-muted relative",
        className,
      )}
      {...props}
    >
      <M.ItemIndicator className="absolute left-2 text-primary">●</M.ItemIndicator>
      {children}
    </M.RadioItem>
  );
}
