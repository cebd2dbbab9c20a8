-- Transaction history (auditors): newest first with a keyset cursor, overall and per plant.
CREATE INDEX "business_transaction_first_seen_at_id_idx" ON "business_transaction" ("first_seen_at" DESC, "id" DESC);
CREATE INDEX "business_transaction_plant_id_first_seen_at_id_idx" ON "business_transaction" ("plant_id", "first_seen_at" DESC, "id" DESC);
