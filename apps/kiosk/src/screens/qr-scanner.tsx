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

/** Reads the app's QR code from the camera, a few times a second, until one is found. */
export function QrScanner({ onToken }: { onToken: (token: string) => void }) {
  const { t } = useTranslation("identify");
  const video = useRef<HTMLVideoElement>(null);
  const found = useRef(onToken);
  found.current = onToken;

  useEffect(() => {
    const Reader = readerClass();
    if (!Reader) return;
    let stream: MediaStream | null = null;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reader = new Reader({ formats: ["qr_code"] });
    const scan = async () => {
      if (stopped || !video.current) return;
      const codes = await reader.detect(video.current).catch(() => []);
      const token = codes[0]?.rawValue.trim();
      if (token) return found.current(token);
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
      <video ref={video} muted playsInline className="aspect-square w-full max-w-xl rounded-2xl bg-slate-900" />
      <figcaption className="text-2xl text-slate-800">{t("scanHint")}</figcaption>
    </figure>
  );
}
