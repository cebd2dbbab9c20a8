import { executeHttpRequest } from "@sap-cloud-sdk/http-client";
import { defaultDeSerializers } from "@sap-cloud-sdk/odata-v2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSapEmulator, type SapEmulator } from "./emulator";
import { materialDocumentHeaderApi, prodnOrdConf2Api, supplierInvoiceApi, type VdmEntity } from "./sdk-vdm";
import { toSapDate } from "./sap-format";

/**
 * SAP's own client against the emulator: @sap-cloud-sdk/http-client (executeHttpRequest with
 * fetchCsrfToken: HEAD <url>/ with x-csrf-token: Fetch, then the write with token and cookie) and
 * the @sap-cloud-sdk/odata-v2 request builders (deep insert serialisation, getByKey/getAll with
 * select of a link ($expand) and $filter, deserialisation of Edm.DateTime/Edm.Decimal, error propagation).
 */

let sap: SapEmulator;
let destination: { url: string };

beforeAll(async () => {
  sap = await startSapEmulator({ port: 0 });
  destination = { url: sap.url };
});
afterAll(async () => {
  await sap.close();
});
beforeEach(() => sap.reset());

/** An Edm.DateTime value as the SDK represents it (a moment), made by the SDK's own deserializer. */
const sdkDate = (dats: string) =>
  defaultDeSerializers["Edm.DateTime"].deserialize(`/Date(${Date.UTC(Number(dats.slice(0, 4)), Number(dats.slice(4, 6)) - 1, Number(dats.slice(6, 8)))})/`);
const sdkDecimal = (value: string) => defaultDeSerializers["Edm.Decimal"].deserialize(value);

interface AxiosLikeCause {
  response?: { status?: number; headers?: Record<string, string>; data?: { error?: { code?: string; message?: { value?: string } } } };
}
/** The HTTP answer inside the SDK's ErrorWithCause chain (ErrorWithCause → … → AxiosError). */
function httpAnswerOf(error: unknown): AxiosLikeCause["response"] {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth += 1) {
    const response = (current as AxiosLikeCause).response;
    if (response) return response;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const issueBody = (quantity: string) => ({
  GoodsMovementCode: "03",
  to_MaterialDocumentItem: [
    {
      GoodsMovementType: "261",
      Material: "RM-0815",
      Plant: "1000",
      StorageLocation: "0001",
      Batch: "B2026-118",
      QuantityInEntryUnit: quantity,
      EntryUnit: "KG",
      ManufacturingOrder: "1004711",
    },
  ],
});

describe("@sap-cloud-sdk/http-client: executeHttpRequest with fetchCsrfToken", () => {
  it("fetches the token (HEAD …/ with x-csrf-token: Fetch) and posts with token and session cookie", async () => {
    const res = await executeHttpRequest(
      destination,
      {
        method: "post",
        url: "/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader",
        data: issueBody("10"),
        headers: { accept: "application/json" },
      },
      { fetchCsrfToken: true },
    );
    expect(res.status).toBe(201);
    expect(res.data.d).toMatchObject({ MaterialDocument: "4900001234", to_MaterialDocumentItem: { results: [{ QuantityInEntryUnit: "10.000" }] } });
    expect(JSON.parse(String(res.headers["sap-message"]))).toMatchObject({ code: "MIGO/012", severity: "success" });
    expect(sap.odataCounters()).toMatchObject({ csrfRejected: 0, processed: 1 });
  });

  it("without the token fetch SAP answers 403 x-csrf-token: Required; a business refusal carries SAP's error body", async () => {
    const noToken = await executeHttpRequest(
      destination,
      { method: "post", url: "/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader", data: issueBody("10") },
      { fetchCsrfToken: false },
    ).catch((error: unknown) => error);
    expect(httpAnswerOf(noToken)).toMatchObject({ status: 403, headers: { "x-csrf-token": "Required" } });

    const refused = await executeHttpRequest(
      destination,
      {
        method: "post",
        url: "/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader",
        data: issueBody("450"),
        headers: { accept: "application/json" },
      },
      { fetchCsrfToken: true },
    ).catch((error: unknown) => error);
    expect(httpAnswerOf(refused)).toMatchObject({
      status: 400,
      data: { error: { code: "M7/021", message: { value: "Deficit of BA Unrestricted-use 50.000 KG : RM-0815 1000 0001 B2026-118" } } },
    });
    expect(sap.materialDocuments()).toHaveLength(0);
  });
});

describe("@sap-cloud-sdk/odata-v2 request builders", () => {
  it("creates a material document (deep insert), reads it by key with $expand and by $filter", async () => {
    const today = toSapDate(new Date());
    const header = materialDocumentHeaderApi.fromJson({
      goodsMovementCode: "03",
      postingDate: sdkDate(today),
      materialDocumentHeaderText: "SDK issue",
      toMaterialDocumentItem: [
        {
          goodsMovementType: "261",
          material: "RM-0815",
          plant: "1000",
          storageLocation: "0001",
          batch: "B2026-118",
          quantityInEntryUnit: sdkDecimal("12.5"),
          entryUnit: "KG",
          manufacturingOrder: "1004711",
        },
      ],
    });
    const created = (await materialDocumentHeaderApi.requestBuilder().create(header).execute(destination)) as VdmEntity;
    expect(created.materialDocument).toBe("4900001234");
    expect(String(created.postingDate && (created.postingDate as { format(f: string): string }).format("YYYYMMDD"))).toBe(today);
    const items = created.toMaterialDocumentItem as VdmEntity[];
    expect(items).toHaveLength(1);
    expect(String(items[0]?.quantityInEntryUnit)).toBe("12.5");
    expect(sap.stock({ material: "RM-0815", plant: "1000", storageLocation: "0001", batch: "B2026-118" })).toBe(387.5);

    const keys = { MaterialDocumentYear: String(created.materialDocumentYear), MaterialDocument: "4900001234" };
    const read = (await materialDocumentHeaderApi
      .requestBuilder()
      .getByKey(keys)
      .select(materialDocumentHeaderApi.schema.ALL_FIELDS as never, materialDocumentHeaderApi.schema.TO_MATERIAL_DOCUMENT_ITEM as never)
      .execute(destination)) as VdmEntity;
    expect(read).toMatchObject({ materialDocument: "4900001234", goodsMovementCode: "03", materialDocumentHeaderText: "SDK issue" });
    expect((read.toMaterialDocumentItem as VdmEntity[]).map((i) => [i.material, i.inventoryStockType, String(i.quantityInBaseUnit)])).toEqual([
      ["RM-0815", "01", "12.5"],
    ]);

    const byText = (await materialDocumentHeaderApi
      .requestBuilder()
      .getAll()
      .filter((materialDocumentHeaderApi.schema.MATERIAL_DOCUMENT_HEADER_TEXT as { equals(v: string): never }).equals("SDK issue"))
      .execute(destination)) as VdmEntity[];
    expect(byText.map((d) => d.materialDocument)).toEqual(["4900001234"]);
  });

  it("creates an operation confirmation and reads it back; a refusal surfaces SAP's message through the SDK's error", async () => {
    const confirmation = prodnOrdConf2Api.fromJson({
      orderId: "1004711",
      orderOperation: "0010",
      confirmationYieldQuantity: sdkDecimal("40"),
      confirmationUnit: "PC",
      finalConfirmationType: "",
    });
    const created = (await prodnOrdConf2Api.requestBuilder().create(confirmation).execute(destination)) as VdmEntity;
    expect(created).toMatchObject({ confirmationGroup: "0000004712", confirmationCount: "00000001", orderId: "1004711", isFinalConfirmation: false });
    expect(String(created.confirmationYieldQuantity)).toBe("40");
    const read = (await prodnOrdConf2Api
      .requestBuilder()
      .getByKey({ ConfirmationGroup: "0000004712", ConfirmationCount: "00000001" })
      .execute(destination)) as VdmEntity;
    expect(read).toMatchObject({ orderOperation: "0010", workCenter: "CUT-01" });
    expect(sap.order("1004711")?.systemStatus).toEqual(["REL", "PCNF"]);

    const notReleased = prodnOrdConf2Api.fromJson({
      orderId: "1004713",
      orderOperation: "0010",
      confirmationYieldQuantity: sdkDecimal("1"),
      confirmationUnit: "PC",
    });
    const error = await prodnOrdConf2Api
      .requestBuilder()
      .create(notReleased)
      .execute(destination)
      .catch((e: unknown) => e);
    expect(httpAnswerOf(error)).toMatchObject({
      status: 400,
      data: { error: { code: "BS/013", message: { value: "System status CRTD is active (ORD 1004713)" } } },
    });
  });

  it("creates a supplier invoice (deep insert of to_SuplrInvcItemPurOrdRef), reads it back; the SDK fetches a fresh token after expiry", async () => {
    sap.faults.expireCsrfTokens();
    const invoice = supplierInvoiceApi.fromJson({
      companyCode: "1000",
      documentDate: sdkDate("20261120"),
      invoicingParty: "100200",
      documentCurrency: "EUR",
      invoiceGrossAmount: sdkDecimal("3600.00"),
      supplierInvoiceIdByInvcgParty: "RE-SDK-1",
      toSuplrInvcItemPurOrdRef: [
        {
          supplierInvoiceItem: "1",
          purchaseOrder: "4500012345",
          purchaseOrderItem: "30",
          supplierInvoiceItemAmount: sdkDecimal("3600.00"),
          quantityInPurchaseOrderUnit: sdkDecimal("200"),
        },
      ],
    });
    const created = (await supplierInvoiceApi.requestBuilder().create(invoice).execute(destination)) as VdmEntity;
    expect(created).toMatchObject({ supplierInvoice: "5105600101", supplierInvoiceStatus: "5", invoicingParty: "100200" });
    const read = (await supplierInvoiceApi
      .requestBuilder()
      .getByKey({ SupplierInvoice: "5105600101", FiscalYear: String(created.fiscalYear) })
      .select(supplierInvoiceApi.schema.ALL_FIELDS as never, supplierInvoiceApi.schema.TO_SUPLR_INVC_ITEM_PUR_ORD_REF as never)
      .execute(destination)) as VdmEntity;
    expect(String(read.invoiceGrossAmount)).toBe("3600");
    expect((read.toSuplrInvcItemPurOrdRef as VdmEntity[]).map((i) => [i.purchaseOrder, i.purchaseOrderItem, String(i.quantityInPurchaseOrderUnit)])).toEqual([
      ["4500012345", "00030", "200"],
    ]);

    const duplicate = await supplierInvoiceApi
      .requestBuilder()
      .create(invoice)
      .execute(destination)
      .catch((e: unknown) => e);
    expect(httpAnswerOf(duplicate)?.data?.error?.code).toBe("M8/108");
  });
});
