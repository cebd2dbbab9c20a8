-- An exception remembers the hop that failed (its latest failure): a replay is delivered to that hop's
-- target system (QUALITY_HOLD fails at Odoo → the replay goes to Odoo, not to the interface's first target).
ALTER TABLE "exception" ADD COLUMN "hop_source" "system_kind";
ALTER TABLE "exception" ADD COLUMN "hop_target" "system_kind";
