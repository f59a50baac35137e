// The activation flows in the shared flow store (src/flows/common/flow-store.ts), under the kind `activation`.
import { purgeFlows, type FlowStore as CommonFlowStore, type FlowStores } from '../common/flow-store.js';
import type { FlowState } from './flow.js';

export { FLOW_ID_PATTERN, newFlowId } from '../common/flow-store.js';

export type FlowStore = CommonFlowStore<FlowState>;

export function createFlowStore(stores: FlowStores, options: { ttlSeconds: number }): FlowStore {
  return stores<FlowState>({ kind: 'activation', ...options });
}

/** Deletes flows whose time has passed (every kind: they share one table; on Redis, its TTL does it). */
export const purgeActivationFlows = purgeFlows;
