import {
  Alert,
  Button,
  Card,
  describeError,
  fieldErrors,
  type RouterOutputs,
  useFormat,
  useTRPC,
  useTRPCClient,
} from "@regulars/web-ui";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../../session.tsx";
import { TextField } from "../../ui/fields.tsx";
import { ProgressBar } from "../../ui/progress-bar.tsx";

type Campaign = RouterOutputs["coupons"]["get"];
type CodeRoom = RouterOutputs["coupons"]["codeRoom"];

/** Codes per call: a call stays short, and the bar moves as each one answers. */
const CHUNK = 1_000;

// Not crypto.randomUUID: that exists in secure contexts only, and the admin may be served over plain http on a LAN.
const pressKey = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

/** Generating unique codes in chunks with a progress bar, and the campaign's codes as a CSV file. */
export function CodesCard({ campaign, canGenerate }: { campaign: Campaign; canGenerate: boolean }) {
  const { t } = useTranslation("coupons");
  const format = useFormat();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const csrfToken = useSession().session?.csrfToken ?? "";
  const [count, setCount] = useState("2000");
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [generating, setGenerating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /** A request the pattern has no room for, refused here before any code is made. */
  const [tooMany, setTooMany] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  /**
   * The press of Generate not yet finished: a press after a failure with the same count retries it, sending its
   * chunks' keys again, so a chunk whose answer was lost after it committed is answered, not made twice.
   */
  const unfinished = useRef<{ key: string; total: number } | null>(null);

  const generate = async (e: FormEvent) => {
    e.preventDefault();
    const total = Number(count);
    setError(null);
    setTooMany(null);
    setGenerating(true);
    setProgress(null);
    try {
      // One call for a count the server refuses, so its message shows at the field.
      if (!Number.isInteger(total) || total < 1)
        await client.coupons.generateCodes.mutate({ id: campaign.id, count: total });
      const retried = unfinished.current?.total === total ? unfinished.current : null;
      // The whole request against the pattern's room first: chunk by chunk, a request too big would leave the codes
      // of the chunks before the refusal behind. A retry's codes made before count against that room already, so it
      // goes on to the server's own check of each chunk.
      if (!retried) {
        const room = await client.coupons.codeRoom.query({ id: campaign.id });
        if (total > room.available) {
          setTooMany(roomText(room));
          return;
        }
      }
      const press = retried ?? { key: pressKey(), total };
      unfinished.current = press;
      setProgress({ done: 0, total });
      let done = 0;
      for (let chunk = 0; chunk * CHUNK < total; chunk++) {
        const { inserted } = await client.coupons.generateCodes.mutate({
          id: campaign.id,
          count: Math.min(CHUNK, total - chunk * CHUNK),
          requestKey: `${press.key}:${chunk}`,
        });
        done += inserted;
        setProgress({ done, total });
      }
      unfinished.current = null;
    } catch (err) {
      setError(err);
    } finally {
      setGenerating(false);
      await queryClient.invalidateQueries({ queryKey: trpc.coupons.stats.queryKey({ id: campaign.id }) });
    }
  };

  const roomText = (room: CodeRoom) =>
    t(room.available ? "codes.tooMany" : "codes.full", {
      pattern: room.pattern,
      available: format.number(room.available),
      existing: format.number(room.existing),
      capacity: format.number(room.capacity),
    });

  // Cookie-authenticated requests carry the CSRF header, so the file comes through fetch and a Blob URL.
  const exportCsv = async () => {
    setExportError(null);
    const response = await fetch(`/admin/coupon-campaigns/${campaign.id}/codes.csv`, {
      credentials: "same-origin",
      headers: { "x-csrf-token": csrfToken },
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { message?: string } | null;
      setExportError(body?.message ?? response.statusText);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = `${campaign.id}-codes.csv`;
    link.click();
    // The download reads the Blob after the click returns; let it start before the URL goes.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };

  return (
    <Card title={t("codes.title")}>
      {canGenerate && campaign.config.codes.kind === "unique" && (
        <form noValidate onSubmit={generate} className="mb-4 flex flex-col gap-3">
          <div className="flex flex-wrap items-end gap-3">
            <TextField
              label={t("codes.count")}
              inputMode="numeric"
              value={count}
              onChange={setCount}
              error={tooMany ?? (error ? fieldErrors(error).count : undefined)}
              hint={t("codes.countHint", { pattern: campaign.config.codes.pattern })}
            />
            <Button type="submit" disabled={generating}>
              {t("codes.generate")}
            </Button>
          </div>
          {progress && <ProgressBar label={t("codes.progress")} done={progress.done} total={progress.total} />}
          <div aria-live="polite" className="text-sm text-slate-700">
            {progress && !generating && !error && t("codes.generated", { formatted: format.number(progress.done) })}
          </div>
          {error ? <Alert>{describeError(error)}</Alert> : null}
        </form>
      )}
      <Button tone="secondary" onClick={() => void exportCsv()}>
        {t("codes.export")}
      </Button>
      {exportError && (
        <div className="mt-2">
          <Alert>{exportError}</Alert>
        </div>
      )}
    </Card>
  );
}
