import { Route, Routes } from "react-router";
import { CampaignBuilderPage } from "./builder.tsx";
import { CampaignDetail } from "./detail.tsx";
import { CampaignList } from "./list.tsx";
import { TemplateEditorPage, TemplateList } from "./templates.tsx";

export default function CampaignsPage() {
  return (
    <Routes>
      <Route index element={<CampaignList />} />
      <Route path="new" element={<CampaignBuilderPage />} />
      <Route path="templates" element={<TemplateList />} />
      <Route path="templates/new" element={<TemplateEditorPage />} />
      <Route path="templates/:id" element={<TemplateEditorPage />} />
      <Route path=":id" element={<CampaignDetail />} />
      <Route path=":id/edit" element={<CampaignBuilderPage />} />
    </Routes>
  );
}
