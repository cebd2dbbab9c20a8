"use client";
import type { ReactNode } from "react";
import { Button } from "./button";
import { Dialog, DialogClose, DialogContent, DialogTrigger } from "./dialog";
import { Label } from "./input";

/** A confirmation that needs a written reason (discard, second replay...): the reason is audited. */
export function ReasonDialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  trigger: ReactNode;
  title: string;
  description: string;
  submitLabel: string;
  danger?: boolean;
  pending: boolean;
  error: string | null;
  onSubmit: (reason: string) => void;
}) {
  const id = `reason-${props.submitLabel.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <Dialog open={props.open} onOpenChange={props.onOpenChange}>
      <DialogTrigger asChild>{props.trigger}</DialogTrigger>
      <DialogContent title={props.title} description={props.description}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            props.onSubmit(String(new FormData(e.currentTarget).get("reason") ?? ""));
          }}
          className="space-y-3"
        >
          <div className="space-y-1">
            <Label htmlFor={id}>Reason (required)</Label>
            <textarea id={id} name="reason" required minLength={10} rows={3} className="w-full rounded-md border border-border bg-surface p-2 text-sm" />
          </div>
          {props.error ? (
            <p role="alert" className="text-xs text-danger">
              {props.error}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button type="button" variant="secondary">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" variant={props.danger ? "danger" : "primary"} disabled={props.pending}>
              {props.submitLabel}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
