import { Alert, describeError } from "@regulars/web-ui";

/** Why the last call failed, in the server's words, or nothing. */
export function FailureNote({ error }: { error: unknown }) {
  return error ? <Alert>{describeError(error)}</Alert> : null;
}
