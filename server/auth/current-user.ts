import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { cache } from "react";
import { unauthorized } from "../http/errors";
import { authOptions } from "./options";
import { type CurrentUser, loadPrincipal } from "./principal";

export type { CurrentUser };

/** The signed-in user for this request (memoised per request), or null. */
export const currentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await getServerSession(authOptions);
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
