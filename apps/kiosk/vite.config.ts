import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** Where `pnpm dev` sends calls: the API and the gateway of a running system (`npm start`). */
const api = process.env.REGULARS_API_URL ?? "http://localhost:4001";

// Served by the API under /kiosk/; transactions go to the ingestion gateway named in /kiosk/config.json.
export default defineConfig({
  base: "/kiosk/",
  plugins: [react(), tailwindcss()],
  server: { port: 5174, proxy: { "/trpc": api, "/kiosk/config.json": api } },
  build: { outDir: "dist", sourcemap: false },
});
