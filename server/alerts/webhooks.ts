import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { append } from "../audit";
import { config } from "../config";
import { db } from "../db";
import { AppError, forbidden, notFound } from "../http/errors";
import { logger } from "../log";
import { requireAllowedDestination } from "../net/destination";
import { OutboundRefused, outboundRequest } from "../net/outbound";
import { type Principal, can } from "../policy";
import { type EscalationLevel, Severity } from "../db/generated/enums";

/**
 * Alert webhooks. Each fired or resolved alert becomes one notification per matching webhook (unique,
 * so never sent twice for one event), delivered by a pg-boss job with retries and backoff. The body is
 * JSON; `X-Andon-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the webhook's
 * secret lets the receiver check origin and freshness; `X-Andon-Event-Id` (the notification id) lets
 * it drop a retry it already processed. The URL must be https and public unless an administrator allowed
 * a private destination for the webhook (checked when it is saved and again on every delivery); a
 * redirect is not followed (it counts as a failure), and at most a few kB of the answer are read.
 */
const log = logger("alerts.webhooks");
export const WEBHOOK_RETRY = { retryLimit: 10, retryDelay: 5, retryBackoff: true, expireInSeconds: 60 } as const;
const TIMEOUT_MS = 10_000;
/** The answer's body is not used: read little of it. */
const MAX_RESPONSE_BYTES = 4096;

export function signBody(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Receiver-side check (also used by the tests): signature matches and is at most `toleranceS` old. */
export function verifySignature(secret: string, body: string, header: string | null, toleranceS = 300, now = Date.now()): boolean {
  const m = header?.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(now / 1000 - t) > toleranceS) return false;
  const expected = Buffer.from(signBody(secret, body, t).split("v1=")[1]!, "hex");
  return timingSafeEqual(expected, Buffer.from(m[2]!, "hex"));
}

export type WebhookPayload = {
  id: string;
  event: "alert.fired" | "alert.resolved" | "alert.escalated";
  /** alert.escalated: the rung of the escalation ladder reached (server/escalation) and how often the subject fired. */
  escalation?: { level: EscalationLevel; firings: number };
  alert: {
    id: string;
    status: string;
    severity: string;
    rule: string;
    plant: string;
    subject: string;
    message: string;
    value: number;
    firedAt: string;
    resolvedAt: string | null;
    url: string;
  };
};

/** Delivers one notification; throws (so pg-boss retries) on a network error or a non-2xx answer. */
export async function deliverNotification(notificationId: string, finalAttempt = false): Promise<"delivered" | "already" | "gone"> {
  const n = await db().alertNotification.findUnique({
    where: { id: notificationId },
    include: { webhook: true, alert: { include: { rule: { select: { name: true } }, plant: { select: { code: true } } } } },
  });
  if (!n) return "gone";
  if (n.status === "DELIVERED") return "already";
  if (!n.webhook.enabled) {
    await db().alertNotification.update({ where: { id: n.id }, data: { status: "FAILED", lastError: "webhook disabled" } });
    return "gone";
  }
  const a = n.alert;
  // An escalation's event is stored as "alert.escalated:<LEVEL>" (one delivery per rung); the body says the level apart.
  const [event, level] = n.event.split(":") as [WebhookPayload["event"], EscalationLevel | undefined];
  const escalation =
    event === "alert.escalated" && level
      ? {
          level,
          firings:
            (await db().escalationState.findUnique({ where: { subjectType_subjectId: { subjectType: "alert", subjectId: a.id } }, select: { firings: true } }))
              ?.firings ?? 1,
        }
      : undefined;
  const payload: WebhookPayload = {
    id: n.id,
    event,
    ...(escalation ? { escalation } : {}),
    alert: {
      id: a.id,
      status: a.status,
      severity: a.severity,
      rule: a.rule.name,
      plant: a.plant.code,
      subject: a.subjectLabel,
      message: a.message,
      value: a.value,
      firedAt: a.firedAt.toISOString(),
      resolvedAt: a.resolvedAt?.toISOString() ?? null,
      url: `${config().NEXTAUTH_URL ?? ""}/alerts?alert=${a.id}`,
    },
  };
  const body = JSON.stringify(payload);
  let error: string | null = null;
  try {
    const res = await outboundRequest(n.webhook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-andon-event": n.event,
        "x-andon-event-id": n.id,
        "x-andon-signature": signBody(n.webhook.secret, body),
        "user-agent": "andon-alerts",
      },
      body,
      allowPrivate: n.webhook.allowPrivate,
      timeoutMs: TIMEOUT_MS,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    });
    if (res.status >= 300 && res.status < 400) error = `HTTP ${res.status} (redirects are not followed)`;
    else if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
  } catch (err) {
    if (err instanceof OutboundRefused) {
      // Not allowed (the name now resolves to a private address, or http is no longer allowed): retrying will not help.
      await db().alertNotification.update({
        where: { id: n.id },
        data: { attempts: { increment: 1 }, lastError: `refused: ${err.message}`.slice(0, 500), status: "FAILED" },
      });
      log.warn({ notificationId: n.id, webhook: n.webhook.name, reason: err.reason }, "alert webhook destination refused");
      return "gone";
    }
    error = err instanceof Error ? err.message : String(err);
  }
  if (!error) {
    await db().alertNotification.update({
      where: { id: n.id },
      data: { status: "DELIVERED", deliveredAt: new Date(), attempts: { increment: 1 }, lastError: null },
    });
    return "delivered";
  }
  await db().alertNotification.update({
    where: { id: n.id },
    data: { attempts: { increment: 1 }, lastError: error.slice(0, 500), status: finalAttempt ? "FAILED" : "PENDING" },
  });
  log.warn({ notificationId: n.id, webhook: n.webhook.name, error, finalAttempt }, "alert webhook delivery failed");
  throw new Error(`webhook ${n.webhook.name}: ${error}`);
}

export const webhookInputSchema = z
  .object({
    name: z.string().trim().min(3).max(120),
    url: z.url({ protocol: /^https?$/, error: "An http(s) URL" }).max(2000),
    plantCode: z.string().nullable().default(null),
    enabled: z.boolean().default(true),
    /** The URL may be a private, loopback or link-local address (a receiver inside the company network). */
    allowPrivate: z.boolean().default(false),
    /** Routing by severity: only alerts and escalations of this severity or worse are sent. */
    minSeverity: z.enum(Severity).default("LOW"),
  })
  .strict();

type Admin = Principal & { email: string };
const actorOf = (u: Admin) => ({ type: "user" as const, id: u.id, label: u.email });

export type WebhookView = {
  id: string;
  name: string;
  url: string;
  plantCode: string | null;
  enabled: boolean;
  allowPrivate: boolean;
  minSeverity: Severity;
  delivered: number;
  pending: number;
  failed: number;
  lastError: string | null;
};

export async function listWebhooks(user: Principal): Promise<WebhookView[]> {
  if (!can(user, "alert_rule.manage")) throw forbidden("Only administrators manage alert webhooks");
  const rows = await db().alertWebhook.findMany({ include: { plant: { select: { code: true } } }, orderBy: { createdAt: "asc" } });
  const stats = await db().alertNotification.groupBy({ by: ["webhookId", "status"], _count: { _all: true } });
  const lastErrors = await db().alertNotification.findMany({
    where: { lastError: { not: null } },
    distinct: ["webhookId"],
    orderBy: [{ webhookId: "asc" }, { createdAt: "desc" }],
    select: { webhookId: true, lastError: true },
  });
  const count = (id: string, status: string) => stats.find((s) => s.webhookId === id && s.status === status)?._count._all ?? 0;
  return rows.map((w) => ({
    id: w.id,
    name: w.name,
    url: w.url,
    plantCode: w.plant?.code ?? null,
    enabled: w.enabled,
    allowPrivate: w.allowPrivate,
    minSeverity: w.minSeverity,
    delivered: count(w.id, "DELIVERED"),
    pending: count(w.id, "PENDING"),
    failed: count(w.id, "FAILED"),
    lastError: lastErrors.find((e) => e.webhookId === w.id)?.lastError ?? null,
  }));
}

/** Creates a webhook; its signing secret is returned once, here, and never shown again. */
export async function createWebhook(user: Admin, input: unknown): Promise<{ webhook: { id: string; name: string }; secret: string }> {
  if (!can(user, "alert_rule.manage")) throw forbidden("Only administrators manage alert webhooks");
  const data = webhookInputSchema.parse(input);
  const plant = data.plantCode ? await db().plant.findUnique({ where: { code: data.plantCode }, select: { id: true } }) : null;
  if (data.plantCode && !plant) throw new AppError(422, "unknown_plant", `No plant ${data.plantCode}`);
  await requireAllowedDestination(data.url, { allowPrivate: data.allowPrivate, what: "Webhook URL" });
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  const webhook = await db().$transaction(async (tx) => {
    const w = await tx.alertWebhook.create({
      data: {
        name: data.name,
        url: data.url,
        secret,
        plantId: plant?.id ?? null,
        enabled: data.enabled,
        allowPrivate: data.allowPrivate,
        minSeverity: data.minSeverity,
      },
    });
    await append(tx, {
      type: "alert_webhook.created",
      actor: actorOf(user),
      plantId: w.plantId,
      subject: { type: "alert_webhook", id: w.id },
      data: {
        webhookId: w.id,
        before: null,
        after: { name: w.name, url: w.url, plantCode: data.plantCode, enabled: w.enabled, allowPrivate: w.allowPrivate, minSeverity: w.minSeverity },
      },
    });
    return w;
  });
  return { webhook: { id: webhook.id, name: webhook.name }, secret };
}

export const webhookUpdateSchema = z
  .object({ enabled: z.boolean(), url: webhookInputSchema.shape.url, allowPrivate: z.boolean(), minSeverity: z.enum(Severity) })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");

/**
 * Pause or resume a webhook, change its URL, its minimum severity or whether it may be a private address; the body is read
 * after the policy check (a refused role learns nothing of it). A new URL or a withdrawn permission is
 * checked like a new webhook's URL.
 */
export async function updateWebhook(user: Admin, id: string, input: unknown): Promise<void> {
  if (!can(user, "alert_rule.manage")) throw forbidden("Only administrators manage alert webhooks");
  const change = webhookUpdateSchema.parse(input);
  if (!z.uuid().safeParse(id).success) throw notFound("Webhook");
  const w = await db().alertWebhook.findUnique({ where: { id } });
  if (!w) throw notFound("Webhook");
  if (change.url !== undefined || change.allowPrivate !== undefined) {
    await requireAllowedDestination(change.url ?? w.url, { allowPrivate: change.allowPrivate ?? w.allowPrivate, what: "Webhook URL" });
  }
  const keys = Object.keys(change) as (keyof typeof change)[];
  await db().$transaction(async (tx) => {
    await tx.alertWebhook.update({ where: { id }, data: change });
    await append(tx, {
      type: "alert_webhook.updated",
      actor: actorOf(user),
      plantId: w.plantId,
      subject: { type: "alert_webhook", id },
      data: { webhookId: id, before: Object.fromEntries(keys.map((k) => [k, w[k]])), after: change },
    });
  });
}
