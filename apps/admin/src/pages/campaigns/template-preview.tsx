import { Alert, Card, describeError, Spinner, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { SelectField } from "../../ui/fields.tsx";
import { CustomerPicker, type FoundCustomer } from "./customer-picker.tsx";

/** The saved template rendered with a real customer's data, as a campaign would send it; nothing is sent. */
export function TemplatePreview({ templateId, languages }: { templateId: string; languages: string[] }) {
  const { t } = useTranslation("campaigns");
  const trpc = useTRPC();
  const [customer, setCustomer] = useState<FoundCustomer | null>(null);
  const [language, setLanguage] = useState(languages[0] ?? "en");
  const [withCoupon, setWithCoupon] = useState(false);
  const preview = useQuery({
    ...trpc.templates.preview.queryOptions({
      templateId,
      customerId: customer?.id ?? "",
      language,
      sampleCoupon: withCoupon,
    }),
    enabled: Boolean(customer),
  });
  const content = preview.data?.message.content;

  return (
    <Card title={t("preview.title")}>
      <div className="flex flex-col gap-3">
        <CustomerPicker chosen={customer} onChoose={setCustomer} />
        <div className="flex flex-wrap items-end gap-3">
          <SelectField
            label={t("preview.language")}
            value={language}
            onChange={setLanguage}
            options={languages.map((l) => ({ value: l, label: l }))}
          />
          <label className="flex items-center gap-2 text-sm text-slate-900">
            <input type="checkbox" checked={withCoupon} onChange={(e) => setWithCoupon(e.target.checked)} />
            {t("preview.sampleCoupon")}
          </label>
        </div>
        {!customer && <p className="text-sm text-slate-700">{t("preview.pickFirst")}</p>}
        {customer && preview.isPending && <Spinner label={t("preview.rendering")} />}
        {preview.error && <Alert>{describeError(preview.error)}</Alert>}
        {content && (
          <section
            aria-label={t("preview.rendered")}
            className="rounded-md border border-slate-200 bg-slate-50 p-3"
            data-testid="rendered"
          >
            {content.channel === "push" && (
              <>
                <p className="font-semibold text-slate-900">{content.title}</p>
                <p className="text-slate-900">{content.body}</p>
                {content.url && <p className="text-xs text-slate-700">{content.url}</p>}
              </>
            )}
            {content.channel === "sms" && (
              <>
                <p className="whitespace-pre-wrap text-slate-900">{content.body}</p>
                {preview.data?.message.sms && (
                  <p className="mt-1 text-xs text-slate-700">
                    {t("preview.smsLength", {
                      segments: preview.data.message.sms.segments,
                      encoding: preview.data.message.sms.encoding,
                    })}
                  </p>
                )}
              </>
            )}
            {content.channel === "email" && (
              <>
                <p className="font-semibold text-slate-900">{content.subject}</p>
                {content.html ? (
                  // The rendered e-mail in a sandbox: its markup and styles stay out of the admin page.
                  <iframe
                    title={t("preview.emailBody")}
                    sandbox=""
                    srcDoc={content.html}
                    className="mt-2 h-72 w-full rounded border border-slate-200 bg-white"
                  />
                ) : (
                  <p className="whitespace-pre-wrap text-slate-900">{content.text}</p>
                )}
              </>
            )}
          </section>
        )}
      </div>
    </Card>
  );
}
