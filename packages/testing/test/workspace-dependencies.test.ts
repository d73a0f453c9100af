import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// The fixtures depend on tenancy (and through it on programme and staff), so a package below them must not list
// @regulars/testing: its tests get the fixtures from the workspace root's devDependency, as db, bus and tenancy do.
// A cycle makes pnpm and turbo warn on every run and leaves turbo no order to build the packages in.

const root = fileURLToPath(new URL("../../..", import.meta.url));
const workspaceFolders = ["apps", "packages"].flatMap((group) =>
  readdirSync(path.join(root, group)).map((name) => path.join(root, group, name)),
);

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function workspaceGraph(): Map<string, string[]> {
  const manifests = [...workspaceFolders, path.join(root, "loadtests")]
    .map((dir) => path.join(dir, "package.json"))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, "utf8")) as Manifest);
  const names = new Set(manifests.map((m) => m.name));
  return new Map(
    manifests.map((m) => [
      m.name,
      Object.keys({ ...m.dependencies, ...m.devDependencies }).filter((dependency) => names.has(dependency)),
    ]),
  );
}

/** Every cycle found by a depth-first walk, each as the path that closes it. */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const walk = (name: string, trail: string[]) => {
    const seenAt = trail.indexOf(name);
    if (seenAt >= 0) return void cycles.push([...trail.slice(seenAt), name]);
    if (done.has(name)) return;
    for (const next of graph.get(name) ?? []) walk(next, [...trail, name]);
    done.add(name);
  };
  for (const name of graph.keys()) walk(name, []);
  return cycles;
}

it("no workspace package depends on itself through its dependencies or devDependencies", () => {
  const graph = workspaceGraph();
  expect(graph.get("@regulars/testing")).toContain("@regulars/tenancy"); // the graph is really read
  expect(cyclesOf(graph).map((cycle) => cycle.join(" -> "))).toEqual([]);
});
