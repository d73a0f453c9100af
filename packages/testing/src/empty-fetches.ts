import type { Bus } from "@regulars/bus";

/**
 * The bus with every consumer fetch answered empty, as a slow server or a reconnect can: the server still counts the
 * messages due, so only the reader is faulted. For tests of scans that must not take a short read for the end.
 */
export function withEmptyFetches(bus: Bus): Bus {
  const bound = <T extends object>(target: T, key: string | symbol) => {
    const value = Reflect.get(target, key);
    return typeof value === "function" ? value.bind(target) : value;
  };
  const consumers = new Proxy(bus.js.consumers, {
    get: (target, key) =>
      key === "get"
        ? async (...args: Parameters<typeof target.get>) =>
            new Proxy(await target.get(...args), {
              get: (reader, readerKey) =>
                readerKey === "fetch" ? async () => (async function* () {})() : bound(reader, readerKey),
            })
        : bound(target, key),
  });
  return { ...bus, js: new Proxy(bus.js, { get: (js, key) => (key === "consumers" ? consumers : bound(js, key)) }) };
}
