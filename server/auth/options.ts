import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { record } from "../audit";
import { authenticate } from "./authenticate";
import { logger } from "../log";
import { safeRedirect } from "./callback-url";

const log = logger("auth");

export const SESSION_MAX_AGE_S = 12 * 60 * 60; // one shift and a half

function clientIp(headers: Record<string, string | string[] | undefined> | undefined): string | null {
  const fwd = headers?.["x-forwarded-for"];
  const value = Array.isArray(fwd) ? fwd[0] : fwd;
  return value?.split(",")[0]?.trim() || null;
}

/**
 * next-auth configuration: credentials sign-in, JWT sessions carrying id, role and plant scope.
 * The session is what the browser shows; authorisation re-reads the user from the database on
 * every request (server/auth/current-user.ts) so a role or scope change applies at once.
 */
export const authOptions: AuthOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
  pages: { signIn: "/login", error: "/login" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: async (credentials, req) => authenticate(credentials, { ip: clientIp(req?.headers) }),
    }),
  ],
  callbacks: {
    // next-auth's default throws on a callbackUrl that is not a URL (a 500 on sign-in and sign-out).
    redirect: safeRedirect,
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.role = user.role;
        token.plantIds = user.plantIds;
      }
      return token;
    },
    session({ session, token }) {
      session.user = {
        id: token.sub ?? "",
        name: token.name ?? "",
        email: token.email ?? "",
        role: token.role,
        plantIds: token.plantIds ?? [],
      };
      return session;
    },
  },
  logger: {
    // A session cookie that does not decrypt (expired secret, tampered, garbage) is a signed-out visitor, not a stack trace.
    error(code, metadata) {
      const err = metadata instanceof Error ? metadata : metadata.error;
      if (code === "JWT_SESSION_ERROR") log.info({ code, err: err?.message }, "unreadable session cookie: treated as signed out");
      else log.error({ code, err }, "next-auth error");
    },
  },
  events: {
    async signOut({ token }) {
      if (!token?.sub) return;
      await record({
        type: "auth.sign_out",
        actor: { type: "user", id: token.sub, label: token.email ?? token.sub },
        subject: { type: "user", id: token.sub },
        data: {},
      });
    },
  },
};
