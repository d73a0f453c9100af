// @regulars/segments: segment definitions compiled to parameterised ClickHouse SQL. Pure: no I/O; the
// store (@regulars/segments-store) runs the statements and keeps the membership.
export { type CompiledSql, type CompileOptions, compileSegment, compileSegmentPreview } from "./compile.ts";
export { compare } from "./conditions.ts";
export { conditionUsesBehaviour, definitionUsesBehaviour, savedSegmentUsesBehaviour } from "./profiling.ts";
export { birthdaysWithin, clickHouseTime, localDate, windowDays } from "./time.ts";
