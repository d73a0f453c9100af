export { busTopology, type BusTopology } from "./topology.ts";
export { connectBus, busIsReady, type Bus, type BusOptions } from "./connection.ts";
export { ensureTopology, consumerBacklog, consumerCounts, type TopologyOptions } from "./streams.ts";
export { publishJson, publishMany, type Published } from "./publish.ts";
export { startBatchConsumer } from "./batch-consumer.ts";
export {
  done,
  type Outcome,
  type BatchConsumerOptions,
  type RunningConsumer,
  type ConsumerDependency,
  type ConsumerState,
  type DeadLetterCategory,
  type DeadLetterInfo,
} from "./consumer-types.ts";
export { defaultPauseBackoff } from "./dependency-gate.ts";
export { deadLetter } from "./dead-letter.ts";
export { readDeadLetters, getDeadLetter, replayDeadLetter, type StoredDeadLetter, type DeadLetterFilter } from "./dead-letter-store.ts";
