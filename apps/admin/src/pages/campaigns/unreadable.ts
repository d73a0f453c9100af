import { type CampaignStatus, statusMoves } from "./definition.ts";

/**
 * `campaigns.get` refuses with `unprocessable` when this release cannot read the campaign's stored definition (a
 * newer release's, or a row from before a schema change). The campaign still exists and the API still pauses and
 * archives it, so the detail page must not stop at the error.
 */
export function isUnreadableCampaign(err: unknown): boolean {
  const data = (err as { data?: { error?: { code?: unknown } } } | null | undefined)?.data;
  return data?.error?.code === "unprocessable";
}

/**
 * The `campaigns.list` cursor whose page starts with campaign `id`. The list has no id filter and answers ids
 * below the cursor, newest first; no campaign id lies strictly between an id and that id with a "0" after it
 * (ids are lower-case base32, "0" its lowest character), so the page's first row is this campaign.
 */
export const listCursorAt = (id: string): string => `${id}0`;

/** Of the moves its status allows, those that need no definition: resuming or activating reads it and is refused. */
export function unreadableMoves(status: CampaignStatus): ("pause" | "archive")[] {
  return statusMoves[status].filter((m): m is "pause" | "archive" => m === "pause" || m === "archive");
}
