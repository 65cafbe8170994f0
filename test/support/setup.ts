// Registers cdktf's jest matchers (toHaveResourceWithProperties, ...) for every test file. Importing the adapter
// only defines setupJest; it has to be called.
import { setupJest } from 'cdktf/lib/testing/adapters/jest';
import { skipTokenCreationTraces } from '../../lib/token-traces';

setupJest();

// Terraform and the cdktf CLI phone home for version checks unless told not to; the tests start both, and must
// send nothing off this machine.
process.env.CHECKPOINT_DISABLE = '1';
// Without credentials the AWS SDKs in Terraform's S3 backend and provider ask the EC2 instance metadata service
// (169.254.169.254), an address off this machine: never from a test.
process.env.AWS_EC2_METADATA_DISABLED = 'true';

// Synthesize as the app does (main.ts): without cdktf's token creation traces. Under jest they are also costly:
// each trace is a full-depth stack that jest's source-map support maps frame by frame, parsing the inline source
// maps of cdktf and the provider bindings once per test file (a third of the CPU time of a synth-heavy file).
// Real Error stacks keep their mapping; the output of a synth is the same (test/token-traces.test.ts).
skipTokenCreationTraces();
