/** Values the global setup provides to every test file. */
declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    natsUrl: string;
  }
}

export {};
