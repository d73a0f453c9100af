/** An explicit offset (`Z` or `±hh:mm`) is required: without one, `Date` would read the text as local time. */
const isoWithOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * ISO 8601 with an offset → `YYYY-MM-DD hh:mm:ss.SSS` in UTC, the text a DateTime64(3, 'UTC') column
 * parses the same way under every `date_time_input_format`. Converting here rather than relying on the
 * server's best_effort parsing keeps the instant independent of server settings.
 */
export function toClickHouseDateTime(iso: string): string {
  const millis = isoWithOffset.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(millis)) {
    throw new Error(
      `Invalid timestamp ${JSON.stringify(iso)}: expected ISO 8601 with an offset, e.g. 2024-03-01T12:00:00+01:00`,
    );
  }
  return new Date(millis).toISOString().replace("T", " ").replace("Z", "");
}

/** `YYYY-MM-DD hh:mm:ss.SSS` read from a UTC DateTime64 column → ISO 8601 with `Z`. */
export function fromClickHouseDateTime(text: string): string {
  return new Date(`${text.replace(" ", "T")}Z`).toISOString();
}
