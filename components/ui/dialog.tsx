"use client";
import { Dialog as D } from "radix-ui";
import { X } from "lucide-react";
import { type ComponentProps, type ReactNode, useRef } from "react";
import { cn } from "@/lib/utils";
import { Button } from "./button";

export const Dialog = D.Root;
export const DialogTrigger = D.Trigger;
export const DialogClose = D.Close;

/**
 * A modal dialog. Closed, it gives focus back to the control that opened it (Radix only knows a
 * DialogTrigger; a dialog opened from state would leave focus on <body>), unless `onCloseAutoFocus`
 * moved it elsewhere (the result of the action) or that control is gone.
 */
export function DialogContent({
  className,
  title,
  description,
  children,
  onOpenAutoFocus,
  onCloseAutoFocus,
  ...props
}: ComponentProps<typeof D.Content> & { title: string; description?: ReactNode }) {
  const opener = useRef<HTMLElement | null>(null);
  return (
    <D.Portal>
      <D.Overlay className="fixed inset-0 z-40 bg-black/40" />
      <D.Content
        className={cn(
          "fixed left-1/2 top-1/2 z-50 w-[min(28rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-lg border border-border bg-surface p-4 shadow-xl",
          className,
        )}
        {...(description ? {} : { "aria-describedby": undefined })}
        {...props}
        onOpenAutoFocus={(e) => {
          // Still the opener's focus at this point: the dialog takes it right after.
          opener.current = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
          onOpenAutoFocus?.(e);
        }}
        onCloseAutoFocus={(e) => {
          onCloseAutoFocus?.(e);
          const el = opener.current;
          opener.current = null;
          if (e.defaultPrevented || !el?.isConnected) return;
          e.preventDefault();
          el.focus();
        }}
      >
        <div className="mb-3 flex items-start justify-between gap-4">
          <div>
            <D.Title className="text-base font-semibold">{title}</D.Title>
            {description ? <D.Description className="mt-0.5 text-xs text-muted-foreground">{description}</D.Description> : null}
          </div>
          <D.Close className="rounded p-1 hover:bg-muted" aria-label="Close">
            <X className="size-4" />
          </D.Close>
        </div>
        {children}
      </D.Content>
    </D.Portal>
  );
}

/**
 * The app's confirmation (never the browser's confirm()): says what will happen before it does, and
 * keeps the dialog open with the server's refusal when the action fails. Focus returns to the control
 * that opened it, unless `onCloseAutoFocus` moves it to the result.
 */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  consequence,
  confirmLabel,
  danger,
  pending,
  error,
  onConfirm,
  onCloseAutoFocus,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  consequence: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  pending: boolean;
  error: string | null;
  onConfirm: () => void;
  onCloseAutoFocus?: (event: Event) => void;
}) {
  return (
    <D.Root open={open} onOpenChange={onOpenChange}>
      <DialogContent title={title} description={consequence} onCloseAutoFocus={onCloseAutoFocus}>
        {error ? (
          <p role="alert" className="mb-3 text-xs text-danger">
            {error}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <D.Close asChild>
            <Button type="button" variant="secondary">
              Cancel
            </Button>
          </D.Close>
          <Button type="button" variant={danger ? "danger" : "primary"} disabled={pending} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </div>
      </DialogContent>
    </D.Root>
  );
}
