// The activation flows in the shared flow store (src/flows/common/flow-store.ts), under the kind `activation`.
import type { Db } from '../../store/database.js';
import { createFlowStore as createCommonFlowStore, purgeFlows, type FlowStore as CommonFlowStore } from '../common/flow-store.js';
import type { FlowState } from './flow.js';

export { FLOW_ID_PATTERN, newFlowId } from '../common/flow-store.js';

export type FlowStore = CommonFlowStore<FlowState>;

export function createFlowStore(db: Db, options: { ttlSeconds: number }): FlowStore {
  return createCommonFlowStore<FlowState>(db, { kind: 'activation', ...options });
}

/** Deletes flows whose time has passed (every kind: they share one table). */
export const purgeActivationFlows = purgeFlows;
