// Registers cdktf's jest matchers (toHaveResourceWithProperties, ...) for every test file. Importing the adapter
// only defines setupJest; it has to be called.
import { setupJest } from 'cdktf/lib/testing/adapters/jest';

setupJest();
