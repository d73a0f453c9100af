export { startBatchConsumer } from "./batch-consumer.ts";
export { CoalescingPublisher, connectionPublisher, publishAllCoalesced } from "./coalescing-publisher.ts";
export { type Bus, type BusOptions, busIsReady, connectBus } from "./connection.ts";
export {
  type BatchConsumerOptions,
  type ConsumerDependency,
  type ConsumerState,
  type DeadLetterCategory,
  type DeadLetterInfo,
  done,
  type Outcome,
  type RunningConsumer,
} from "./consumer-types.ts";
export { deadLetter, type LetterSource, letterOf } from "./dead-letter.ts";
export {
  type DeadLetterFilter,
  getDeadLetter,
  readDeadLetters,
  replayDeadLetter,
  type StoredDeadLetter,
} from "./dead-letter-store.ts";
export { busDefaults } from "./defaults.ts";
export { DependencyGate, defaultPauseBackoff, pauseBackoff, summarize } from "./dependency-gate.ts";
export { eraseMessages, type ScannedMessage } from "./erase-messages.ts";
export { type PartitionMessage, PartitionReaders } from "./partition-reader.ts";
export { DEFAULT_PARTITIONS, MAX_PARTITIONS, partitionOf } from "./partitions.ts";
export { type Published, publishJson, publishMany } from "./publish.ts";
export { firstSeqStoredSince, firstUnacknowledged, trimStream } from "./retention.ts";
export { consumerBacklog, consumerCounts, ensureTopology, pendingAfter, type TopologyOptions } from "./streams.ts";
export { type BusTopology, busTopology, transactionPartition, transactionSubject } from "./topology.ts";
export { keepTopology, missingStreams } from "./topology-keeper.ts";
