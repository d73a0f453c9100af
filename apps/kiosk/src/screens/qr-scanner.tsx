import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

/** The browser's barcode reader (Chromium on Android, ChromeOS, macOS); absent elsewhere. */
interface BarcodeReader {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type BarcodeReaderClass = new (options: { formats: string[] }) => BarcodeReader;

const readerClass = (): BarcodeReaderClass | undefined =>
  (globalThis as unknown as { BarcodeDetector?: BarcodeReaderClass }).BarcodeDetector;

export const canScan = (): boolean => Boolean(readerClass() && navigator.mediaDevices?.getUserMedia);

/**
 * Reads the app's QR code from the camera a few times a second, for as long as it is shown: a code that fails
 * (expired, used, misread) leaves it scanning for a fresh one. `paused` while a code read is being checked.
 */
export function QrScanner({ onToken, paused }: { onToken: (token: string) => void; paused: boolean }) {
  const { t } = useTranslation("identify");
  const video = useRef<HTMLVideoElement>(null);
  const found = useRef(onToken);
  found.current = onToken;
  const checking = useRef(paused);
  checking.current = paused;

  useEffect(() => {
    const Reader = readerClass();
    if (!Reader) return;
    let stream: MediaStream | null = null;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reader = new Reader({ formats: ["qr_code"] });
    // The code reported last: still in front of the camera after it failed, it would only fail again.
    let reported: string | undefined;
    const scan = async () => {
      if (stopped || !video.current) return;
      if (!checking.current) {
        const codes = await reader.detect(video.current).catch(() => []);
        const token = codes[0]?.rawValue.trim();
        if (token && token !== reported && !stopped) {
          reported = token;
          found.current(token);
        }
      }
      timer = setTimeout(scan, 250);
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "user" }, audio: false })
      .then(async (s) => {
        stream = s;
        if (stopped || !video.current) return;
        video.current.srcObject = s;
        await video.current.play();
        void scan();
      })
      // No camera or no permission: the field below still works.
      .catch(() => {});
    return () => {
      stopped = true;
      clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, []);

  return (
    <figure className="flex flex-col items-center gap-4">
      <video
        ref={video}
        muted
        playsInline
        className="aspect-square h-[min(36rem,30dvh)] rounded-2xl bg-slate-900 object-cover"
      />
      <figcaption className="text-2xl text-slate-800 short:text-xl">{t("scanHint")}</figcaption>
    </figure>
  );
}
