/** Shapes the engine reads and returns; the programme itself is `ProgrammeConfig` from contracts. */

export interface CustomerState {
  /** Current tier id. */
  tier: string | null;
  /** "YYYY-MM-DD". */
  dateOfBirth: string | null;
  /** Points already earned today (tenant local day) before this transaction, for caps.perDay. */
  earnedToday: number;
}

export interface BasketLine {
  sku: string;
  name?: string;
  category?: string | null;
  tags: string[];
  quantity: number;
  unitPrice: number;
  discount: number;
}

export interface EarningInput {
  /** ISO 8601 with offset. */
  occurredAt: string;
  channel: string;
  locationId: string;
  lines: BasketLine[];
}

export interface LineExplanation {
  /** 0-based, as posted. */
  lineNo: number;
  /** What the customer paid for the line (after discounts), never below 0. */
  amount: number;
  eligible: boolean;
  /** The exclusion rule that removed the line, if any. */
  excludedBy: string | null;
  /** Points from base_rate and per_item rules before multipliers (fractional allowed). */
  basePoints: number;
  /** Combined multiplier applied to basePoints (1 when none). */
  multiplier: number;
  /** basePoints × multiplier (fractional allowed; the transaction total is floored once). */
  points: number;
  /** Ids of the rules that touched the line, incl. `tier:<id>` for a tier multiplier. */
  rules: string[];
}

export interface RuleExplanation {
  ruleId: string;
  type: string;
  /** What the rule added (fractional for line rules; multipliers report the extra points they added). */
  points: number;
  lines: number[];
  detail: string;
}

export interface EarningResult {
  /** Integer ≥ 0, after caps. */
  points: number;
  lines: LineExplanation[];
  rules: RuleExplanation[];
  capped: { by: "per_transaction" | "per_day"; uncapped: number } | null;
}

/** The slice of a rule that decides whether it is in force for a given event. */
export interface RuleContext {
  at: number; // epoch ms of occurredAt
  channel: string | null | undefined;
  locationId: string | null | undefined;
  tier: string | null;
}
