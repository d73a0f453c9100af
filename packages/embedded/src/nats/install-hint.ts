export const NATS_SERVER_MISSING =
  "nats-server was not found on PATH. It is needed to run NATS locally when NATS_URL is not set. Install it:\n" +
  "  Debian/Ubuntu: sudo apt-get install nats-server\n" +
  "  macOS:         brew install nats-server\n" +
  "or set NATS_URL to an existing NATS server with JetStream enabled (e.g. nats://127.0.0.1:4222).";
