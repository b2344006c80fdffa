// Codegen starts the same throwaway clusters when it finds no server, so the class lives with its discovery.
export { ThrowawayCluster, findPostgresBinDir, freePort, type ClusterOptions } from '../../codegen/server/cluster.js';
