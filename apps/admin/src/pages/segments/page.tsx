import { Route, Routes } from "react-router";
import { SegmentDetail } from "./detail.tsx";
import { SegmentEditorPage } from "./editor.tsx";
import { SegmentList } from "./list.tsx";

export default function SegmentsPage() {
  return (
    <Routes>
      <Route index element={<SegmentList />} />
      <Route path="new" element={<SegmentEditorPage />} />
      <Route path=":id" element={<SegmentDetail />} />
      <Route path=":id/edit" element={<SegmentEditorPage />} />
    </Routes>
  );
}
