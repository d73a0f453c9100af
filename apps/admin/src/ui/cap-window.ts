/** A frequency cap's window as a form shows it: whole days read as days, so a week is 7 days, not 168 hours. */
export type WindowUnit = "days" | "hours";

/** The schema's longest cap window (and a campaign's longest gap between messages): a year, in hours. */
export const yearHours = 24 * 365;

const hoursPer: Record<WindowUnit, number> = { days: 24, hours: 1 };

/** The unit a stored window reads best in: days when it is whole days, hours otherwise (or when unreadable). */
export const naturalUnit = (windowHours: number): WindowUnit =>
  Number.isFinite(windowHours) && windowHours > 0 && windowHours % 24 === 0 ? "days" : "hours";

/** The number a window shows in a unit; an unreadable window (NaN) stays unreadable so the box shows empty. */
export const windowIn = (windowHours: number, unit: WindowUnit): number => windowHours / hoursPer[unit];

/** The hours the server stores for a number typed in a unit; NaN stays NaN so the server names the field. */
export const hoursOf = (window: number, unit: WindowUnit): number => window * hoursPer[unit];

/** The biggest number the window box takes in a unit: a year (365 days, 8760 hours). */
export const maxWindowIn = (unit: WindowUnit): number => yearHours / hoursPer[unit];
