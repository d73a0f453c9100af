/**
 * Request bodies of the brand app's backend (`app` key) for load tests: a sign-up with a sign-in identity,
 * consents and a device's push token, and the behavioural events it reports. Pure and import-free on purpose: k6 loads this file (see baskets.ts).
 */

const firstNames = ["Anna", "Piotr", "Zofia", "Jakub", "Maja", "Kamil", "Julia", "Adam"];
const lastNames = ["Nowak", "Kowalska", "Wójcik", "Mazur", "Krawczyk", "Zieliński"];

export interface SignUp {
  register: {
    externalIdentity: { provider: string; subject: string };
    email: string;
    name: string;
    consents: { channel: "push" | "sms" | "email"; purpose: "marketing" | "profiling"; granted: boolean }[];
    consentSource: string;
  };
  pushToken: { deviceId: string; platform: "ios" | "android"; token: string };
}

/** The n-th sign-up of run `runId`: a new identity each time, consents as people tick them (most accept push). */
export function signUpOf(runId: string, n: number, random: () => number = Math.random): SignUp {
  const first = firstNames[n % firstNames.length]!;
  const last = lastNames[Math.floor(n / firstNames.length) % lastNames.length]!;
  const subject = `${runId}-${n}`;
  return {
    register: {
      externalIdentity: { provider: random() < 0.6 ? "apple" : "google", subject },
      email: `${first.toLowerCase()}.${n}.${runId}@example.com`,
      name: `${first} ${last}`,
      consents: [
        { channel: "push", purpose: "marketing", granted: random() < 0.7 },
        { channel: "email", purpose: "marketing", granted: random() < 0.5 },
        { channel: "push", purpose: "profiling", granted: random() < 0.6 },
      ],
      consentSource: "app:onboarding",
    },
    pushToken: {
      deviceId: `device-${subject}`,
      platform: random() < 0.55 ? "ios" : "android",
      token: `token-${subject}-${Math.floor(random() * 1e9).toString(36)}`,
    },
  };
}

/** What the app backend reports of its members: the types the programme's action rules react to. */
const appEventTypes = ["app_open", "app_open", "app_open", "push_opened", "profile_completed", "page_view"] as const;
const screens = ["home", "menu", "rewards", "offers", "profile"];

export interface AppEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  customer: { externalIdentity: { provider: string; subject: string } };
  channel: "app";
  properties: { screen: string };
}

/**
 * The n-th event of run `runId`, by a member the run signed up: a new `eventId` each time, `occurredAt` up to
 * a minute before `nowMs` (the app sends what the phone recorded, a little late).
 */
export function appEventOf(
  runId: string,
  n: number,
  member: { provider: string; subject: string },
  nowMs: number,
  random: () => number = Math.random,
): AppEvent {
  return {
    eventId: `k6e-${runId}-${n}`,
    type: appEventTypes[Math.floor(random() * appEventTypes.length)]!,
    occurredAt: new Date(nowMs - Math.floor(random() * 60000)).toISOString(),
    customer: { externalIdentity: { provider: member.provider, subject: member.subject } },
    channel: "app",
    properties: { screen: screens[Math.floor(random() * screens.length)]! },
  };
}
