-- CreateIndex: the queue's free search (business-key prefix; any collation) and message-id lookup
CREATE INDEX "business_transaction_business_key_prefix_idx" ON "business_transaction"("business_key" text_pattern_ops);

-- CreateIndex
CREATE INDEX "business_transaction_message_id_idx" ON "business_transaction"("message_id");

-- DropIndex: superseded by (fingerprint, status)
DROP INDEX "exception_fingerprint_idx";

-- CreateIndex: a failure group's members and their counts per status
CREATE INDEX "exception_fingerprint_status_idx" ON "exception"("fingerprint", "status");

-- CreateIndex: an error code's exceptions and their counts per status
CREATE INDEX "exception_error_code_status_idx" ON "exception"("error_code", "status");

-- CreateIndex: the queue sorted by severity (keyset on severity, last seen, id)
CREATE INDEX "exception_severity_last_seen_at_id_idx" ON "exception"("severity", "last_seen_at" DESC, "id" DESC);

-- DropIndex: the planner combined it into bitmaps of every open exception (slower than filtering rows); the
-- queue's counts use the per-column indexes above instead (see server/exceptions/queue.ts).
DROP INDEX "exception_open_plant_id_status_idx";
