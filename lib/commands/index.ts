/** Library functions behind the command-line tools (bin/). Re-exports only. */

// The stacks' contract the commands read: stack names and output names (also exported from the package root).
export {
  ARCHIVE_OUTPUTS,
  CUTOVER_OUTPUTS,
  LOG_OUTPUTS,
  VPN_OUTPUTS,
  parseStackName,
  stackName,
  STACK_ROLES,
  StackRole,
} from '../../stacks/contract';

// Deploy and archive (issue 6): named exports, so generic helper names stay internal.
export {
  deploy,
  deployMain,
  DeployOptions,
  DeployResult,
  LOCAL_RECORDS_DIR,
  NO_PLAN_ARCHIVED,
  SIGNAL_EXIT,
  retentionFloor,
  weakerRetention,
} from './deploy';
export {
  CallerIdentity,
  CallerIdentityLookup,
  IdentityError,
  awsCallerIdentity,
  digitaloceanCallerIdentity,
  defaultCallerIdentity,
  STS_PACKAGE,
  StsModule,
} from './caller-identity';
export { archiveMain, verifyArchive, listArchive, pushArchive, ArchiveOptions } from './archive';
export { ArchiveStore, ArchiveStoreOptions, ArchiveError, ArchiveErrorKind, ObjectLock } from './archive-store';
export {
  ArchiveTarget,
  TargetFlags,
  ResolveTargetOptions,
  resolveTarget,
  TARGET_FLAGS,
  targetFlags,
} from './archive-target';
export {
  Manifest,
  ManifestFile,
  VerifyResult,
  RecordSummary,
  MANIFEST_FORMAT,
  recordId,
  recordPrefix,
  uploadRecord,
  LockMode,
  LOCK_STRENGTH,
  RECORD_FILE_NAME,
  verifyRecord,
  listRecords,
} from './deployment-record';
export { vpnConfig, vpnConfigMain, VpnConfigOptions, VPN_CONFIG_HELP } from './vpn-config';
// PR pipeline (issue 8): diff, plan, diagram.
export {
  diffMain,
  runDiff,
  diffSynth,
  diffValues,
  renderMarkdown,
  hasChanges,
  trafficOf,
  formatWeights,
  stackRole,
  DIFF_EXIT,
  DIFF_HELP,
  NO_CHANGES,
  DiffOptions,
  DiffResult,
  DiffInputs,
  DiffReport,
  StackDiff,
  ResourceChange,
  ResourceAction,
  AttributeChange,
  Risk,
  RiskKind,
  RISK_ORDER,
  RISK_TITLES,
  Consumer,
  BlastRadius,
  Verdict,
  ValuesChange,
  valuesChanges,
  readValuesTree,
  mergedValues,
  ValuesTree,
  releaseFacts,
  releaseRisks,
  ReleaseFacts,
  describeChange,
  lineDiff,
  DiffLine,
  decodeUserData,
  changedMiddle,
} from './diff';
export {
  STATEFUL_TYPES,
  REPLACE_ON,
  REPLACE_WHEN,
  DISRUPTIVE,
  RESOURCE_KNOWLEDGE,
  ResourceKnowledge,
  replacementCauses,
  disruptionCauses,
  refusedChanges,
} from './resource-knowledge';
export { readSynthOutput, synthesizeProject, synthesizeRef, SynthOutputError, StackJson, Log } from './synth-output';
export {
  summarizePlan,
  redact as redactPlanValue,
  PlanSummary,
  ResourceChangeSummary,
  PlanAttributeChange,
  PLAN_SUMMARY_FORMAT,
} from './plan-summary';
export {
  plan,
  planMain,
  statefulDeletes,
  sharedChangesInDiff,
  sharedChangesInPlan,
  classifyTerraformError,
  missingCredentials,
  cloudsOf,
  findExecutable,
  PLAN_EXIT,
  PLAN_FILE,
  PLAN_SUMMARY_FILE,
  PLAN_HELP,
  MIN_ALLOWANCE_REASON_LENGTH,
  writePlanSummary,
  PlanOptions,
  PlanResult,
  StatefulDelete,
  SharedChange,
  SharedReplaceAllowance,
} from './plan';
// Blue/green (issue 3): cutover and smoke.
export { cutover, cutoverMain, setWeights, CUTOVER_HELP, CutoverOptions, CutoverResult } from './cutover';
// Automated release (issue 15): deploy idle → wait → smoke → gated steps → bake; rollback by itself.
export {
  release,
  ReleaseOptions,
  ReleaseResult,
  ReleasePorts,
  StackDeployResult,
  SignalSource,
} from './release/engine';
export { releaseMain, RELEASE_HELP, ReleaseIo } from './release/cli';
export {
  ReleaseCloud,
  DeployedRelease,
  FleetStatus,
  AlarmReading,
  OutputsReader,
  awsReleaseCloud,
  AwsReleaseCloudOptions,
  digitaloceanReleaseCloud,
  DigitalOceanReleaseCloudOptions,
} from './release/cloud';
export {
  ReleaseRecord,
  StepRecord,
  PhaseRecord,
  GateReading,
  ReleaseOutcome,
  RELEASE_RECORD_FORMAT,
  lastReleaseRecord,
  releaseRecordKey,
} from './release/record';
export {
  smoke,
  smokeMain,
  smokeUrl,
  smokeTargetUrl,
  SMOKE_HELP,
  SmokeOptions,
  SmokeResult,
  SmokeAttempt,
  SmokeTargetOptions,
} from './smoke';
export {
  diagram,
  diagramMain,
  buildDiagram,
  trafficRoles,
  renderMermaid,
  renderSvg,
  renderHtml,
  DIAGRAM_HELP,
  Diagram,
  DiagramNode,
  DiagramNodeKind,
  DiagramEdge,
  DiagramEdgeKind,
  DiagramGroup,
  DiagramTestPath,
  DiagramOptions,
  TrafficRole,
} from './diagram';
// Central logging (issue 5): apply the log store bootstrap.
export {
  applyLogStoreBootstrap,
  bootstrapFromOutputs,
  logStoreBootstrapMain,
  ApplyBootstrapOptions,
  BootstrapRequestError,
  LOG_STORE_BOOTSTRAP_HELP,
} from './log-store-bootstrap';
// The CLI skeleton and the cdktf adapter the commands run on (lib/cli).
export {
  ExitCode,
  CommandIo,
  CommandError,
  UsageError,
  PrerequisiteError,
  OutputsUnavailableError,
  cdktfBinary,
  readDeployedOutputs,
  readOutputsFile,
  DeployedOutputsOptions,
  classifyToolOutput,
  ToolFailure,
  PrerequisiteKind,
  FlagSpec,
  ParsedArgs,
  CommandMain,
} from '../cli';
// The package's commands (npx cdktf-bluegreen <command>).
export { COMMANDS, CommandEntry, packageMain } from './registry';
// The Release step (issue 21): promote artifacts by digest, the shared values edit.
export {
  promote,
  promoteMain,
  releaseTag,
  PROMOTE_HELP,
  PromoteOptions,
  PromoteResult,
  ImageSource,
  TagMutability,
} from './promote';
export {
  promoteArtifact,
  parseOciReference,
  digestOf,
  Skopeo,
  SkopeoOptions,
  OciReference,
  PromotedArtifact,
  CopiedManifest,
  PromotionError,
} from './promote-oci';
export {
  copyAmi,
  transferSnapshot,
  CopyAmiOptions,
  TransferSnapshotOptions,
  CopiedImage,
  SOURCE_IMAGE_TAG,
  RELEASE_VERSION_TAG,
} from './promote-image';
export { editValuesFile, setValues, ValuesEdit, ValuesEditOptions, ValuesEditResult } from './values-edit';
export {
  buildBundle,
  openBundle,
  bundleForDeploy,
  bundleMain,
  secretFindings,
  BUNDLE_HELP,
  BUNDLE_FORMAT,
  BUNDLE_MANIFEST,
  BUNDLES_DIR,
  BundleError,
  BundleManifest,
  BundleMember,
  BuiltBundle,
  BuildBundleOptions,
  OpenedBundle,
  OpenBundleOptions,
  BundleDeploy,
} from './bundle';
