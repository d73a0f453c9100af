/**
 * How long an SMS is on the wire. A message whose every character is in the GSM 03.38 alphabet travels
 * as GSM-7 (160 characters in one SMS, 153 per part once split; the extension characters `^{}\[~]|€` and
 * form feed take two); one other character (an emoji, `ł`, `ś`) switches the whole message to UCS-2
 * (70 in one SMS, 67 per part, counted in UTF-16 units). Gateways bill per part, which is why this is
 * reported with every rendered SMS.
 */
const gsmBasic = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const gsmExtension = new Set("\f^{}\\[~]|€");

export interface SmsLength {
  encoding: "GSM-7" | "UCS-2";
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** What one part holds: 160 / 153 (GSM-7), 70 / 67 (UCS-2). */
  perSegment: number;
  /** Characters that forced UCS-2, to show the editor what to replace (at most ten). */
  nonGsmCharacters: string[];
}

export function smsLength(text: string): SmsLength {
  const characters = Array.from(text);
  const nonGsm = [...new Set(characters.filter((c) => !gsmBasic.has(c) && !gsmExtension.has(c)))];
  // Each character's size; a part never splits an escape pair or a surrogate pair, so parts are packed whole.
  const sizes =
    nonGsm.length === 0 ? characters.map((c) => (gsmExtension.has(c) ? 2 : 1)) : characters.map((c) => c.length);
  const single = nonGsm.length === 0 ? 160 : 70;
  const multi = nonGsm.length === 0 ? 153 : 67;
  const units = sizes.reduce((a, b) => a + b, 0);
  const encoding = nonGsm.length === 0 ? "GSM-7" : "UCS-2";
  if (units <= single)
    return {
      encoding,
      units,
      segments: units === 0 ? 0 : 1,
      perSegment: single,
      nonGsmCharacters: nonGsm.slice(0, 10),
    };
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > multi) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return { encoding, units, segments, perSegment: multi, nonGsmCharacters: nonGsm.slice(0, 10) };
}
