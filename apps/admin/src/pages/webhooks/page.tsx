import { Route, Routes } from "react-router";
import { EndpointDetail } from "./endpoint-detail.tsx";
import { EndpointList } from "./endpoint-list.tsx";

export default function WebhooksPage() {
  return (
    <Routes>
      <Route index element={<EndpointList />} />
      <Route path=":id" element={<EndpointDetail />} />
    </Routes>
  );
}
