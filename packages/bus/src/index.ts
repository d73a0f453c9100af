export { busTopology, type BusTopology } from "./topology.ts";
export { connectBus, busIsReady, type Bus, type BusOptions } from "./connection.ts";
export { ensureTopology, consumerBacklog, type TopologyOptions } from "./streams.ts";
export { publishJson, publishMany, type Published } from "./publish.ts";
export { startBatchConsumer, done, type Outcome, type BatchConsumerOptions, type RunningConsumer } from "./batch-consumer.ts";
export { deadLetter } from "./dead-letter.ts";
