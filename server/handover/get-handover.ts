import type { Principal } from "../policy";
import { type HandoverView, loadHandover, present } from "./handover-view";

export async function getHandover(user: Principal, code: string, id: string): Promise<HandoverView> {
  const { plant, row } = await loadHandover(user, code, id);
  return (await present(user, plant, [row]))[0]!;
}
