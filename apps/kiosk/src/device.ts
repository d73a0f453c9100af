/** What makes this browser a kiosk: its API key and the store it stands in, kept across restarts. */
export interface Device {
  apiKey: string;
  locationId: string;
}

const deviceKey = "regulars.kiosk.device";
const idleKey = "regulars.kiosk.idleSeconds";

/** The gateway's rule for location ids, checked here so a typo is caught at setup, not at the first sale. */
export const locationIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function readDevice(): Device | null {
  try {
    const stored = JSON.parse(localStorage.getItem(deviceKey) ?? "null") as Partial<Device> | null;
    return stored?.apiKey && stored.locationId ? { apiKey: stored.apiKey, locationId: stored.locationId } : null;
  } catch {
    return null;
  }
}

export function saveDevice(device: Device): void {
  localStorage.setItem(deviceKey, JSON.stringify(device));
}

export function forgetDevice(): void {
  localStorage.removeItem(deviceKey);
}

/**
 * A ready link (`/kiosk/#key=...&location=...`, printed by the start banner) sets the device up once: the key
 * is stored and the fragment cleared, so it stays neither in the address bar nor in the history.
 */
export function adoptDeviceFromFragment(): void {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const apiKey = params.get("key")?.trim();
  const locationId = params.get("location")?.trim();
  if (!apiKey) return;
  if (locationId && locationIdPattern.test(locationId)) saveDevice({ apiKey, locationId });
  history.replaceState(null, "", location.pathname + location.search);
}

/**
 * Seconds without a touch before the kiosk asks whether anyone is still there: `?idle=N` or the stored
 * setting, so tests and stores can shorten it; 90 by default.
 */
export function idleSeconds(): number {
  const asked = new URLSearchParams(location.search).get("idle") ?? localStorage.getItem(idleKey);
  const seconds = Number(asked);
  return asked && Number.isFinite(seconds) && seconds > 0 ? seconds : 90;
}

/** The start of a key as the admin app's API keys page lists it (`rk_kiosk_` and four more characters). */
export const keyPrefixOf = (apiKey: string): string => apiKey.slice(0, apiKey.indexOf("_", 3) + 5);

/**
 * Whether what staff typed proves they know which key this kiosk holds: at least its listed prefix (the trailing
 * "…" as listed may be kept), or more of the key. A customer cannot know it, so cannot take the kiosk away.
 */
export function confirmsDeviceReset(typed: string, apiKey: string): boolean {
  const given = typed.trim().replace(/…$/, "");
  return given.length >= keyPrefixOf(apiKey).length && apiKey.startsWith(given);
}
