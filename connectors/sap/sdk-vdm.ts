import {
  AllFields,
  CreateRequestBuilder,
  CustomField,
  defaultDeSerializers,
  Entity,
  entityBuilder,
  FieldBuilder,
  GetAllRequestBuilder,
  GetByKeyRequestBuilder,
  Link,
  RequestBuilder,
  type DefaultDeSerializers,
  type EntityApi,
} from "@sap-cloud-sdk/odata-v2";
import { camelCase, upperCaseSnakeCase } from "@sap-cloud-sdk/util";

/**
 * A minimal typed client ("VDM") for SAP's own OData v2 request builders (@sap-cloud-sdk/odata-v2),
 * written the way the SAP Cloud SDK generator writes one (entity class with _entityName,
 * _defaultBasePath and _keys; an EntityApi with a schema of EdmTypeFields and Links; a request
 * builder with getByKey, getAll and create), for the properties Andon uses of each entity type of
 * API_MATERIAL_DOCUMENT_SRV, API_PROD_ORDER_CONFIRMATION_2_SRV and API_SUPPLIERINVOICE_PROCESS_SRV.
 * Property names and Edm types are those of SAP's metadata. Serialisation (deep insert,
 * Edm.DateTime as /Date(…)/, Edm.Decimal), the CSRF round trip, and parsing the answers are the
 * SDK's own code: this is what checks the emulator from the outside (see sap-cloud-sdk.test.ts).
 * Test support, not used by the connector.
 */

type EdmType = "Edm.String" | "Edm.Decimal" | "Edm.DateTime" | "Edm.Boolean" | "Edm.Time";

/** An entity of a hand-written VDM: the SDK's Entity with the properties as camelCase fields. */
export type VdmEntity = Entity & Record<string, unknown>;

export interface VdmApi extends EntityApi<VdmEntity, DefaultDeSerializers> {
  requestBuilder(): VdmRequestBuilder;
  /** Builds an entity from camelCase JSON (link properties as arrays of JSON). */
  fromJson(json: Record<string, unknown>): VdmEntity;
}

export class VdmRequestBuilder extends RequestBuilder<VdmEntity, DefaultDeSerializers> {
  getByKey(keys: Record<string, string>): GetByKeyRequestBuilder<VdmEntity, DefaultDeSerializers> {
    return new GetByKeyRequestBuilder(this.entityApi, keys);
  }
  getAll(): GetAllRequestBuilder<VdmEntity, DefaultDeSerializers> {
    return new GetAllRequestBuilder(this.entityApi);
  }
  create(entity: VdmEntity): CreateRequestBuilder<VdmEntity, DefaultDeSerializers> {
    return new CreateRequestBuilder(this.entityApi, entity);
  }
}

function defineEntity(
  entityName: string,
  servicePath: string,
  keys: string[],
  fields: Record<string, EdmType>,
  links: Record<string, () => VdmApi> = {},
): VdmApi {
  const EntityClass = class extends Entity {
    static override _entityName = entityName;
    static override _defaultBasePath = servicePath;
    static _keys = keys;
  };
  const entityConstructor = EntityClass as unknown as VdmApi["entityConstructor"];
  let schema: Record<string, unknown> | undefined;
  const api: VdmApi = {
    deSerializers: defaultDeSerializers,
    entityConstructor,
    requestBuilder: () => new VdmRequestBuilder(api),
    entityBuilder: () => entityBuilder(api),
    fromJson: (json) => entityBuilder(api).fromJson(json as never),
    customField: (fieldName) => new CustomField(fieldName, entityConstructor, defaultDeSerializers, false) as never,
    get schema() {
      if (!schema) {
        const builder = new FieldBuilder(entityConstructor, defaultDeSerializers);
        schema = { ALL_FIELDS: new AllFields("*", entityConstructor) };
        for (const [name, type] of Object.entries(fields)) schema[upperCaseSnakeCase(camelCase(name))] = builder.buildEdmTypeField(name, type, true);
        for (const [name, target] of Object.entries(links)) schema[upperCaseSnakeCase(camelCase(name))] = new Link(name, api as never, target() as never);
      }
      return schema;
    },
  };
  return api;
}

const MATDOC = "/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV";
const CONF = "/sap/opu/odata/sap/API_PROD_ORDER_CONFIRMATION_2_SRV";
const INVOICE = "/sap/opu/odata/sap/API_SUPPLIERINVOICE_PROCESS_SRV";

export const materialDocumentItemApi: VdmApi = defineEntity(
  "A_MaterialDocumentItem",
  MATDOC,
  ["MaterialDocumentYear", "MaterialDocument", "MaterialDocumentItem"],
  {
    MaterialDocumentYear: "Edm.String",
    MaterialDocument: "Edm.String",
    MaterialDocumentItem: "Edm.String",
    Material: "Edm.String",
    Plant: "Edm.String",
    StorageLocation: "Edm.String",
    Batch: "Edm.String",
    GoodsMovementType: "Edm.String",
    InventoryStockType: "Edm.String",
    ManufacturingOrder: "Edm.String",
    PurchaseOrder: "Edm.String",
    PurchaseOrderItem: "Edm.String",
    EntryUnit: "Edm.String",
    QuantityInEntryUnit: "Edm.Decimal",
    MaterialBaseUnit: "Edm.String",
    QuantityInBaseUnit: "Edm.Decimal",
    DebitCreditCode: "Edm.String",
    GoodsMovementIsCancelled: "Edm.Boolean",
  },
);

export const materialDocumentHeaderApi: VdmApi = defineEntity(
  "A_MaterialDocumentHeader",
  MATDOC,
  ["MaterialDocumentYear", "MaterialDocument"],
  {
    MaterialDocumentYear: "Edm.String",
    MaterialDocument: "Edm.String",
    DocumentDate: "Edm.DateTime",
    PostingDate: "Edm.DateTime",
    CreationDate: "Edm.DateTime",
    CreationTime: "Edm.Time",
    CreatedByUser: "Edm.String",
    MaterialDocumentHeaderText: "Edm.String",
    ReferenceDocument: "Edm.String",
    GoodsMovementCode: "Edm.String",
  },
  { to_MaterialDocumentItem: () => materialDocumentItemApi },
);

export const prodnOrdConf2Api: VdmApi = defineEntity("ProdnOrdConf2", CONF, ["ConfirmationGroup", "ConfirmationCount"], {
  ConfirmationGroup: "Edm.String",
  ConfirmationCount: "Edm.String",
  OrderID: "Edm.String",
  Sequence: "Edm.String",
  OrderOperation: "Edm.String",
  OrderType: "Edm.String",
  Material: "Edm.String",
  Plant: "Edm.String",
  WorkCenter: "Edm.String",
  PostingDate: "Edm.DateTime",
  ConfirmationEntryDate: "Edm.DateTime",
  ConfirmationEntryTime: "Edm.Time",
  ConfirmationUnit: "Edm.String",
  ConfirmationYieldQuantity: "Edm.Decimal",
  ConfirmationScrapQuantity: "Edm.Decimal",
  FinalConfirmationType: "Edm.String",
  IsFinalConfirmation: "Edm.Boolean",
  ConfirmationText: "Edm.String",
});

export const supplierInvoiceItemApi: VdmApi = defineEntity("A_SuplrInvcItemPurOrdRef", INVOICE, ["SupplierInvoice", "FiscalYear", "SupplierInvoiceItem"], {
  SupplierInvoice: "Edm.String",
  FiscalYear: "Edm.String",
  SupplierInvoiceItem: "Edm.String",
  PurchaseOrder: "Edm.String",
  PurchaseOrderItem: "Edm.String",
  Plant: "Edm.String",
  TaxCode: "Edm.String",
  DocumentCurrency: "Edm.String",
  SupplierInvoiceItemAmount: "Edm.Decimal",
  PurchaseOrderQuantityUnit: "Edm.String",
  QuantityInPurchaseOrderUnit: "Edm.Decimal",
});

export const supplierInvoiceApi: VdmApi = defineEntity(
  "A_SupplierInvoice",
  INVOICE,
  ["SupplierInvoice", "FiscalYear"],
  {
    SupplierInvoice: "Edm.String",
    FiscalYear: "Edm.String",
    CompanyCode: "Edm.String",
    DocumentDate: "Edm.DateTime",
    PostingDate: "Edm.DateTime",
    SupplierInvoiceIDByInvcgParty: "Edm.String",
    InvoicingParty: "Edm.String",
    DocumentCurrency: "Edm.String",
    InvoiceGrossAmount: "Edm.Decimal",
    DocumentHeaderText: "Edm.String",
    SupplierInvoiceStatus: "Edm.String",
    PaymentBlockingReason: "Edm.String",
    TaxIsCalculatedAutomatically: "Edm.Boolean",
  },
  { to_SuplrInvcItemPurOrdRef: () => supplierInvoiceItemApi },
);
