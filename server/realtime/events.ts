import type { PlantSummary } from "../plants/types";

/** The typed event map shared by the socket.io server and the browser client. */
export interface ServerToClientEvents {
  "plant.updated": (plant: PlantSummary) => void;
}

export type SubscribeResult = { joined: string[]; denied: string[] };

export interface ClientToServerEvents {
  /** Join the rooms of these plants (by id); each is checked by the policy. */
  "plants.subscribe": (plantIds: string[], ack: (result: SubscribeResult) => void) => void;
  "plants.unsubscribe": (plantIds: string[]) => void;
}

export type ServerEventName = keyof ServerToClientEvents;

export const plantRoom = (plantId: string) => `plant:${plantId}`;
