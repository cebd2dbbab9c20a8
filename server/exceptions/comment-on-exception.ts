import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { publishExceptionsById } from "../realtime/exception-live";
import { type Actor, type Via, actorOf, loadForAction } from "./action-support";

export const commentSchema = z.object({ body: z.string().trim().min(1, "Write a comment").max(4000, "Comments are limited to 4,000 characters") }).strict();

/** Comment on an exception (audited with an excerpt). */
export async function commentOnException(user: Actor, id: string, input: unknown, via: Via = {}) {
  const e = await loadForAction(user, id, "exception.comment");
  const { body } = commentSchema.parse(input);
  const comment = await db().$transaction(async (tx) => {
    const comment = await tx.exceptionComment.create({ data: { exceptionId: id, authorId: user.id, body } });
    await append(tx, {
      type: "exception.commented",
      actor: actorOf(user),
      plantId: e.plantId,
      subject: { type: "exception", id },
      data: { commentId: comment.id, excerpt: body.slice(0, 200), ...via },
    });
    return comment;
  });
  // Others with the exception open see the comment arrive.
  await publishExceptionsById([id]);
  return comment;
}
