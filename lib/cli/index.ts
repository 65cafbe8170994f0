/**
 * The command-line skeleton every command uses: argument parsing, one IO type, the errors and exit codes, the runner,
 * how the user runs a command, and the cdktf/Terraform adapter. Re-exports only.
 */
export { ExitCode, ExitCodeValue, exitCodeForSignal } from './exit-codes';
export { CommandError, UsageError, PrerequisiteError, PrerequisiteKind } from './errors';
export { CommandIo, ResolvedIo, writers } from './io';
export {
  ArgsSpec,
  FlagSpec,
  ParsedArgs,
  ParseContext,
  parseCommandArgs,
  npmConsumedFlags,
  helpHint,
  stringFlag,
  booleanFlag,
  intFlag,
} from './args';
export { CommandMain, CommandDefinition, defineCommand, runCommand, describeError } from './command';
export { PACKAGE_BIN, InvocationContext, commandPrefix, commandLine, forInvocation, shellWord } from './invocation';
export { plainText } from './terminal';
export {
  OutputsUnavailableError,
  cdktfBinary,
  findExecutable,
  terraformBinary,
  plainOutputEnv,
  RunOptions,
  runProcess,
  ToolFailure,
  classifyToolOutput,
  assertEnvironmentExists,
  readOutputsFile,
  DeployedOutputsOptions,
  readDeployedOutputs,
} from './cdktf';
