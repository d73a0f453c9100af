// @regulars/segments-store: segments' I/O. Saved segments and their members in Postgres, members evaluated
// in ClickHouse (compiled definitions from @regulars/segments, or an analyst's checked raw SQL), the
// customers dimension kept in ClickHouse from Postgres, entered/left events through the outbox.
export { type CustomerRef, readCustomerSnapshots, snapshotCustomers } from "./customer-snapshots.ts";
export {
  type MaterialiseOptions,
  materialiseSegment,
  type SegmentRefresh,
  segmentEventId,
} from "./materialise.ts";
export { checkSegmentSql, type EvaluationContext, evaluateSegment, type SegmentSource } from "./member-ids.ts";
export { type PreviewMember, previewCheckedIds, previewSegment, type SegmentPreview } from "./preview.ts";
export { dueSegments, refreshDueSegments, refreshSegment } from "./refresh.ts";
export {
  createSegment,
  getSegment,
  listMembers,
  listSegments,
  type Segment,
  type SegmentInput,
  updateSegment,
} from "./segments.ts";
