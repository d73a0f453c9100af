import { Button, Card, fieldErrors, type RouterOutputs, useFormat, useTRPC } from "@regulars/web-ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import {
  BenefitFields,
  type BenefitLabels,
  benefitKinds,
  benefitText,
  benefitValue,
} from "../../ui/benefit-fields.tsx";
import { CheckboxGroup } from "../../ui/checkbox-group.tsx";
import { CheckboxField, SelectField, TextField } from "../../ui/fields.tsx";
import { errorAt, errorsUnder, numberText, optionalNumber } from "../../ui/form-values.ts";
import { LineMatchFields, matchText, matchValue } from "../../ui/line-match-fields.tsx";
import { TagField } from "../../ui/tag-input.tsx";
import { FailureNote } from "./failure-note.tsx";
import { TierField } from "./tier-field.tsx";
import { WhenFields, whenText, whenValue } from "./when-fields.tsx";

type Campaign = RouterOutputs["coupons"]["get"];
type CodesKind = Campaign["config"]["codes"]["kind"];
const channels = ["kiosk", "pos", "app", "web", "delivery"] as const;
type Channel = (typeof channels)[number];
const limitNames = ["total", "perCustomer", "perCode", "perDay", "budget"] as const;

/** A new campaign, or the parts of one to replace; the server's errors show at their fields. */
export function CampaignForm({ campaign }: { campaign?: Campaign }) {
  const { t } = useTranslation("coupons");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { timezone } = useFormat();
  const c = campaign?.config;
  const [name, setName] = useState(c?.name ?? "");
  const [description, setDescription] = useState(c?.description ?? "");
  const [benefit, setBenefit] = useState(benefitText(c?.benefit));
  const [minBasket, setMinBasket] = useState(numberText(c?.conditions.minBasket ?? 0));
  const [chosenChannels, setChannels] = useState<Channel[]>(c?.conditions.channels ?? []);
  const [locations, setLocations] = useState<string[]>(c?.conditions.locations ?? []);
  const [tiers, setTiers] = useState<string[]>(c?.conditions.tiers ?? []);
  const [requires, setRequires] = useState(matchText(c?.conditions.requires));
  const [when, setWhen] = useState(() => whenText(c?.conditions, timezone));
  const [limits, setLimits] = useState(() => Object.fromEntries(limitNames.map((n) => [n, numberText(c?.limits[n])])));
  const [codesKind, setCodesKind] = useState<CodesKind>(c?.codes.kind ?? "unique");
  const [code, setCode] = useState(c?.codes.kind === "generic" ? c.codes.code : "");
  const [pattern, setPattern] = useState(c?.codes.kind === "unique" ? c.codes.pattern : "WELCOME-XXXXXXXX");
  const [exclusive, setExclusive] = useState(c?.stacking.exclusive ?? false);
  const [onRegistration, setOnRegistration] = useState(c?.issueOnRegistration ?? false);

  const onSuccess = async (saved: { id: string }) => {
    await queryClient.invalidateQueries({ queryKey: trpc.coupons.pathKey() });
    await navigate(`/coupons/${saved.id}`);
  };
  const create = useMutation(trpc.coupons.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.coupons.update.mutationOptions({ onSuccess }));
  const save = campaign ? update : create;
  // Updates name their fields under `patch.`; a new campaign's are at the top.
  const all = campaign ? errorsUnder(fieldErrors(update.error), "patch") : fieldErrors(create.error);
  const err = (path: string) => errorAt(all, path);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const config = {
      name: name.trim(),
      // An edit sends "" to clear it: a part left out of an update stays as it was.
      description: campaign ? description.trim() : description.trim() || undefined,
      benefit: benefitValue(benefit),
      conditions: {
        minBasket: optionalNumber(minBasket) ?? 0,
        channels: chosenChannels,
        locations,
        tiers,
        requires: matchValue(requires, true),
        ...whenValue(when, timezone),
      },
      limits: Object.fromEntries(limitNames.map((n) => [n, optionalNumber(limits[n] ?? "")])),
      codes:
        codesKind === "generic"
          ? { kind: codesKind, code: code.trim() }
          : codesKind === "unique"
            ? { kind: codesKind, pattern: pattern.trim() }
            : { kind: codesKind },
      stacking: { ...c?.stacking, exclusive },
      issueOnRegistration: onRegistration,
    };
    if (campaign) {
      // The codes of a campaign with codes out stay as they are unless the generic code changed.
      const { codes, ...rest } = config;
      const sameCodes = JSON.stringify(codes) === JSON.stringify(campaign.config.codes);
      update.mutate({ id: campaign.id, patch: sameCodes ? rest : config });
    } else create.mutate(config);
  };

  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-4">
      <Card title={t("form.about")}>
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField label={t("form.name")} value={name} onChange={setName} error={err("name")} />
          <TextField
            label={t("form.description")}
            value={description}
            onChange={setDescription}
            error={err("description")}
          />
        </div>
      </Card>
      <Card title={t("form.benefit")}>
        <BenefitFields
          kinds={benefitKinds}
          labels={t("common:benefit", { returnObjects: true }) as BenefitLabels}
          value={benefit}
          onChange={setBenefit}
          errors={errorsUnder(all, "benefit")}
        />
      </Card>
      <Card title={t("form.conditions")}>
        <div className="flex flex-col gap-3">
          <div className="grid gap-3 sm:grid-cols-2">
            <TextField
              label={t("form.minBasket")}
              inputMode="numeric"
              value={minBasket}
              onChange={setMinBasket}
              error={err("conditions.minBasket")}
              hint={t("minorUnits")}
            />
            <TagField
              label={t("form.locations")}
              values={locations}
              onChange={setLocations}
              error={err("conditions.locations")}
              hint={t("form.locationsHint")}
            />
          </div>
          <CheckboxGroup
            legend={t("form.channels")}
            options={channels.map((ch) => ({ value: ch, label: t(`form.channelNames.${ch}`) }))}
            value={chosenChannels}
            onChange={setChannels}
            error={err("conditions.channels")}
          />
          <TierField value={tiers} onChange={setTiers} error={err("conditions.tiers")} />
          <LineMatchFields
            legend={t("form.requires")}
            labels={t("common:benefit.match", { returnObjects: true }) as BenefitLabels["match"]}
            value={requires}
            onChange={setRequires}
            errors={errorsUnder(all, "conditions.requires")}
          />
        </div>
      </Card>
      <Card title={t("form.when")}>
        <WhenFields value={when} onChange={setWhen} err={(path) => err(`conditions.${path}`)} zone={timezone} />
      </Card>
      <Card title={t("form.limits")}>
        <div className="grid gap-3 sm:grid-cols-3">
          {limitNames.map((n) => (
            <TextField
              key={n}
              label={t(`limits.${n}`)}
              inputMode="numeric"
              value={limits[n] ?? ""}
              onChange={(v) => setLimits((all) => ({ ...all, [n]: v }))}
              error={err(`limits.${n}`)}
              hint={n === "budget" ? t("minorUnits") : t("form.noLimit")}
            />
          ))}
        </div>
      </Card>
      <Card title={t("form.codes")}>
        <div className="grid gap-3 sm:grid-cols-2">
          <SelectField
            label={t("form.codesKind")}
            value={codesKind}
            onChange={setCodesKind}
            disabled={!!campaign}
            options={(["unique", "generic", "imported"] as const).map((k) => ({
              value: k,
              label: t(`codesKinds.${k}`),
            }))}
          />
          {codesKind === "generic" && (
            <TextField label={t("form.code")} value={code} onChange={setCode} error={err("codes.code")} />
          )}
          {codesKind === "unique" && (
            <TextField
              label={t("form.pattern")}
              value={pattern}
              onChange={setPattern}
              error={err("codes.pattern")}
              hint={t("form.patternHint")}
            />
          )}
        </div>
        <div className="mt-3 flex flex-col gap-2">
          <CheckboxField label={t("form.exclusive")} checked={exclusive} onChange={setExclusive} />
          <CheckboxField label={t("form.onRegistration")} checked={onRegistration} onChange={setOnRegistration} />
        </div>
      </Card>
      <FailureNote error={save.error} />
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {campaign ? t("common:save") : t("form.create")}
        </Button>
        <Button tone="secondary" onClick={() => void navigate(campaign ? `/coupons/${campaign.id}` : "/coupons")}>
          {t("common:cancel")}
        </Button>
      </div>
    </form>
  );
}
