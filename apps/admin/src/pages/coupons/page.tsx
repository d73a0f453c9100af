import { PageHeader, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Route, Routes, useParams } from "react-router";
import { QueryResult } from "../../ui/query-result.tsx";
import { CampaignDetail } from "./campaign-detail.tsx";
import { CampaignForm } from "./campaign-form.tsx";
import { CampaignList } from "./campaign-list.tsx";

/** Coupon campaigns: the list, a new one, one campaign, and its edit form. */
export default function CouponsPage() {
  return (
    <Routes>
      <Route index element={<CampaignList />} />
      <Route path="new" element={<NewCampaign />} />
      <Route path=":id" element={<CampaignDetail />} />
      <Route path=":id/edit" element={<EditCampaign />} />
    </Routes>
  );
}

function NewCampaign() {
  const { t } = useTranslation("coupons");
  return (
    <>
      <PageHeader title={t("newTitle")} />
      <CampaignForm />
    </>
  );
}

function EditCampaign() {
  const { t } = useTranslation("coupons");
  const { id = "" } = useParams();
  const trpc = useTRPC();
  const campaign = useQuery(trpc.coupons.get.queryOptions({ id }));
  return (
    <>
      <PageHeader title={t("editTitle", { name: campaign.data?.name ?? "" })} />
      <QueryResult query={campaign}>{(data) => <CampaignForm campaign={data} />}</QueryResult>
    </>
  );
}
