-- CreateTable
CREATE TABLE "exception_comment" (
    "id" UUID NOT NULL,
    "exception_id" UUID NOT NULL,
    "author_id" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exception_comment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "exception_comment_exception_id_created_at_idx" ON "exception_comment"("exception_id", "created_at");

-- CreateIndex (queue: newest first, keyset on (last_seen_at, id); age: first_seen_at)
CREATE INDEX "exception_last_seen_at_id_idx" ON "exception"("last_seen_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "exception_first_seen_at_idx" ON "exception"("first_seen_at");

-- AddForeignKey
ALTER TABLE "exception_comment" ADD CONSTRAINT "exception_comment_exception_id_fkey" FOREIGN KEY ("exception_id") REFERENCES "exception"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exception_comment" ADD CONSTRAINT "exception_comment_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
