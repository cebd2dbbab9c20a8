/**
 * A problem found while reading or writing an EDI interchange. `code` is the standard's own code, so
 * an acknowledgment can carry it unchanged:
 *
 * - X12, level "interchange": TA1 note code (TA105), e.g. 001 control numbers in ISA/IEA differ,
 *   021 invalid number of included groups, 023 premature end of file
 * - X12, level "group": AK905 functional group syntax error code, e.g. 3 trailer missing,
 *   4 control numbers in GS/GE differ, 5 number of included transaction sets wrong
 * - X12, level "transaction": AK502 transaction set syntax error code, e.g. 2 trailer missing,
 *   3 control numbers in ST/SE differ, 4 segment count wrong, 5 one or more segments in error
 * - X12, level "segment": AK304 segment syntax error code (3 mandatory segment missing, 8 segment has
 *   data element errors …), with AK403 `elementCode` (1 mandatory element missing, 7 invalid code
 *   value, 8 invalid date …) when an element is at fault
 * - EDIFACT (all levels): service code list 0085, e.g. 12 invalid value, 13 missing, 28 references
 *   do not match, 29 control count does not match number of instances received
 */
export type EdiStandard = "X12" | "EDIFACT";
export type EdiErrorLevel = "interchange" | "group" | "transaction" | "segment";

export interface EdiProblem {
  standard: EdiStandard;
  level: EdiErrorLevel;
  code: string;
  message: string;
  /** Group control number (X12 GS06) the problem belongs to. */
  groupControlNumber?: string;
  /** X12 ST02 / EDIFACT UNH 0062 of the transaction set / message. */
  transactionControlNumber?: string;
  /** Segment tag, e.g. PRF, LIN, QTY. */
  segment?: string;
  /** Position of the segment in the transaction set / message, counting ST / UNH as 1. */
  position?: number;
  /** Position of the element in the segment (1 = first after the tag). */
  element?: number;
  /** X12 AK403 data element syntax error code. */
  elementCode?: string;
  /** Copy of the bad value. */
  value?: string;
}

export class EdiError extends Error {
  override readonly name = "EdiError";
  constructor(readonly problem: EdiProblem) {
    super(problem.message);
  }
  get code(): string {
    return this.problem.code;
  }
}
