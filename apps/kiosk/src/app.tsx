import { Alert, ApiProvider, Button, describeError, FormatProvider, Spinner, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Device, forgetDevice, readDevice } from "./device.ts";
import { OrderFlow } from "./order/flow.tsx";
import { SetupScreen } from "./screens/setup.tsx";
import { StaffAccess } from "./screens/staff-access.tsx";

/** A device without a key is set up first; then every call carries the kiosk's key. */
export function App() {
  const [device, setDevice] = useState(readDevice);
  if (!device) return <SetupScreen onSaved={setDevice} />;
  const reset = () => {
    forgetDevice();
    setDevice(null);
  };
  return (
    <ApiProvider key={device.apiKey} transport={{ kind: "key", apiKey: device.apiKey }}>
      <Kiosk device={device} onReset={reset} />
    </ApiProvider>
  );
}

async function fetchConfig(): Promise<{ gatewayUrl: string }> {
  const res = await fetch(`${import.meta.env.BASE_URL}config.json`);
  if (!res.ok) throw new Error(`config.json answered ${res.status}`);
  return res.json();
}

/** The tenant (its name, currency and zone) and where sales go, before the first customer walks up. */
function Kiosk({ device, onReset }: { device: Device; onReset: () => void }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const tenant = useQuery(trpc.tenants.me.queryOptions(undefined, { staleTime: Number.POSITIVE_INFINITY }));
  const config = useQuery({ queryKey: ["kiosk-config"], queryFn: fetchConfig, staleTime: Number.POSITIVE_INFINITY });
  const failed = tenant.error ?? config.error;
  if (failed)
    return (
      <main className="flex min-h-screen flex-col items-center justify-center gap-8 p-16 text-2xl">
        <h1 className="text-5xl font-bold">{t("unavailable")}</h1>
        <Alert>{describeError(failed)}</Alert>
        {/* Mostly the network or the API restarting: asking again is the fix; a revoked key needs staff. */}
        <Button
          size="xl"
          disabled={tenant.isFetching || config.isFetching}
          onClick={() => {
            if (tenant.error) void tenant.refetch();
            if (config.error) void config.refetch();
          }}
        >
          {t("tryAgain")}
        </Button>
        <StaffAccess apiKey={device.apiKey} onReset={onReset} />
      </main>
    );
  if (!tenant.data || !config.data)
    return (
      <main className="flex min-h-screen items-center justify-center text-3xl">
        <Spinner label={t("loading")} />
      </main>
    );
  return (
    <FormatProvider tenant={tenant.data}>
      <OrderFlow
        tenantName={tenant.data.name}
        currency={tenant.data.currency}
        device={device}
        gatewayUrl={config.data.gatewayUrl}
        onReset={onReset}
      />
    </FormatProvider>
  );
}
