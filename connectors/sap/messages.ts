/**
 * The SAP messages (T100: message class, number, short text with &1…&4 placeholders) that the
 * emulated application functions raise. A message travels as BAPIRET2 (TYPE, ID, NUMBER,
 * MESSAGE_V1…V4) into the IDoc status record (MSGTY, MSGID, MSGNO, MSGV1…4) and its rendered text
 * into STATXT.
 *
 * Provenance of each entry:
 * - "standard": standard SAP message, class/number and text as SAP ships them;
 * - "standard (number from memory)": a standard message whose class/number could not be verified
 *   against a system; replace if a real system shows otherwise;
 * - "emulator": class ZSAPEMU, for situations SAP reports with a message we do not know for sure,
 *   or that SAP does not have (customer message classes start with Z, as a real system's would).
 */

export type MessageType = "E" | "W" | "S" | "I" | "A";

export interface MessageDefinition {
  readonly id: string;
  readonly number: string;
  readonly type: MessageType;
  /** Short text with &1…&4 (or &) placeholders. */
  readonly text: string;
}

export interface SapMessage {
  readonly type: MessageType;
  readonly id: string;
  readonly number: string;
  readonly v1: string;
  readonly v2: string;
  readonly v3: string;
  readonly v4: string;
  /** The short text with the variables filled in. */
  readonly text: string;
}

const define = (id: string, number: string, type: MessageType, text: string): MessageDefinition => ({ id, number, type, text });

export const MESSAGES = {
  // --- Inventory management (BAPI_GOODSMVT_CREATE / MB_CREATE) --------------------------------
  /** standard: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001" (stock type, quantity, unit, key). */
  deficit: define("M7", "021", "E", "Deficit of &1 &2 &3 : &4"),
  /** standard: MM period (MMPV) allows the current and the previous period only. */
  periodClosed: define("M7", "053", "E", "Posting only possible in periods &1 and &2 in company code &3"),
  /** standard (number from memory): no plant view (MARC) for the material. */
  notMaintainedInPlant: define("M7", "002", "E", "Material &1 not maintained in plant &2"),
  /** standard (number from memory): batch-managed material without a batch. */
  enterBatch: define("M7", "018", "E", "Enter batch"),
  /** standard: no client-level material master (MARA). */
  materialUnknown: define("M3", "305", "E", "The material &1 does not exist or is not activated"),
  /** standard (number from memory): account assignment to a non-existent order. */
  orderUnknown: define("KO", "001", "E", "Order &1 does not exist"),
  /**
   * standard: MIGO's success message. The ALE inbound function of MBGMCR itself writes B1 501
   * (method CREATEFROMDATA executed) and links the material document as application object; the
   * emulator uses this text so the document number is readable in the status record.
   */
  materialDocumentPosted: define("MIGO", "012", "S", "Material document &1 posted"),

  // --- Material master (MATMAS inbound) -------------------------------------------------------
  /** standard (number from memory). */
  materialCreated: define("M3", "800", "S", "Material &1 created"),
  /** standard (number from memory). */
  materialChanged: define("M3", "801", "S", "Material &1 changed"),

  // --- Emulator-defined (class ZSAPEMU) --------------------------------------------------------
  /** SAP has no duplicate check on the sender's DOCNUM; see README (idempotency). */
  duplicateIdoc: define("ZSAPEMU", "001", "E", "IDoc &1 from partner &2 already posted; not processed again"),
  storageLocationUnknown: define("ZSAPEMU", "002", "E", "Storage location &1 does not exist in plant &2"),
  movementTypeNotSupported: define("ZSAPEMU", "003", "E", "Movement type &1 is not supported"),
  unitNotDefined: define("ZSAPEMU", "004", "E", "Unit of measure &1 is not defined for material &2"),
  orderRequired: define("ZSAPEMU", "005", "E", "Enter an order for movement type &1"),
  plantUnknown: define("ZSAPEMU", "006", "E", "Plant &1 does not exist"),
  baseUnitMissing: define("ZSAPEMU", "007", "E", "Enter a base unit of measure for new material &1"),
  notBatchManaged: define("ZSAPEMU", "008", "E", "Material &1 is not handled in batches in plant &2"),
  receivingLocationRequired: define("ZSAPEMU", "009", "E", "Enter a receiving storage location for movement type &1"),
  /** LOIPRO has no standard inbound processing in SAP ERP (it is an outbound message). */
  productionOrderSaved: define("ZSAPEMU", "010", "S", "Production order &1 saved"),
  orderPlantMismatch: define("ZSAPEMU", "011", "E", "Order &1 belongs to plant &2"),
  materialFlaggedForDeletion: define("ZSAPEMU", "012", "E", "Material &1 is flagged for deletion"),
  testRun: define("ZSAPEMU", "013", "S", "Test run: goods movement checked, not posted"),
  storageLocationRequired: define("ZSAPEMU", "014", "E", "Enter a storage location for material &1"),
  purchaseOrderUnknown: define("ZSAPEMU", "015", "E", "Purchase order &1 does not exist"),
  purchaseOrderItemUnknown: define("ZSAPEMU", "016", "E", "Item &1 does not exist in purchase order &2"),
  purchaseOrderItemMismatch: define("ZSAPEMU", "017", "E", "Purchase order &1 item &2 is for material &3 in plant &4"),
  movementTypeNotForCode: define("ZSAPEMU", "018", "E", "Movement type &1 is not allowed with goods movement code &2"),

  // --- Production order confirmation (API_PROD_ORDER_CONFIRMATION_2_SRV / CO11N) ----------------
  /** emulator: the order's operation table has no such operation. */
  operationUnknown: define("ZSAPEMU", "020", "E", "Operation &1 does not exist in order &2"),
  /**
   * standard (number from memory): status management refuses the business transaction "confirm"
   * while CRTD (not released), TECO or CLSD is active, e.g. "System status CRTD is active (ORD 1004711)".
   */
  statusActive: define("BS", "013", "E", "System status &1 is active (&2)"),
  /** emulator: confirmed quantity beyond order quantity plus overdelivery tolerance. */
  overConfirmation: define("ZSAPEMU", "021", "E", "Confirmed quantity &1 exceeds the order quantity &2 of order &3 (tolerance &4 %)"),
  /** emulator: the operation is finally confirmed (CNF); a new confirmation needs a cancellation first. */
  operationFinallyConfirmed: define("ZSAPEMU", "022", "E", "Operation &1 of order &2 is already finally confirmed"),
  /**
   * emulator: SAP checks BOM validity when it explodes the BOM for the order, not on confirmation;
   * the emulator lets a confirmation carry the BOM revision it was produced with (BOMRevision) and
   * refuses it while the order's BOM revision is not yet effective on the posting date.
   */
  bomRevisionNotEffective: define("ZSAPEMU", "023", "E", "BOM revision &1 of material &2 is not effective before &3 (posting date &4)"),
  bomRevisionMismatch: define("ZSAPEMU", "024", "E", "Order &1 was exploded with BOM revision &2, not &3"),
  /** emulator: the confirmation unit is neither the order unit nor an alternative unit of the material. */
  confirmationUnitInvalid: define("ZSAPEMU", "025", "E", "Unit &1 cannot be converted to the order unit &2 of order &3"),
  workCenterMismatch: define("ZSAPEMU", "026", "E", "Work center &1 does not match work center &2 of operation &3"),
  /** standard (text as SAP ships it): the posting date's period is closed for confirmations. */
  confirmationPeriodLocked: define("RU", "428", "E", "Posting period &1 &2 is locked (check posting date)"),
  /** standard (number from memory): CO11N's success message. */
  confirmationSaved: define("RU", "100", "S", "Confirmation of order &1 saved"),
  enterOrder: define("ZSAPEMU", "027", "E", "Enter an order"),
  enterQuantity: define("ZSAPEMU", "028", "E", "Enter a yield, scrap or rework quantity"),

  // --- Supplier invoice (API_SUPPLIERINVOICE_PROCESS_SRV / MIRO) -------------------------------
  /** standard: FI posting period check (OB52) — period (3 digits) and fiscal year. */
  postingPeriodNotOpen: define("F5", "201", "E", "Posting period &1 &2 is not open"),
  /** standard (number from memory): duplicate invoice check (supplier, currency, company code, amount, reference, date). */
  duplicateInvoice: define("M8", "108", "E", "Check if invoice already entered under accounting doc. no. &1 &2"),
  /** standard (number from memory): gross amount and the items do not balance. */
  balanceNotZero: define("F5", "702", "E", "Balance in transaction currency"),
  invoicingPartyMismatch: define("ZSAPEMU", "030", "E", "Purchase order &1 belongs to supplier &2, not to invoicing party &3"),
  companyCodeMismatch: define("ZSAPEMU", "031", "E", "Purchase order &1 belongs to company code &2"),
  companyCodeUnknown: define("ZSAPEMU", "032", "E", "Company code &1 does not exist"),
  currencyMismatch: define("ZSAPEMU", "033", "E", "Purchase order &1 is in currency &2, not &3"),
  /** emulator (SAP posts and blocks for payment with reason R on a quantity variance). */
  invoiceBlockedQuantity: define("ZSAPEMU", "034", "W", "Invoice &1 posted and blocked for payment: quantity invoiced exceeds goods received (PO &2 item &3)"),
  /** standard (number from memory): MIRO's success message. */
  invoicePosted: define("M8", "060", "S", "Document no. &1 created"),

  // --- Quality management (API_INSPECTIONLOT_SRV / QA11) -----------------------------------------
  inspectionLotUnknown: define("ZSAPEMU", "040", "E", "Inspection lot &1 does not exist"),
  usageDecisionExists: define("ZSAPEMU", "041", "E", "A usage decision has already been made for inspection lot &1"),
  usageDecisionCodeInvalid: define("ZSAPEMU", "042", "E", "Usage decision code &1 is not defined in selected set &2"),
  characteristicUnknown: define("ZSAPEMU", "043", "E", "Characteristic &1 does not exist in inspection lot &2"),
  usageDecisionMade: define("ZSAPEMU", "044", "S", "Usage decision &1 made for inspection lot &2"),
  /** emulator: accepting a lot whose results rejected a characteristic (SAP warns; the decision stands). */
  acceptedDespiteRejection: define("ZSAPEMU", "045", "W", "Lot &1 accepted although characteristic &2 was rejected"),
  resultsRecorded: define("ZSAPEMU", "046", "S", "Results recorded for characteristic &1 of inspection lot &2"),
  testRunChecked: define("ZSAPEMU", "047", "S", "Test run: checked, nothing posted"),
} as const satisfies Record<string, MessageDefinition>;

export type MessageKey = keyof typeof MESSAGES;

/** MSGV1…4 are CHAR 50. */
const VARIABLE_LENGTH = 50;

/** Fills &1…&4 (and bare &, in order) the way the ABAP MESSAGE statement does. */
export function renderMessageText(text: string, variables: readonly string[]): string {
  let sequential = 0;
  return text.replace(/&([1-4])?/g, (_, position: string | undefined) => {
    const index = position ? Number(position) - 1 : sequential++;
    return variables[index] ?? "";
  });
}

export function sapMessage(key: MessageKey, ...variables: string[]): SapMessage {
  const definition: MessageDefinition = MESSAGES[key];
  const [v1 = "", v2 = "", v3 = "", v4 = ""] = variables.map((v) => v.slice(0, VARIABLE_LENGTH));
  const text = renderMessageText(definition.text, [v1, v2, v3, v4]);
  return { type: definition.type, id: definition.id, number: definition.number, v1, v2, v3, v4, text };
}
