import { useState } from "react";

/**
 * A form's fields as one object: `draft` to read, `set(field)` for a field's onChange. Forms keep the whole object
 * they edit, so what they send back holds every field, the ones they do not show included.
 */
export function useDraft<T extends object>(initial: () => T) {
  const [draft, setDraft] = useState(initial);
  const set =
    <K extends keyof T>(key: K) =>
    (value: T[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  return { draft, set };
}
