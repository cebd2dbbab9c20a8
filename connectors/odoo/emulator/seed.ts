/**
 * Initial records: a small but realistic plant (Hamburg-style assembly). Ids are chosen so that the
 * shared sample (`product_id` 4211, `bom_id` 88, `product_uom_id` 1) is valid and the next
 * manufacturing order gets id 9312, as in the sample's `response_ok`.
 */
import type { Row } from "./fields";
import { Store } from "./store";

export interface SeedOptions {
  companyName: string;
  login: string;
  uid: number;
}

const STAMP = "2026-11-02 07:30:00";

type SeedRows = Readonly<Record<string, readonly Row[]>>;

function rows(options: SeedOptions): SeedRows {
  const company = 1;
  return {
    "res.company": [{ id: company, name: options.companyName, sequence: 10 }],
    "res.users": [
      // __system__ (OdooBot) is uid 1 and inactive; the integration user is an administrator-like user.
      { id: 1, name: "OdooBot", login: "__system__", company_id: company, active: false },
      { id: options.uid, name: "Andon Integration", login: options.login, company_id: company, active: true },
    ],
    "res.partner": [
      { id: 1, name: options.companyName, complete_name: options.companyName, ref: false, is_company: true, company_id: false, active: true },
      {
        id: 21,
        name: "Nordwerk Lagertechnik GmbH",
        complete_name: "Nordwerk Lagertechnik GmbH",
        ref: "V-1021",
        is_company: true,
        company_id: false,
        active: true,
      },
      {
        id: 22,
        name: "Fundición del Norte S.A. de C.V.",
        complete_name: "Fundición del Norte S.A. de C.V.",
        ref: "V-1022",
        is_company: true,
        company_id: false,
        active: true,
      },
      { id: 23, name: "Elbe Antriebe AG", complete_name: "Elbe Antriebe AG", ref: "C-2001", is_company: true, company_id: false, active: true },
    ],
    "uom.category": [
      { id: 1, name: "Unit" },
      { id: 2, name: "Weight" },
      { id: 4, name: "Length / Distance" },
    ],
    "uom.uom": [
      { id: 1, name: "Units", category_id: 1, uom_type: "reference", factor: 1, rounding: 0.01, active: true },
      { id: 2, name: "Dozens", category_id: 1, uom_type: "bigger", factor: 1 / 12, rounding: 0.01, active: true },
      { id: 12, name: "kg", category_id: 2, uom_type: "reference", factor: 1, rounding: 0.01, active: true },
      { id: 13, name: "g", category_id: 2, uom_type: "smaller", factor: 1000, rounding: 0.01, active: true },
      { id: 5, name: "m", category_id: 4, uom_type: "reference", factor: 1, rounding: 0.01, active: true },
    ],
    "stock.route": [
      { id: 5, name: "Manufacture", sequence: 5, active: true },
      { id: 6, name: "Buy", sequence: 5, active: true },
    ],
    "stock.location": [
      { id: 4, name: "Vendors", complete_name: "Partners/Vendors", usage: "supplier", company_id: false, active: true },
      { id: 5, name: "Customers", complete_name: "Partners/Customers", usage: "customer", company_id: false, active: true },
      { id: 8, name: "Stock", complete_name: "WH/Stock", usage: "internal", company_id: company, active: true },
      { id: 15, name: "Production", complete_name: "Virtual Locations/Production", usage: "production", company_id: company, active: true },
    ],
    "stock.picking.type": [
      {
        id: 1,
        name: "Receipts",
        code: "incoming",
        sequence_code: "IN",
        warehouse_code: "WH",
        default_location_src_id: 4,
        default_location_dest_id: 8,
        sequence: 1,
        company_id: company,
        active: true,
      },
      {
        id: 2,
        name: "Delivery Orders",
        code: "outgoing",
        sequence_code: "OUT",
        warehouse_code: "WH",
        default_location_src_id: 8,
        default_location_dest_id: 5,
        sequence: 5,
        company_id: company,
        active: true,
      },
      {
        id: 5,
        name: "Internal Transfers",
        code: "internal",
        sequence_code: "INT",
        warehouse_code: "WH",
        default_location_src_id: 8,
        default_location_dest_id: 8,
        sequence: 2,
        company_id: company,
        active: true,
      },
      {
        id: 8,
        name: "Manufacturing",
        code: "mrp_operation",
        sequence_code: "MO",
        warehouse_code: "WH",
        default_location_src_id: 8,
        default_location_dest_id: 8,
        sequence: 8,
        company_id: company,
        active: true,
      },
    ],
    "product.product": [
      // Manufactured, with BOM 88: the sample's product.
      {
        id: 4211,
        name: "Gearbox Housing GH-200",
        default_code: "GH-200",
        barcode: false,
        type: "product",
        uom_id: 1,
        route_ids: [5],
        company_id: company,
        active: true,
      },
      // Manufactured, but no BOM released yet: creating an MO for it fails (UserError).
      {
        id: 4212,
        name: "Drive Shaft DS-40",
        default_code: "DS-40",
        barcode: false,
        type: "product",
        uom_id: 1,
        route_ids: [5],
        company_id: company,
        active: true,
      },
      {
        id: 4213,
        name: "Deep Groove Ball Bearing 6204-2RS",
        default_code: "RM-6204",
        barcode: "4012802123450",
        type: "product",
        uom_id: 1,
        route_ids: [6],
        company_id: false,
        active: true,
      },
      {
        id: 4214,
        name: "Hydraulic Oil HLP 46",
        default_code: "RM-HLP46",
        barcode: false,
        type: "consu",
        uom_id: 12,
        route_ids: [6],
        company_id: false,
        active: true,
      },
      {
        id: 4215,
        name: "Aluminium Cast Blank AC-200",
        default_code: "RM-4711",
        barcode: false,
        type: "product",
        uom_id: 1,
        route_ids: [6],
        company_id: false,
        active: true,
      },
      {
        id: 4216,
        name: "Shaft Seal 35x52x7",
        default_code: "SP-SEAL-35",
        barcode: false,
        type: "product",
        uom_id: 1,
        route_ids: [6],
        company_id: false,
        active: true,
      },
      {
        id: 4217,
        name: "Gearbox Housing GH-100 (discontinued)",
        default_code: "GH-100",
        barcode: false,
        type: "product",
        uom_id: 1,
        route_ids: [5],
        company_id: company,
        active: false,
      },
    ],
    "mrp.bom": [
      { id: 88, code: "GH-200-A", product_id: 4211, product_qty: 1, product_uom_id: 1, type: "normal", sequence: 1, company_id: company, active: true },
    ],
    "mrp.production": [
      {
        id: 9309,
        name: "WH/MO/00451",
        priority: "0",
        origin: "SAP 1004702",
        product_id: 4211,
        product_qty: 100,
        product_uom_id: 1,
        bom_id: 88,
        date_start: "2026-11-20 06:00:00",
        date_finished: "2026-11-20 14:00:00",
        state: "done",
        user_id: options.uid,
        company_id: company,
      },
      {
        id: 9310,
        name: "WH/MO/00452",
        priority: "0",
        origin: "SAP 1004705",
        product_id: 4211,
        product_qty: 250,
        product_uom_id: 1,
        bom_id: 88,
        date_start: "2026-11-23 06:00:00",
        date_finished: false,
        state: "confirmed",
        user_id: options.uid,
        company_id: company,
      },
      {
        id: 9311,
        name: "WH/MO/00453",
        priority: "1",
        origin: "SAP 1004709",
        product_id: 4211,
        product_qty: 50,
        product_uom_id: 1,
        bom_id: 88,
        date_start: "2026-11-24 14:00:00",
        date_finished: false,
        state: "draft",
        user_id: options.uid,
        company_id: company,
      },
    ],
    "stock.picking": [
      {
        id: 301,
        name: "WH/IN/00021",
        origin: "P00042",
        partner_id: 21,
        picking_type_id: 1,
        location_id: 4,
        location_dest_id: 8,
        scheduled_date: "2026-11-21 08:00:00",
        date_done: false,
        state: "assigned",
        priority: "0",
        user_id: options.uid,
        company_id: company,
      },
      {
        id: 302,
        name: "WH/OUT/00007",
        origin: "S00019",
        partner_id: 23,
        picking_type_id: 2,
        location_id: 8,
        location_dest_id: 5,
        scheduled_date: "2026-11-19 12:00:00",
        date_done: "2026-11-19 15:12:40",
        state: "done",
        priority: "0",
        user_id: options.uid,
        company_id: company,
      },
    ],
    "stock.move": [
      {
        id: 1201,
        name: "[RM-6204] Deep Groove Ball Bearing 6204-2RS",
        sequence: 10,
        product_id: 4213,
        product_uom_qty: 500,
        quantity: 500,
        product_uom: 1,
        picking_id: 301,
        location_id: 4,
        location_dest_id: 8,
        date: "2026-11-21 08:00:00",
        origin: "P00042",
        state: "assigned",
        company_id: company,
      },
      {
        id: 1202,
        name: "[GH-200] Gearbox Housing GH-200",
        sequence: 10,
        product_id: 4211,
        product_uom_qty: 40,
        quantity: 40,
        product_uom: 1,
        picking_id: 302,
        location_id: 8,
        location_dest_id: 5,
        date: "2026-11-19 12:00:00",
        origin: "S00019",
        state: "done",
        company_id: company,
      },
    ],
    "maintenance.stage": [
      { id: 1, name: "New Request", sequence: 1, fold: false, done: false },
      { id: 2, name: "In Progress", sequence: 2, fold: false, done: false },
      { id: 3, name: "Repaired", sequence: 3, fold: true, done: true },
      { id: 4, name: "Scrap", sequence: 4, fold: true, done: true },
    ],
    "maintenance.equipment": [
      { id: 12, name: "CNC Milling Center DMU 50", serial_no: "DMU50-2291", location: "Hall 2", company_id: company, active: true },
      { id: 13, name: "Hydraulic Press HP-400", serial_no: "HP400-0173", location: "Hall 1", company_id: company, active: true },
      { id: 14, name: "Assembly Line 2 Conveyor", serial_no: false, location: "Hall 3", company_id: company, active: true },
    ],
    "maintenance.request": [
      {
        id: 51,
        name: "Spindle vibration above limit",
        description: false,
        request_date: "2026-11-18",
        equipment_id: 12,
        user_id: false,
        stage_id: 2,
        priority: "3",
        kanban_state: "normal",
        close_date: false,
        maintenance_type: "corrective",
        schedule_date: "2026-11-19 06:00:00",
        duration: 4,
        company_id: company,
        archive: false,
      },
      {
        id: 52,
        name: "Quarterly hydraulic oil change",
        description: false,
        request_date: "2026-11-20",
        equipment_id: 13,
        user_id: false,
        stage_id: 1,
        priority: "1",
        kanban_state: "normal",
        close_date: false,
        maintenance_type: "preventive",
        schedule_date: "2026-12-01 06:00:00",
        duration: 2,
        company_id: company,
        archive: false,
      },
    ],
  };
}

/** A fresh store with the seed records; the MO sequence continues after WH/MO/00453. */
export function seedStore(options: SeedOptions): Store {
  const store = new Store();
  for (const [model, records] of Object.entries(rows(options))) {
    for (const record of records) {
      store.insert(model, { ...record, create_uid: options.uid, create_date: STAMP, write_uid: options.uid, write_date: STAMP });
    }
  }
  store.setSequence("mrp.production", 454);
  store.setSequence("stock.picking.type.1", 22);
  store.setSequence("stock.picking.type.2", 8);
  return store;
}
