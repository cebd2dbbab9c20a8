/** Types of the parts of the `edifact` package (1.2.12, CommonJS, untyped) that the contract tests use. */
declare module "edifact" {
  export interface EdifactLibSegment {
    name: string;
    elements: string[][];
  }
  export class Reader {
    constructor(options?: { autoDetectEncoding?: boolean });
    parse(document: string): EdifactLibSegment[];
    define(definitions: Record<string, unknown>): void;
  }
  export class Tracker {
    constructor(table: unknown[]);
    accept(segment: string): boolean;
    reset(): void;
    on(event: "error", listener: (error: Error) => void): this;
  }
  export class Validator {
    define(definitions: Record<string, unknown>): void;
  }
  export class Parser {
    constructor(validator?: Validator);
    on(event: "opensegment" | "component", listener: (data: string) => void): this;
    on(event: "element" | "closesegment", listener: () => void): this;
    write(chunk: string): void;
    end(): void;
  }
  const edifact: { Reader: typeof Reader; Tracker: typeof Tracker; Validator: typeof Validator; Parser: typeof Parser };
  export default edifact;
}
