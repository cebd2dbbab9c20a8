/** Public API of the PLM connector (REST/JSON): emulator, client, source, BOM_RELEASE payload schema. */
export { createPlmClient, type Effectivity, type PlmClient, PlmClientError, type PlmRequestOptions, type RevisionView } from "./client";
export { type PlmEmulator, type PlmEmulatorOptions, startPlmEmulator } from "./emulator";
export { BOM_RELEASE_SAMPLE } from "./samples";
export { type AffectedBom, BOM_RELEASE_PAYLOAD_SCHEMA, type BomRelease, bomReleaseSchema } from "./schema";
export { pollBomReleases, readBomRelease, type ReleaseRevisionRequest, releaseBomRevision, releaseEco } from "./source";
export { type BomRevision, type Eco, type Part, PlmError } from "./state";
