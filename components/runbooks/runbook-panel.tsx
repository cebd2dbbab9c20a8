"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { useAnnounce } from "@/components/ui/announcer";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import { SUGGESTION_KIND_LABELS, labelOf } from "@/lib/labels";
import type { RunbookVersion, RunbookView } from "@/server/runbooks/load-runbooks";
import type { Suggestions } from "@/server/runbooks/suggestions";

type ExceptionRunbook = { keys: { group: string; code: string }; runbook: RunbookView | null; suggestions: Suggestions; canWrite: boolean };

/** On the exception page: the runbook that applies (the group's, else the error code's) and what fixed it before. */
export function ExceptionRunbook({ exceptionId, zone }: { exceptionId: string; zone: string }) {
  const q = useQuery({ queryKey: ["runbook", "exception", exceptionId], queryFn: () => apiFetch<ExceptionRunbook>(`/api/runbooks/exception/${exceptionId}`) });
  if (q.isPending) return <p className="text-xs text-muted-foreground">Loading the runbook…</p>;
  if (q.isError) return <p className="text-xs text-critical-fg">The runbook could not be loaded: {q.error.message}</p>;
  return (
    <div className="space-y-3">
      <RunbookCard
        keys={[q.data.keys.group, q.data.keys.code]}
        runbook={q.data.runbook}
        canWrite={q.data.canWrite}
        zone={zone}
        queryKey={["runbook", "exception", exceptionId]}
      />
      <WhatFixedItBefore s={q.data.suggestions} />
    </div>
  );
}

/** In the group view: the group's runbook, else its error code's. */
export function GroupRunbook({ fingerprint, errorCode, zone }: { fingerprint: string; errorCode: string; zone: string }) {
  const keys = [`group:${fingerprint}`, `code:${errorCode}`];
  const queryKey = ["runbook", "keys", ...keys];
  const q = useQuery({
    queryKey,
    queryFn: () => apiFetch<{ runbook: RunbookView | null; canWrite: boolean }>(`/api/runbooks?${keys.map((k) => `key=${encodeURIComponent(k)}`).join("&")}`),
  });
  if (q.isPending || q.isError) return null;
  return <RunbookCard keys={keys} runbook={q.data.runbook} canWrite={q.data.canWrite} zone={zone} queryKey={queryKey} />;
}

const keyLabel = (key: string) => (key.startsWith("group:") ? "this failure group" : `error code ${key.slice(5)}`);

function RunbookCard({
  keys,
  runbook,
  canWrite,
  zone,
  queryKey,
}: {
  keys: string[];
  runbook: RunbookView | null;
  canWrite: boolean;
  zone: string;
  queryKey: unknown[];
}) {
  const [editing, setEditing] = useState(false);
  const headingId = useId();
  return (
    <Card aria-labelledby={headingId} data-testid="runbook">
      <CardHeader>
        <h2 id={headingId} className="text-sm font-semibold">
          Runbook{runbook ? `: ${runbook.title}` : ""}
        </h2>
        {runbook ? (
          <p className="text-right text-xs text-muted-foreground">
            for {keyLabel(runbook.key)} · version {runbook.version}
            {runbook.author ? ` by ${runbook.author}` : ""} · <Time iso={runbook.savedAt} plantZone={zone} />
          </p>
        ) : null}
      </CardHeader>
      <CardBody className="space-y-2">
        {runbook ? (
          <RenderedMarkdown html={runbook.html} />
        ) : (
          <p className="text-xs text-muted-foreground" data-testid="runbook-none">
            No runbook yet for this failure group or its error code.
          </p>
        )}
        {runbook ? <History runbookKey={runbook.key} zone={zone} /> : null}
        {canWrite && !editing ? (
          <Button variant="secondary" size="sm" onClick={() => setEditing(true)} data-testid="runbook-edit">
            {runbook ? "Edit runbook" : "Write a runbook"}
          </Button>
        ) : null}
        {canWrite && editing ? <Editor keys={keys} runbook={runbook} queryKey={queryKey} onDone={() => setEditing(false)} /> : null}
      </CardBody>
    </Card>
  );
}

/** The body as rendered on the server by render.ts: raw HTML escaped, only http(s)/mailto/relative links, no images. */
function RenderedMarkdown({ html }: { html: string }) {
  return (
    <div
      className="runbook-body space-y-2 text-sm [&_a]:text-primary [&_a]:underline [&_ol]:list-decimal [&_ol]:pl-5 [&_ul]:list-disc [&_ul]:pl-5"
      data-testid="runbook-body"
      // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized markdown (server/runbooks/render.ts, tested with hostile input)
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}

function Editor({ keys, runbook, queryKey, onDone }: { keys: string[]; runbook: RunbookView | null; queryKey: unknown[]; onDone: () => void }) {
  const announce = useAnnounce();
  const client = useQueryClient();
  const id = useId();
  const [key, setKey] = useState(runbook?.key ?? keys[0]!);
  const [title, setTitle] = useState(runbook?.title ?? "");
  const [body, setBody] = useState(runbook?.body ?? "");
  const base = key === runbook?.key ? runbook.version : null;
  const save = useMutation({
    mutationFn: async () => {
      // Writing for the other key starts from that key's current version.
      let baseVersion = base;
      if (baseVersion === null) {
        const other = await apiFetch<{ runbook: RunbookView | null }>(`/api/runbooks?key=${encodeURIComponent(key)}`);
        baseVersion = other.runbook?.version ?? 0;
      }
      return apiFetch<{ runbook: { version: number }; changed: boolean }>("/api/runbooks", {
        method: "POST",
        body: JSON.stringify({ key, title, body, baseVersion }),
      });
    },
    onSuccess: (r) => {
      announce(r.changed ? `Runbook saved as version ${r.runbook.version}` : "Nothing changed: the runbook already reads like this");
      void client.invalidateQueries({ queryKey });
      onDone();
    },
    onError: (err) => announce(`Runbook not saved: ${err.message}`, "assertive"),
  });
  return (
    <form
      className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <fieldset className="space-y-1">
        <legend className="text-xs font-semibold">Applies to</legend>
        {keys.map((k) => (
          <label key={k} className="mr-3 inline-flex items-center gap-1 text-xs">
            <input type="radio" name={`${id}-key`} value={k} checked={key === k} onChange={() => setKey(k)} />
            {keyLabel(k)}
          </label>
        ))}
      </fieldset>
      <div className="space-y-1">
        <Label htmlFor={`${id}-title`}>Title</Label>
        <Input id={`${id}-title`} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} required data-testid="runbook-title" />
      </div>
      <div className="space-y-1">
        <Label htmlFor={`${id}-body`}>Steps (markdown: lists, links, code; no HTML)</Label>
        <textarea
          id={`${id}-body`}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          rows={10}
          className="w-full rounded-md border border-border bg-surface p-2 font-mono text-xs"
          data-testid="runbook-body-input"
        />
      </div>
      {save.error ? (
        <p role="alert" className="text-xs text-critical-fg">
          {save.error.message}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button type="submit" size="sm" disabled={save.isPending || !title.trim()}>
          Save as a new version
        </Button>
        <Button type="button" variant="ghost" size="sm" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function History({ runbookKey, zone }: { runbookKey: string; zone: string }) {
  const [open, setOpen] = useState(false);
  const q = useQuery({
    queryKey: ["runbook", "history", runbookKey],
    queryFn: () => apiFetch<{ versions: RunbookVersion[] }>(`/api/runbooks/history?key=${encodeURIComponent(runbookKey)}`),
    enabled: open,
  });
  return (
    <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary className="cursor-pointer text-xs">History and changes</summary>
      {q.data ? (
        <ol className="mt-1 space-y-2" data-testid="runbook-history">
          {q.data.versions.map((v) => (
            <li key={v.version} className="text-xs">
              <p>
                Version {v.version}
                {v.author ? ` by ${v.author}` : ""}, <Time iso={v.savedAt} plantZone={zone} />
              </p>
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
              <pre className="max-h-48 overflow-auto rounded bg-muted p-2 font-mono" tabIndex={0}>
                {keyed(v.version, v.diff).map((p) =>
                  p.added ? (
                    <ins key={p.id} className="bg-low-bg text-low-fg no-underline">
                      {prefixLines("+ ", p.value)}
                    </ins>
                  ) : p.removed ? (
                    <del key={p.id} className="bg-critical-bg text-critical-fg">
                      {prefixLines("- ", p.value)}
                    </del>
                  ) : (
                    <span key={p.id}>{prefixLines("  ", p.value)}</span>
                  ),
                )}
              </pre>
            </li>
          ))}
        </ol>
      ) : open ? (
        <p className="text-xs text-muted-foreground">Loading…</p>
      ) : null}
    </details>
  );
}

/** Diff parts with a stable key each (their position in the version's diff). */
const keyed = (version: number, parts: RunbookVersion["diff"]) => {
  let at = 0;
  return parts.map((p) => {
    const id = `${version}:${at}`;
    at += p.value.length;
    return { ...p, id };
  });
};

const prefixLines = (prefix: string, text: string) =>
  text
    .split("\n")
    .map((l, i, all) => (i === all.length - 1 && l === "" ? "" : `${prefix}${l}\n`))
    .join("");

function WhatFixedItBefore({ s }: { s: Suggestions }) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="rounded-md border border-border px-3 py-2 text-xs" data-testid="suggestions">
      <h2 id={headingId} className="text-sm font-semibold">
        What fixed it before
      </h2>
      {s.items.length === 0 ? (
        <p className="text-muted-foreground">No earlier failure of this group or error code at this plant was closed in the last 90 days.</p>
      ) : (
        <>
          <p className="text-muted-foreground">
            {s.basis === "group" ? "Earlier members of this failure group" : "Earlier failures with this error code at this plant"} (last 90 days):
          </p>
          <ul className="mt-1 space-y-0.5">
            {s.items.map((i) => (
              <li key={`${i.kind}|${i.detail ?? ""}`} data-testid="suggestion">
                {labelOf(SUGGESTION_KIND_LABELS, i.kind)}
                {i.detail ? <span className="font-mono"> {i.detail}</span> : null} — {i.count} time{i.count === 1 ? "" : "s"} ·{" "}
                <Link href={`/exceptions/${i.exampleId}`} className="text-primary underline underline-offset-4">
                  an example
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
