import { describe, expect, it } from "vitest";
import { ingestRefsSchema } from "../../server/ingest/schema";
import { refRows } from "../../server/ingest/refs";
import { goodsMovementRefs } from "./flows";

describe("the simulator's typed references", () => {
  it("names a goods movement's material, batch, order (as the MES and the release write it) and PO line, valid for ingest", () => {
    const refs = goodsMovementRefs({ MATERIAL: "RM-0815", BATCH: "B2026-118", ORDERID: "000001004711", PO_NUMBER: "4500012345", PO_ITEM: "00010" });
    expect(refs).toEqual({
      material: "RM-0815",
      lot: "B2026-118",
      productionOrder: { id: "1004711" },
      purchaseOrder: { id: "4500012345", line: "00010" },
    });
    expect(ingestRefsSchema.parse(refs)).toEqual(refs);
    expect(refRows(refs)).toEqual([
      { kind: "MATERIAL", value: "RM-0815", qualifier: "" },
      { kind: "PRODUCTION_ORDER", value: "1004711", qualifier: "" },
      { kind: "LOT", value: "B2026-118", qualifier: "" },
      { kind: "PURCHASE_ORDER", value: "4500012345", qualifier: "00010" },
    ]);
  });

  it("leaves out what the item does not name (no empty references)", () => {
    expect(goodsMovementRefs({ MATERIAL: "RM-4711", BATCH: "", ORDERID: undefined })).toEqual({ material: "RM-4711" });
    expect(refRows(undefined)).toEqual([]);
  });
});
