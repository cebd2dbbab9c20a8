-- Audit trail filter by actor (label prefix, e.g. an e-mail).
CREATE INDEX "audit_event_actor_label_idx" ON "audit_event" ("actor_label" text_pattern_ops);
