/**
 * Query parameters of one compiled statement. Every value a definition holds travels as a ClickHouse query
 * parameter (`{p3:String}`); the SQL text holds only our own fragments, column names and parameter names.
 */
export type ParamType = "String" | "Int64" | "Float64" | "UInt32" | "Array(String)" | "Array(UInt16)";

export class Params {
  readonly values: Record<string, unknown> = {};
  private next = 0;

  /** A fresh parameter holding `value`; returns its placeholder. */
  add(value: unknown, type: ParamType): string {
    const name = `p${this.next++}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }

  /** A named parameter shared by the whole statement (the tenant, now). */
  set(name: string, value: unknown, type: ParamType): string {
    this.values[name] = value;
    return `{${name}:${type}}`;
  }
}
