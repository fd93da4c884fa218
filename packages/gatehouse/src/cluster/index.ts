// Several replicas on one PostgreSQL database (docs/reference/scale-out.md). This file only re-exports.
export { announceChange, changeTopicFor, CHANGE_CHANNEL, CHANGE_TOPICS, type ChangeTopic } from './change-channel.ts';
export { ChangeListener, type ChangeListenerOptions } from './change-listener.ts';
export { CoalescedTask } from './coalesced-task.ts';
export { keyLifecycleLock, type SigningKeysExclusive } from './key-lifecycle-lock.ts';
export { ReplicaSync, type ReplicaSyncOptions } from './replica-sync.ts';
