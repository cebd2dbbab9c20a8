import type { PlantSummary } from "../plants/types";
import type { AlertStatus, BulkKind, BulkStatus, ErrorCategory, FindingKind, FindingStatus, HandoverStatus, Severity } from "../db/generated/enums";

/** One exception as live events carry it (opened, updated or resolved; server/realtime/live.ts). */
export type ExceptionChange = {
  id: string;
  plantId: string;
  interfaceCode: string;
  transactionId: string;
  messageId: string;
  status: string;
  severity: Severity;
  category: ErrorCategory;
  errorCode: string;
  errorMessage: string;
  occurrences: number;
  lastSeenAt: string;
};

/** A bulk action's progress, pushed to its author's room (server/exceptions/run-bulk.ts). */
export type BulkSummary = {
  id: string;
  kind: BulkKind;
  status: BulkStatus;
  total: number;
  done: number;
  skipped: number;
  failed: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancelRequested: boolean;
  error: string | null;
  label: string;
};

/** A change to one alert, for its plant's room: inboxes and dashboards refetch or patch from it. */
export type AlertChange = { id: string; plantId: string; status: AlertStatus };

/**
 * A second person decided on someone's correction or replay request: sent to the author's (requester's)
 * own room, so they learn it wherever they are in the portal (components/corrections/decision-notices.tsx).
 */
export type DecisionNotice = {
  kind: "correction" | "replay_request";
  /** The correction's or the replay request's id. */
  id: string;
  exceptionId: string;
  plantId: string;
  decision: "APPROVED" | "REJECTED";
  /** The approver's name, as people read it. */
  decidedBy: string;
  decidedAt: string;
  comment: string | null;
  interfaceCode: string;
  businessKey: string | null;
};

/** A finding of the flow monitor opened, changed or cleared (its plant's room): queues, dashboards and the process view refetch. */
export type FindingChange = { id: string; plantId: string; kind: FindingKind; status: FindingStatus; interfaceCode: string };
/** A notification to the user (their own room): the bell refetches; `count` > 1 when repeated firings collapsed into it. */
export type NotificationNotice = { id: string; title: string; href: string; severity: Severity; count: number };
/** A shift handover of the plant was prepared, written or acknowledged. */
export type HandoverChange = { id: string; plantId: string; status: HandoverStatus };

export type ExceptionBatch = { plantId: string; items: ExceptionChange[]; total: number };
export type MetricsTick = { plantId: string; at: string; outcomes: { RECEIVED: number; DELIVERED: number; FAILED: number; RETRYING: number } };

/** The typed event map shared by the socket.io server and the browser client. */
export interface ServerToClientEvents {
  "plant.updated": (plant: PlantSummary) => void;
  /** Coalesced: at most one message per type per plant every few hundred milliseconds. */
  "exception.opened": (batch: ExceptionBatch) => void;
  "exception.updated": (batch: ExceptionBatch) => void;
  "exception.resolved": (batch: ExceptionBatch) => void;
  "metrics.tick": (tick: MetricsTick) => void;
  /** An alert of the plant fired, was acknowledged, assigned or resolved. */
  "alert.changed": (change: AlertChange) => void;
  /** Progress of the user's own bulk actions (sent to that user's room only). */
  "bulk.progress": (progress: BulkSummary) => void;
  /** The user's own correction was approved or rejected (sent to the author's room only). */
  "correction.decided": (notice: DecisionNotice) => void;
  /** The user's own replay request was approved or rejected (sent to the requester's room only). */
  "replay_request.decided": (notice: DecisionNotice) => void;
  /** A finding (late, stopped, flood, missed run) of the plant opened, changed or cleared. */
  "finding.changed": (change: FindingChange) => void;
  /** A new or collapsed notification for the user (sent to that user's room only). */
  "notification.new": (notice: NotificationNotice) => void;
  /** A shift handover of the plant was prepared, written or acknowledged. */
  "handover.changed": (change: HandoverChange) => void;
}

export type SubscribeResult = { joined: string[]; denied: string[] };

export interface ClientToServerEvents {
  /** Join the rooms of these plants (by id); each is checked by the policy. */
  "plants.subscribe": (plantIds: string[], ack: (result: SubscribeResult) => void) => void;
  "plants.unsubscribe": (plantIds: string[]) => void;
}

export type ServerEventName = keyof ServerToClientEvents;

/** Between instances (the cluster adapter's serverSideEmit): never sent to or by a browser. */
export interface InterServerEvents {
  /** A user's role, plant scope or state changed: each instance re-applies it to that user's sockets. */
  "user.changed": (userId: string) => void;
}

export const plantRoom = (plantId: string) => `plant:${plantId}`;
/** The plant of a plant room, or null for any other room. */
export const plantOfRoom = (room: string): string | null => (room.startsWith("plant:") ? room.slice("plant:".length) : null);
/** Every socket of a user joins their own room at connection (their bulk progress and decisions on their work, nothing else). */
export const userRoom = (userId: string) => `user:${userId}`;
