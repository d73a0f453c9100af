import { randomBytes } from "node:crypto";
import { getDeadLetter, readDeadLetters, replayDeadLetter, type StoredDeadLetter } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { writeOutbox } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { testBus, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startOutboxFlusher } from "../src/index.ts";

// An event above the server's max_payload is dead-lettered with only its payload's beginning (a letter must fit too).
// Such a letter cannot be replayed, and the refusal must say where the whole event is and what the operator can do:
// it was never on a stream, and its outbox row was marked published.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
beforeAll(async () => {
  bus = await testBus();
  db = testDb();
});
afterAll(async () => {
  await bus?.dispose();
  await db?.$disconnect();
});

it("refuses to replay a cut-short outbox letter, saying how much it kept and that the outbox row holds the event", async () => {
  const tenant = `ten_${randomBytes(4).toString("hex")}`;
  const id = `replay-test:${tenant}:1`;
  const maxPayload = bus.nc.info!.max_payload;
  const payload = { id, tenantId: tenant, type: "coupon.issued", filler: "z".repeat(maxPayload + 1024) };
  await db.$transaction((tx) => writeOutbox(tx, [{ id, tenantId: tenant, type: "coupon.issued", payload }]));
  const flusher = startOutboxFlusher({ db, bus, log: silentLogger });
  flusher.flush(tenant);
  await flusher.stop();

  const letters: StoredDeadLetter[] = [];
  for await (const d of readDeadLetters(bus, { consumer: bus.topology.consumers.outbox }))
    if (d.letter.subject.includes(`.${tenant}.`)) letters.push(d);
  expect(letters).toHaveLength(1);
  const stored = (await getDeadLetter(bus, letters[0]!.seq))!;
  const whole = Buffer.byteLength(JSON.stringify(payload));
  const kept = Buffer.byteLength(stored.letter.payload);
  expect(stored.letter.truncatedFromBytes).toBe(whole);
  expect(kept).toBeLessThan(whole);

  // Read either way (a listing or one by --id), the letter says which event it was.
  for (const letter of [letters[0]!, stored]) {
    const refusal = await replayDeadLetter(bus, letter).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(refusal).toContain(`dead letter ${stored.seq} kept only the first ${kept} of the ${whole} bytes`);
    expect(refusal).toContain(`of outbox event ${id}, so it cannot be replayed`);
    expect(refusal).toContain("no stream holds it");
    expect(refusal).toContain(`outbox_events row (id ${id}, or the batch row holding it) was marked published`);
    expect(refusal).toContain("set that row's published_at to NULL: the outbox relay publishes it again");
    expect(refusal).not.toMatch(/the whole message is 0 on/); // it never was on a stream
  }
  // What the message says is so: the row is done and keeps the whole event, and the letter is still there.
  const [row] = await db.$queryRaw<{ published_at: Date | null; payload: unknown }[]>`
    SELECT published_at, payload FROM outbox_events WHERE id = ${id}`;
  expect(row!.published_at).not.toBeNull();
  expect(row!.payload).toEqual(payload);
  expect(await getDeadLetter(bus, stored.seq)).not.toBeNull();
  await db.$executeRaw`DELETE FROM outbox_events WHERE id = ${id}`;
});
