import { hash, verify } from "@node-rs/argon2";

// argon2id with the library defaults (m=19 MiB, t=2, p=1: OWASP's recommended minimum).
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// A valid hash of a random string: verified against when the email is unknown, so a failed
// sign-in takes as long whether or not the account exists.
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hash(`dummy-${Math.random()}`);
  return dummy;
}
