"use client";
import { ArrowRight, ShieldCheck } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { formatCount, formatDuration, formatInstant } from "@/lib/format";
import { CONNECTOR_STATE_LABELS, CRITICALITY_LABELS, SEVERITY_LABELS } from "@/lib/labels";
import { cn } from "@/lib/utils";
import { ScrollRegion } from "../dashboards/scroll-region";
import type { PlantSummary } from "@/server/plants/types";
import { EditPlantDialog } from "./edit-plant-dialog";

const SYSTEM = {
  SAP_ERP: "SAP",
  ODOO: "Odoo",
  MES: "MES",
  QMS: "QMS",
  WMS: "WMS",
  CMMS: "CMMS",
  PLM: "PLM",
  SUPPLIER_PORTAL: "Supplier portal",
  PLANNING: "Planning",
  LIMS: "LIMS",
} as const;
const CRIT_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;
const MODE = { REAL_TIME: "real-time", NEAR_REAL_TIME: "near real-time", BATCH: "batch" } as const;
const STATE_DOT = { ONLINE: "bg-success", DEGRADED: "bg-warning", OFFLINE: "bg-danger", UNKNOWN: "bg-muted-foreground" } as const;

export function PlantCard({ plant, canEdit }: { plant: PlantSummary; canEdit: boolean }) {
  const headingId = `plant-${plant.code}`;
  return (
    <Card aria-labelledby={headingId} data-plant={plant.code} className="min-w-0">
      <CardHeader>
        <div className="min-w-0">
          <h2 id={headingId} className="flex items-center gap-2 text-base font-semibold">
            <Badge tone="outline" className="font-mono">
              {plant.code}
            </Badge>
            <span className="truncate" data-testid="plant-name">
              {plant.name}
            </span>
          </h2>
          <p className="mt-0.5 text-xs text-muted-foreground">
            {plant.timezone} ·{" "}
            <a href={`/plants/${plant.code}`} className="hover:underline">
              Interface metrics<span className="sr-only"> of {plant.code}</span>
            </a>
          </p>
        </div>
        {canEdit ? <EditPlantDialog plant={plant} /> : null}
      </CardHeader>
      <CardBody className="space-y-3">
        <OpenExceptions plant={plant} />
        <div>
          <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-muted-foreground">Systems and connectors</h3>
          <ul className="flex flex-wrap gap-1.5">
            {plant.systems.map((s) => (
              <li key={s.kind} className="flex items-center gap-1.5 rounded-md border border-border px-2 py-1 text-xs" title={s.description}>
                <span className="font-medium">{s.description}</span>
                {s.connector ? (
                  <span className="flex items-center gap-1 text-muted-foreground">
                    <span aria-hidden className={cn("size-1.5 rounded-full", s.connector.disabled ? "bg-muted-foreground" : STATE_DOT[s.connector.state])} />
                    <span>
                      {s.connector.disabled ? "connector out of service" : `connector: ${CONNECTOR_STATE_LABELS[s.connector.state].toLowerCase()}`}
                      {s.connector.backlog && !s.connector.disabled ? ` · ${formatCount(s.connector.backlog)} waiting` : ""}
                    </span>
                    {s.connector.replaysPausedUntil ? (
                      <Badge tone="critical" title="Consecutive technical failures: replays to this connector wait (circuit breaker)">
                        replays paused until {formatInstant(s.connector.replaysPausedUntil, plant.timezone, "time-seconds")}
                      </Badge>
                    ) : null}
                  </span>
                ) : (
                  <span className="text-muted-foreground">no connector</span>
                )}
              </li>
            ))}
          </ul>
        </div>
        <ScrollRegion label="Interfaces of this plant">
          <table className="w-full text-left text-xs">
            <caption className="sr-only">Interfaces of {plant.name}</caption>
            <thead className="text-muted-foreground">
              <tr className="border-b border-border">
                <th scope="col" className="py-1.5 pr-2 font-medium">
                  Interface
                </th>
                <th scope="col" className="py-1.5 pr-2 font-medium">
                  Route
                </th>
                <th scope="col" className="py-1.5 pr-2 font-medium">
                  Mode
                </th>
                <th scope="col" className="py-1.5 pr-2 font-medium text-right">
                  SLO
                </th>
                <th scope="col" className="py-1.5 font-medium">
                  Criticality
                </th>
              </tr>
            </thead>
            <tbody>
              {plant.interfaces.map((i) => (
                <tr key={i.code} className="border-b border-border last:border-0">
                  <th scope="row" className="py-1.5 pr-2 font-normal">
                    <span className="font-mono font-medium">{i.code}</span>
                    {i.requiresApproval ? (
                      <span className="ml-1 inline-flex align-middle text-muted-foreground" title="Replay of a changed payload requires four-eyes approval">
                        <ShieldCheck className="size-3.5" aria-label="Replay requires approval" />
                      </span>
                    ) : null}
                  </th>
                  <td className="py-1.5 pr-2 whitespace-nowrap">
                    {SYSTEM[i.sourceSystem]} <ArrowRight aria-label="to" className="inline size-3" /> {i.targetSystems.map((t) => SYSTEM[t]).join(" + ")}
                  </td>
                  <td className="py-1.5 pr-2 whitespace-nowrap text-muted-foreground">{MODE[i.syncMode]}</td>
                  <td className="py-1.5 pr-2 text-right tabular-nums whitespace-nowrap">{formatDuration(i.latencySloMs / 1000)}</td>
                  <td className="py-1.5">
                    <Badge tone={CRIT_TONE[i.criticality]}>{CRITICALITY_LABELS[i.criticality]}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </CardBody>
    </Card>
  );
}

const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;
const SEV_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;

function OpenExceptions({ plant }: { plant: PlantSummary }) {
  const open = plant.openExceptions;
  return (
    <section aria-label={`Open exceptions at ${plant.code}`} data-testid="open-exceptions">
      <h3 className="mb-1.5 flex items-center gap-2 text-xs font-semibold uppercase tracking-wide text-muted-foreground">
        <a href={`/exceptions?plant=${plant.code}`} className="hover:underline">
          Open exceptions
        </a>{" "}
        <span className="text-sm font-semibold normal-case text-foreground tabular-nums" data-testid="open-total">
          {formatCount(open.total)}
        </span>
        <span className="flex gap-1 normal-case">
          {SEVERITIES.filter((s) => open.bySeverity[s] > 0).map((s) => (
            <Badge key={s} tone={SEV_TONE[s]}>
              {formatCount(open.bySeverity[s])} {SEVERITY_LABELS[s].toLowerCase()}
            </Badge>
          ))}
        </span>
      </h3>
      {open.latest.length === 0 ? (
        <p className="text-xs text-muted-foreground">Nothing waiting: every failed message of this plant has been handled.</p>
      ) : (
        <ul className="space-y-1">
          {open.latest.map((e) => (
            <li key={e.id} className="flex items-baseline gap-2 text-xs" data-exception={e.id}>
              <Badge tone={SEV_TONE[e.severity]} className="shrink-0">
                {SEVERITY_LABELS[e.severity]}
              </Badge>
              <span className="shrink-0 font-mono font-medium">{e.interfaceCode}</span>
              <a href={`/exceptions/${e.id}`} className="min-w-0 truncate hover:underline" title={`${e.errorCode}: ${e.errorMessage}`}>
                <span className="font-mono text-muted-foreground">{e.errorCode}</span> {e.errorMessage}
                {e.businessKey ? <span className="text-muted-foreground"> · {e.businessKey}</span> : null}
              </a>
              <time className="ml-auto shrink-0 tabular-nums text-muted-foreground" dateTime={e.lastSeenAt}>
                {formatInstant(e.lastSeenAt, plant.timezone, "time-seconds")}
              </time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
