import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** Where `pnpm dev` sends API calls: the API role of a running system (`npm start`). */
const api = process.env.REGULARS_API_URL ?? "http://localhost:4001";

// Served by the API under /app/ (same origin as /trpc and /auth, so the session cookie is SameSite=Strict).
export default defineConfig({
  base: "/app/",
  plugins: [react(), tailwindcss()],
  server: {
    port: 5173,
    proxy: { "/trpc": api, "/auth": api, "/admin": api },
  },
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 600 },
});
