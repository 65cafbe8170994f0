/** Cloud-neutral rendering: log forwarder config, cloud-init user data, strongSwan config. Re-exports only. */
export * from './log-forwarder';
export * from './log-store-bootstrap';
export * from './user-data';
export * from './strongswan';
