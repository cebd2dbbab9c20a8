-- CreateIndex: open exceptions only (the queue's counts and default view), small however long the history grows
CREATE INDEX "exception_open_plant_id_status_idx" ON "exception"("plant_id", "status") WHERE "status" NOT IN ('RESOLVED', 'DISCARDED');
