import { verifyChain, record, type VerifyResult } from "./index";
import { forbidden } from "../http/errors";
import { type Principal, can } from "../policy";

/** A person verifies the whole chain on demand; the check itself is audited. */
export async function verifyChainAs(user: Principal & { email?: string }): Promise<VerifyResult> {
  if (!can(user, "audit.verify")) throw forbidden("Only auditors and administrators can verify the audit trail");
  const result = await verifyChain();
  await record({
    type: "audit.chain_verified",
    actor: { type: "user", id: user.id, label: user.email ?? user.id },
    data: { ok: result.ok, checked: result.checked, brokenAtId: result.brokenAtId },
  });
  return result;
}
