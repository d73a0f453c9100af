/**
 * Progress callback. This package takes a plain function rather than a logger so it can run before,
 * and without, an app's logging setup (e.g. in the CLI).
 */
export type Log = (msg: string, fields?: Record<string, unknown>) => void;

export const noLog: Log = () => {};
