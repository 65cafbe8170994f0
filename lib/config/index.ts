/** Environment values: schema, loader, overlay rule and error formatting. */
export * from './cidr';
export * from './errors';
export * from './loader';
export * from './merge';
export * from './schema';
export * from './validator';
export * from './values';
export { COLORS, Color, mutableReferenceReason } from './sections/release';
export {
  CustomerConfigMode,
  CUSTOMER_CONFIG_MODES,
  DEFAULT_TUNNEL_OPTIONS,
  TunnelOptions,
  VpnValues,
  WEAK_CRYPTO,
  tunnelOptionsProblems,
  insideCidrProblems,
  onPremCidrProblems,
  publicIpProblem,
  bgpAsnProblem,
  amazonSideAsnProblem,
  tunnelOptionsSchema,
  vpnSchema,
  VpnProblem,
} from './sections/vpn';
export {
  STRATEGIES,
  Strategy,
  TEST_LISTENER_STRATEGIES,
  Weights,
  liveColor,
  otherColor,
  TrafficValues,
  trafficSchema,
} from './sections/traffic';
export { CutoverValues, TestListenerTarget, testListenerTarget } from './sections/cutover-safety';
export { LoadBalancerValues, loadBalancerSchema } from './sections/load-balancer';
export { FleetValues, fleetSchema, ROOT_DEVICE_NAMES } from './sections/fleet';
export { DigitalOceanValues, digitaloceanSchema } from './sections/digitalocean';
export { APP_LOG_FORMATS, AppLogFormat, hasLogStore, LOG_STORE_TYPES, LogStoreType } from './sections/logging';
