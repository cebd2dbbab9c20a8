import { forbidden } from "../http/errors";
import { type Principal, can } from "../policy";
import { enqueueNow } from "../workers/boss";
import { MONITOR_QUEUE } from "./run-monitor";

/** An administrator asks for a monitor run now (after changing expectations or schedules) instead of at the next minute. */
export async function requestMonitorRun(user: Principal): Promise<void> {
  if (!can(user, "expectation.manage")) throw forbidden("Only administrators can run the flow monitor on demand");
  await enqueueNow(MONITOR_QUEUE, {});
}
