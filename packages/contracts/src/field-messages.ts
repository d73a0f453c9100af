import { fieldMessage, type RawFieldIssue } from "@regulars/errors";
import { z } from "zod";

/**
 * zod's fallback messages, once for the whole process: every edge (gateway routes, tRPC inputs, stream
 * consumers) parses with schemas from here, so all of them read "required" or "must be one of: sale,
 * refund" rather than zod's developer-facing wording. Messages a schema sets itself still win.
 */
z.config({ customError: (issue) => fieldMessage(issue as RawFieldIssue) });
