import { getServerSession } from "next-auth";
import { redirect, unstable_rethrow } from "next/navigation";
import { cache } from "react";
import { unauthorized } from "../http/errors";
import { logger } from "../log";
import { authOptions } from "./options";
import { type CurrentUser, loadPrincipal } from "./principal";

export type { CurrentUser };

const log = logger("auth");

/**
 * The signed-in user for this request (memoised per request), or null. A session next-auth cannot
 * read from what the browser sent (it throws on request data it rejects, such as a tampered
 * callback-URL cookie the proxy did not catch) is no session: a 401, never a 500.
 */
export const currentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await getServerSession(authOptions).catch((err: unknown) => {
    unstable_rethrow(err); // Next.js' own signals (dynamic rendering, redirects) pass through
    log.warn({ err: (err as Error).message }, "the session could not be read from the request: treated as signed out");
    return null;
  });
  const id = session?.user?.id;
  return id ? loadPrincipal(id) : null;
});

/** For pages: the user, or a redirect to sign-in. */
export async function requirePageUser(): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect("/login");
  return user;
}

/** For route handlers: the user, or a 401 AppError (answered as JSON by `handler`). */
export async function requireApiUser(): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) throw unauthorized();
  return user;
}
