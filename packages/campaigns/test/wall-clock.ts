/** The wall clock of an instant in a zone, read independently of the code under test (formatToParts). */
export function wallClockOf(at: Date, zone: string): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hourCycle: "h23",
    hour: "numeric",
    minute: "numeric",
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { hour: part("hour") % 24, minute: part("minute") };
}
