import { useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { may } from "../permissions.ts";
import { useSession } from "../session.tsx";

/**
 * The programme's tier names by id, for figures that carry tier ids (analytics, segment samples). Analysts may not
 * read the programme: for them the map stays empty and the ids show, as for a tier the programme no longer has.
 */
export function useTierNames(): ReadonlyMap<string, string> {
  const trpc = useTRPC();
  const mayReadProgramme = may(useSession().session?.staff.role, "readProgramme");
  const programme = useQuery({ ...trpc.programme.get.queryOptions(), enabled: mayReadProgramme });
  return new Map((programme.data?.config.tiers?.levels ?? []).map((l) => [l.id, l.name]));
}
