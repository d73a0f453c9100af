import pg from "pg";
import { POSTGRES_HOST, POSTGRES_PASSWORD, POSTGRES_USER } from "./settings.ts";

export async function ensureDatabase(port: number, name: string): Promise<void> {
  const client = new pg.Client({
    host: POSTGRES_HOST,
    port,
    user: POSTGRES_USER,
    password: POSTGRES_PASSWORD,
    database: "postgres",
  });
  await client.connect();
  try {
    const existing = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (existing.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
