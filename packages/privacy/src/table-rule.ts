// What a Postgres table's line in tables.ts says (its own file so tables.ts and the outbox's rule, outbox-rule.ts,
// share it without importing each other).

export type PostgresErasure = "scrub" | "delete" | "keep";

export interface PostgresTableRule {
  where: string;
  /**
   * Its conditions read `$3`: a jsonb object of every spelling of the person's phone identities (`phoneSpellings` of
   * @regulars/contracts: a till's `+480604100077` for `+48604100077`) to the identity it spells, as a message a till
   * posted names them by either while their identities hold one (`personPhones`, `ruleParams`).
   */
  phones?: true;
  /** false: classified, not in the export (`why` says why). */
  export: boolean;
  /**
   * The export of a table whose rows erasure changes in more ways than `where` says (`shared`, `redact.where`): the
   * rows `where` names here, each as `row` (a jsonb of `t`), which leaves out other customers' items of a shared row.
   * Without it, the rows of the rule's `where` as stored.
   */
  exported?: { where: string; row: string };
  erase: PostgresErasure;
  why: string;
  /**
   * Rows that also hold other customers' items (an outbox batch row holds a tenant's events of one write):
   * erasure deletes the row when `where` finds only the person's items in it, else sets `without` on the rows
   * `holding` names, which leaves the others' items as they were.
   */
  shared?: { holding: string; without: string };
  /**
   * Personal data in rows erasure keeps (free text staff typed about the customer; a delivery copy's rendered link or
   * provider's words): erasure sets `set` on those of the person's rows that `rows` also names (rows already redacted
   * excluded, so a second pass counts only rows written since). `where`, when given, names the person's rows instead
   * of the rule's own: in a `delete` table that one names the rows deleted, not those kept. Text only: ids and
   * amounts stay, so the ledger's sums and the campaigns' figures do too.
   */
  redact?: { where?: string; rows: string; set: string };
}

/** What redacted free text reads as after an erasure. */
export const erasedText = "[erased]";
