"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ApiError, apiFetch } from "@/lib/api";

/**
 * Plants: the registered plants, and a new one (code, name, time zone). Names and zones are edited on the Plants page.
 * The zone suggestions come from the server (the zones it accepts): the browser's own list differs, and rendering it
 * on both sides would not hydrate.
 */
export function PlantsAdmin({ plants, zones }: { plants: { code: string; name: string; timezone: string }[]; zones: string[] }) {
  const router = useRouter();
  const [form, setForm] = useState({ code: "", name: "", timezone: "UTC" });
  const create = useMutation({
    mutationFn: () => apiFetch("/api/plants", { method: "POST", body: JSON.stringify(form) }),
    onSuccess: () => {
      setForm({ code: "", name: "", timezone: "UTC" });
      router.refresh(); // the plant lists of this page (connectors, interfaces, users) come from the server
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="plants-h" className="space-y-2 rounded-lg border border-border bg-surface p-4">
      <h2 id="plants-h" className="text-base font-semibold">
        Plants
      </h2>
      <p className="text-xs text-muted-foreground">
        {plants.map((p) => (
          <span key={p.code} className="mr-3 inline-block" data-plant={p.code}>
            <span className="font-mono">{p.code}</span> {p.name} ({p.timezone})
          </span>
        ))}
      </p>
      <p className="text-xs text-muted-foreground">
        A new plant starts empty: add its connectors and enable its interfaces below. Names and time zones are edited on the{" "}
        <Link className="underline" href="/plants">
          Plants
        </Link>{" "}
        page.
      </p>
      {create.error ? (
        <p role="alert" className="text-sm text-danger">
          {create.error instanceof ApiError ? create.error.message : "The plant could not be added"}
        </p>
      ) : null}
      <form onSubmit={submit} aria-label="New plant" className="flex flex-wrap items-end gap-2 text-xs">
        <label className="grid gap-1">
          Code
          <Input
            required
            pattern="[A-Za-z0-9][A-Za-z0-9\-]{1,19}"
            value={form.code}
            onChange={(e) => setForm({ ...form, code: e.target.value.toUpperCase() })}
            placeholder="PL-GDA"
            className="h-8 w-28"
          />
        </label>
        <label className="grid gap-1">
          Name
          <Input required minLength={2} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} className="h-8 w-48" />
        </label>
        <label className="grid gap-1">
          Time zone
          <Input required list="admin-timezones" value={form.timezone} onChange={(e) => setForm({ ...form, timezone: e.target.value })} className="h-8 w-48" />
        </label>
        <datalist id="admin-timezones">
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <Button type="submit" size="sm" disabled={create.isPending}>
          Add plant
        </Button>
      </form>
    </section>
  );
}
