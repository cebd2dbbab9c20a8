"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Pencil } from "lucide-react";
import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { Input, Label } from "@/components/ui/input";
import { apiFetch } from "@/lib/api";
import { plantKeys } from "@/lib/query-keys";
import type { PlantSummary } from "@/server/plants/types";

export function EditPlantDialog({ plant }: { plant: PlantSummary }) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (input: { name: string; timezone: string }) =>
      apiFetch<{ plant: PlantSummary }>(`/api/plants/${encodeURIComponent(plant.code)}`, { method: "PATCH", body: JSON.stringify(input) }),
    onSuccess: ({ plant: updated }) => {
      queryClient.setQueryData<PlantSummary[]>(plantKeys.list(), (old) => old?.map((p) => (p.id === updated.id ? updated : p)));
      setOpen(false);
    },
  });

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    mutation.mutate({ name: String(form.get("name") ?? ""), timezone: String(form.get("timezone") ?? "") });
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) mutation.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary" size="sm" aria-label={`Edit ${plant.code}`}>
          <Pencil /> Edit
        </Button>
      </DialogTrigger>
      <DialogContent title={`Edit ${plant.code}`} description="Changes are audited and shown to everyone watching this plant.">
        <form onSubmit={submit} className="space-y-3">
          <div className="space-y-1">
            <Label htmlFor={`name-${plant.code}`}>Name</Label>
            <Input id={`name-${plant.code}`} name="name" defaultValue={plant.name} required minLength={2} maxLength={80} />
          </div>
          <div className="space-y-1">
            <Label htmlFor={`tz-${plant.code}`}>Time zone (IANA)</Label>
            <Input id={`tz-${plant.code}`} name="timezone" defaultValue={plant.timezone} required />
          </div>
          {mutation.error ? (
            <p role="alert" className="text-xs text-danger">
              {mutation.error.message}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button type="button" variant="secondary">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" disabled={mutation.isPending}>
              {mutation.isPending ? "Saving…" : "Save"}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
