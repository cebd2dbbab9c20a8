import type { ErpState } from "./erp-state";
import type { SapMessage } from "./messages";

/**
 * What an inbound application function (IDOC_INPUT_…) reports back to the IDoc interface: the
 * final status, one message per status record, and the application object it created or changed.
 * Application functions check everything first and change the ERP state only when the whole IDoc
 * can be posted (a goods movement is posted completely or not at all).
 */

export interface ApplicationMessage {
  readonly message: SapMessage;
  /** Path of the segment the message refers to ("E1BP2017_GM_ITEM_CREATE[0]"), for SEGNUM. */
  readonly segmentPath?: string;
  /** Field of that segment (SEGFLD). */
  readonly field?: string;
}

/** Linked business object (BOR type and key), as the ALE layer links it to the IDoc. */
export interface ApplicationObject {
  readonly objectType: string;
  readonly key: string;
}

export interface MaterialDocumentRef {
  readonly number: string;
  readonly year: string;
}

export type ApplicationResult =
  | {
      readonly status: "53";
      readonly messages: readonly ApplicationMessage[];
      readonly applicationObject?: ApplicationObject;
      readonly materialDocument?: MaterialDocumentRef;
    }
  | { readonly status: "51"; readonly messages: readonly ApplicationMessage[] };

export interface ApplicationContext {
  readonly erp: ErpState;
  /** "Today" of the emulated system (DATS), the default posting date. */
  readonly today: string;
  readonly docnum: string;
}

export function notPosted(messages: readonly ApplicationMessage[]): ApplicationResult {
  return { status: "51", messages };
}
