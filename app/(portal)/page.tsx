import { redirect } from "next/navigation";
import { requirePageUser } from "@/server/auth/current-user";
import { landingFor } from "@/server/navigation";

/** "/" (after sign-in, the logo): each role lands where its question is answered (server/navigation.ts). */
export default async function Home() {
  redirect(landingFor(await requirePageUser()));
}
