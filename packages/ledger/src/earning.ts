import { lineAmount, type ProgrammeConfig, type TransactionInput } from "@regulars/contracts";

export interface RuleExplanation {
  ruleId: string;
  type: string;
  points: number;
  /** Line numbers (0-based, as posted) the rule counted. */
  lines: number[];
  detail: string;
}

export interface EarningResult {
  points: number;
  explanation: RuleExplanation[];
}

/**
 * Points a sale earns under a programme. Pure: the same programme and basket always give the same
 * points, which is what makes replaying a message safe. Earning is on what the customer actually
 * paid (line amount after discounts).
 */
export function evaluateEarning(programme: ProgrammeConfig, tx: Pick<TransactionInput, "lines">): EarningResult {
  const explanation: RuleExplanation[] = [];
  for (const rule of programme.rules) {
    if (rule.type === "base_rate") {
      const eligible = tx.lines.map((l, i) => ({ i, amount: lineAmount(l) })).filter((l) => l.amount > 0);
      const spend = eligible.reduce((acc, l) => acc + l.amount, 0);
      const points = Math.floor(spend / rule.unitMinor) * rule.pointsPerUnit;
      explanation.push({
        ruleId: rule.id,
        type: rule.type,
        points,
        lines: eligible.map((l) => l.i),
        detail: `${rule.pointsPerUnit} pt per ${rule.unitMinor} of ${spend} eligible`,
      });
    }
  }
  return { points: explanation.reduce((acc, e) => acc + e.points, 0), explanation };
}
