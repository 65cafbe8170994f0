/**
 * The names of 0.1, when DigitalOcean constructs carried a `Do` prefix to tell them apart from the AWS ones in one
 * flat export. Each cloud is now its own namespace (`digitalocean.LoadBalancer`, or `cdktf-bluegreen/digitalocean`);
 * these aliases keep 0.1 code compiling and go in 1.0.
 */
import { HostRecord, HostRecordProps } from './host-record';
import { LbIngressFirewall, LbIngressFirewallProps } from './lb-ingress-firewall';
import { LoadBalancer, LoadBalancerProps } from './load-balancer';
import { LogStore, LogStoreProps } from './log-store';
import { LogStoreLookup, LogStoreLookupProps } from './log-store-lookup';
import { Network, NetworkProps } from './network';
import { Project, ProjectProps } from './project';
import { SharedLookup, SharedLookupProps } from './shared-lookup';

/**
 * The 0.1 name of {@link HostRecord}.
 * @deprecated Use HostRecord (`digitalocean.HostRecord`); removed in 1.0.
 */
export const DoHostRecord = HostRecord;
/**
 * The 0.1 name of {@link HostRecordProps}.
 * @deprecated Use HostRecordProps (`digitalocean.HostRecordProps`); removed in 1.0.
 */
export type DoHostRecordProps = HostRecordProps;
/**
 * The 0.1 name of {@link LbIngressFirewall}.
 * @deprecated Use LbIngressFirewall (`digitalocean.LbIngressFirewall`); removed in 1.0.
 */
export const DoLbIngressFirewall = LbIngressFirewall;
/**
 * The 0.1 name of {@link LbIngressFirewallProps}.
 * @deprecated Use LbIngressFirewallProps (`digitalocean.LbIngressFirewallProps`); removed in 1.0.
 */
export type DoLbIngressFirewallProps = LbIngressFirewallProps;
/**
 * The 0.1 name of {@link LoadBalancer}.
 * @deprecated Use LoadBalancer (`digitalocean.LoadBalancer`); removed in 1.0.
 */
export const DoLoadBalancer = LoadBalancer;
/**
 * The 0.1 name of {@link LoadBalancerProps}.
 * @deprecated Use LoadBalancerProps (`digitalocean.LoadBalancerProps`); removed in 1.0.
 */
export type DoLoadBalancerProps = LoadBalancerProps;
/**
 * The 0.1 name of {@link LogStore}.
 * @deprecated Use LogStore (`digitalocean.LogStore`); removed in 1.0.
 */
export const DoLogStore = LogStore;
/**
 * The 0.1 name of {@link LogStoreProps}.
 * @deprecated Use LogStoreProps (`digitalocean.LogStoreProps`); removed in 1.0.
 */
export type DoLogStoreProps = LogStoreProps;
/**
 * The 0.1 name of {@link LogStoreLookup}.
 * @deprecated Use LogStoreLookup (`digitalocean.LogStoreLookup`); removed in 1.0.
 */
export const DoLogStoreLookup = LogStoreLookup;
/**
 * The 0.1 name of {@link LogStoreLookupProps}.
 * @deprecated Use LogStoreLookupProps (`digitalocean.LogStoreLookupProps`); removed in 1.0.
 */
export type DoLogStoreLookupProps = LogStoreLookupProps;
/**
 * The 0.1 name of {@link Network}.
 * @deprecated Use Network (`digitalocean.Network`); removed in 1.0.
 */
export const DoNetwork = Network;
/**
 * The 0.1 name of {@link NetworkProps}.
 * @deprecated Use NetworkProps (`digitalocean.NetworkProps`); removed in 1.0.
 */
export type DoNetworkProps = NetworkProps;
/**
 * The 0.1 name of {@link Project}.
 * @deprecated Use Project (`digitalocean.Project`); removed in 1.0.
 */
export const DoProject = Project;
/**
 * The 0.1 name of {@link ProjectProps}.
 * @deprecated Use ProjectProps (`digitalocean.ProjectProps`); removed in 1.0.
 */
export type DoProjectProps = ProjectProps;
/**
 * The 0.1 name of {@link SharedLookup}.
 * @deprecated Use SharedLookup (`digitalocean.SharedLookup`); removed in 1.0.
 */
export const DoSharedLookup = SharedLookup;
/**
 * The 0.1 name of {@link SharedLookupProps}.
 * @deprecated Use SharedLookupProps (`digitalocean.SharedLookupProps`); removed in 1.0.
 */
export type DoSharedLookupProps = SharedLookupProps;
