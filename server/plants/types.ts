import type { ConnectorState, Criticality, Severity, SyncMode, SystemKind } from "../db/generated/enums";

/** What the Plants page and the `plant.updated` event carry: JSON-safe, no secrets. */
export type PlantSummary = {
  id: string;
  code: string;
  name: string;
  timezone: string;
  updatedAt: string;
  systems: {
    kind: SystemKind;
    description: string;
    connector: {
      id: string;
      name: string;
      state: ConnectorState;
      version: string | null;
      lastHeartbeatAt: string | null;
      backlog: number | null;
      replaysPausedUntil: string | null;
      /** Taken out of service by an administrator (its key is refused; dashboards leave it out). */
      disabled: boolean;
    } | null;
  }[];
  openExceptions: {
    total: number;
    bySeverity: Record<Severity, number>;
    latest: {
      id: string;
      interfaceCode: string;
      severity: Severity;
      errorCode: string;
      errorMessage: string;
      lastSeenAt: string;
      businessKey: string | null;
    }[];
  };
  interfaces: {
    code: string;
    name: string;
    sourceSystem: SystemKind;
    targetSystems: SystemKind[];
    syncMode: SyncMode;
    latencySloMs: number;
    criticality: Criticality;
    requiresApproval: boolean;
    enabled: boolean;
  }[];
};
